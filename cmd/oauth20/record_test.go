package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-oauth20/oauth20/conformance"
	"github.com/go-oauth20/oauth20/conformance/oidctest"
	"github.com/go-oauth20/oauth20/internal/builtin"
	"github.com/go-oauth20/oauth20/internal/testkit"
)

// TestRecordThenCheck records a live login against oidctest, as an OpenID
// provider and as a provider described by a spec file, and checks the
// cassette it wrote.
func TestRecordThenCheck(t *testing.T) {
	t.Parallel()
	clock := testkit.NewClock(goldenTime)
	op := startOP(t, oidctest.WithClock(clock.Now))
	specPath := filepath.Join(t.TempDir(), "acme.yaml")
	spec := "# Acme SSO, described by its endpoints.\n" +
		"name: acme\n" +
		"display_name: Acme SSO\n" +
		"endpoints:\n" +
		"  authorization: " + op.URL(oidctest.AuthorizeEndpoint) + "\n" +
		"  token: " + op.URL(oidctest.TokenEndpoint) + "\n" +
		"  userinfo: " + op.URL(oidctest.UserInfoEndpoint) + "\n" +
		"  revocation: " + op.URL(oidctest.RevocationEndpoint) + "\n" +
		"auth_method: client_secret_post\n" +
		"scopes: [openid, email, profile]\n" +
		"user:\n" +
		"  id: sub\n" +
		"  email: email\n" +
		"  email_verified: email_verified\n" +
		"  name: name\n" +
		"  username: preferred_username\n"
	if err := os.WriteFile(specPath, []byte(spec), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := op.RegisterClient(oidctest.Client{ID: "acme-app", Secret: "acme-secret", AuthMethod: oidctest.AuthSecretPost}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		args    []string
		id      string
		secret  string
		file    string
		scenars string
	}{
		{name: "issuer", args: []string{"--issuer", op.Issuer()}, id: oidctest.DefaultClientID, secret: oidctest.DefaultClientSecret,
			file: "oidc.json", scenars: "authorization_url exchange_success user revocation"},
		{name: "spec", args: []string{"--spec", specPath}, id: "acme-app", secret: "acme-secret",
			file: "acme.json", scenars: "authorization_url exchange_success user refresh revocation"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newCLI(t)
			c.clock = clock
			c.env[envClientID], c.env[envClientSecret] = tt.id, tt.secret
			c.browser = oidctestBrowser(op)
			dir := filepath.Join(t.TempDir(), "cassettes")
			r := c.mustRun(0, append([]string{"record", "--out", dir}, tt.args...)...)
			if !strings.Contains(r.stdout, "oauth20 check "+dir) {
				t.Errorf("record does not say what to do next:\n%s", r.stdout)
			}
			data, err := os.ReadFile(filepath.Join(dir, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			for _, secret := range []string{tt.secret, oidctest.DefaultUser().Email, oidctest.DefaultUser().Subject} {
				if strings.Contains(string(data), secret) {
					t.Errorf("the cassette holds %q", secret)
				}
			}
			cas, err := conformance.LoadDir(dir)
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, s := range cas.Scenarios {
				names = append(names, s.Name)
			}
			if strings.Join(names, " ") != tt.scenars {
				t.Errorf("scenarios %v, want %s", names, tt.scenars)
			}
			if _, err := os.Stat(filepath.Join(dir, specFileName)); err != nil {
				t.Errorf("no %s for check: %v", specFileName, err)
			}

			// check needs no credentials: the replay uses fake ones.
			c = newCLI(t)
			r = c.mustRun(0, "check", dir)
			golden(t, "check-"+tt.name, r.stdout)

			// Recording again into the same file needs --force.
			c = newCLI(t)
			c.env[envClientID], c.env[envClientSecret] = tt.id, tt.secret
			r = c.mustRun(2, append([]string{"record", "--out", dir}, tt.args...)...)
			if !strings.Contains(r.stderr, "give --force") {
				t.Errorf("stderr: %s", r.stderr)
			}
		})
	}
}

// TestCheckBuiltinCassettes runs check on the repository's own cassettes
// of every built-in provider: the provider comes from the cassette's name.
func TestCheckBuiltinCassettes(t *testing.T) {
	t.Parallel()
	for _, b := range builtin.All() {
		t.Run(b.Name, func(t *testing.T) {
			t.Parallel()
			r := newCLI(t).mustRun(0, "check", filepath.Join("..", "..", "conformance", "testdata", b.Name), "--json")
			var out checkJSON
			if err := json.Unmarshal([]byte(r.stdout), &out); err != nil || !out.OK || len(out.Scenarios) == 0 || out.Provider != b.Name {
				t.Errorf("%v: %+v", err, out)
			}
		})
	}
}

// TestCheckFailures: a scenario that fails exits with 1 and says why; a
// directory that is not a cassette directory exits with 2.
func TestCheckFailures(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	src, err := os.ReadFile(filepath.Join("..", "..", "conformance", "testdata", "github", "login.json"))
	if err != nil {
		t.Fatal(err)
	}
	broken := strings.Replace(string(src), `\"token_type\":\"bearer\"`, `\"token_type\":\"mac\"`, 1)
	if broken == string(src) {
		t.Fatal("the github cassette changed: pick another edit")
	}
	write := func(sub, name, content string) string {
		d := filepath.Join(dir, sub)
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(d, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return d
	}
	r := newCLI(t).mustRun(1, "check", write("broken", "login.json", broken))
	golden(t, "check-failing", r.stdout)

	write("badspec", "login.json", string(src))
	tests := []struct {
		name   string
		args   []string
		stderr string
	}{
		{name: "missing", args: []string{filepath.Join(dir, "nothing")}, stderr: "no cassette directory"},
		{name: "empty", args: []string{write("empty", "README", "")}, stderr: "no *.json cassette"},
		{name: "invalid", args: []string{write("invalid", "x.json", `{"provider":"github","scenarios":[{"name":"a","op":"fly"}]}`)}, stderr: "bad cassette"},
		{name: "not built in", args: []string{write("acme", "acme.json", strings.Replace(string(src), `"provider": "github"`, `"provider": "acme"`, 1))},
			stderr: `provider "acme" is not built in`},
		{name: "bad spec", args: []string{write("badspec", "provider.yaml", "issuer: https://x.example\nendpoints: {}\n")},
			stderr: "give exactly one of"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newCLI(t).mustRun(2, append([]string{"check"}, tt.args...)...)
			if !strings.Contains(r.stderr, tt.stderr) {
				t.Errorf("stderr does not say %q:\n%s", tt.stderr, r.stderr)
			}
		})
	}
}
