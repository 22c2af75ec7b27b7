package oauth20redis_test

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-oauth20/oauth20/core"
	"github.com/go-oauth20/oauth20/internal/realop"
	"github.com/go-oauth20/oauth20/internal/testkit"
	"github.com/go-oauth20/oauth20/providers"
)

// TestRefreshRaceRotatingToken: replicas sharing a Redis refresh a
// session's token at once against oidc-provider, which rotates the refresh
// tokens of its public client and refuses a rotated-out one. One refresh
// reaches the provider; every caller on both replicas ends with the new
// token; and the new refresh token works, so nobody burned it.
func TestRefreshRaceRotatingToken(t *testing.T) {
	t.Parallel()
	w := startRedis(t)
	op := realop.Start(t, realop.Options{RedirectURIs: []string{appBase + "/op/callback"}})
	ctx := testContext(t)
	key := testkit.SealingKey()
	clock := &shiftedClock{}
	refreshes := &refreshCounter{next: loopback}
	build := func(server bool) *core.Auth {
		b := core.New().SealingKeys(key).BaseURL(appBase).Store(w.store).Clock(clock).
			HTTPClient(&http.Client{Transport: refreshes}).KeepTokens().
			Provider(providers.OIDC("op", op.Issuer, op.Public.ID, ""))
		if server {
			b.ServerSessions()
		}
		a, err := b.Build()
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = a.Close() })
		return a
	}
	for _, mode := range []struct {
		name   string
		server bool
	}{{"server sessions", true}, {"cookie sessions", false}} {
		t.Run(mode.name, func(t *testing.T) {
			clock.set(time.Now())
			replicas := []*core.Auth{build(mode.server), build(mode.server)}
			// oidc-provider issues a refresh token for offline_access
			// with prompt=consent.
			to, flow, err := replicas[0].Begin(ctx, "op", core.BeginOptions{Prompt: "consent", Scopes: []string{"openid", "offline_access"}})
			if err != nil {
				t.Fatal(err)
			}
			cb, err := op.Authorize(ctx, nil, to, "race-"+strings.ReplaceAll(mode.name, " ", "-"))
			if err != nil {
				t.Fatal(err)
			}
			res, _, err := replicas[0].Complete(ctx, "op", cb.Query(), jar(flow))
			if err != nil {
				t.Fatal(err)
			}
			if res.Token.RefreshToken == "" {
				t.Fatal("no refresh token")
			}
			cookie, err := replicas[0].SessionCookie(ctx, res)
			if err != nil {
				t.Fatal(err)
			}

			race := func(cookie http.Cookie) *core.Token {
				t.Helper()
				var sessions []*core.Session
				for _, a := range replicas {
					s, ok, err := a.Session(ctx, jar(cookie))
					if err != nil || !ok {
						t.Fatalf("session: %v %v", ok, err)
					}
					sessions = append(sessions, s)
				}
				old := sessions[0].Token
				// Both replicas take the access token for expiring; the ID
				// token, which lives as long, is still valid.
				clock.set(old.Expiry.Add(-10 * time.Second))
				before := refreshes.n.Load()
				const callers = 8
				type result struct {
					tok    *core.Token
					cookie http.Cookie
					err    error
				}
				results := make([]result, callers)
				start := make(chan struct{})
				var wg sync.WaitGroup
				for i := range callers {
					wg.Add(1)
					go func() {
						defer wg.Done()
						<-start
						r := i % len(replicas)
						tok, c, err := replicas[r].SessionToken(ctx, sessions[r])
						results[i] = result{tok, c, err}
					}()
				}
				close(start)
				wg.Wait()
				if n := refreshes.n.Load() - before; n != 1 {
					t.Errorf("%d refreshes reached the provider, want 1", n)
				}
				first := results[0]
				for i, r := range results {
					if r.err != nil {
						t.Fatalf("caller %d on replica %d: %v", i, i%len(replicas), r.err)
					}
					if r.tok.AccessToken != first.tok.AccessToken || r.tok.RefreshToken != first.tok.RefreshToken {
						t.Errorf("caller %d on replica %d holds another token than caller 0", i, i%len(replicas))
					}
					if mode.server == (r.cookie.Name != "") {
						t.Errorf("caller %d: session cookie %q with server sessions %v", i, r.cookie.Name, mode.server)
					}
				}
				if first.tok.AccessToken == old.AccessToken || first.tok.RefreshToken == old.RefreshToken {
					t.Fatal("the refresh token was not rotated, or the token not refreshed")
				}
				if !mode.server {
					// The new session cookie holds the new token.
					s, ok, _ := replicas[1].Session(ctx, jar(first.cookie))
					if !ok || s.Token.RefreshToken != first.tok.RefreshToken {
						t.Error("the new session cookie does not hold the new token")
					}
				} else if s, _, _ := replicas[1].Session(ctx, jar(cookie)); s.Token.RefreshToken != first.tok.RefreshToken {
					t.Error("the session in Redis does not hold the new token")
				}
				return first.tok
			}
			tok := race(cookie)
			// The rotated refresh token works: nobody used it twice.
			clock.set(time.Now())
			next, _, err := replicas[1].Refresh(ctx, "op", tok, res.IDToken)
			if err != nil {
				t.Fatalf("refresh with the rotated refresh token: %v", err)
			}
			if next.RefreshToken == tok.RefreshToken || next.AccessToken == tok.AccessToken {
				t.Error("the next refresh did not rotate the tokens")
			}
		})
	}
}

// shiftedClock is the real clock moved to a time the test sets; its waits
// are real.
type shiftedClock struct {
	offset atomic.Int64
}

func (c *shiftedClock) set(now time.Time) { c.offset.Store(int64(time.Until(now))) }

func (c *shiftedClock) Now() time.Time { return time.Now().Add(time.Duration(c.offset.Load())) }

func (c *shiftedClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// refreshCounter counts the refresh requests that reach a token endpoint.
type refreshCounter struct {
	next http.RoundTripper
	n    atomic.Int32
}

func (c *refreshCounter) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Method == http.MethodPost && req.Body != nil {
		body, err := io.ReadAll(req.Body)
		_ = req.Body.Close()
		if err != nil {
			return nil, err
		}
		req.Body = io.NopCloser(bytes.NewReader(body))
		if bytes.Contains(body, []byte("grant_type=refresh_token")) {
			c.n.Add(1)
		}
	}
	return c.next.RoundTrip(req)
}
