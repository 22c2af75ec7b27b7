package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-oauth20/oauth20/dpop"
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
// device flow, client credentials, discover, pushed logins (--par, and
// par in a spec file) with realop-par and realop-basic, DPoP-bound logins
// and the token commands on their saved token and key with realop-dpop,
// and record then check. Without Node.js it skips, unless OAUTH20_E2E=1.
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

	t.Run("par", func(t *testing.T) {
		// realop-par must push its requests: without --par the provider
		// refuses the login, with it the browser gets a request_uri alone.
		login := "paula"
		c := cliFor(t, s.PAR, login)
		c.browser = func(ctx context.Context, u string) error {
			err := realopBrowser(s, login)(ctx, u)
			if err == nil || !strings.Contains(err.Error(), "Login failed") {
				return fmt.Errorf("the browser should show the failure, got %v", err)
			}
			return nil
		}
		r := c.mustRun(1, append(append([]string{"login"}, iss...), portArg...)...)
		if !strings.Contains(r.stderr, "invalid_request") || !strings.Contains(strings.ToLower(r.stderr), "pushed") {
			t.Errorf("login of a client that must push, without --par:\n%s", r.stderr)
		}

		c = cliFor(t, s.PAR, login)
		var authURL string
		c.browser = func(ctx context.Context, u string) error {
			authURL = u
			return realopBrowser(s, login)(ctx, u)
		}
		r = c.mustRun(0, append(append([]string{"login", "--par"}, iss...), portArg...)...)
		pushedOnly(t, s, authURL)
		if !strings.Contains(r.stdout, "flow      authorization code with PKCE, pushed (PAR)") || !strings.Contains(r.stdout, "id        "+login) {
			t.Errorf("stdout:\n%s", r.stdout)
		}
	})

	t.Run("par-spec", func(t *testing.T) {
		// par: true in a spec file pushes the logins of a client that may
		// push without having to.
		spec := filepath.Join(dir, "par.yaml")
		if err := os.WriteFile(spec, []byte("issuer: "+s.Issuer+"\npar: true\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		c := cliFor(t, s.Basic, "pete")
		var authURL string
		c.browser = func(ctx context.Context, u string) error {
			authURL = u
			return realopBrowser(s, "pete")(ctx, u)
		}
		r := c.mustRun(0, append([]string{"login", "--spec", spec, "--json"}, portArg...)...)
		pushedOnly(t, s, authURL)
		var out loginJSON
		if err := json.Unmarshal([]byte(r.stdout), &out); err != nil || out.User == nil || out.User.ID != "pete" || !strings.HasSuffix(out.Flow, "pushed (PAR)") {
			t.Errorf("login: %v %s", err, r.stdout)
		}
	})

	t.Run("dpop", func(t *testing.T) {
		dpopLogins(t, s, cliFor, iss, portArg)
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

// pushedOnly fails t unless u is the provider's authorization endpoint with
// client_id and a request_uri alone: a pushed request (RFC 9126 §4).
func pushedOnly(t *testing.T, s *realop.Server, u string) {
	t.Helper()
	pu, err := url.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	q := pu.Query()
	if !strings.HasPrefix(u, s.Endpoints.Authorization+"?") || len(q) != 2 || q.Get("client_id") == "" ||
		!strings.HasPrefix(q.Get("request_uri"), "urn:ietf:params:oauth:request_uri:") {
		t.Errorf("the authorization URL of a pushed request: %s", u)
	}
}

// dpopWire records what the CLI sends to the provider: per request, the
// endpoint's path, the scheme of its Authorization header and whether it
// carries a DPoP proof.
type dpopWire struct {
	mu   sync.Mutex
	sent []wireCall
}

type wireCall struct {
	path, scheme string
	proof        bool
}

func (w *dpopWire) RoundTrip(req *http.Request) (*http.Response, error) {
	scheme, _, _ := strings.Cut(req.Header.Get("Authorization"), " ")
	w.mu.Lock()
	w.sent = append(w.sent, wireCall{path: req.URL.Path, scheme: scheme, proof: req.Header.Get("DPoP") != ""})
	w.mu.Unlock()
	return http.DefaultTransport.RoundTrip(req)
}

// calls returns the requests sent to the endpoint at u since the first n
// requests.
func (w *dpopWire) calls(t *testing.T, u string, n int) []wireCall {
	t.Helper()
	pu, err := url.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []wireCall
	for _, c := range w.sent[n:] {
		if c.path == pu.Path {
			out = append(out, c)
		}
	}
	return out
}

func (w *dpopWire) count() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.sent)
}

// dpopLogins logs in with DPoP-bound tokens at realop-dpop (which requires
// them, and a server nonce in every proof), then uses the saved token with
// its saved key: userinfo, introspect, refresh, each proof checked by the
// provider; a token whose key is missing or another is refused before
// anything is sent, and the provider refuses another key's proof.
func dpopLogins(t *testing.T, s *realop.Server, cliFor func(*testing.T, realop.Client, string) *cli, iss, portArg []string) {
	dir := t.TempDir()
	save := filepath.Join(dir, "token.json")
	keyFile := save + dpopKeySuffix
	wire := &dpopWire{}
	login := "dana"
	c := cliFor(t, s.DPoP, login)
	c.httpClient = &http.Client{Transport: wire}
	var authURL string
	c.browser = func(ctx context.Context, u string) error {
		authURL = u
		return realopBrowser(s, login)(ctx, u)
	}
	scope := []string{"--scope", "openid profile email offline_access", "--prompt", "consent"}
	r := c.mustRun(0, append(append(append([]string{"login", "--dpop", "--save", save}, scope...), iss...), portArg...)...)

	key, err := readDPoPKey(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{save, keyFile} {
		if st, err := os.Stat(f); err != nil || st.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v, %v; want mode 0600", f, st, err)
		}
	}
	saved, err := readToken(&app{}, save)
	if err != nil || !isDPoP(saved.token) || saved.jkt != key.Thumbprint() || saved.token.RefreshToken == "" {
		t.Fatalf("saved token: %+v, %v; want a DPoP token bound to %s with a refresh token", saved, err, key.Thumbprint())
	}
	for _, want := range []string{"type           DPoP", "DPoP key  ES256, thumbprint " + key.Thumbprint() + ", saved in " + keyFile, "id        " + login} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("login stdout lacks %q:\n%s", want, r.stdout)
		}
	}
	if strings.Contains(r.stdout+r.stderr, "PRIVATE KEY") || strings.Contains(r.stdout+r.stderr, saved.token.AccessToken) {
		t.Error("the login printed the key or the token")
	}
	if pu, err := url.Parse(authURL); err != nil || pu.Query().Get("dpop_jkt") != key.Thumbprint() {
		t.Errorf("the authorization request's dpop_jkt, in %s: want %s", authURL, key.Thumbprint())
	}
	// Every token request and the user fetch carried a proof, and the
	// provider, which checks them (with a nonce of its own), took them.
	provedAll := func(what string, calls []wireCall, scheme string) {
		t.Helper()
		if len(calls) == 0 {
			t.Errorf("%s: no request", what)
		}
		for _, call := range calls {
			if !call.proof || call.scheme != scheme {
				t.Errorf("%s: %+v, want a proof and Authorization %q", what, call, scheme)
			}
		}
	}
	provedAll("login, token endpoint", wire.calls(t, s.Endpoints.Token, 0), "Basic")
	provedAll("login, userinfo", wire.calls(t, s.Endpoints.UserInfo, 0), "DPoP")

	// The token commands find the key beside the token file.
	c = cliFor(t, s.DPoP, "")
	c.httpClient = &http.Client{Transport: wire}
	tokenArgs := append([]string{"--token-file", save}, iss...)
	n := wire.count()
	r = c.mustRun(0, append([]string{"userinfo"}, tokenArgs...)...)
	if !strings.Contains(r.stdout, "id        "+login) {
		t.Errorf("userinfo:\n%s", r.stdout)
	}
	provedAll("userinfo", wire.calls(t, s.Endpoints.UserInfo, n), "DPoP")
	checkBound := func(file string, key *dpop.Key) {
		t.Helper()
		r := c.mustRun(0, append([]string{"introspect", "--json", "--token-file", file}, iss...)...)
		var info struct {
			Active    bool   `json:"active"`
			TokenType string `json:"token_type"`
			Cnf       struct {
				JKT string `json:"jkt"`
			} `json:"cnf"`
		}
		if err := json.Unmarshal([]byte(r.stdout), &info); err != nil || !info.Active || info.TokenType != "DPoP" || info.Cnf.JKT != key.Thumbprint() {
			t.Errorf("introspection: %v %s; want an active DPoP token bound to %s", err, r.stdout, key.Thumbprint())
		}
	}
	checkBound(save, key)

	n = wire.count()
	r = c.mustRun(0, append([]string{"refresh", "--save", save}, tokenArgs...)...)
	if !strings.Contains(r.stdout, "type           DPoP") || !strings.Contains(r.stdout, "DPoP key  ES256, thumbprint "+key.Thumbprint()) {
		t.Errorf("refresh:\n%s", r.stdout)
	}
	provedAll("refresh", wire.calls(t, s.Endpoints.Token, n), "Basic")
	refreshed, err := readToken(&app{}, save)
	if err != nil || refreshed.token.AccessToken == saved.token.AccessToken || refreshed.jkt != key.Thumbprint() {
		t.Fatalf("refreshed token: %+v, %v", refreshed, err)
	}
	checkBound(save, key)
	c.mustRun(0, append([]string{"userinfo"}, tokenArgs...)...)

	// A bare access token with its key works; with another key, the
	// provider refuses the proof.
	other := filepath.Join(dir, "other.pem")
	c.mustRun(0, "keygen", "--private-key-jwt", "--alg", "EdDSA", "--key-out", other)
	c.stdin = refreshed.token.AccessToken
	c.mustRun(0, append([]string{"userinfo", "--dpop-key", keyFile}, iss...)...)
	r = c.mustRun(1, append([]string{"userinfo", "--dpop-key", other}, iss...)...)
	if !strings.Contains(r.stderr, "invalid_token") {
		t.Errorf("userinfo with another key's proof: %s", r.stderr)
	}

	// Without its key the token is not sent at all; the key of another
	// token is refused too.
	c.stdin = ""
	moved := filepath.Join(dir, "moved.pem")
	if err := os.Rename(keyFile, moved); err != nil {
		t.Fatal(err)
	}
	n = wire.count()
	for _, cmd := range []string{"userinfo", "refresh"} {
		r = c.mustRun(2, append([]string{cmd}, tokenArgs...)...)
		if !strings.Contains(r.stderr, "the token is DPoP-bound and its key is not in "+keyFile) {
			t.Errorf("%s without the key: %s", cmd, r.stderr)
		}
		r = c.mustRun(2, append([]string{cmd, "--token-file", save, "--dpop-key", other}, iss...)...)
		if !strings.Contains(r.stderr, "is not the one the token is bound to") {
			t.Errorf("%s with another key: %s", cmd, r.stderr)
		}
	}
	data, err := os.ReadFile(save)
	if err != nil {
		t.Fatal(err)
	}
	c.stdin = string(data)
	r = c.mustRun(2, append([]string{"userinfo"}, iss...)...)
	if !strings.Contains(r.stderr, "read from standard input: give its key with --dpop-key FILE") {
		t.Errorf("userinfo from standard input without the key: %s", r.stderr)
	}
	if sent := wire.count() - n; sent != 0 {
		t.Errorf("%d requests were sent with a DPoP token whose key was missing or another", sent)
	}
	c.mustRun(0, append([]string{"userinfo", "--dpop-key", moved}, iss...)...)

	// Revocation needs no key: a lost key's token can still be ended.
	c.stdin = ""
	r = c.mustRun(0, append([]string{"revoke"}, tokenArgs...)...)
	if !strings.Contains(r.stderr, "its key was not found") {
		t.Errorf("revoke without the key: %s", r.stderr)
	}
	r = c.mustRun(1, append([]string{"refresh", "--dpop-key", moved}, tokenArgs...)...)
	if !strings.Contains(r.stderr, "invalid_grant") {
		t.Errorf("refresh after revoke: %s", r.stderr)
	}

	// A login with a key of the user's (EdDSA, made by keygen) binds to it
	// and saves a copy beside the token; one without --save says that its
	// fresh key is lost with the command.
	c = cliFor(t, s.DPoP, "dora")
	save2 := filepath.Join(dir, "token2.json")
	c.mustRun(0, append(append([]string{"login", "--dpop-key", other, "--save", save2}, iss...), portArg...)...)
	otherKey, err := readDPoPKey(other)
	if err != nil {
		t.Fatal(err)
	}
	if copied, err := readDPoPKey(save2 + dpopKeySuffix); err != nil || copied.Thumbprint() != otherKey.Thumbprint() || copied.Algorithm() != "EdDSA" {
		t.Errorf("the key saved beside the token: %v, %v; want the one of --dpop-key", copied, err)
	}
	c.mustRun(0, append([]string{"userinfo", "--token-file", save2}, iss...)...)
	r = c.mustRun(0, append(append([]string{"login", "--dpop"}, iss...), portArg...)...)
	if !strings.Contains(r.stderr, "does not keep") || !strings.Contains(r.stdout, ", not kept") {
		t.Errorf("login --dpop without --save:\nstdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
	}
}
