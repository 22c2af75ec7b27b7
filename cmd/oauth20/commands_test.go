package main

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/go-oauth20/oauth20/core"
	"github.com/go-oauth20/oauth20/internal/builtin"
	"github.com/spf13/cobra"
)

// TestHelp compares the --help of every command with a golden file and
// checks that each has an example.
func TestHelp(t *testing.T) {
	t.Parallel()
	root := newRootCmd(&app{})
	cmds := []*cobra.Command{root}
	for _, c := range root.Commands() {
		if c.Name() != "help" && c.Name() != "completion" {
			cmds = append(cmds, c)
		}
	}
	for _, cmd := range cmds {
		name := strings.ReplaceAll(cmd.CommandPath(), " ", "-")
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if cmd.Example == "" {
				t.Errorf("%s has no example", cmd.CommandPath())
			}
			args := append(strings.Fields(cmd.CommandPath())[1:], "--help")
			r := newCLI(t).mustRun(0, args...)
			golden(t, filepath.Join("help", name), r.stdout)
		})
	}
}

// TestUsageErrors: cobra's own errors exit with 2 and a hint.
func TestUsageErrors(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"nosuch"}, {"login", "--nosuch"}, {"discover"}, {"keygen", "extra"}, {"--timeout", "soon", "providers"}} {
		r := newCLI(t).mustRun(2, args...)
		if !strings.Contains(r.stderr, "oauth20: ") || !strings.Contains(r.stderr, "--help' for usage.") {
			t.Errorf("%v: stderr %q", args, r.stderr)
		}
	}
}

// TestCompletion: the completion scripts exist, and the provider flag
// completes the built-in names.
func TestCompletion(t *testing.T) {
	t.Parallel()
	for _, shell := range []string{"bash", "zsh", "fish", "powershell"} {
		r := newCLI(t).mustRun(0, "completion", shell)
		if len(r.stdout) < 100 {
			t.Errorf("%s completion: %q", shell, r.stdout)
		}
	}
	r := newCLI(t).mustRun(0, cobra.ShellCompRequestCmd, "login", "--provider", "git")
	for _, want := range []string{"github", "gitlab", "gitee"} {
		if !strings.Contains(r.stdout, want+"\n") {
			t.Errorf("completion of --provider git lacks %s:\n%s", want, r.stdout)
		}
	}
	r = newCLI(t).mustRun(0, cobra.ShellCompRequestCmd, "login", "--provider", "keycloak", "--set", "")
	if !strings.Contains(r.stdout, "realm=\n") || !strings.Contains(r.stdout, "url=\n") {
		t.Errorf("completion of --set for keycloak:\n%s", r.stdout)
	}
}

// TestProviders lists the built-in providers (golden).
func TestProviders(t *testing.T) {
	t.Parallel()
	r := newCLI(t).mustRun(0, "providers")
	golden(t, "providers", r.stdout)
}

// TestBuiltinsListEveryProvider keeps the CLI's table of constructors in
// step with internal/builtin, whose own test keeps it in step with package
// providers: a new provider cannot be forgotten here.
func TestBuiltinsListEveryProvider(t *testing.T) {
	t.Parallel()
	var want []string
	for _, b := range builtin.All() {
		want = append(want, b.Name)
	}
	slices.Sort(want)
	if got := builtinNames(); !slices.Equal(got, want) {
		t.Errorf("builtins and internal/builtin differ:\nbuiltins         %v\ninternal/builtin %v", got, want)
	}
}

// TestBuiltinsBuild builds every built-in provider with its settings, and
// checks that missing settings are reported.
func TestBuiltinsBuild(t *testing.T) {
	t.Parallel()
	keyFile := filepath.Join(t.TempDir(), "apple.p8")
	if err := os.WriteFile(keyFile, builtin.AppleKey(), 0o600); err != nil {
		t.Fatal(err)
	}
	values := map[string]string{
		"team-id": builtin.AppleTeamID, "key-id": builtin.AppleKeyID, "key-file": keyFile, "domain": "dev-1.example.com",
		"url": "https://sso.example.com", "realm": "demo", "issuer": builtin.OIDCIssuer, "user-agent": builtin.RedditUserAgent,
		"agent-id": builtin.WeComAgentID, "shop": builtin.ShopifyShop,
	}
	// Alipay's key-file is an RSA key, and it takes Alipay's public key.
	alipayKey, alipayPub := filepath.Join(t.TempDir(), "app.pem"), filepath.Join(t.TempDir(), "alipay.pem")
	if err := errors.Join(os.WriteFile(alipayKey, builtin.AlipayAppKey(), 0o600), os.WriteFile(alipayPub, builtin.AlipayPublicKey(), 0o600)); err != nil {
		t.Fatal(err)
	}
	byProvider := map[string]map[string]string{"alipay": {"key-file": alipayKey, "public-key-file": alipayPub}}
	for _, b := range builtins {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			s := map[string]string{}
			for _, st := range b.settings {
				if st.def == "" {
					v := values[st.key]
					if o, ok := byProvider[b.name][st.key]; ok {
						v = o
					}
					if v == "" {
						t.Fatalf("no test value for setting %q", st.key)
					}
					s[st.key] = v
				}
			}
			p, err := b.build("client-id", "client-secret", s, nil)
			if err != nil {
				t.Fatal(err)
			}
			if p.Name() != b.name {
				t.Errorf("name %q", p.Name())
			}
			if len(s) > 0 {
				if _, err := b.build("client-id", "client-secret", nil, nil); err == nil || exitCode(err) != exitUsage {
					t.Errorf("without settings: %v", err)
				}
			}
		})
	}
}

// TestKeygen makes a sealing key and a key pair of each algorithm.
func TestKeygen(t *testing.T) {
	t.Parallel()
	r := newCLI(t).mustRun(0, "keygen")
	key := strings.TrimSpace(r.stdout)
	if b, err := base64.RawURLEncoding.DecodeString(key); err != nil || len(b) != core.MinSealingKeyLen {
		t.Errorf("sealing key %q: %v", key, err)
	}
	if _, err := core.New().SealingKeys([]byte(key)).BaseURL("http://127.0.0.1/auth").
		Provider(builtin.All()[0].New("id", "secret")).Build(); err != nil {
		t.Errorf("the sealing key is refused: %v", err)
	}

	dir := t.TempDir()
	for _, alg := range []string{"ES256", "ES384", "RS256", "EdDSA"} {
		t.Run(alg, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(dir, alg+".pem")
			r := newCLI(t).mustRun(0, "keygen", "--private-key-jwt", "--alg", alg, "--key-out", path)
			var set struct {
				Keys []map[string]string `json:"keys"`
			}
			if err := json.Unmarshal([]byte(r.stdout), &set); err != nil || len(set.Keys) != 1 {
				t.Fatalf("%v: %s", err, r.stdout)
			}
			jwk := set.Keys[0]
			if jwk["alg"] != alg || jwk["use"] != "sig" || jwk["kid"] == "" || jwk["d"] != "" {
				t.Errorf("JWK %v", jwk)
			}
			st, err := os.Stat(path)
			if err != nil || st.Mode().Perm() != 0o600 {
				t.Fatalf("key file: %v %v", st, err)
			}
			signer, err := readPrivateKey(path)
			if err != nil {
				t.Fatal(err)
			}
			pub, _ := publicJWK(signer.Public())
			if thumbprint(pub) != jwk["kid"] {
				t.Error("the kid is not the thumbprint of the written key")
			}
			switch signer.(type) {
			case *ecdsa.PrivateKey, *rsa.PrivateKey, ed25519.PrivateKey:
			default:
				t.Errorf("key type %T", signer)
			}
			// The key signs client assertions.
			if _, err := core.NewClient(core.Config{ClientID: "c", AuthMethod: core.AuthPrivateKeyJWT, PrivateKey: signer,
				Endpoints: core.Endpoints{TokenURL: "https://idp.example/token"}}); err != nil {
				t.Errorf("core refuses the key: %v", err)
			}
			// keygen never overwrites a key.
			r = newCLI(t).mustRun(2, "keygen", "--private-key-jwt", "--alg", alg, "--key-out", path)
			if !strings.Contains(r.stderr, "does not overwrite") {
				t.Errorf("stderr %s", r.stderr)
			}
		})
	}
	r = newCLI(t).mustRun(2, "keygen", "--private-key-jwt")
	if !strings.Contains(r.stderr, "needs --key-out") {
		t.Errorf("stderr %s", r.stderr)
	}
}

// TestThumbprint checks the RFC 7638 §3.1 example.
func TestThumbprint(t *testing.T) {
	t.Parallel()
	jwk := map[string]string{
		"kty": "RSA",
		"n": "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMs" +
			"tn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n9" +
			"1CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw",
		"e": "AQAB",
	}
	if got := thumbprint(jwk); got != "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs" {
		t.Errorf("thumbprint %s", got)
	}
}
