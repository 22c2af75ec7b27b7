package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-oauth20/oauth20/conformance/oidctest"
	"github.com/go-oauth20/oauth20/internal/testkit"
)

// loginSaved logs in against op and returns the saved token file.
func loginSaved(t *testing.T, c *cli, op *oidctest.Server) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "token.json")
	c.browser = oidctestBrowser(op)
	c.mustRun(0, "login", "--issuer", op.Issuer(), "--save", path)
	c.browser = nil
	return path
}

// TestTokenCommands runs refresh, introspect, userinfo and revoke on the
// token of a login, the way a person debugging an integration would.
func TestTokenCommands(t *testing.T) {
	t.Parallel()
	clock := testkit.NewClock(goldenTime)
	op := startOP(t, oidctest.WithClock(clock.Now))
	c := newCLI(t).confidential()
	c.clock = clock
	path := loginSaved(t, c, op)
	first, err := readToken(&app{}, path)
	if err != nil {
		t.Fatal(err)
	}
	iss := []string{"--issuer", op.Issuer()}
	scrub := loginScrubber(op)

	r := c.mustRun(0, append([]string{"refresh", "--token-file", path, "--save", path}, iss...)...)
	golden(t, "refresh", scrub.literal(path, "TOKEN.json").apply(r.stdout))
	second, err := readToken(&app{}, path)
	if err != nil {
		t.Fatal(err)
	}
	if second.token.RefreshToken == first.token.RefreshToken || second.token.AccessToken == first.token.AccessToken {
		t.Error("refresh --save kept the old tokens")
	}

	r = c.mustRun(0, append([]string{"introspect", "--token-file", path}, iss...)...)
	golden(t, "introspect", scrub.apply(r.stdout))

	// userinfo reads standard input by default: a bare access token.
	c.stdin = second.token.AccessToken + "\n"
	r = c.mustRun(0, append([]string{"userinfo", "--json"}, iss...)...)
	var user map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &user); err != nil || user["id"] != oidctest.DefaultUser().Subject {
		t.Errorf("userinfo: %v, %s", err, r.stdout)
	}
	c.stdin = ""
	r = c.mustRun(0, append([]string{"userinfo", "--token-file", path}, iss...)...)
	golden(t, "userinfo", r.stdout)

	r = c.mustRun(0, append([]string{"revoke", "--token-file", path}, iss...)...)
	if r.stdout != "Revoked the refresh token (43 bytes) at oidc.\n" {
		t.Errorf("revoke: %q", r.stdout)
	}
	// The grant is gone: the access token is no longer active, and the
	// refresh token is refused with a protocol error (exit 1).
	r = c.mustRun(1, append([]string{"introspect", "--token-file", path, "--json"}, iss...)...)
	if !strings.Contains(r.stdout, `"active": false`) || !strings.Contains(r.stderr, "not active") {
		t.Errorf("introspect after revoke:\n%s\n%s", r.stdout, r.stderr)
	}
	r = c.mustRun(1, append([]string{"refresh", "--token-file", path}, iss...)...)
	if !strings.Contains(r.stderr, "invalid_grant") {
		t.Errorf("refresh after revoke: %s", r.stderr)
	}
	for _, s := range []string{second.token.AccessToken, second.token.RefreshToken, oidctest.DefaultClientSecret} {
		if strings.Contains(r.stdout+r.stderr, s) {
			t.Error("a secret was printed")
		}
	}
}

// TestTokenInput: the token commands take a saved file, login's --json
// output or a bare token, and refuse anything else with exit 2.
func TestTokenInput(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	tests := []struct {
		name, content, want string
		wantErr             string
	}{
		{name: "saved", content: `{"token_type":"Bearer","access_token":"at-1","refresh_token":"rt-1"}`, want: "rt-1"},
		{name: "login json", content: `{"provider":"x","token":{"token_type":"Bearer","access_token":"at-2","refresh_token":"rt-2"}}`, want: "rt-2"},
		{name: "raw answer", content: `{"access_token":"at-3","token_type":"bearer","expires_in":3600,"refresh_token":"rt-3"}`, want: "rt-3"},
		{name: "bare", content: "rt-4\n", want: "rt-4"},
		{name: "empty", content: "  \n", wantErr: "is empty"},
		{name: "two words", content: "not a token\n", wantErr: "neither a JSON token answer"},
		{name: "no tokens", content: `{"token_type":"Bearer"}`, wantErr: "has no access_token"},
		{name: "printed without --show-tokens", content: `{"token":{"token_type":"Bearer","hidden":["access_token"]}}`, wantErr: "use login --save"},
		{name: "bad json", content: `{"access_token":`, wantErr: "is not a token answer"},
		{name: "no refresh token", content: `{"access_token":"at"}`, wantErr: "has no refresh_token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in, err := readToken(&app{}, write(strings.ReplaceAll(tt.name, " ", "_"), tt.content))
			var got string
			if err == nil {
				got, _, err = in.pick("", "refresh_token")
			}
			switch {
			case tt.wantErr != "":
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || exitCode(err) != exitUsage {
					t.Errorf("err %v (exit %d), want %q (exit 2)", err, exitCode(err), tt.wantErr)
				}
			case err != nil || got != tt.want:
				t.Errorf("got %q, %v; want %q", got, err, tt.want)
			}
		})
	}

	c := newCLI(t).confidential()
	r := c.mustRun(2, "revoke", "--issuer", "http://127.0.0.1:1", "--token-file", filepath.Join(dir, "missing.json"))
	if !strings.Contains(r.stderr, "no such file") {
		t.Errorf("stderr: %s", r.stderr)
	}
}
