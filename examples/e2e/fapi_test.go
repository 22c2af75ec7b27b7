package e2e

import (
	"errors"
	"net/http"
	"testing"

	"github.com/go-oauth20/oauth20/core"
	"github.com/go-oauth20/oauth20/dpop"
	"github.com/go-oauth20/oauth20/fapi"
	"github.com/go-oauth20/oauth20/internal/opuser"
	"github.com/go-oauth20/oauth20/internal/realop"
	"github.com/go-oauth20/oauth20/internal/testkit"
	"github.com/go-oauth20/oauth20/providers"
)

// TestFAPI2 logs in at oidc-provider's FAPI 2.0 client (its fapi feature
// with profile 2.0, which enforces PKCE, private_key_jwt with the issuer
// as audience, pushed requests and DPoP) through an Auth in FAPI 2.0 mode:
// the request is pushed, the client authenticates with its ES256 key, the
// tokens are DPoP-bound (the user comes from UserInfo with them), the ID
// token is ES256, and a refresh keeps the binding. The mode refuses a
// provider outside the profile.
func TestFAPI2(t *testing.T) {
	t.Parallel()
	timed(t)
	s, ctx := startExtOP(t, realop.Options{}, "bank")
	key, err := dpop.GenerateKey(dpop.ES256)
	if err != nil {
		t.Fatal(err)
	}
	wire := newDPoPWire(t)
	bank, err := providers.OIDC("bank", s.Issuer, s.FAPI.ID, "",
		providers.WithPrivateKey(s.ClientKeys.Signing, s.ClientKeys.SigningKID), providers.WithDPoP(key), providers.WithFAPI2())
	if err != nil {
		t.Fatal(err)
	}
	auth, err := fapi.Apply(core.New()).SealingKeys(testkit.SealingKey()).BaseURL(extBase).
		HTTPClient(&http.Client{Transport: wire}).Provider(bank, nil).Build()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = auth.Close() })

	u, _ := beginLogin(t, ctx, auth, "bank", core.BeginOptions{})
	pushedOnly(t, s, u)
	res := completeLogin(t, ctx, s, auth, "bank", "fapi-user", core.BeginOptions{
		Prompt: "consent", Scopes: []string{"openid", "profile", "email", "offline_access"},
	})
	if res.Token.TokenType != core.TokenTypeDPoP || res.IDToken == nil || res.User.Email != opuser.Account("fapi-user").Email {
		t.Fatalf("login: token type %q, user %+v", res.Token.TokenType, res.User)
	}
	if alg := jwtHeader(t, res.IDToken.Raw)["alg"]; alg != "ES256" {
		t.Errorf("ID token alg %v", alg)
	}
	for _, c := range wire.calls(pathOf(t, s.Endpoints.Token)) {
		if !c.proof {
			t.Errorf("a token request without a DPoP proof: %+v", c)
		}
	}
	client, err := mustProvider(t, auth, "bank").Client(ctx)
	if err != nil {
		t.Fatal(err)
	}
	checkBinding(t, ctx, client, res.Token.AccessToken, key)

	refreshed, _, err := auth.Refresh(ctx, "bank", res.Token, res.IDToken)
	if err != nil {
		t.Fatalf("refresh: %v", err)
	}
	checkBinding(t, ctx, client, refreshed.AccessToken, key)

	// The mode refuses a provider that is not under the profile.
	plain, err := providers.OIDC("plain", s.Issuer, s.Basic.ID, s.Basic.Secret)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fapi.Apply(core.New()).SealingKeys(testkit.SealingKey()).BaseURL(extBase).Provider(plain, nil).Build(); !errors.Is(err, core.ErrInvalidConfig) {
		t.Errorf("FAPI 2.0 mode with a plain provider: %v", err)
	}
	// And a provider under the profile refuses a client secret.
	if _, err := providers.OIDC("bank2", s.Issuer, s.Basic.ID, s.Basic.Secret, providers.WithDPoP(key), providers.WithFAPI2()); !errors.Is(err, core.ErrInvalidConfig) {
		t.Errorf("FAPI 2.0 with client_secret_basic: %v", err)
	}
}
