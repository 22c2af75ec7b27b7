package providers

import (
	"context"
	"errors"
	"testing"

	"github.com/go-oauth20/oauth20/conformance/oidctest"
	"github.com/go-oauth20/oauth20/core"
	"github.com/go-oauth20/oauth20/oidc"
)

const (
	msTenantA = "72f988bf-86f1-41af-91ab-2d7cd011db47"
	msTenantB = "11111111-2222-3333-4444-555555555555"
)

// entraShape is Entra's metadata for a tenant path segment, naming the
// given issuer, on the login host of a cloud.
func entraShape(login, tenant, docIssuer string) func(*oidctest.Config) {
	return func(c *oidctest.Config) {
		tenantURL := login + "/" + tenant
		// The metadata is fetched from the tenant path, whatever it names.
		c.Issuer = tenantURL + "/v2.0"
		c.Endpoints = map[oidctest.Endpoint]string{
			oidctest.AuthorizeEndpoint:  tenantURL + "/oauth2/v2.0/authorize",
			oidctest.TokenEndpoint:      tenantURL + "/oauth2/v2.0/token",
			oidctest.JWKSEndpoint:       tenantURL + "/discovery/v2.0/keys",
			oidctest.EndSessionEndpoint: tenantURL + "/oauth2/v2.0/logout",
			oidctest.UserInfoEndpoint:   "https://graph.microsoft.com/oidc/userinfo",
		}
		c.Metadata = map[string]any{
			"issuer":                                         docIssuer,
			"token_endpoint_auth_methods_supported":          []string{"client_secret_post", "private_key_jwt", "client_secret_basic"},
			"revocation_endpoint":                            nil,
			"introspection_endpoint":                         nil,
			"code_challenge_methods_supported":               nil,
			"authorization_response_iss_parameter_supported": nil,
		}
	}
}

func TestMicrosoftTenants(t *testing.T) {
	t.Parallel()
	const global = microsoftLoginURL
	tests := []struct {
		name      string
		tenant    string
		opts      []Option
		host      string // the cloud's login host
		docIssuer string
		tokenIss  string
		tid       string // "" = no tid claim
		want      error
	}{
		{"common", "common", nil, global, global + "/{tenantid}/v2.0", global + "/" + msTenantA + "/v2.0", msTenantA, nil},
		{"common personal account", "common", nil, global, global + "/{tenantid}/v2.0", global + "/" + microsoftConsumersTenant + "/v2.0", microsoftConsumersTenant, nil},
		{"common tid differs from iss", "common", nil, global, global + "/{tenantid}/v2.0", global + "/" + msTenantA + "/v2.0", msTenantB, oidc.ErrIssuerMismatch},
		{"common without tid", "common", nil, global, global + "/{tenantid}/v2.0", global + "/" + msTenantA + "/v2.0", "", oidc.ErrIssuerMismatch},
		{"common tid adding a path", "common", nil, global, global + "/{tenantid}/v2.0", global + "/x/evil/v2.0", "x/evil", oidc.ErrIssuerMismatch},
		{"common literal template in iss", "common", nil, global, global + "/{tenantid}/v2.0", global + "/{tenantid}/v2.0", msTenantA, oidc.ErrIssuerMismatch},
		{"organizations", "organizations", nil, global, global + "/{tenantid}/v2.0", global + "/" + msTenantB + "/v2.0", msTenantB, nil},
		{"consumers", "consumers", nil, global, global + "/" + microsoftConsumersTenant + "/v2.0", global + "/" + microsoftConsumersTenant + "/v2.0", microsoftConsumersTenant, nil},
		{"consumers rejects a work tenant", "consumers", nil, global, global + "/" + microsoftConsumersTenant + "/v2.0", global + "/" + msTenantA + "/v2.0", msTenantA, oidc.ErrIssuerMismatch},
		{"single tenant", msTenantA, nil, global, global + "/" + msTenantA + "/v2.0", global + "/" + msTenantA + "/v2.0", msTenantA, nil},
		{"single tenant rejects another", msTenantA, nil, global, global + "/" + msTenantA + "/v2.0", global + "/" + msTenantB + "/v2.0", msTenantB, oidc.ErrIssuerMismatch},
		{"national cloud", "common", []Option{WithBaseURL("https://login.partner.microsoftonline.cn/")}, "https://login.partner.microsoftonline.cn",
			"https://login.partner.microsoftonline.cn/{tenantid}/v2.0", "https://login.partner.microsoftonline.cn/" + msTenantA + "/v2.0", msTenantA, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			// Entra sends no email_verified claim.
			claims := map[string]any{"oid": "00000000-0000-0000-66f3-3332eca7ea81", "email": "adelev@contoso.onmicrosoft.com"}
			if tt.tid != "" {
				claims["tid"] = tt.tid
			}
			op := oidctest.New(t, oidctest.WithAlgorithm("ES256"), entraShape(tt.host, tt.tenant, tt.docIssuer),
				func(c *oidctest.Config) { c.TokenIssuer = tt.tokenIss },
				oidctest.WithUser(oidctest.User{Subject: "user-1", Name: "Adele Vance",
					Picture: "https://graph.microsoft.com/v1.0/me/photo/$value", Claims: claims}),
				oidctest.WithClients(testClient("microsoft", oidctest.AuthSecretBasic)))
			p, err := Microsoft(tt.tenant, testClientID, testClientSecret, tt.opts...)
			a := newTestAuth(t, op, p, err)
			res, q, err := login(t, op, a, "microsoft", core.BeginOptions{}, nil)
			if q.Get("scope") != "openid profile email offline_access" {
				t.Errorf("scope %q", q.Get("scope"))
			}
			if !sentPKCE(t, q) {
				t.Error("no PKCE")
			}
			if tt.want != nil {
				if res != nil || !errors.Is(err, tt.want) || core.ProblemOf(err).Status != 502 {
					t.Fatalf("err = %v (status %d), want %v", err, core.ProblemOf(err).Status, tt.want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			u := res.User
			if u.ID != "user-1" || u.Email != "adelev@contoso.onmicrosoft.com" || u.EmailVerified || u.Name != "Adele Vance" ||
				u.Raw["tid"] != tt.tid || res.IDToken.Issuer != tt.tokenIss {
				t.Errorf("user %+v, ID token issuer %q", u, res.IDToken.Issuer)
			}
			if _, _, err := a.Refresh(context.Background(), "microsoft", res.Token, res.IDToken); err != nil {
				t.Fatalf("refresh: %v", err)
			}
		})
	}
}

func TestMicrosoftRefreshScope(t *testing.T) {
	t.Parallel()
	edit := microsoftEditRequest([]string{"openid", "offline_access", "User.Read"})
	r := &core.Request{Op: core.OpRefresh, Params: &core.Params{}}
	if err := edit(r); err != nil || r.Params.Get("scope") != "openid offline_access User.Read" {
		t.Errorf("refresh scope %q, %v", r.Params.Get("scope"), err)
	}
	r = &core.Request{Op: core.OpRefresh, Params: &core.Params{}}
	r.Params.Set("scope", "User.Read")
	_ = edit(r)
	if r.Params.Get("scope") != "User.Read" {
		t.Errorf("caller's scope replaced: %q", r.Params.Get("scope"))
	}
	r = &core.Request{Op: core.OpExchange, Params: &core.Params{}}
	_ = edit(r)
	if r.Params.Get("scope") != "" {
		t.Error("scope added to a code exchange")
	}
}
