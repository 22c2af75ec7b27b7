package core

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-oauth20/oauth20/internal/testkit"
)

// stepClock is a fakeClock whose After waits for the test: each wait is
// handed to the test on waits and ends when the test sends on it.
type stepClock struct {
	*testkit.Clock
	waits chan chan<- time.Time
}

func newStepClock() *stepClock {
	return &stepClock{Clock: newFakeClock(), waits: make(chan chan<- time.Time, 16)}
}

func (c *stepClock) After(time.Duration) <-chan time.Time {
	ch := make(chan time.Time, 1)
	c.waits <- ch
	return ch
}

// wait returns the next wait, failing the test when none comes.
func (c *stepClock) wait(t *testing.T) chan<- time.Time {
	t.Helper()
	select {
	case w := <-c.waits:
		return w
	case <-time.After(10 * time.Second):
		t.Fatal("nobody waits on the clock")
		return nil
	}
}

// rotation is a provider's token endpoint that rotates refresh tokens: each
// is good for one refresh, and a used one is refused with invalid_grant.
type rotation struct {
	mu      sync.Mutex
	valid   string
	n       int
	gate    chan struct{} // when not nil, refreshes wait for it to close
	arrived chan struct{} // a refresh arrived
}

func rotate(f *fakeServer, first string) *rotation {
	r := &rotation{valid: first, arrived: make(chan struct{}, 16)}
	f.handle("/token", func(w http.ResponseWriter, req *http.Request) {
		_ = req.ParseForm()
		r.arrived <- struct{}{}
		r.mu.Lock()
		gate := r.gate
		r.mu.Unlock()
		if gate != nil {
			<-gate
		}
		r.mu.Lock()
		defer r.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		if req.Form.Get("grant_type") != "refresh_token" || req.Form.Get("refresh_token") != r.valid {
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"error":"invalid_grant"}`))
			return
		}
		r.n++
		r.valid = "rt-" + strconv.Itoa(r.n)
		_, _ = w.Write([]byte(`{"access_token":"at-` + strconv.Itoa(r.n) + `","token_type":"Bearer","expires_in":3600,"refresh_token":"` + r.valid + `"}`))
	})
	return r
}

// hold makes refreshes wait until the returned func is called.
func (r *rotation) hold() (release func()) {
	gate := make(chan struct{})
	r.mu.Lock()
	r.gate = gate
	r.mu.Unlock()
	return sync.OnceFunc(func() { close(gate) })
}

func (r *rotation) refreshes() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.n
}

// arrival waits for a refresh to reach the provider.
func (r *rotation) arrival(t *testing.T) {
	t.Helper()
	select {
	case <-r.arrived:
	case <-time.After(10 * time.Second):
		t.Fatal("no refresh reached the provider")
	}
}

type tokenResult struct {
	tok    *Token
	cookie http.Cookie
	err    error
}

func sessionToken(ctx context.Context, a *Auth, s *Session) <-chan tokenResult {
	ch := make(chan tokenResult, 1)
	go func() {
		t, c, err := a.SessionToken(ctx, s)
		ch <- tokenResult{t, c, err}
	}()
	return ch
}

func TestSessionTokenAcrossReplicas(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clock := newStepClock()
	r, c := withSession(t, ctx, clock, true)
	rot := rotate(r.f, "refresh-42-secret")
	sa, _, _ := r.a.Session(ctx, jar(c))
	sb, _, _ := r.b.Session(ctx, jar(c))

	// A fresh token is the session's own.
	if tok, nc, err := r.b.SessionToken(ctx, sb); err != nil || tok.AccessToken != "access-42-secret" || nc.Name != "" {
		t.Fatalf("fresh token: %v %+v %v", tok, nc, err)
	}
	clock.Advance(time.Hour)
	release := rot.hold()
	defer release()
	ra := sessionToken(ctx, r.a, sa)
	rot.arrival(t) // replica a refreshes, holding the session's lock
	again := sessionToken(ctx, r.a, sa)
	rb := sessionToken(ctx, r.b, sb)
	cancelled, cancel := context.WithCancel(ctx)
	rc := sessionToken(cancelled, r.b, sb)
	wait := clock.wait(t) // replica b found the lock taken and waits
	cancel()
	if res := <-rc; !errors.Is(res.err, context.Canceled) {
		t.Errorf("a waiter whose ctx ended: %v", res.err)
	}
	release()
	for _, res := range []tokenResult{<-ra, <-again} {
		if res.err != nil || res.tok.AccessToken != "at-1" || res.tok.RefreshToken != "rt-1" || res.cookie.Name != "" {
			t.Fatalf("replica a: %v %+v %v", res.tok, res.cookie, res.err)
		}
	}
	wait <- clock.Now()
	if res := <-rb; res.err != nil || res.tok.AccessToken != "at-1" || res.tok.RefreshToken != "rt-1" {
		t.Fatalf("replica b: %v %v", res.tok, res.err)
	}
	if n := rot.refreshes(); n != 1 {
		t.Errorf("%d refreshes, want 1", n)
	}
	// The session holds the new token for every replica.
	s, _, _ := r.b.Session(ctx, jar(c))
	if s.Token.AccessToken != "at-1" || s.Token.RefreshToken != "rt-1" || !s.Expiry.Equal(clock.Now().Add(time.Hour)) {
		t.Errorf("stored session after the refresh: %v, expiry %v", s.Token, s.Expiry)
	}
	// The next refresh starts from the stored session, not from a stale
	// copy: b still holds the session read before the first refresh.
	clock.Advance(time.Hour)
	if tok, _, err := r.b.SessionToken(ctx, sb); err != nil || tok.AccessToken != "at-2" {
		t.Fatalf("second refresh from a stale session: %v %v", tok, err)
	}
}

func TestSessionTokenLockOfADeadReplica(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clock := newStepClock()
	r, c := withSession(t, ctx, clock, true)
	rot := rotate(r.f, "refresh-42-secret")
	s, _, _ := r.a.Session(ctx, jar(c))
	clock.Advance(time.Hour)
	// A replica took the lock and died.
	_ = r.store.Set(ctx, "oauth20:lock:session:"+s.ID, []byte("dead"), refreshLockTTL)
	res := sessionToken(ctx, r.b, s)
	w := clock.wait(t) // the lock is held: b waits
	w <- clock.Now()
	w = clock.wait(t) // still held: b waits again, and has not refreshed
	if rot.refreshes() != 0 {
		t.Fatal("refreshed while the lock was held")
	}
	clock.Advance(refreshLockTTL)
	w <- clock.Now()
	if got := <-res; got.err != nil || got.tok.AccessToken != "at-1" {
		t.Fatalf("after the lock expired: %v %v", got.tok, got.err)
	}
}

func TestSessionTokenSessionEnded(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clock := newStepClock()
	r, c := withSession(t, ctx, clock, true)
	rot := rotate(r.f, "refresh-42-secret")
	s, _, _ := r.a.Session(ctx, jar(c))
	clock.Advance(time.Hour)
	release := rot.hold()
	res := sessionToken(ctx, r.a, s)
	rot.arrival(t)
	// Revoked while its token is being refreshed: it stays revoked.
	if err := r.b.RevokeSession(ctx, s.ID); err != nil {
		t.Fatal(err)
	}
	release()
	got := <-res
	if !errors.Is(got.err, ErrSessionEnded) || !errors.Is(got.err, ErrLoginAgain) || got.tok != nil {
		t.Fatalf("refresh of a revoked session: %v %v", got.tok, got.err)
	}
	if _, ok, _ := r.store.Get(ctx, sessionKey(s.ID)); ok {
		t.Error("the refresh brought a revoked session back")
	}
	if _, _, err := r.a.SessionToken(ctx, s); !errors.Is(err, ErrSessionEnded) {
		t.Errorf("SessionToken of an ended session: %v", err)
	}
}

func TestSessionTokenStoreDown(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r, c := withSession(t, ctx, newFakeClock(), true)
	rot := rotate(r.f, "refresh-42-secret")
	s, _, _ := r.a.Session(ctx, jar(c))
	r.store.Down.Store(true)
	// A fresh token needs no store.
	if tok, _, err := r.a.SessionToken(ctx, s); err != nil || tok.AccessToken != "access-42-secret" {
		t.Fatalf("fresh token with the store down: %v %v", tok, err)
	}
	r.clock.Advance(time.Hour)
	if tok, _, err := r.a.SessionToken(ctx, s); !errors.Is(err, ErrStoreUnavailable) || tok != nil {
		t.Fatalf("refresh with the store down: %v %v", tok, err)
	}
	if _, _, err := r.a.Refresh(ctx, "fake", s.Token, nil); !errors.Is(err, ErrStoreUnavailable) {
		t.Fatalf("Refresh with the store down: %v", err)
	}
	if rot.refreshes() != 0 {
		t.Error("refreshed without the store: another replica could use the same refresh token")
	}
	r.store.Down.Store(false)
	if tok, _, err := r.a.SessionToken(ctx, s); err != nil || tok.AccessToken != "at-1" {
		t.Fatalf("after recovery: %v %v", tok, err)
	}
}

func TestSessionTokenCookieMode(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clock := newStepClock()
	r, c := withSession(t, ctx, clock, false)
	rot := rotate(r.f, "refresh-42-secret")
	sa, _, _ := r.a.Session(ctx, jar(c))
	sb, _, _ := r.b.Session(ctx, jar(c))
	clock.Advance(time.Hour)
	release := rot.hold()
	ra := sessionToken(ctx, r.a, sa)
	rot.arrival(t)
	rb := sessionToken(ctx, r.b, sb)
	wait := clock.wait(t)
	release()
	got := <-ra
	wait <- clock.Now()
	other := <-rb
	for _, res := range []tokenResult{got, other} {
		if res.err != nil || res.tok.RefreshToken != "rt-1" || res.cookie.Name != "__Host-oauth20_session" {
			t.Fatalf("refresh: %v %+v %v", res.tok, res.cookie, res.err)
		}
		// The new cookie holds the new token and keeps the session's end.
		s, ok, _ := r.b.Session(ctx, jar(res.cookie))
		if !ok || s.Token.RefreshToken != "rt-1" || s.UserID != "42" || res.cookie.MaxAge != int((DefaultSessionLifetime-time.Hour)/time.Second) {
			t.Errorf("new session cookie: %+v %v (max-age %d)", s, ok, res.cookie.MaxAge)
		}
	}
	if n := rot.refreshes(); n != 1 {
		t.Errorf("%d refreshes, want 1", n)
	}
	if _, ok := r.storedValues()["oauth20:session:"]; ok {
		t.Error("a session stored in cookie mode")
	}
}

func TestRefreshAcrossReplicas(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clock := newStepClock()
	r := newReplicas(t, clock, false)
	rot := rotate(r.f, "rt-0")
	old := &Token{AccessToken: "at-0", TokenType: "Bearer", RefreshToken: "rt-0"}
	release := rot.hold()
	type result struct {
		tok *Token
		err error
	}
	refresh := func(a *Auth) <-chan result {
		ch := make(chan result, 1)
		go func() {
			tok, _, err := a.Refresh(ctx, "fake", old, nil)
			ch <- result{tok, err}
		}()
		return ch
	}
	ra := refresh(r.a)
	rot.arrival(t)
	rb := refresh(r.b)
	wait := clock.wait(t)
	release()
	a := <-ra
	wait <- clock.Now()
	b := <-rb
	if a.err != nil || b.err != nil || a.tok.AccessToken != "at-1" || b.tok.AccessToken != "at-1" || b.tok.RefreshToken != "rt-1" {
		t.Fatalf("a %v %v, b %v %v", a.tok, a.err, b.tok, b.err)
	}
	if v, ok := b.tok.Raw["expires_in"].(json.Number); !ok || v != "3600" {
		t.Errorf("raw answer of the shared result: %v", b.tok.Raw)
	}
	// A late replica with the old refresh token gets the same result...
	if tok, _, err := r.b.Refresh(ctx, "fake", old, nil); err != nil || tok.AccessToken != "at-1" || rot.refreshes() != 1 {
		t.Fatalf("late replica: %v %v (%d refreshes)", tok, err, rot.refreshes())
	}
	// ... for a while: then the provider says the token was rotated out.
	clock.Advance(2 * refreshResultTTL)
	if _, _, err := r.b.Refresh(ctx, "fake", old, nil); !errors.Is(err, ErrLoginAgain) {
		t.Fatalf("old refresh token after the result expired: %v", err)
	}
	// The shared result is sealed.
	for k, v := range r.storedValues() {
		if json.Valid(v) || strings.Contains(string(v), "at-1") || strings.Contains(string(v), "rt-1") {
			t.Errorf("%s holds a readable result", k)
		}
	}
}

func TestSessionIDToken(t *testing.T) {
	t.Parallel()
	enc := func(claims string) string {
		return "eyJhbGciOiJSUzI1NiJ9." + base64.RawURLEncoding.EncodeToString([]byte(claims)) + ".c2ln"
	}
	for _, tc := range []struct {
		name, claims string
		aud          []string
		authTime     time.Time
	}{
		{"aud string", `{"iss":"https://op","sub":"alice","aud":"app","auth_time":1700000000}`, []string{"app"}, time.Unix(1_700_000_000, 0)},
		{"aud array", `{"iss":"https://op","sub":"alice","aud":["app","api"],"azp":"app"}`, []string{"app", "api"}, time.Time{}},
		{"fractional auth_time", `{"iss":"https://op","sub":"alice","aud":"app","auth_time":1700000000.5}`, []string{"app"}, time.Unix(1_700_000_000, 5e8)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			id, err := sessionIDToken(enc(tc.claims))
			if err != nil || id.Issuer != "https://op" || id.Subject != "alice" || !slices.Equal(id.Audience, tc.aud) || !id.AuthTime.Equal(tc.authTime) {
				t.Fatalf("%+v %v", id, err)
			}
		})
	}
	for _, bad := range []string{"a.b", enc(`{"aud":1}`), enc(`{"auth_time":"x"}`), "a.!!!.c"} {
		if _, err := sessionIDToken(bad); err == nil {
			t.Errorf("%q decoded", bad)
		}
	}
	if id, err := sessionIDToken(""); id != nil || err != nil {
		t.Errorf("no ID token: %v %v", id, err)
	}
}
