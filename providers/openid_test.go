package providers

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/go-oauth20/oauth20/conformance/oidctest"
	"github.com/go-oauth20/oauth20/core"
	"github.com/go-oauth20/oauth20/oidc"
)

// metadataMembers names the discovery member of each endpoint.
var metadataMembers = map[oidctest.Endpoint]string{
	oidctest.AuthorizeEndpoint:     "authorization_endpoint",
	oidctest.TokenEndpoint:         "token_endpoint",
	oidctest.UserInfoEndpoint:      "userinfo_endpoint",
	oidctest.JWKSEndpoint:          "jwks_uri",
	oidctest.RevocationEndpoint:    "revocation_endpoint",
	oidctest.IntrospectionEndpoint: "introspection_endpoint",
	oidctest.EndSessionEndpoint:    "end_session_endpoint",
}

// shape is how a product spells its OpenID provider: where its endpoints
// are (eps; an endpoint missing there is missing from its metadata too,
// unless served beside the metadata in unlisted), what its metadata says of
// client authentication, PKCE and RFC 9207, and further members.
type shape struct {
	issuer   string
	eps      map[oidctest.Endpoint]string
	unlisted map[oidctest.Endpoint]string
	methods  []string
	pkce     bool
	issParam bool
	extra    map[string]any
}

// config is the oidctest configuration of the shape.
func (sh shape) config(c *oidctest.Config) {
	c.Issuer = sh.issuer
	c.Endpoints = map[oidctest.Endpoint]string{}
	c.Metadata = map[string]any{
		"id_token_signing_alg_values_supported":          []string{"RS256", "ES256"},
		"token_endpoint_auth_methods_supported":          nil,
		"revocation_endpoint_auth_methods_supported":     nil,
		"introspection_endpoint_auth_methods_supported":  nil,
		"code_challenge_methods_supported":               nil,
		"authorization_response_iss_parameter_supported": nil,
	}
	for ep, member := range metadataMembers {
		if u, ok := sh.eps[ep]; ok {
			c.Endpoints[ep] = u
		} else {
			c.Metadata[member] = nil
		}
		if u, ok := sh.unlisted[ep]; ok {
			c.Endpoints[ep] = u
		}
	}
	if sh.methods != nil {
		c.Metadata["token_endpoint_auth_methods_supported"] = sh.methods
	}
	if sh.pkce {
		c.Metadata["code_challenge_methods_supported"] = []string{"S256"}
	}
	if sh.issParam {
		c.Metadata["authorization_response_iss_parameter_supported"] = true
	}
	for k, v := range sh.extra {
		c.Metadata[k] = v
	}
}

// TestOpenIDShapes logs in through the OpenID constructors against test
// providers shaped like each product (issuer spelling, endpoint layout,
// client authentication, UserInfo members) and checks the user, the ID
// token, refresh, revocation and a single discovery.
func TestOpenIDShapes(t *testing.T) {
	t.Parallel()
	keycloak := func() map[oidctest.Endpoint]string {
		p := "/protocol/openid-connect"
		return map[oidctest.Endpoint]string{oidctest.AuthorizeEndpoint: p + "/auth", oidctest.TokenEndpoint: p + "/token",
			oidctest.UserInfoEndpoint: p + "/userinfo", oidctest.JWKSEndpoint: p + "/certs", oidctest.RevocationEndpoint: p + "/revoke",
			oidctest.EndSessionEndpoint: p + "/logout", oidctest.IntrospectionEndpoint: p + "/token/introspect"}
	}
	okta := func(prefix string) map[oidctest.Endpoint]string {
		return map[oidctest.Endpoint]string{oidctest.AuthorizeEndpoint: prefix + "/v1/authorize", oidctest.TokenEndpoint: prefix + "/v1/token",
			oidctest.UserInfoEndpoint: prefix + "/v1/userinfo", oidctest.JWKSEndpoint: prefix + "/v1/keys",
			oidctest.RevocationEndpoint: prefix + "/v1/revoke", oidctest.EndSessionEndpoint: prefix + "/v1/logout"}
	}
	const authentik = "https://auth.example.com/application/o"
	gitea := map[oidctest.Endpoint]string{oidctest.AuthorizeEndpoint: "/login/oauth/authorize",
		oidctest.TokenEndpoint: "/login/oauth/access_token", oidctest.UserInfoEndpoint: "/login/oauth/userinfo",
		oidctest.JWKSEndpoint: "/login/oauth/keys", oidctest.IntrospectionEndpoint: "/login/oauth/introspect"}
	giteaUser := oidctest.User{Email: "jdoe@example.com", EmailVerified: true, Name: "Jane Doe", PreferredUsername: "jdoe",
		Claims: map[string]any{"groups": []string{"example-org", "example-org:owners"}}}
	tests := []struct {
		name       string
		shape      shape
		authMethod oidctest.AuthMethod
		user       oidctest.User
		build      func() (*core.Provider, error)
		wantName   string
		raw        map[string]any
		// omitNonce makes op leave the nonce out of ID tokens.
		omitNonce bool
		// discoveries is how often the metadata is fetched (default 1):
		// twice for a Gitea whose metadata spells the issuer the old way.
		discoveries int
	}{
		{name: "keycloak", shape: shape{issuer: "https://sso.example.com/realms/demo", eps: keycloak(),
			methods: []string{"private_key_jwt", "client_secret_basic", "client_secret_post", "tls_client_auth", "client_secret_jwt"},
			pkce:    true, issParam: true},
			authMethod: oidctest.AuthSecretBasic,
			user:       oidctest.User{Email: "jdoe@example.com", EmailVerified: true, Name: "John Doe", PreferredUsername: "jdoe"},
			build: func() (*core.Provider, error) {
				return Keycloak("https://sso.example.com/", "demo", testClientID, testClientSecret)
			}},
		{name: "keycloak-legacy", shape: shape{issuer: "https://sso.example.com/auth/realms/my%20realm", eps: keycloak(),
			methods: []string{"client_secret_basic"}, pkce: true},
			authMethod: oidctest.AuthSecretBasic,
			user:       oidctest.User{Email: "jdoe@example.com", EmailVerified: false, Name: "John Doe", PreferredUsername: "jdoe"},
			build: func() (*core.Provider, error) {
				return Keycloak("https://sso.example.com/auth", "my realm", testClientID, testClientSecret, WithName("kc"))
			}, wantName: "kc"},
		{name: "okta-custom", shape: shape{issuer: "https://dev-1.okta.com/oauth2/default", eps: okta(""),
			methods: []string{"client_secret_basic", "client_secret_post", "client_secret_jwt", "private_key_jwt", "none"}, pkce: true},
			authMethod: oidctest.AuthSecretBasic,
			user: oidctest.User{Email: "john@example.com", EmailVerified: true, Name: "John Doe", PreferredUsername: "john@example.com",
				Claims: map[string]any{"updated_at": 1311280970}},
			build: func() (*core.Provider, error) {
				return Okta("dev-1.okta.com", "default", testClientID, testClientSecret)
			},
			raw: map[string]any{"updated_at": json.Number("1311280970")}},
		{name: "okta-org", shape: shape{issuer: "https://dev-1.okta.com", eps: okta("/oauth2"),
			methods: []string{"client_secret_basic", "client_secret_post"}, pkce: true},
			authMethod: oidctest.AuthSecretBasic,
			user:       oidctest.User{Email: "john@example.com", EmailVerified: true, Name: "John Doe"},
			build: func() (*core.Provider, error) {
				return Okta("https://dev-1.okta.com/", "", testClientID, testClientSecret)
			}},
		{name: "auth0", shape: shape{issuer: "https://example.us.auth0.com/",
			eps: map[oidctest.Endpoint]string{oidctest.AuthorizeEndpoint: "/authorize", oidctest.TokenEndpoint: "/oauth/token",
				oidctest.UserInfoEndpoint: "/userinfo", oidctest.JWKSEndpoint: "/.well-known/jwks.json",
				oidctest.RevocationEndpoint: "/oauth/revoke", oidctest.EndSessionEndpoint: "/oidc/logout"},
			methods: []string{"client_secret_basic", "client_secret_post", "private_key_jwt"}, pkce: true},
			authMethod: oidctest.AuthSecretBasic,
			user: oidctest.User{Email: "jdoe@example.com", EmailVerified: true, Name: "jdoe@example.com",
				Picture: "https://s.gravatar.com/avatar/x.png",
				Claims:  map[string]any{"nickname": "jdoe", "updated_at": "2024-05-01T10:00:00.000Z"}},
			build: func() (*core.Provider, error) { return Auth0("example.us.auth0.com", testClientID, testClientSecret) },
			raw:   map[string]any{"updated_at": "2024-05-01T10:00:00.000Z"}},
		{name: "authentik", shape: shape{issuer: authentik + "/myapp/",
			eps: map[oidctest.Endpoint]string{oidctest.AuthorizeEndpoint: authentik + "/authorize/", oidctest.TokenEndpoint: authentik + "/token/",
				oidctest.UserInfoEndpoint: authentik + "/userinfo/", oidctest.JWKSEndpoint: authentik + "/myapp/jwks/",
				oidctest.RevocationEndpoint: authentik + "/revoke/", oidctest.EndSessionEndpoint: authentik + "/myapp/end-session/",
				oidctest.IntrospectionEndpoint: authentik + "/introspect/"},
			methods: []string{"client_secret_post", "client_secret_basic"}, pkce: true},
			authMethod: oidctest.AuthSecretBasic,
			user: oidctest.User{Email: "akadmin@example.com", EmailVerified: true, Name: "authentik Default Admin", PreferredUsername: "akadmin",
				Claims: map[string]any{"given_name": "authentik Default Admin", "nickname": "akadmin", "groups": []string{"authentik Admins"}}},
			build: func() (*core.Provider, error) {
				return OIDC("authentik", authentik+"/myapp/", testClientID, testClientSecret)
			}},
		{name: "zitadel", shape: shape{issuer: "https://myinstance.zitadel.cloud",
			eps: map[oidctest.Endpoint]string{oidctest.AuthorizeEndpoint: "/oauth/v2/authorize", oidctest.TokenEndpoint: "/oauth/v2/token",
				oidctest.UserInfoEndpoint: "/oidc/v1/userinfo", oidctest.JWKSEndpoint: "/oauth/v2/keys", oidctest.RevocationEndpoint: "/oauth/v2/revoke",
				oidctest.EndSessionEndpoint: "/oidc/v1/end_session", oidctest.IntrospectionEndpoint: "/oauth/v2/introspect"},
			methods: []string{"none", "client_secret_basic", "client_secret_post", "private_key_jwt"}, pkce: true,
			extra: map[string]any{"device_authorization_endpoint": "https://myinstance.zitadel.cloud/oauth/v2/device_authorization"}},
			authMethod: oidctest.AuthSecretBasic,
			user: oidctest.User{Email: "zitadel-admin@example.com", EmailVerified: true, Name: "ZITADEL Admin",
				PreferredUsername: "zitadel-admin@zitadel.localhost", Claims: map[string]any{"locale": nil, "updated_at": 1700000000}},
			build: func() (*core.Provider, error) {
				return OIDC("zitadel", "https://myinstance.zitadel.cloud", testClientID, testClientSecret)
			}},
		{name: "dex", shape: shape{issuer: "https://dex.example.com/dex",
			eps: map[oidctest.Endpoint]string{oidctest.AuthorizeEndpoint: "/auth", oidctest.TokenEndpoint: "/token",
				oidctest.UserInfoEndpoint: "/userinfo", oidctest.JWKSEndpoint: "/keys", oidctest.IntrospectionEndpoint: "/token/introspect"},
			methods: []string{"client_secret_basic", "client_secret_post"}, pkce: true,
			extra: map[string]any{"device_authorization_endpoint": "https://dex.example.com/dex/device/code"}},
			authMethod: oidctest.AuthSecretBasic,
			user:       oidctest.User{Email: "admin@example.com", EmailVerified: true, Name: "admin"},
			build: func() (*core.Provider, error) {
				return OIDC("dex", "https://dex.example.com/dex", testClientID, testClientSecret)
			}},
		// Gitea 1.25 and Forgejo spell the issuer without the trailing
		// slash, Gitea before 1.25 with it; the same constructor takes both.
		// The metadata names no client authentication: the body is used.
		{name: "gitea", shape: shape{issuer: "https://git.example.com", eps: gitea, pkce: true},
			authMethod: oidctest.AuthSecretPost, user: giteaUser,
			build: func() (*core.Provider, error) {
				return Gitea("https://git.example.com/", testClientID, testClientSecret)
			},
			raw: map[string]any{"groups": []any{"example-org", "example-org:owners"}}},
		{name: "gitea-before-1.25", shape: shape{issuer: "https://git.example.com/gitea/", eps: gitea, pkce: true},
			authMethod: oidctest.AuthSecretPost, user: giteaUser, discoveries: 2,
			build: func() (*core.Provider, error) {
				return Gitea("https://git.example.com/gitea", testClientID, testClientSecret, WithName("gitea-legacy"))
			}, wantName: "gitea-legacy"},
		{name: "forgejo", shape: shape{issuer: "https://codeberg.example", eps: gitea, pkce: true},
			authMethod: oidctest.AuthSecretPost, user: giteaUser,
			build: func() (*core.Provider, error) {
				return Gitea("https://codeberg.example", testClientID, testClientSecret, WithName("forgejo"), WithDisplayName("Forgejo"))
			}, wantName: "forgejo"},
		// Yahoo's metadata names its revocation endpoint under a name of its
		// own: the constructor adds it. A confidential client sends no
		// PKCE; there is no preferred_username.
		{name: "yahoo", shape: shape{issuer: "https://api.login.yahoo.com",
			eps: map[oidctest.Endpoint]string{oidctest.AuthorizeEndpoint: "/oauth2/request_auth", oidctest.TokenEndpoint: "/oauth2/get_token",
				oidctest.UserInfoEndpoint: "/openid/v1/userinfo", oidctest.JWKSEndpoint: "/openid/v1/certs",
				oidctest.IntrospectionEndpoint: "/oauth2/introspect"},
			unlisted: map[oidctest.Endpoint]string{oidctest.RevocationEndpoint: yahooRevokeURL},
			methods:  []string{"client_secret_basic", "client_secret_post"},
			extra:    map[string]any{"token_revocation_endpoint": yahooRevokeURL}},
			authMethod: oidctest.AuthSecretBasic,
			user: oidctest.User{Email: "jane.doe@yahoo.example", EmailVerified: true, Name: "Jane Doe",
				Claims: map[string]any{"nickname": "Jane", "gender": "notDisclosed"}},
			build: func() (*core.Provider, error) { return Yahoo(testClientID, testClientSecret) },
			raw:   map[string]any{"gender": "notDisclosed"}},
		// LinkedIn's UserInfo lives on another host, and its metadata
		// lists no revocation endpoint: the constructor adds it. Its ID
		// tokens carry no nonce.
		{name: "linkedin", omitNonce: true, shape: shape{issuer: "https://www.linkedin.com/oauth",
			eps: map[oidctest.Endpoint]string{oidctest.AuthorizeEndpoint: "/v2/authorization", oidctest.TokenEndpoint: "/v2/accessToken",
				oidctest.JWKSEndpoint: "/openid/jwks", oidctest.UserInfoEndpoint: "https://api.linkedin.com/v2/userinfo"},
			unlisted: map[oidctest.Endpoint]string{oidctest.RevocationEndpoint: linkedinRevokeURL}},
			authMethod: oidctest.AuthSecretPost,
			user: oidctest.User{Email: "doe@example.com", EmailVerified: true, Name: "John Doe",
				Claims: map[string]any{"locale": map[string]any{"country": "US", "language": "en"}}},
			build: func() (*core.Provider, error) { return LinkedIn(testClientID, testClientSecret) }},
		{name: "slack", shape: shape{issuer: "https://slack.com",
			eps: map[oidctest.Endpoint]string{oidctest.AuthorizeEndpoint: "/openid/connect/authorize", oidctest.TokenEndpoint: "/api/openid.connect.token",
				oidctest.UserInfoEndpoint: "/api/openid.connect.userInfo", oidctest.JWKSEndpoint: "/openid/connect/keys"},
			unlisted: map[oidctest.Endpoint]string{oidctest.RevocationEndpoint: slackRevokeURL},
			methods:  []string{"client_secret_basic", "client_secret_post"}},
			authMethod: oidctest.AuthSecretPost,
			user: oidctest.User{Email: "krane@example.com", EmailVerified: true, Name: "krane",
				Claims: map[string]any{"ok": true, "https://slack.com/team_id": "T0R7GR"}},
			build: func() (*core.Provider, error) { return Slack(testClientID, testClientSecret) },
			raw:   map[string]any{"https://slack.com/team_id": "T0R7GR"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, err := tt.build()
			if err != nil {
				t.Fatal(err)
			}
			if tt.discoveries == 0 {
				tt.discoveries = 1
			}
			name := p.Name()
			if tt.wantName != "" && name != tt.wantName {
				t.Errorf("name %q, want %q", name, tt.wantName)
			}
			tt.user.Subject = "user-1"
			op := oidctest.New(t, oidctest.WithAlgorithm("ES256"), tt.shape.config, oidctest.WithUser(tt.user),
				oidctest.WithClients(testClient(name, tt.authMethod)))
			if tt.omitNonce {
				op.UpdateFaults(func(f *oidctest.Faults) { f.OmitNonce = true })
			}
			a := newTestAuth(t, op, p, nil)
			res, q, err := login(t, op, a, name, core.BeginOptions{}, nil)
			if err != nil {
				t.Fatalf("login: %v", err)
			}
			if sentPKCE(t, q) != tt.shape.pkce {
				t.Errorf("PKCE sent: %t, the provider takes it: %t", !tt.shape.pkce, tt.shape.pkce)
			}
			u := res.User
			if u.ID != "user-1" || u.Email != tt.user.Email || u.EmailVerified != tt.user.EmailVerified || u.Name != tt.user.Name {
				t.Errorf("user %+v", u)
			}
			if u.Username != tt.user.PreferredUsername {
				t.Errorf("username %q, want %q", u.Username, tt.user.PreferredUsername)
			}
			for k, v := range tt.raw {
				got, _ := json.Marshal(u.Raw[k])
				if want, _ := json.Marshal(v); string(got) != string(want) {
					t.Errorf("raw %s = %s, want %s", k, got, want)
				}
			}
			if res.IDToken == nil || res.IDToken.Issuer != tt.shape.issuer {
				t.Errorf("ID token %+v, want issuer %q", res.IDToken, tt.shape.issuer)
			}

			tok, id, err := a.Refresh(context.Background(), name, res.Token, res.IDToken)
			if err != nil || id.Subject != "user-1" || tok.AccessToken == res.Token.AccessToken {
				t.Fatalf("refresh: %v %v %v", tok, id, err)
			}
			if _, err := logoutWithTokens(t, context.Background(), a, name, tok); err != nil {
				t.Fatalf("logout: %v", err)
			}
			// Both tokens are revoked where the metadata, or the
			// constructor when the metadata lists none, says.
			_, listed := tt.shape.eps[oidctest.RevocationEndpoint]
			_, added := tt.shape.unlisted[oidctest.RevocationEndpoint]
			want := 0
			if listed || added {
				want = 2
			}
			if got := op.Count(oidctest.RevocationEndpoint); got != want {
				t.Errorf("%d revocations, want %d", got, want)
			}
			if n := op.Count(oidctest.DiscoveryEndpoint); n != tt.discoveries {
				t.Errorf("discovery fetched %d times, want %d", n, tt.discoveries)
			}
		})
	}
}

// TestOpenIDIssuerPaths runs code flows (authorize redirect, token,
// userinfo, refresh, revocation) through the Keycloak, Okta and generic
// constructors against an oidctest server at its own address, with its
// issuer placed at each product's issuer path.
func TestOpenIDIssuerPaths(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, path string
		build      func(issuerOrigin string) (*core.Provider, error)
	}{
		{"keycloak", "/realms/demo", func(o string) (*core.Provider, error) {
			return Keycloak(o, "demo", testClientID, testClientSecret)
		}},
		{"keycloak-legacy", "/auth/realms/demo", func(o string) (*core.Provider, error) {
			return Keycloak(o+"/auth", "demo", testClientID, testClientSecret, WithName("keycloak-legacy"))
		}},
		{"okta", "/oauth2/default", func(o string) (*core.Provider, error) {
			return Okta(o, "default", testClientID, testClientSecret)
		}},
		{"okta-org", "", func(o string) (*core.Provider, error) {
			return Okta(o, "", testClientID, testClientSecret, WithName("okta-org"))
		}},
		{"dex", "/dex", func(o string) (*core.Provider, error) {
			return OIDC("dex", o+"/dex", testClientID, testClientSecret)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			op := oidctest.New(t, oidctest.WithAlgorithm("ES256"), func(c *oidctest.Config) { c.IssuerPath = tt.path },
				oidctest.WithClients(testClient(tt.name, oidctest.AuthSecretBasic)))
			p, err := tt.build(strings.TrimSuffix(op.Issuer(), tt.path))
			a := newTestAuth(t, op, p, err)
			res, _, err := login(t, op, a, tt.name, core.BeginOptions{}, nil)
			if err != nil {
				t.Fatal(err)
			}
			want := oidctest.DefaultUser()
			if res.User.ID != want.Subject || res.User.Email != want.Email || res.IDToken.Issuer != op.Issuer() {
				t.Errorf("user %+v, issuer %q", res.User, res.IDToken.Issuer)
			}
			tok, _, err := a.Refresh(t.Context(), tt.name, res.Token, res.IDToken)
			if err != nil {
				t.Fatalf("refresh: %v", err)
			}
			if _, err := logoutWithTokens(t, t.Context(), a, tt.name, tok); err != nil {
				t.Fatalf("logout: %v", err)
			}
			if n := op.Count(oidctest.RevocationEndpoint); n != 2 {
				t.Errorf("%d revocations, want 2", n)
			}
		})
	}
}

// TestNonceStillRequired: an ID token without the nonce that was sent
// fails the login of every OpenID provider but LinkedIn.
func TestNonceStillRequired(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name  string
		build func() (*core.Provider, error)
	}{
		{"oidc", func() (*core.Provider, error) {
			return OIDC("oidc", "https://idp.example.com", testClientID, testClientSecret)
		}},
		{"keycloak", func() (*core.Provider, error) {
			return Keycloak("https://sso.example.com", "demo", testClientID, testClientSecret)
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, err := tt.build()
			if err != nil {
				t.Fatal(err)
			}
			issuer := "https://idp.example.com"
			if tt.name == "keycloak" {
				issuer = "https://sso.example.com/realms/demo"
			}
			op := oidctest.New(t, func(c *oidctest.Config) { c.Issuer = issuer }, oidctest.WithClients(testClient(p.Name(), oidctest.AuthSecretBasic)),
				oidctest.WithUser(oidctest.User{Subject: "user-1"}))
			op.UpdateFaults(func(f *oidctest.Faults) { f.OmitNonce = true })
			a := newTestAuth(t, op, p, nil)
			if _, _, err := login(t, op, a, p.Name(), core.BeginOptions{}, nil); !errors.Is(err, oidc.ErrNonceMismatch) {
				t.Errorf("login with an ID token without nonce: %v, want oidc.ErrNonceMismatch", err)
			}
		})
	}
}
