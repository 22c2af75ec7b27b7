package oauth20redis_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/go-oauth20/oauth20/conformance/oidctest"
	"github.com/go-oauth20/oauth20/core"
	"github.com/go-oauth20/oauth20/internal/testkit"
)

// TestReplayOnAnotherReplica: a callback accepted by one replica is refused
// by another that shares the Redis store, before the code reaches the
// provider again.
func TestReplayOnAnotherReplica(t *testing.T) {
	t.Parallel()
	w := startRedis(t)
	op := startOP(t)
	ctx := testContext(t)
	key := testkit.SealingKey()
	a, b := newReplica(t, op, key, w.store, nil), newReplica(t, op, key, w.store, nil)
	cb, err := authorize(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := a.Complete(ctx, "oidc", cb.params, cb.cookies); err != nil {
		t.Fatal(err)
	}
	tokens := op.Count(oidctest.TokenEndpoint)
	_, _, err = b.Complete(ctx, "oidc", cb.params, cb.cookies)
	if !errors.Is(err, core.ErrFlowUsed) || statusOf(err) != http.StatusBadRequest {
		t.Fatalf("replay on the other replica: %v", err)
	}
	if n := op.Count(oidctest.TokenEndpoint); n != tokens {
		t.Errorf("the replayed code reached the token endpoint (%d requests, want %d)", n, tokens)
	}
	if used := w.keys(t, "oauth20:used:*"); len(used) != 1 {
		t.Errorf("used-state keys %v", used)
	}
}

// TestSessionsAcrossReplicas: a session started by one replica is read by
// another, holds no readable token in Redis, and is ended centrally.
func TestSessionsAcrossReplicas(t *testing.T) {
	t.Parallel()
	w := startRedis(t)
	op := startOP(t)
	ctx := testContext(t)
	key := testkit.SealingKey()
	server := func(b *core.Builder) { b.ServerSessions().KeepTokens() }
	a, b := newReplica(t, op, key, w.store, server), newReplica(t, op, key, w.store, server)

	c, err := login(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	s, ok, err := b.Session(ctx, jar(c))
	if err != nil || !ok || s.UserID != oidctest.DefaultUser().Subject || s.Token == nil || s.IDToken == "" {
		t.Fatalf("session on the other replica: %+v %v %v", s, ok, err)
	}
	// Redis holds the session sealed: no token, no user identifier.
	for _, k := range w.keys(t, "oauth20:*") {
		v, err := w.rdb.Get(ctx, k).Bytes()
		if err != nil {
			t.Fatal(err)
		}
		for _, secret := range []string{s.Token.AccessToken, s.Token.RefreshToken, s.IDToken, s.UserID, s.Email} {
			if secret != "" && (strings.Contains(string(v), secret) || strings.Contains(k, secret)) {
				t.Errorf("Redis holds a readable token or identifier under %s", k)
			}
		}
	}
	if n := len(w.keys(t, "oauth20:session:*")); n != 1 {
		t.Fatalf("%d sessions in Redis, want 1", n)
	}

	// Ended by ID on one replica: gone on the other.
	if err := b.RevokeSession(ctx, s.ID); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := a.Session(ctx, jar(c)); ok || err != nil {
		t.Errorf("a revoked session read: %v %v", ok, err)
	}

	// Ended by user, however many sessions: one write.
	c1, err1 := login(ctx, a)
	c2, err2 := login(ctx, b)
	if err := errors.Join(err1, err2); err != nil {
		t.Fatal(err)
	}
	if err := a.RevokeSessions(ctx, "oidc", oidctest.DefaultUser().Subject); err != nil {
		t.Fatal(err)
	}
	for _, c := range []http.Cookie{c1, c2} {
		if _, ok, err := b.Session(ctx, jar(c)); ok || err != nil {
			t.Errorf("a session of a revoked user read: %v %v", ok, err)
		}
	}
	c3, err := login(ctx, b)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := a.Session(ctx, jar(c3)); !ok {
		t.Error("a login after RevokeSessions is no session")
	}
	// Logout on one replica deletes the session for all.
	if _, clear := a.Logout(ctx, jar(c3)); clear.MaxAge >= 0 {
		t.Errorf("logout cookie %+v", clear)
	}
	if _, ok, _ := b.Session(ctx, jar(c3)); ok {
		t.Error("a logged-out session read on the other replica")
	}
}

// TestRedisStopped: while Redis is stopped, or hangs, a callback and a
// session read fail closed with a 503 and nothing is written; when it is
// back, so is everything it held.
func TestRedisStopped(t *testing.T) {
	t.Parallel()
	w := startRedis(t)
	op := startOP(t)
	ctx := testContext(t)
	key := testkit.SealingKey()
	server := func(b *core.Builder) { b.ServerSessions() }
	a, b := newReplica(t, op, key, w.store, server), newReplica(t, op, key, w.store, server)
	session, err := login(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	// A login whose callback comes after Redis stopped, and one whose
	// session is started after it stopped.
	late, err := authorize(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	done, err := authorize(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	res, _, err := a.Complete(ctx, "oidc", done.params, done.cookies)
	if err != nil {
		t.Fatal(err)
	}
	keysBefore := len(w.keys(t, "*"))
	tokens := op.Count(oidctest.TokenEndpoint)

	w.srv.Stop()
	failClosed := func(what string) {
		t.Helper()
		_, _, err := b.Complete(ctx, "oidc", late.params, late.cookies)
		if !errors.Is(err, core.ErrStoreUnavailable) || statusOf(err) != http.StatusServiceUnavailable {
			t.Errorf("%s: callback: %v", what, err)
		}
		if p := core.ProblemOf(err); p.Type != "urn:oauth20:unavailable" || p.Status != 503 {
			t.Errorf("%s: problem %+v", what, p)
		}
		if c, err := a.SessionCookie(ctx, res); !errors.Is(err, core.ErrStoreUnavailable) || c.Name != "" {
			t.Errorf("%s: SessionCookie: %+v %v", what, c, err)
		}
		if s, ok, err := b.Session(ctx, jar(session)); s != nil || ok || statusOf(err) != http.StatusServiceUnavailable {
			t.Errorf("%s: Session: %v %v %v", what, s, ok, err)
		}
		s, to, err := b.RequireLogin(ctx, http.MethodGet, "/me", jar(session), nil)
		if s != nil || to != "" || !errors.Is(err, core.ErrStoreUnavailable) {
			t.Errorf("%s: RequireLogin: %v %q %v", what, s, to, err)
		}
	}
	failClosed("stopped")
	if n := op.Count(oidctest.TokenEndpoint); n != tokens {
		t.Errorf("a callback reached the provider without its single-use check (%d token requests)", n-tokens)
	}

	w.srv.Restart()
	if n := len(w.keys(t, "*")); n != keysBefore {
		t.Errorf("%d keys after the restart, want the %d from before: something was half-written", n, keysBefore)
	}
	if s, ok, err := b.Session(ctx, jar(session)); !ok || err != nil || s.UserID == "" {
		t.Fatalf("the session after the restart: %v %v", ok, err)
	}
	// The callback that was refused is accepted now (its flow was never
	// marked used), and a new session starts.
	if res, _, err := b.Complete(ctx, "oidc", late.params, late.cookies); err != nil {
		t.Fatalf("the refused callback after the restart: %v", err)
	} else if _, err := b.SessionCookie(ctx, res); err != nil {
		t.Fatalf("a session after the restart: %v", err)
	}

	// A Redis that hangs: each call ends with its ctx.
	late, err = authorize(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	w.srv.Pause()
	short, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	began := time.Now()
	_, _, err = b.Complete(short, "oidc", late.params, late.cookies)
	cancel()
	if !errors.Is(err, core.ErrStoreUnavailable) || time.Since(began) > 5*time.Second {
		t.Errorf("callback against a hung Redis: %v after %v", err, time.Since(began))
	}
	short, cancel = context.WithTimeout(ctx, 300*time.Millisecond)
	if _, ok, err := b.Session(short, jar(session)); ok || statusOf(err) != http.StatusServiceUnavailable {
		t.Errorf("session read against a hung Redis: %v %v", ok, err)
	}
	cancel()
	w.srv.Resume()
	if _, ok, err := a.Session(ctx, jar(session)); !ok || err != nil {
		t.Errorf("after Redis resumed: %v %v", ok, err)
	}
}
