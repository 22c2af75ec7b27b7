package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-oauth20/oauth20/internal/opuser"
	"github.com/go-oauth20/oauth20/internal/realop"
)

// fastClock is the real time whose waits are fifty times shorter: the
// device flow polls oidc-provider every 5 s (it sends no interval), which
// a test should not wait for.
type fastClock struct{}

func (fastClock) Now() time.Time                         { return time.Now() }
func (fastClock) After(d time.Duration) <-chan time.Time { return time.After(d / 50) }

// realopBrowser plays the user on oidc-provider's login and consent pages
// (as the examples' end-to-end tests do), then takes the redirect to the
// CLI's loopback listener.
func realopBrowser(s *realop.Server, login string) func(ctx context.Context, u string) error {
	return func(ctx context.Context, u string) error {
		cb, err := s.Authorize(ctx, nil, u, login)
		if err != nil {
			return err
		}
		return follow(ctx, &http.Client{}, cb.String())
	}
}

// TestOIDCProvider runs every command against a real, independent OpenID
// provider (panva's oidc-provider through internal/realop): logins with
// its three clients, the token commands, verify on its ID token, the
// device flow, client credentials, discover, and record then check.
// Without Node.js it skips, unless OAUTH20_E2E=1.
func TestOIDCProvider(t *testing.T) {
	port := freePort(t)
	redirect := fmt.Sprintf("http://127.0.0.1:%d/callback", port)
	s := realop.Start(t, realop.Options{RedirectURIs: []string{redirect}})
	iss := []string{"--issuer", s.Issuer}
	portArg := []string{"--port", strconv.Itoa(port)}
	dir := t.TempDir()

	cliFor := func(t *testing.T, c realop.Client, login string) *cli {
		x := newCLI(t)
		x.env[envClientID] = c.ID
		if c.Secret != "" {
			x.env[envClientSecret] = c.Secret
		}
		x.browser = realopBrowser(s, login)
		x.clock = fastClock{}
		return x
	}

	// Logins run one after the other: they share the registered port.
	for _, tc := range []struct {
		client realop.Client
		args   []string
	}{
		{s.Basic, nil},
		{s.Post, []string{"--auth-method", "client_secret_post"}},
		{s.Public, []string{"--public"}},
	} {
		t.Run("login/"+tc.client.ID, func(t *testing.T) {
			login := "ann-" + tc.client.AuthMethod
			save := filepath.Join(dir, tc.client.ID+".json")
			c := cliFor(t, tc.client, login)
			args := append(append(append([]string{"login", "--save", save, "--scope", "openid profile email offline_access", "--prompt", "consent"}, iss...), portArg...), tc.args...)
			r := c.mustRun(0, args...)
			want := opuser.Account(login)
			for _, line := range []string{"ID token claims (verified)", "id        " + login, want.Email + " (verified)", want.Name} {
				if !strings.Contains(r.stdout, line) {
					t.Errorf("stdout lacks %q:\n%s", line, r.stdout)
				}
			}

			// The saved ID token verifies on its own, with its at_hash.
			c.stdin = ""
			r = c.mustRun(0, append([]string{"verify", "--token-file", save, "--audience", tc.client.ID, "--access-token-file", save}, iss...)...)
			if !strings.Contains(r.stdout, "The ID token is valid.") {
				t.Errorf("verify:\n%s", r.stdout)
			}
			tokenArgs := append([]string{"--token-file", save}, iss...)
			if tc.args != nil {
				tokenArgs = append(tokenArgs, tc.args...)
			}
			c.mustRun(0, append([]string{"userinfo"}, tokenArgs...)...)
			if tc.client.Secret != "" { // the public client may not introspect
				r = c.mustRun(0, append([]string{"introspect", "--json"}, tokenArgs...)...)
				var info map[string]any
				if err := json.Unmarshal([]byte(r.stdout), &info); err != nil || info["active"] != true || info["sub"] != login {
					t.Errorf("introspect: %v %s", err, r.stdout)
				}
			}
			r = c.mustRun(0, append([]string{"refresh", "--save", save}, tokenArgs...)...)
			if !strings.Contains(r.stdout, "refresh token  opaque") {
				t.Errorf("refresh:\n%s", r.stdout)
			}
			c.mustRun(0, append([]string{"revoke"}, tokenArgs...)...)
			r = c.mustRun(1, append([]string{"refresh"}, tokenArgs...)...)
			if !strings.Contains(r.stderr, "invalid_grant") {
				t.Errorf("refresh after revoke: %s", r.stderr)
			}
		})
	}

	t.Run("device", func(t *testing.T) {
		login := "dora"
		c := cliFor(t, s.Public, login)
		c.browser = func(ctx context.Context, u string) error {
			vu, err := url.Parse(u)
			if err != nil {
				return err
			}
			return s.ApproveDevice(ctx, nil, vu.Query().Get("user_code"), login)
		}
		r := c.mustRun(0, append([]string{"login", "--device", "--public", "--scope", "openid profile email", "--json"}, iss...)...)
		var out loginJSON
		if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
			t.Fatal(err)
		}
		if out.Flow != "device authorization" || out.User == nil || out.User.ID != login || out.IDTokenClaims["sub"] != login {
			t.Errorf("device login: %+v", out)
		}
		if !strings.Contains(r.stderr, "and enter the code") {
			t.Errorf("stderr:\n%s", r.stderr)
		}
	})

	t.Run("client-credentials", func(t *testing.T) {
		c := cliFor(t, s.Basic, "")
		r := c.mustRun(0, append([]string{"login", "--client-credentials", "--param", "resource=" + s.APIResource, "--scope", "api:read"}, iss...)...)
		if !strings.Contains(r.stdout, "access token  JWT") || !strings.Contains(r.stdout, "flow      client credentials") {
			t.Errorf("stdout:\n%s", r.stdout)
		}
	})

	t.Run("discover", func(t *testing.T) {
		r := newCLI(t).mustRun(0, append([]string{"discover"}, s.Issuer)...)
		if !strings.Contains(r.stdout, "ok    PKCE with S256") || !strings.Contains(r.stdout, "RS256") {
			t.Errorf("stdout:\n%s", r.stdout)
		}
	})

	t.Run("record-check", func(t *testing.T) {
		out := filepath.Join(dir, "cassettes")
		c := cliFor(t, s.Basic, "rita")
		r := c.mustRun(0, append(append([]string{"record", "--out", out, "--scope", "openid profile email offline_access", "--prompt", "consent"}, iss...), portArg...)...)
		if !strings.Contains(r.stdout, "exchange_success") {
			t.Errorf("record:\n%s", r.stdout)
		}
		r = newCLI(t).mustRun(0, "check", out)
		if !strings.Contains(r.stdout, "0 failed") {
			t.Errorf("check:\n%s", r.stdout)
		}
	})
}
