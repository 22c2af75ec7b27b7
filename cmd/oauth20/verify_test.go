package main

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-oauth20/oauth20/conformance/oidctest"
	"github.com/go-oauth20/oauth20/internal/testkit"
	"github.com/go-oauth20/oauth20/oidc"
)

// idClaims are the claims of a valid ID token of op at goldenTime.
func idClaims(op *oidctest.Server) map[string]any {
	return map[string]any{
		"iss": op.Issuer(), "sub": "248289761001", "aud": oidctest.DefaultClientID,
		"exp": goldenTime.Add(time.Hour).Unix(), "iat": goldenTime.Unix(), "auth_time": goldenTime.Add(-10 * time.Minute).Unix(),
		"nonce": "n-0S6_WzA2Mj", "acr": "urn:example:silver",
	}
}

// sign signs claims with op's key, changed by edit.
func sign(t *testing.T, op *oidctest.Server, edit func(map[string]any)) string {
	t.Helper()
	c := idClaims(op)
	if edit != nil {
		edit(c)
	}
	raw, err := op.Sign(c)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// atHash is the at_hash of an access token for ES256.
func atHash(at string) string {
	sum := sha256.Sum256([]byte(at))
	return base64.RawURLEncoding.EncodeToString(sum[:16])
}

// TestVerify verifies a valid token and one that fails, and compares the
// readable reports with golden files.
func TestVerify(t *testing.T) {
	t.Parallel()
	clock := testkit.NewClock(goldenTime)
	op := startOP(t, oidctest.WithClock(clock.Now))
	c := newCLI(t)
	c.clock = clock
	scrub := (&scrubber{}).literal(op.Issuer(), "http://127.0.0.1:OP").pattern(`kid "[^"]+"`, `kid "KID"`).pattern(`\d+ bytes`, "N bytes")

	c.stdin = sign(t, op, nil)
	r := c.mustRun(0, "verify", "--issuer", op.Issuer(), "--audience", oidctest.DefaultClientID, "--nonce", "n-0S6_WzA2Mj")
	golden(t, "verify", scrub.apply(r.stdout))

	raw := sign(t, op, func(m map[string]any) { m["exp"] = goldenTime.Add(-10 * time.Minute).Unix() })
	r = c.mustRun(1, "verify", raw, "--issuer", op.Issuer())
	golden(t, "verify-expired", scrub.apply(r.stdout))
	if r.stderr != "" {
		t.Errorf("the report is on stdout; stderr: %s", r.stderr)
	}
}

// TestVerifyEachCheck makes each check fail in turn and expects verify to
// name that check and its typed error, with exit code 1.
func TestVerifyEachCheck(t *testing.T) {
	t.Parallel()
	clock := testkit.NewClock(goldenTime)
	op := startOP(t, oidctest.WithClock(clock.Now))
	other := startOP(t)
	foreign, err := other.Sign(idClaims(op))
	if err != nil {
		t.Fatal(err)
	}
	valid := sign(t, op, nil)
	parts := strings.Split(valid, ".")
	sig := []byte(parts[2])
	// Another base64url character (flipping a bit could make one that is
	// not, and the token malformed rather than badly signed).
	if sig[10] == 'A' {
		sig[10] = 'B'
	} else {
		sig[10] = 'A'
	}
	dir := t.TempDir()
	atFile := filepath.Join(dir, "at.txt")
	if err := os.WriteFile(atFile, []byte("the-access-token\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	none := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none"}`)) + "." + parts[1] + "."

	tests := []struct {
		name  string
		token string
		args  []string
		check string
		err   error
	}{
		{name: "malformed", token: "not-a-jwt", check: "format", err: oidc.ErrMalformedToken},
		{name: "alg none", token: none, check: "alg", err: oidc.ErrUnsupportedAlgorithm},
		{name: "unknown key", token: foreign, check: "key", err: oidc.ErrUnknownKey},
		{name: "bad signature", token: parts[0] + "." + parts[1] + "." + string(sig), check: "signature", err: oidc.ErrBadSignature},
		{name: "issuer", token: sign(t, op, func(m map[string]any) { m["iss"] = oidctest.AttackerIssuer }), check: "iss", err: oidc.ErrIssuerMismatch},
		{name: "audience", token: valid, args: []string{"--audience", "another-client"}, check: "aud", err: oidc.ErrAudienceMismatch},
		{name: "azp", token: sign(t, op, func(m map[string]any) { m["azp"] = "another-client" }), check: "azp", err: oidc.ErrAuthorizedPartyMismatch},
		{name: "expired", token: sign(t, op, func(m map[string]any) { m["exp"] = goldenTime.Add(-time.Hour).Unix() }), check: "exp", err: oidc.ErrTokenExpired},
		{name: "no exp", token: sign(t, op, func(m map[string]any) { delete(m, "exp") }), check: "exp", err: oidc.ErrMissingClaim},
		{name: "iat in the future", token: sign(t, op, func(m map[string]any) { m["iat"] = goldenTime.Add(time.Hour).Unix() }), check: "iat", err: oidc.ErrIssuedInFuture},
		{name: "nbf", token: sign(t, op, func(m map[string]any) { m["nbf"] = goldenTime.Add(time.Hour).Unix() }), check: "nbf", err: oidc.ErrTokenNotYetValid},
		{name: "sub", token: sign(t, op, func(m map[string]any) { m["sub"] = "" }), check: "sub", err: oidc.ErrInvalidSubject},
		{name: "nonce", token: valid, args: []string{"--nonce", "another"}, check: "nonce", err: oidc.ErrNonceMismatch},
		{name: "at_hash", token: sign(t, op, func(m map[string]any) { m["at_hash"] = atHash("another-token") }),
			args: []string{"--access-token-file", atFile}, check: "at_hash", err: oidc.ErrAtHashMismatch},
		{name: "auth_time", token: valid, args: []string{"--max-age", "5m"}, check: "auth_time", err: oidc.ErrAuthTimeTooOld},
		{name: "acr", token: valid, args: []string{"--acr", "urn:example:gold"}, check: "acr", err: oidc.ErrACRMismatch},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := newCLI(t)
			c.clock = clock
			c.stdin = tt.token
			args := append([]string{"verify", "--issuer", op.Issuer(), "--json"}, tt.args...)
			if !strings.Contains(strings.Join(tt.args, " "), "--audience") {
				args = append(args, "--audience", oidctest.DefaultClientID)
			}
			r := c.mustRun(1, args...)
			var out verifyJSON
			if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
				t.Fatalf("%v\n%s", err, r.stdout)
			}
			if out.Verified || !strings.Contains(strings.Join(out.Errors, " "), sentinelName(tt.err)) {
				t.Errorf("verified %t, errors %v, want %s", out.Verified, out.Errors, sentinelName(tt.err))
			}
			seen := false
			for _, ch := range out.Checks {
				switch {
				case ch.Name == tt.check:
					seen = true
					if ch.Status != "failed" {
						t.Errorf("check %s: %s, want failed", ch.Name, ch.Status)
					}
				case seen && ch.Status != "not run":
					t.Errorf("check %s after the failed one: %s", ch.Name, ch.Status)
				case !seen && ch.Status != "ok" && ch.Status != "skipped":
					t.Errorf("check %s before the failed one: %s", ch.Name, ch.Status)
				}
			}
		})
	}
	// Every check ok, the optional ones included.
	c := newCLI(t)
	c.clock = clock
	c.stdin = sign(t, op, func(m map[string]any) { m["at_hash"] = atHash("the-access-token") })
	r := c.mustRun(0, "verify", "--issuer", op.Issuer(), "--audience", oidctest.DefaultClientID, "--json",
		"--nonce", "n-0S6_WzA2Mj", "--access-token-file", atFile, "--max-age", "15m", "--acr", "urn:example:silver")
	var out verifyJSON
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatal(err)
	}
	for _, ch := range out.Checks {
		if ch.Status != "ok" && ch.Name != "token age" {
			t.Errorf("check %s: %s (%s)", ch.Name, ch.Status, ch.Detail)
		}
	}
}

func sentinelName(err error) string {
	for _, s := range sentinelNames {
		if s.err == err {
			return s.name
		}
	}
	return "?"
}

// TestVerifyBadInput: the command line and the input decide exit 2; an
// issuer that cannot be reached exits with 1.
func TestVerifyBadInput(t *testing.T) {
	t.Parallel()
	op := startOP(t)
	dead := "http://127.0.0.1:" + strconv.Itoa(freePort(t))
	tests := []struct {
		name   string
		stdin  string
		args   []string
		code   int
		stderr string
	}{
		{name: "no issuer", stdin: "a.b.c", args: []string{}, code: 2, stderr: `required flag(s) "issuer" not set`},
		{name: "no token", args: []string{"--issuer", op.Issuer()}, code: 2, stderr: "standard input is empty"},
		{name: "two tokens", args: []string{"a.b.c", "d.e.f", "--issuer", op.Issuer()}, code: 2, stderr: "accepts at most 1 arg"},
		{name: "no audience", stdin: "a.b.c", args: []string{"--issuer", op.Issuer()}, code: 2, stderr: "give --audience"},
		{name: "unreachable issuer", stdin: "a.b.c", args: []string{"--issuer", dead, "--audience", "x"}, code: 1, stderr: "discovery"},
		{name: "not an issuer", stdin: "a.b.c", args: []string{"--issuer", "ftp://example.com", "--audience", "x"}, code: 1, stderr: "discovery"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := newCLI(t)
			c.stdin = tt.stdin
			r := c.mustRun(tt.code, append([]string{"verify"}, tt.args...)...)
			if !strings.Contains(r.stderr, tt.stderr) {
				t.Errorf("stderr does not say %q:\n%s", tt.stderr, r.stderr)
			}
		})
	}
}

// TestVerifyChecksCoverSentinels keeps verify in step with package oidc:
// every sentinel error in oidc/errors.go is either a check of verify or
// listed here as one that ID-token verification does not return on its
// own, so that a new check cannot go unreported.
func TestVerifyChecksCoverSentinels(t *testing.T) {
	notAStep := map[string]string{
		"ErrMissingClaim":            "wrapped together with the sentinel of the check that needed the claim",
		"ErrCHashMismatch":           "needs the authorization code, which verify does not take",
		"ErrRefreshMismatch":         "needs the original ID token of a refresh",
		"ErrInvalidLogoutToken":      "logout tokens",
		"ErrUserInfoSubjectMismatch": "UserInfo",
		"ErrUserInfoNotSigned":       "UserInfo",
		"ErrDecryption":              "encrypted ID tokens: verify takes no decryption key (a JWE fails the format step)",
		"ErrNotEncrypted":            "needs the client's registered encryption, which verify does not take",
	}
	f, err := parser.ParseFile(token.NewFileSet(), filepath.Join("..", "..", "oidc", "errors.go"), nil, parser.SkipObjectResolution)
	if err != nil {
		t.Fatal(err)
	}
	named := map[string]bool{}
	for _, s := range sentinelNames {
		named[strings.TrimPrefix(s.name, "oidc.")] = true
	}
	inChecks := map[string]bool{}
	for _, c := range verifyChecks {
		for _, e := range c.errs {
			inChecks[strings.TrimPrefix(sentinelName(e), "oidc.")] = true
		}
	}
	for _, d := range f.Decls {
		gd, ok := d.(*ast.GenDecl)
		if !ok || gd.Tok != token.VAR {
			continue
		}
		for _, spec := range gd.Specs {
			for _, n := range spec.(*ast.ValueSpec).Names {
				if !strings.HasPrefix(n.Name, "Err") {
					continue
				}
				if !named[n.Name] && notAStep[n.Name] == "" {
					t.Errorf("oidc.%s has no name in sentinelNames", n.Name)
				}
				if !inChecks[n.Name] && notAStep[n.Name] == "" {
					t.Errorf("oidc.%s is no step of verifyChecks: add the check (in Verify's order) or say here why not", n.Name)
				}
			}
		}
	}
}
