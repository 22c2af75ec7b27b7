package main

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/go-oauth20/oauth20/conformance/oidctest"
)

// TestDiscover checks oidctest's metadata (golden), then a document with
// what deserves a warning.
func TestDiscover(t *testing.T) {
	t.Parallel()
	op := startOP(t)
	scrub := (&scrubber{}).literal(op.Issuer(), "http://127.0.0.1:OP").pattern(`kid "[^"]+"`, `kid "KID"`)
	c := newCLI(t)
	r := c.mustRun(0, "discover", op.Issuer())
	golden(t, "discover", scrub.apply(r.stdout))

	odd := startOP(t, func(cfg *oidctest.Config) {
		cfg.Metadata = map[string]any{
			"id_token_signing_alg_values_supported":          []string{"ES256", "RS256", "HS256", "none"},
			"code_challenge_methods_supported":               []string{"plain"},
			"grant_types_supported":                          []string{"authorization_code", "implicit"},
			"authorization_response_iss_parameter_supported": nil,
		}
	})
	r = c.mustRun(0, "discover", odd.Issuer(), "--json")
	var out discoverJSON
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatal(err)
	}
	var warnings []string
	for _, f := range out.Checks {
		if f.Level == "warn" {
			warnings = append(warnings, f.Message)
		}
	}
	all := strings.Join(warnings, "\n")
	for _, want := range []string{
		"plain http on a loopback host", `lists "none"`, "lists HS256", "does not list S256", "lists plain",
		"no RFC 9207 iss", "lists implicit", "no key of the JWK Set fits RS256",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("no warning %q in:\n%s", want, all)
		}
	}
	if len(out.Keys) != 1 || out.Keys[0].Kty != "EC" {
		t.Errorf("keys: %+v", out.Keys)
	}
}

// TestDiscoverFailures: a document that fails the checks, keys that
// cannot be fetched and an unreachable issuer exit with 1; a missing
// argument with 2.
func TestDiscoverFailures(t *testing.T) {
	t.Parallel()
	dead := "http://127.0.0.1:" + strconv.Itoa(freePort(t))
	tests := []struct {
		name   string
		faults oidctest.Faults
		issuer func(op *oidctest.Server) string
		code   int
		stderr string
		stdout string
	}{
		{name: "issuer mismatch", faults: oidctest.Faults{WrongDiscoveryIssuer: true}, code: 1,
			stderr: "[oidc.ErrIssuerMismatch]"},
		{name: "trailing slash", issuer: func(op *oidctest.Server) string { return op.Issuer() + "/" }, code: 1,
			stderr: "[oidc.ErrIssuerMismatch]"},
		{name: "keys unreachable", faults: oidctest.Faults{Errors: map[oidctest.Endpoint]oidctest.ErrorResponse{
			oidctest.JWKSEndpoint: {Status: 503, Body: "down"}}}, code: 1, stdout: "FAIL  jwks_uri: fetching the JWK Set: HTTP 503"},
		{name: "unreachable", issuer: func(*oidctest.Server) string { return dead }, code: 1, stderr: "connection refused"},
		{name: "no argument", issuer: func(*oidctest.Server) string { return "" }, code: 2, stderr: "accepts 1 arg(s), received 0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			op := startOP(t)
			op.SetFaults(tt.faults)
			issuer := op.Issuer()
			if tt.issuer != nil {
				issuer = tt.issuer(op)
			}
			args := []string{"discover"}
			if issuer != "" {
				args = append(args, issuer)
			}
			r := newCLI(t).mustRun(tt.code, args...)
			if !strings.Contains(r.stderr, tt.stderr) || !strings.Contains(r.stdout, tt.stdout) {
				t.Errorf("want %q on stderr and %q on stdout:\nstdout:\n%s\nstderr:\n%s", tt.stderr, tt.stdout, r.stdout, r.stderr)
			}
		})
	}
}
