package providers

import (
	"errors"
	"testing"

	"github.com/go-oauth20/oauth20/conformance/oidctest"
	"github.com/go-oauth20/oauth20/core"
	"github.com/go-oauth20/oauth20/oidc"
)

// TestAuth0IssuerSpelling: Auth0's issuer ends with a slash and is
// compared byte for byte with the metadata's: an issuer without it is
// refused before any login starts.
func TestAuth0IssuerSpelling(t *testing.T) {
	t.Parallel()
	op := oidctest.New(t, oidctest.WithAlgorithm("ES256"), oidctest.WithClients(testClient("auth0", oidctest.AuthSecretBasic)),
		func(c *oidctest.Config) {
			c.Issuer = "https://example.us.auth0.com/"
			c.Metadata = map[string]any{"issuer": "https://example.us.auth0.com"}
		})
	p, err := Auth0("example.us.auth0.com", testClientID, testClientSecret)
	a := newTestAuth(t, op, p, err)
	_, _, err = a.Begin(t.Context(), "auth0", core.BeginOptions{})
	if !errors.Is(err, oidc.ErrIssuerMismatch) {
		t.Fatalf("err = %v, want ErrIssuerMismatch", err)
	}
	if n := op.Count(oidctest.DiscoveryEndpoint); n != 1 {
		t.Errorf("discovery fetched %d times, want 1", n)
	}
}

// TestAuth0HS256: an Auth0 application set to HS256 MACs its ID tokens
// with the client secret. HS256 in the tenant's metadata does not turn it
// on; WithIDTokenSigningAlg("HS256") does.
func TestAuth0HS256(t *testing.T) {
	t.Parallel()
	for _, optIn := range []bool{false, true} {
		op := oidctest.New(t, oidctest.WithAlgorithm("HS256"), oidctest.WithClients(testClient("auth0", oidctest.AuthSecretBasic)),
			func(c *oidctest.Config) {
				c.Issuer = "https://example.us.auth0.com/"
				// As Auth0's tenants list them.
				c.Metadata = map[string]any{"id_token_signing_alg_values_supported": []string{"HS256", "RS256", "PS256"}}
			})
		var opts []Option
		if optIn {
			opts = append(opts, WithIDTokenSigningAlg("HS256"))
		}
		p, err := Auth0("example.us.auth0.com", testClientID, testClientSecret, opts...)
		a := newTestAuth(t, op, p, err)
		res, _, err := login(t, op, a, "auth0", core.BeginOptions{}, nil)
		switch {
		case optIn && (err != nil || res.IDToken == nil):
			t.Errorf("with WithIDTokenSigningAlg(HS256): %v", err)
		case !optIn && !errors.Is(err, oidc.ErrUnsupportedAlgorithm):
			t.Errorf("without the option: err = %v, want ErrUnsupportedAlgorithm", err)
		}
	}
}
