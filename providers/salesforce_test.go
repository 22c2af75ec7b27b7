package providers

import (
	"testing"

	"github.com/go-oauth20/oauth20/conformance/oidctest"
	"github.com/go-oauth20/oauth20/core"
)

// TestSalesforceLogin logs in through Salesforce against a test provider
// shaped like a My Domain: sub is the identity URL, and the user's ID is
// the user id, from UserInfo's user_id or, without it, from sub. PKCE is
// sent although the metadata does not list it.
func TestSalesforceLogin(t *testing.T) {
	t.Parallel()
	const (
		host   = "https://acme.my.salesforce.com"
		userID = "0055g00000ExAmPLEA"
		sub    = "https://login.salesforce.com/id/00D5g00000ExAmPLEA/" + userID
	)
	eps := map[oidctest.Endpoint]string{oidctest.AuthorizeEndpoint: "/services/oauth2/authorize",
		oidctest.TokenEndpoint: "/services/oauth2/token", oidctest.UserInfoEndpoint: "/services/oauth2/userinfo",
		oidctest.JWKSEndpoint: "/id/keys", oidctest.RevocationEndpoint: "/services/oauth2/revoke",
		oidctest.IntrospectionEndpoint: "/services/oauth2/introspect"}
	for _, withUserID := range []bool{true, false} {
		claims := map[string]any{"organization_id": "00D5g00000ExAmPLEA"}
		if withUserID {
			claims["user_id"] = userID
		}
		sh := shape{issuer: host, eps: eps, methods: []string{"client_secret_post", "client_secret_basic", "private_key_jwt"}}
		op := oidctest.New(t, oidctest.WithAlgorithm("RS256"), sh.config,
			oidctest.WithUser(oidctest.User{Subject: sub, Email: "jdoe@example.com", EmailVerified: true, Name: "Jane Doe",
				PreferredUsername: "jdoe@example.com.dev", Claims: claims}),
			oidctest.WithClients(testClient("salesforce", oidctest.AuthSecretBasic)))
		p, err := Salesforce("acme.my.salesforce.com", testClientID, testClientSecret)
		a := newTestAuth(t, op, p, err)
		res, q, err := login(t, op, a, "salesforce", core.BeginOptions{}, nil)
		if err != nil {
			t.Fatalf("login (user_id %t): %v", withUserID, err)
		}
		if !sentPKCE(t, q) {
			t.Error("no PKCE")
		}
		if res.User.ID != userID || res.IDToken.Subject != sub || res.User.Username != "jdoe@example.com.dev" || !res.User.EmailVerified {
			t.Errorf("user_id %t: user %+v, sub %q", withUserID, res.User, res.IDToken.Subject)
		}
		if res.User.Raw["sub"] != sub {
			t.Errorf("raw sub %v", res.User.Raw["sub"])
		}
		tok, _, err := a.Refresh(t.Context(), "salesforce", res.Token, res.IDToken)
		if err != nil {
			t.Fatalf("refresh: %v", err)
		}
		if _, err := logoutWithTokens(t, t.Context(), a, "salesforce", tok); err != nil {
			t.Fatalf("logout: %v", err)
		}
		if n := op.Count(oidctest.RevocationEndpoint); n != 2 {
			t.Errorf("%d revocations, want 2", n)
		}
	}
}

// TestSalesforceUserID: the user id is user_id, else the last segment of
// an identity URL in sub; anything else gives none (sub stays the ID).
func TestSalesforceUserID(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		raw  map[string]any
		want string
	}{
		{map[string]any{"user_id": "005A", "sub": "https://login.salesforce.com/id/00DB/005B"}, "005A"},
		{map[string]any{"sub": "https://login.salesforce.com/id/00DB/005B"}, "005B"},
		{map[string]any{"sub": "https://acme.my.site.com/shop/id/00DB/005C"}, "005C"},
		{map[string]any{"sub": "https://login.salesforce.com/id/00DB/005B/"}, "005B"},
		{map[string]any{"sub": "https://login.salesforce.com/id/00DB/"}, ""},
		{map[string]any{"sub": "https://login.salesforce.com/users/00DB/005B"}, ""},
		{map[string]any{"sub": "005B"}, ""},
		{map[string]any{"sub": "%zz"}, ""},
		{map[string]any{"user_id": 5}, ""},
		{nil, ""},
	} {
		if got := salesforceUserID(tt.raw); got != tt.want {
			t.Errorf("%v: %q, want %q", tt.raw, got, tt.want)
		}
	}
}
