package core

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/go-oauth20/oauth20/internal/storetest"
	"github.com/go-oauth20/oauth20/internal/testkit"
)

// loginResult is the result of a login of user with tokens that expire in
// an hour.
func loginResult(clock Clock, user string) *Result {
	return &Result{Provider: "fake", User: &User{ID: user, Name: "Octo", Email: "o@example.com", EmailVerified: true},
		Token: &Token{AccessToken: "access-" + user + "-secret", TokenType: "Bearer", RefreshToken: "refresh-" + user + "-secret",
			Scope: "read,write", Expiry: clock.Now().Add(time.Hour)}}
}

func TestSession(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newFlowEnv(t, nil)
	c, err := e.auth.SessionCookie(ctx, loginResult(e.clock, "42"))
	if err != nil {
		t.Fatal(err)
	}
	if c.Name != "__Host-oauth20_session" || c.Path != "/" || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.MaxAge != int(DefaultSessionLifetime/time.Second) {
		t.Errorf("cookie %+v", c)
	}
	s, ok, err := e.auth.Session(ctx, jar(c))
	if err != nil || !ok || s.Provider != "fake" || s.UserID != "42" || s.Name != "Octo" || !s.EmailVerified || strings.Join(s.Scopes, " ") != "read write" {
		t.Fatalf("session %+v %v %v", s, ok, err)
	}
	if s.Token != nil || s.IDToken != "" || s.ID != "" {
		t.Errorf("tokens kept without KeepTokens, or an ID in cookie mode: %+v", s)
	}
	// A session cookie is bound to its name: the same value under another
	// name (a flow cookie's) does not open.
	if _, ok, _ := e.auth.Session(ctx, func(string) (string, bool) { return c.Value, true }); !ok {
		t.Fatal("lookup by any name failed")
	}
	other := c
	other.Name = "oauth20_other"
	if _, err := e.auth.sealer.open(other.Value, "session:"+other.Name); !errors.Is(err, ErrUnseal) {
		t.Errorf("session opened under another name: %v", err)
	}
	// Central revocation needs sessions on the server.
	if err := e.auth.RevokeSessions(ctx, "fake", "42"); !errors.Is(err, ErrInvalidConfig) {
		t.Errorf("RevokeSessions in cookie mode: %v", err)
	}
	if err := e.auth.RevokeSession(ctx, strings.Repeat("a", sessionIDLen)); !errors.Is(err, ErrInvalidConfig) {
		t.Errorf("RevokeSession in cookie mode: %v", err)
	}
	e.clock.Advance(DefaultSessionLifetime + time.Second)
	if _, ok, _ := e.auth.Session(ctx, jar(c)); ok {
		t.Error("expired session accepted")
	}
}

// replicas are Auths that share one store, as replicas of an application
// behind a load balancer do.
type replicas struct {
	a, b  *Auth
	store *storetest.Flaky
	clock *testkit.Clock
	f     *fakeServer
	logs  *testkit.SyncBuffer
}

// newReplicas builds two Auths whose sessions keep tokens, on the server
// when server is set, sharing a store.
func newReplicas(t *testing.T, clock Clock, server bool, settings ...func(*Builder)) *replicas {
	t.Helper()
	f := flowServer(t)
	fc, _ := clock.(*testkit.Clock)
	if sc, ok := clock.(*stepClock); ok {
		fc = sc.Clock
	}
	r := &replicas{store: &storetest.Flaky{Store: newMemoryStore(fc, 1000)}, clock: fc, f: f, logs: &testkit.SyncBuffer{}}
	build := func() *Auth {
		b := New().SealingKeys(testKey).BaseURL("https://app.example/auth").Clock(clock).Store(r.store).
			Logger(slog.New(slog.NewTextHandler(r.logs, nil))).
			KeepTokens().LoginURL("/login").Provider(testProvider(t, f, "fake", nil), nil)
		if server {
			b.ServerSessions()
		}
		for _, set := range settings {
			set(b)
		}
		return b.MustBuild()
	}
	r.a, r.b = build(), build()
	return r
}

// withSession is newReplicas with a session of user 42 made by replica a:
// it returns the replicas and the session's cookie.
func withSession(t *testing.T, ctx context.Context, clock Clock, server bool) (*replicas, http.Cookie) {
	t.Helper()
	r := newReplicas(t, clock, server)
	c, err := r.a.SessionCookie(ctx, loginResult(clock, "42"))
	if err != nil {
		t.Fatal(err)
	}
	return r, c
}

// storedValues returns every value in the memory store under r.
func (r *replicas) storedValues() map[string][]byte {
	m := r.store.Store.(*memoryStore)
	m.mu.Lock()
	defer m.mu.Unlock()
	out := map[string][]byte{}
	for k, e := range m.entries {
		out[k] = e.value
	}
	return out
}

func TestServerSessions(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r, c := withSession(t, ctx, newFakeClock(), true)
	if len(c.Value) > 120 || c.MaxAge != int(DefaultSessionLifetime/time.Second) || !c.HttpOnly {
		t.Errorf("cookie of %d bytes: %+v", len(c.Value), c)
	}
	// Written by one replica, read by the other.
	s, ok, err := r.b.Session(ctx, jar(c))
	if err != nil || !ok || s.UserID != "42" || len(s.ID) != sessionIDLen || s.Token == nil || s.Token.RefreshToken != "refresh-42-secret" {
		t.Fatalf("session on the other replica: %+v %v %v", s, ok, err)
	}
	// The store holds no readable token, user id or name.
	for k, v := range r.storedValues() {
		for _, secret := range []string{"access-42", "refresh-42", "Octo", "o@example.com"} {
			if bytes.Contains(v, []byte(secret)) || strings.Contains(k, secret) {
				t.Errorf("the store holds %q in the clear under %s", secret, k)
			}
		}
	}
	// A record moved to another session's key does not open there.
	c2, _ := r.a.SessionCookie(ctx, loginResult(r.clock, "42"))
	s2, _, _ := r.a.Session(ctx, jar(c2))
	rec, _, _ := r.store.Get(ctx, sessionKey(s.ID))
	_ = r.store.Set(ctx, sessionKey(s2.ID), rec, time.Hour)
	if _, ok, _ := r.b.Session(ctx, jar(c2)); ok {
		t.Error("a session record opened under another session's ID")
	}
	// A cookie of one mode is no session in the other.
	cookieMode := newFlowEnv(t, nil).auth
	cc, _ := cookieMode.SessionCookie(ctx, loginResult(r.clock, "42"))
	if _, ok, _ := r.a.Session(ctx, jar(cc)); ok {
		t.Error("a session cookie accepted by an Auth with server-side sessions")
	}
	if _, ok, _ := cookieMode.Session(ctx, jar(c)); ok {
		t.Error("a session ID cookie accepted by an Auth with cookie sessions")
	}
	r.clock.Advance(DefaultSessionLifetime)
	if _, ok, _ := r.b.Session(ctx, jar(c)); ok {
		t.Error("expired session accepted")
	}
}

func TestRevokeSessions(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := newReplicas(t, newFakeClock(), true)
	login := func(a *Auth, user string) (http.Cookie, *Session) {
		t.Helper()
		c, err := a.SessionCookie(ctx, loginResult(r.clock, user))
		if err != nil {
			t.Fatal(err)
		}
		s, ok, err := a.Session(ctx, jar(c))
		if err != nil || !ok {
			t.Fatalf("new session: %v %v", ok, err)
		}
		return c, s
	}
	alive := func(a *Auth, c http.Cookie) bool {
		t.Helper()
		_, ok, err := a.Session(ctx, jar(c))
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	laptop, sl := login(r.a, "42")
	phone, _ := login(r.b, "42")
	otherUser, _ := login(r.a, "7")

	// By ID, on one replica: the session ends on the other too.
	if err := r.a.RevokeSession(ctx, sl.ID); err != nil {
		t.Fatal(err)
	}
	if alive(r.b, laptop) || !alive(r.b, phone) {
		t.Error("RevokeSession ended the wrong sessions")
	}
	if err := r.a.RevokeSession(ctx, sl.ID); err != nil {
		t.Errorf("revoking an ended session: %v", err)
	}
	if err := r.a.RevokeSession(ctx, "not-an-id"); err == nil {
		t.Error("a malformed ID accepted")
	}

	// By user: every session of the user, in one write.
	tablet, _ := login(r.a, "42")
	before := r.store.Writes()
	if err := r.b.RevokeSessions(ctx, "fake", "42"); err != nil {
		t.Fatal(err)
	}
	if n := r.store.Writes() - before; n != 1 {
		t.Errorf("RevokeSessions made %d writes, want 1", n)
	}
	if alive(r.a, phone) || alive(r.a, tablet) || !alive(r.a, otherUser) {
		t.Error("RevokeSessions ended the wrong sessions")
	}
	// A login after the revocation is a session again.
	again, _ := login(r.b, "42")
	if !alive(r.a, again) {
		t.Error("a session started after RevokeSessions is refused")
	}
	// A second revocation ends it too.
	if err := r.a.RevokeSessions(ctx, "fake", "42"); err != nil || alive(r.b, again) {
		t.Errorf("second RevokeSessions: %v", err)
	}
	// Logout on one replica deletes the session for all.
	last, _ := login(r.a, "42")
	if _, clear := r.b.Logout(ctx, jar(last)); clear.MaxAge >= 0 {
		t.Errorf("logout cookie %+v", clear)
	}
	if alive(r.a, last) {
		t.Error("a logged-out session is alive on the other replica")
	}
}

func TestServerSessionsFailClosed(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r, c := withSession(t, ctx, newFakeClock(), true)
	r.store.Down.Store(true)

	// A new session: 503, no cookie, nothing written.
	before := r.store.Writes()
	nc, err := r.a.SessionCookie(ctx, loginResult(r.clock, "42"))
	if !errors.Is(err, ErrStoreUnavailable) || !errors.Is(err, storetest.ErrDown) || statusOf(err) != http.StatusServiceUnavailable || nc.Name != "" {
		t.Fatalf("SessionCookie with the store down: %+v %v", nc, err)
	}
	if p := ProblemOf(err); p.Status != 503 || p.Type != "urn:oauth20:unavailable" || p.Provider != "fake" {
		t.Errorf("problem %+v", p)
	}
	// An existing session: not taken for absent, and not for present.
	s, ok, err := r.b.Session(ctx, jar(c))
	if s != nil || ok || !errors.Is(err, ErrStoreUnavailable) || statusOf(err) != http.StatusServiceUnavailable {
		t.Fatalf("Session with the store down: %v %v %v", s, ok, err)
	}
	// The middleware answers 503 rather than send the user to log in.
	s, to, err := r.b.RequireLogin(ctx, http.MethodGet, "/me", jar(c), nil)
	if s != nil || to != "" || statusOf(err) != http.StatusServiceUnavailable {
		t.Fatalf("RequireLogin with the store down: %v %q %v", s, to, err)
	}
	if p := ProblemOf(err); p.Type != "urn:oauth20:unavailable" || p.Status != 503 {
		t.Errorf("problem %+v", p)
	}
	// Revocation fails loudly.
	if err := r.a.RevokeSessions(ctx, "fake", "42"); !errors.Is(err, ErrStoreUnavailable) {
		t.Errorf("RevokeSessions with the store down: %v", err)
	}
	// Logout clears the cookie all the same, and says what was left.
	to, clear := r.a.Logout(ctx, jar(c))
	if clear.MaxAge >= 0 || to != "/" {
		t.Errorf("logout with the store down: %q %+v", to, clear)
	}
	if logs := r.logs.String(); !strings.Contains(logs, "level=ERROR") || !strings.Contains(logs, "could not be deleted") {
		t.Errorf("logout did not log the failure: %s", logs)
	}
	if n := r.store.Writes() - before; n != 0 {
		t.Errorf("%d writes reached the store while it was down", n)
	}

	// Recovery: the session that logout could not delete is there again.
	r.store.Down.Store(false)
	if _, ok, err := r.b.Session(ctx, jar(c)); !ok || err != nil {
		t.Fatalf("after recovery: %v %v", ok, err)
	}
	if _, err := r.a.SessionCookie(ctx, loginResult(r.clock, "42")); err != nil {
		t.Fatalf("new session after recovery: %v", err)
	}
}

// TestSessionSize: sessions in the Store take the tokens that do not fit in
// a cookie, up to a bound.
func TestSessionSize(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	big := func(r *replicas, n int) *Result {
		res := loginResult(r.clock, "42")
		res.Token.AccessToken = strings.Repeat("a", n)
		return res
	}
	cookies := newReplicas(t, newFakeClock(), false)
	if _, err := cookies.a.SessionCookie(ctx, big(cookies, 5000)); !errors.Is(err, ErrInvalidConfig) || statusOf(err) != http.StatusInternalServerError {
		t.Errorf("a session too large for a cookie: %v", err)
	}
	server := newReplicas(t, newFakeClock(), true)
	c, err := server.a.SessionCookie(ctx, big(server, 5000))
	if err != nil {
		t.Fatalf("a large session in the store: %v", err)
	}
	if s, ok, _ := server.b.Session(ctx, jar(c)); !ok || len(s.Token.AccessToken) != 5000 {
		t.Error("the large session does not read back")
	}
	before := server.store.Writes()
	if _, err := server.a.SessionCookie(ctx, big(server, maxSessionRecord)); !errors.Is(err, ErrInvalidConfig) || statusOf(err) != http.StatusInternalServerError {
		t.Errorf("a session too large for the store: %v", err)
	}
	if n := server.store.Writes() - before; n != 0 {
		t.Errorf("%d writes for a session too large to store", n)
	}
}
