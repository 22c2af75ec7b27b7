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
