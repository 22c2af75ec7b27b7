package providers

import (
	"context"
	"errors"
	"testing"

	"github.com/go-oauth20/oauth20/core"
	"github.com/go-oauth20/oauth20/oidc"
)

const (
	msTenantA = "72f988bf-86f1-41af-91ab-2d7cd011db47"
	msTenantB = "11111111-2222-3333-4444-555555555555"
)

// msDoc is Entra's metadata for a tenant path segment, with the given
// issuer.
func msDoc(login, tenant, issuer string) map[string]any {
	doc := intlDoc(login+"/"+tenant, map[string]string{
		"authorization_endpoint": "/oauth2/v2.0/authorize", "token_endpoint": "/oauth2/v2.0/token",
		"jwks_uri": "/discovery/v2.0/keys", "end_session_endpoint": "/oauth2/v2.0/logout",
	}, "client_secret_post", "private_key_jwt", "client_secret_basic")
	doc["userinfo_endpoint"] = "https://graph.microsoft.com/oidc/userinfo"
	doc["issuer"] = issuer
	return doc
}

func TestMicrosoftTenants(t *testing.T) {
	t.Parallel()
	const login = "https://login.microsoftonline.com"
	tests := []struct {
		name      string
		tenant    string
		opts      []Option
		login     string
		docIssuer string
		tokenIss  string
		tid       string // "" = no tid claim
		want      error
	}{
		{"common", "common", nil, login, login + "/{tenantid}/v2.0", login + "/" + msTenantA + "/v2.0", msTenantA, nil},
		{"common personal account", "common", nil, login, login + "/{tenantid}/v2.0", login + "/" + microsoftConsumersTenant + "/v2.0", microsoftConsumersTenant, nil},
		{"common tid differs from iss", "common", nil, login, login + "/{tenantid}/v2.0", login + "/" + msTenantA + "/v2.0", msTenantB, oidc.ErrIssuerMismatch},
		{"common without tid", "common", nil, login, login + "/{tenantid}/v2.0", login + "/" + msTenantA + "/v2.0", "", oidc.ErrIssuerMismatch},
		{"common tid adding a path", "common", nil, login, login + "/{tenantid}/v2.0", login + "/x/evil/v2.0", "x/evil", oidc.ErrIssuerMismatch},
		{"common literal template in iss", "common", nil, login, login + "/{tenantid}/v2.0", login + "/{tenantid}/v2.0", msTenantA, oidc.ErrIssuerMismatch},
		{"organizations", "organizations", nil, login, login + "/{tenantid}/v2.0", login + "/" + msTenantB + "/v2.0", msTenantB, nil},
		{"consumers", "consumers", nil, login, login + "/" + microsoftConsumersTenant + "/v2.0", login + "/" + microsoftConsumersTenant + "/v2.0", microsoftConsumersTenant, nil},
		{"consumers rejects a work tenant", "consumers", nil, login, login + "/" + microsoftConsumersTenant + "/v2.0", login + "/" + msTenantA + "/v2.0", msTenantA, oidc.ErrIssuerMismatch},
		{"single tenant", msTenantA, nil, login, login + "/" + msTenantA + "/v2.0", login + "/" + msTenantA + "/v2.0", msTenantA, nil},
		{"single tenant rejects another", msTenantA, nil, login, login + "/" + msTenantA + "/v2.0", login + "/" + msTenantB + "/v2.0", msTenantB, oidc.ErrIssuerMismatch},
		{"national cloud", "common", []Option{WithBaseURL("https://login.partner.microsoftonline.cn/")}, "https://login.partner.microsoftonline.cn",
			"https://login.partner.microsoftonline.cn/{tenantid}/v2.0", "https://login.partner.microsoftonline.cn/" + msTenantA + "/v2.0", msTenantA, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			op := newIntlOP(t, tt.docIssuer, map[string]any{})
			op.doc = msDoc(tt.login, tt.tenant, tt.docIssuer)
			op.tokenIssuer = tt.tokenIss
			op.claims = map[string]any{"oid": "00000000-0000-0000-66f3-3332eca7ea81"}
			if tt.tid != "" {
				op.claims["tid"] = tt.tid
			}
			op.userinfo = map[string]any{"name": "Adele Vance", "email": "adelev@contoso.onmicrosoft.com",
				"picture": "https://graph.microsoft.com/v1.0/me/photo/$value"}
			// The metadata is fetched from the tenant path, whatever it names.
			op.issuer = tt.login + "/" + tt.tenant + "/v2.0"
			a := op.auth(Microsoft(tt.tenant, intlTestClient, intlTestSecret, tt.opts...))
			res, q, err := op.login(a, "microsoft", nil)
			if q.Get("scope") != "openid profile email offline_access" {
				t.Errorf("scope %q", q.Get("scope"))
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
