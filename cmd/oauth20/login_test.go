package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-oauth20/oauth20/conformance/oidctest"
	"github.com/go-oauth20/oauth20/internal/testkit"
)

// goldenTime is the clock of the golden tests.
var goldenTime = time.Date(2025, time.March, 1, 9, 30, 0, 0, time.UTC)

// confidential sets the environment for oidctest's default client.
func (c *cli) confidential() *cli {
	c.env[envClientID] = oidctest.DefaultClientID
	c.env[envClientSecret] = oidctest.DefaultClientSecret
	return c
}

// TestLogin logs in with the authorization code flow against oidctest: the
// browser (played by the test) follows the authorization URL to the CLI's
// loopback listener, which completes the login; the readable summary is
// compared with a golden file.
func TestLogin(t *testing.T) {
	t.Parallel()
	clock := testkit.NewClock(goldenTime)
	op := startOP(t, oidctest.WithClock(clock.Now))
	c := newCLI(t).confidential()
	c.clock = clock
	c.browser = oidctestBrowser(op)
	r := c.mustRun(0, "login", "--issuer", op.Issuer())
	if !strings.Contains(r.stderr, "Opening the browser to log in with oidc") {
		t.Errorf("stderr does not say what it does:\n%s", r.stderr)
	}
	golden(t, "login", loginScrubber(op).apply(r.stdout))
	if strings.Contains(r.stdout+r.stderr, oidctest.DefaultClientSecret) {
		t.Error("the client secret was printed")
	}
}

// loginScrubber fixes what changes between runs of a login against op.
func loginScrubber(op *oidctest.Server) *scrubber {
	return (&scrubber{}).literal(op.Issuer(), "http://127.0.0.1:OP").
		pattern(`(?m)^(  (?:nonce|at_hash|sid)\s+)\S+$`, "${1}RANDOM").
		pattern(`JWT, \d+ bytes`, "JWT, N bytes")
}

// TestLoginJSON checks --json, --show-tokens and --save.
func TestLoginJSON(t *testing.T) {
	t.Parallel()
	op := startOP(t)
	c := newCLI(t).confidential()
	c.browser = oidctestBrowser(op)
	save := filepath.Join(t.TempDir(), "token.json")

	r := c.mustRun(0, "login", "--issuer", op.Issuer(), "--json", "--save", save)
	var out loginJSON
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatalf("%v\n%s", err, r.stdout)
	}
	if out.Token.AccessToken != "" || strings.Join(out.Token.Hidden, ",") != "access_token,refresh_token,id_token" {
		t.Errorf("tokens without --show-tokens: %+v", out.Token)
	}
	if out.User == nil || out.User.ID != oidctest.DefaultUser().Subject || out.IDTokenClaims["sub"] != out.User.ID {
		t.Errorf("user %+v, claims %v", out.User, out.IDTokenClaims)
	}
	st, err := os.Stat(save)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("saved token: %v, %v", st, err)
	}
	saved, err := readToken(&app{}, save)
	if err != nil || saved.token.AccessToken == "" || saved.token.RefreshToken == "" || saved.token.IDToken == "" {
		t.Fatalf("saved token: %+v, %v", saved, err)
	}
	if _, ok := op.UserFor(saved.token.AccessToken); !ok {
		t.Error("the saved access token is not one the provider issued")
	}

	r = c.mustRun(0, "login", "--issuer", op.Issuer(), "--json", "--show-tokens")
	out = loginJSON{}
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatal(err)
	}
	if out.Token.AccessToken == "" || out.Token.IDToken == "" || len(out.Token.Hidden) > 0 {
		t.Errorf("--show-tokens: %+v", out.Token)
	}
}

// TestLoginPublicClientFixedPort logs in as a public client (PKCE, no
// secret) on a fixed port and a redirect path of its own.
func TestLoginPublicClientFixedPort(t *testing.T) {
	t.Parallel()
	op := startOP(t, oidctest.WithClients(oidctest.Client{ID: "cli", AuthMethod: oidctest.AuthNone}))
	c := newCLI(t)
	c.browser = oidctestBrowser(op)
	port := freePort(t)
	r := c.mustRun(0, "login", "--issuer", op.Issuer(), "--client-id", "cli", "--public",
		"--redirect-url", "http://localhost/oauth/done", "--port", strconv.Itoa(port), "--scope", "openid email")
	want := fmt.Sprintf("http://localhost:%d/oauth/done", port)
	if reqs := op.Requests(oidctest.AuthorizeEndpoint); len(reqs) != 1 || reqs[0].Query.Get("redirect_uri") != want ||
		reqs[0].Query.Get("scope") != "openid email" || reqs[0].Query.Get("code_challenge_method") != "S256" {
		t.Errorf("authorization request: %+v", reqs)
	}
	tr := op.Requests(oidctest.TokenEndpoint)
	if len(tr) != 1 || tr[0].Form.Get("client_id") != "cli" || tr[0].Header.Get("Authorization") != "" || tr[0].Form.Get("code_verifier") == "" {
		t.Errorf("token request: %+v", tr)
	}
	if !strings.Contains(r.stdout, "jane.doe@example.com (verified)") {
		t.Errorf("stdout:\n%s", r.stdout)
	}
}

// freePort returns a loopback port that was free a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// TestLoginNoBrowser prints the URL instead of opening a browser; the
// test reads it from stderr as a person would.
func TestLoginNoBrowser(t *testing.T) {
	t.Parallel()
	op := startOP(t)
	c := newCLI(t).confidential()
	c.browser = nil // a call fails the test
	found := make(chan string, 1)
	c.stderrHook = func(text string) {
		for _, line := range strings.Split(text, "\n") {
			if u := strings.TrimSpace(line); strings.HasPrefix(u, op.Issuer()+"/authorize?") {
				select {
				case found <- u:
				default:
				}
			}
		}
	}
	done := make(chan error, 1)
	go func() {
		u := <-found
		done <- oidctestBrowser(op)(context.Background(), u)
	}()
	r := c.mustRun(0, "login", "--issuer", op.Issuer(), "--no-browser")
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(r.stderr, "Open this URL in a browser") {
		t.Errorf("stderr:\n%s", r.stderr)
	}
}

// TestLoginClientCredentials gets a token for the client itself.
func TestLoginClientCredentials(t *testing.T) {
	t.Parallel()
	op := startOP(t)
	c := newCLI(t).confidential()
	r := c.mustRun(0, "login", "--issuer", op.Issuer(), "--client-credentials", "--scope", "api", "--json", "--show-tokens")
	var out loginJSON
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatal(err)
	}
	if out.Flow != "client credentials" || out.Token.AccessToken == "" || out.User != nil {
		t.Errorf("%+v", out)
	}
	if reqs := op.Requests(oidctest.TokenEndpoint); len(reqs) != 1 || reqs[0].Form.Get("grant_type") != "client_credentials" ||
		reqs[0].Form.Get("scope") != "api" {
		t.Errorf("token request: %+v", reqs)
	}
}

// TestLoginFailures: what the provider refuses exits with 1 and says why;
// what the command line gets wrong exits with 2.
func TestLoginFailures(t *testing.T) {
	t.Parallel()
	op := startOP(t)
	dead := "http://127.0.0.1:" + strconv.Itoa(freePort(t))
	tests := []struct {
		name    string
		faults  oidctest.Faults
		env     map[string]string
		args    []string
		browser bool
		code    int
		stderr  string
	}{
		{name: "access denied", faults: oidctest.Faults{Errors: map[oidctest.Endpoint]oidctest.ErrorResponse{
			oidctest.AuthorizeEndpoint: {Code: "access_denied", Description: "the user said no"}}},
			browser: true, code: 1, stderr: "access_denied"},
		{name: "wrong nonce", faults: oidctest.Faults{WrongNonce: true}, browser: true, code: 1, stderr: "oidc: nonce mismatch"},
		{name: "token endpoint error", faults: oidctest.Faults{Errors: map[oidctest.Endpoint]oidctest.ErrorResponse{
			oidctest.TokenEndpoint: {Code: "invalid_client", Description: "bad credentials"}}},
			browser: true, code: 1, stderr: "invalid_client"},
		{name: "unreachable issuer", args: []string{"--issuer", dead}, code: 1, stderr: "connection refused"},
		{name: "unknown provider", args: []string{"--provider", "nosuch"}, code: 2, stderr: `unknown provider "nosuch"`},
		{name: "no provider", args: []string{}, code: 2, stderr: "say which provider"},
		{name: "two providers", args: []string{"--provider", "github", "--issuer", dead}, code: 2, stderr: "none of the others can be"},
		{name: "no client id", env: map[string]string{}, args: []string{"--issuer", dead}, code: 2, stderr: "no client id"},
		{name: "no secret", env: map[string]string{envClientID: "x"}, args: []string{"--issuer", dead}, code: 2, stderr: "no client secret"},
		{name: "missing setting", args: []string{"--provider", "keycloak", "--set", "realm=demo"}, code: 2, stderr: "needs --set url=..."},
		{name: "unknown setting", args: []string{"--provider", "github", "--set", "realm=demo"}, code: 2, stderr: `takes no setting "realm"`},
		{name: "refused option", args: []string{"--provider", "discord", "--set", "base-url=https://x.example"}, code: 2, stderr: "WithBaseURL cannot be used"},
		{name: "not loopback", args: []string{"--issuer", dead, "--redirect-url", "http://example.com/cb"}, code: 2, stderr: "must be 127.0.0.1"},
		{name: "unknown flag", args: []string{"--issuer", dead, "--client-secret", "s3cret"}, code: 2, stderr: "unknown flag: --client-secret"},
		{name: "no PAR endpoint", args: []string{"--issuer", op.Issuer(), "--par"}, code: 2, stderr: "provider oidc names no pushed authorization request endpoint"},
		{name: "PAR and device", args: []string{"--issuer", dead, "--par", "--device"}, code: 2, stderr: "none of the others can be"},
		{name: "DPoP refused by the provider", args: []string{"--provider", "github", "--dpop"}, code: 2, stderr: "WithDPoP cannot be used"},
		{name: "DPoP key unreadable", args: []string{"--issuer", dead, "--dpop-key", filepath.Join(t.TempDir(), "none.pem")}, code: 2, stderr: "DPoP key: private key: open"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Faults are per server: these cases run one after the other.
			op.SetFaults(tt.faults)
			defer op.ResetFaults()
			c := newCLI(t).confidential()
			if tt.env != nil {
				c.env = tt.env
			}
			if tt.browser {
				c.browser = func(ctx context.Context, u string) error {
					err := oidctestBrowser(op)(ctx, u)
					if err == nil || !strings.Contains(err.Error(), "Login failed") {
						return fmt.Errorf("the browser should show the failure, got %v", err)
					}
					return nil
				}
			}
			args := tt.args
			if args == nil {
				args = []string{"--issuer", op.Issuer()}
			}
			r := c.mustRun(tt.code, append([]string{"login"}, args...)...)
			if !strings.Contains(r.stderr, tt.stderr) {
				t.Errorf("stderr does not say %q:\n%s", tt.stderr, r.stderr)
			}
			if tt.code == 2 && !strings.Contains(r.stderr, "Run 'oauth20 login --help' for usage.") {
				t.Errorf("no usage hint:\n%s", r.stderr)
			}
			if strings.Contains(r.stderr, "oauth20: oauth20:") {
				t.Errorf("the program's name is said twice:\n%s", r.stderr)
			}
			if strings.Contains(r.stderr, oidctest.DefaultClientSecret) || strings.Contains(r.stderr, "s3cret") {
				t.Error("a secret was printed")
			}
		})
	}
}

// TestLoginIgnoresForeignCallback: a redirect with another state (a stale
// tab) gets an error page and the login goes on waiting for its own.
func TestLoginIgnoresForeignCallback(t *testing.T) {
	t.Parallel()
	op := startOP(t)
	c := newCLI(t).confidential()
	c.browser = func(ctx context.Context, u string) error {
		au, _ := url.Parse(u)
		cb := au.Query().Get("redirect_uri")
		resp, err := http.Get(cb + "?code=stolen&state=not-this-one")
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest {
			return fmt.Errorf("foreign callback: %d", resp.StatusCode)
		}
		return oidctestBrowser(op)(ctx, u)
	}
	r := c.mustRun(0, "login", "--issuer", op.Issuer())
	if !strings.Contains(r.stderr, "Ignored a redirect that belongs to another login.") {
		t.Errorf("stderr:\n%s", r.stderr)
	}
	if n := op.Count(oidctest.TokenEndpoint); n != 1 {
		t.Errorf("%d token requests, want 1", n)
	}
}
