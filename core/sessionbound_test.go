package core

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestSessionUntilTokenExpiry: a session bound to its token ends with the
// token; RequireLogin renews it with the refresh token in the last
// quarter of the token's life and sets the renewed cookie; a refused
// refresh lets it end with its token; it never outlasts the lifetime
// counted from the login. In both session modes.
func TestSessionUntilTokenExpiry(t *testing.T) {
	t.Parallel()
	for _, server := range []bool{false, true} {
		t.Run(map[bool]string{false: "cookie", true: "server"}[server], func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			r := newReplicas(t, newFakeClock(), server, func(b *Builder) {
				b.SessionLifetime(UntilTokenExpiry).SessionLifetime(2 * time.Hour)
			})
			rot := rotate(r.f, "refresh-42-secret")
			c, err := r.a.SessionCookie(ctx, loginResult(r.clock, "42")) // the token expires in an hour
			if err != nil {
				t.Fatal(err)
			}
			if c.MaxAge != 3600 {
				t.Errorf("the session cookie lives %ds, want the token's 3600", c.MaxAge)
			}
			var set []http.Cookie
			require := func(c http.Cookie) *Session {
				t.Helper()
				set = nil
				s, to, err := r.b.RequireLogin(ctx, http.MethodGet, "/me", jar(c), func(c http.Cookie) { set = append(set, c) })
				if err != nil || (s == nil) == (to == "") {
					t.Fatalf("RequireLogin: %v %q %v", s, to, err)
				}
				return s
			}

			// Half way through the token's life: nothing to renew.
			r.clock.Advance(30 * time.Minute)
			if s := require(c); s == nil || len(set) != 0 || rot.refreshes() != 0 {
				t.Fatalf("at 30 minutes: %v, cookies %v, %d refreshes", s, set, rot.refreshes())
			}
			// In the last quarter: renewed once, the cookie set anew with
			// the new token's end.
			r.clock.Advance(20 * time.Minute)
			s := require(c)
			if s == nil || s.Token.AccessToken != "at-1" || len(set) != 1 || rot.refreshes() != 1 {
				t.Fatalf("at 50 minutes: %v, cookies %v, %d refreshes", s, set, rot.refreshes())
			}
			if set[0].MaxAge != 3600 {
				t.Errorf("renewed cookie lives %ds, want 3600", set[0].MaxAge)
			}
			c = set[0]
			if s, ok, _ := r.a.Session(ctx, jar(c)); !ok || s.Token.AccessToken != "at-1" {
				t.Fatalf("the renewed session: %v %v", s, ok)
			}
			// The second renewal reaches the lifetime of two hours from the
			// login and stops there.
			r.clock.Advance(50 * time.Minute) // 1h40 after the login
			if s := require(c); s == nil || len(set) != 1 || rot.refreshes() != 2 {
				t.Fatalf("at 1h40: %v, cookies %v, %d refreshes", s, set, rot.refreshes())
			}
			c = set[0]
			if c.MaxAge != 20*60 {
				t.Errorf("the last renewal lives %ds, want the 1200 left of the lifetime", c.MaxAge)
			}
			r.clock.Advance(15 * time.Minute)
			if s := require(c); s == nil || len(set) != 0 || rot.refreshes() != 2 {
				t.Fatalf("at the lifetime's limit: renewed again (%v, %d refreshes)", set, rot.refreshes())
			}
			r.clock.Advance(5 * time.Minute)
			if _, ok, _ := r.a.Session(ctx, jar(c)); ok {
				t.Fatal("the session outlived its lifetime")
			}
		})
	}
}

// TestSessionUntilTokenExpiryRefused: a refresh the provider refuses
// leaves the session as it is, logged, and it ends with its token; a
// token without a lifetime leaves the session to its lifetime.
func TestSessionUntilTokenExpiryRefused(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := newReplicas(t, newFakeClock(), false, func(b *Builder) { b.SessionLifetime(UntilTokenExpiry) })
	rotate(r.f, "another-refresh-token") // refuses the session's
	c, _ := r.a.SessionCookie(ctx, loginResult(r.clock, "42"))
	r.clock.Advance(50 * time.Minute)
	var set []http.Cookie
	s, _, err := r.a.RequireLogin(ctx, http.MethodGet, "/me", jar(c), func(c http.Cookie) { set = append(set, c) })
	if err != nil || s == nil || s.Token.AccessToken != "access-42-secret" || len(set) != 0 {
		t.Fatalf("a refused renewal: %v %v %v", s, set, err)
	}
	if !strings.Contains(r.logs.String(), "could not be renewed") || strings.Contains(r.logs.String(), "refresh-42-secret") {
		t.Errorf("log: %s", r.logs.String())
	}
	r.clock.Advance(11 * time.Minute)
	if _, ok, _ := r.a.Session(ctx, jar(c)); ok {
		t.Error("the session outlived its token")
	}

	res := loginResult(r.clock, "43")
	res.Token.Expiry = time.Time{}
	c, _ = r.a.SessionCookie(ctx, res)
	if c.MaxAge != int(DefaultSessionLifetime/time.Second) {
		t.Errorf("a token without a lifetime: the session lives %ds", c.MaxAge)
	}
}
