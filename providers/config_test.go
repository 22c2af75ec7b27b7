package providers

import (
	"errors"
	"fmt"
	"net/url"
	"testing"

	"github.com/go-oauth20/oauth20/conformance"
	"github.com/go-oauth20/oauth20/core"
)

// TestConstructorArguments checks what each constructor refuses among its
// arguments and what it accepts: a refusal wraps core.ErrInvalidConfig and
// comes without a provider.
func TestConstructorArguments(t *testing.T) {
	t.Parallel()
	type build = func() (*core.Provider, error)
	reddit := func(secret, ua string) build {
		return func() (*core.Provider, error) { return Reddit("id", secret, ua) }
	}
	tests := []struct {
		name  string
		build build
		ok    bool
	}{
		// An issuer that is empty, relative, plain http outside loopback or
		// not a URL is refused before any request.
		{"oidc empty issuer", func() (*core.Provider, error) { return OIDC("idp", "", "id", "s") }, false},
		{"oidc relative issuer", func() (*core.Provider, error) { return OIDC("idp", "/realms/main", "id", "s") }, false},
		{"oidc http issuer", func() (*core.Provider, error) { return OIDC("idp", "http://idp.example", "id", "s") }, false},
		{"oidc issuer not a URL", func() (*core.Provider, error) { return OIDC("idp", "https://idp example", "id", "s") }, false},
		{"oidc issuer with a query", func() (*core.Provider, error) { return OIDC("idp", "https://idp.example/?x=1", "id", "s") }, false},
		{"oidc loopback http issuer", func() (*core.Provider, error) { return OIDC("idp", "http://127.0.0.1:9000", "id", "s") }, true},
		{"wecom without agent id", func() (*core.Provider, error) { return WeCom("corp", "", "secret") }, false},
		{"gitee over plain http", func() (*core.Provider, error) {
			return Gitee("id", "secret", WithBaseURL("http://gitee.example"))
		}, false},
		{"qq without app id", func() (*core.Provider, error) { return QQ("", "key") }, false},
		{"keycloak empty realm", func() (*core.Provider, error) { return Keycloak("https://sso.example.com", " ", "id", "s") }, false},
		{"keycloak http base", func() (*core.Provider, error) { return Keycloak("http://sso.example.com", "r", "id", "s") }, false},
		{"keycloak query", func() (*core.Provider, error) { return Keycloak("https://sso.example.com/?x=1", "r", "id", "s") }, false},
		{"keycloak empty base", func() (*core.Provider, error) { return Keycloak("", "r", "id", "s") }, false},
		{"okta empty domain", func() (*core.Provider, error) { return Okta("", "default", "id", "s") }, false},
		{"okta domain with path", func() (*core.Provider, error) { return Okta("dev-1.okta.com/oauth2", "", "id", "s") }, false},
		{"okta server with slash", func() (*core.Provider, error) { return Okta("dev-1.okta.com", "a/b", "id", "s") }, false},
		{"auth0 user info", func() (*core.Provider, error) { return Auth0("https://u:p@example.auth0.com", "id", "s") }, false},
		{"auth0 empty client", func() (*core.Provider, error) { return Auth0("example.auth0.com", "", "s") }, false},
		{"microsoft domain tenant", func() (*core.Provider, error) { return Microsoft("contoso.onmicrosoft.com", "id", "s") }, false},
		{"microsoft empty tenant", func() (*core.Provider, error) { return Microsoft("", "id", "s") }, false},
		{"microsoft bad base", func() (*core.Provider, error) {
			return Microsoft("common", "id", "s", WithBaseURL("http://login.example.com"))
		}, false},
		{"gitlab bad base", func() (*core.Provider, error) { return GitLab("id", "s", WithBaseURL("ftp://git.example.com")) }, false},
		{"gitlab fragment", func() (*core.Provider, error) { return GitLab("id", "s", WithBaseURL("https://git.example.com/#x")) }, false},
		{"gitea empty base", func() (*core.Provider, error) { return Gitea(" ", "id", "s") }, false},
		{"gitea http base", func() (*core.Provider, error) { return Gitea("http://git.example.com", "id", "s") }, false},
		{"gitea query", func() (*core.Provider, error) { return Gitea("https://git.example.com/?x=1", "id", "s") }, false},
		{"gitea user info", func() (*core.Provider, error) { return Gitea("https://u:p@git.example.com", "id", "s") }, false},
		{"gitea sub-path", func() (*core.Provider, error) { return Gitea("https://example.com/gitea/", "id", "s") }, true},
		{"gitea loopback http", func() (*core.Provider, error) { return Gitea("http://127.0.0.1:3000", "id", "") }, true},
		{"salesforce empty domain", func() (*core.Provider, error) { return Salesforce("", "id", "s") }, false},
		{"salesforce domain with path", func() (*core.Provider, error) { return Salesforce("acme.my.site.com/shop", "id", "s") }, false},
		{"salesforce site URL", func() (*core.Provider, error) { return Salesforce("https://acme.my.site.com/shop", "id", "s") }, true},
		{"salesforce http", func() (*core.Provider, error) { return Salesforce("http://login.salesforce.com", "id", "s") }, false},
		{"salesforce sandbox", func() (*core.Provider, error) { return Salesforce("test.salesforce.com", "id", "s") }, true},
		{"yahoo empty id", func() (*core.Provider, error) { return Yahoo("", "s") }, false},
		{"yahoo public", func() (*core.Provider, error) { return Yahoo("id", "") }, true},
		{"bitbucket empty id", func() (*core.Provider, error) { return Bitbucket("", "s") }, false},
		{"discord empty id", func() (*core.Provider, error) { return Discord("", "s") }, false},
		{"facebook empty id", func() (*core.Provider, error) { return Facebook("", "s") }, false},
		{"linkedin empty id", func() (*core.Provider, error) { return LinkedIn("", "s") }, false},
		{"slack empty id", func() (*core.Provider, error) { return Slack("", "s") }, false},
		{"x confidential", func() (*core.Provider, error) { return X("id", "secret") }, true},
		{"x public", func() (*core.Provider, error) { return X("id", "") }, true},
		{"x no id", func() (*core.Provider, error) { return X("", "secret") }, false},
		{"spotify public", func() (*core.Provider, error) { return Spotify("id", "") }, true},
		{"twitch needs secret", func() (*core.Provider, error) { return Twitch("id", "") }, false},
		{"naver needs secret", func() (*core.Provider, error) { return Naver("id", "") }, false},
		{"kakao needs secret", func() (*core.Provider, error) { return Kakao("id", "") }, false},
		{"weibo needs secret", func() (*core.Provider, error) { return Weibo("id", "") }, false},
		{"line needs secret", func() (*core.Provider, error) { return LINE("id", "") }, false},
		{"reddit", reddit("secret", "web:app:v1 (by /u/me)"), true},
		{"reddit needs secret", reddit("", "web:app:v1 (by /u/me)"), false},
		{"reddit needs user agent", reddit("secret", "  "), false},
		{"reddit user agent one line", reddit("secret", "web:app:v1\r\nX-Evil: 1"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, err := tt.build()
			switch {
			case tt.ok && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case !tt.ok && !errors.Is(err, core.ErrInvalidConfig):
				t.Fatalf("err = %v, want ErrInvalidConfig", err)
			case !tt.ok && p != nil:
				t.Fatal("a provider came with the error")
			}
		})
	}
}

// TestCommaScopes checks the providers whose scopes are comma-separated.
func TestCommaScopes(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		new  func(id, secret string, opts ...Option) (*core.Provider, error)
	}{{"kakao", Kakao}, {"weibo", Weibo}, {"tiktok", TikTok}} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, err := tt.new("id", "secret", WithScopes("a", "b"))
			if err != nil {
				t.Fatal(err)
			}
			c, err := p.Client(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			u, err := url.Parse(c.AuthCodeURL("st"))
			if err != nil {
				t.Fatal(err)
			}
			if got := u.Query().Get("scope"); got != "a,b" {
				t.Fatalf("scope = %q, want %q", got, "a,b")
			}
		})
	}
}

// publicClientCassette replays the public-client variants of X, Spotify
// and the others: no secret, client_id in the body, PKCE verifier.
const publicClientCassette = `{
  "provider": "%s",
  "scenarios": [
    {"name": "exchange_public", "op": "exchange",
     "interactions": [{
       "request": {"method": "POST", "url": "%s", "auth": "none",
                   "form": {"grant_type": "authorization_code", "code": "{{code}}", "redirect_uri": "{{redirect_uri}}",
                            "code_verifier": "{{code_verifier}}", "client_id": "{{client_id}}"}},
       "response": {"status": 200, "json": {"access_token": "{{access_token}}", "token_type": "bearer", "expires_in": 3600, "refresh_token": "{{refresh_token}}"}}}],
     "expect": {"token": {"access_token": "{{access_token}}", "token_type": "Bearer", "refresh_token": "{{refresh_token}}", "expires_in": 3600}}},
    {"name": "refresh_public", "op": "refresh",
     "interactions": [{
       "request": {"method": "POST", "url": "%s", "auth": "none",
                   "form": {"grant_type": "refresh_token", "refresh_token": "{{refresh_token}}", "client_id": "{{client_id}}"}},
       "response": {"status": 200, "json": {"access_token": "{{access_token}}", "token_type": "bearer", "expires_in": 3600}}}],
     "expect": {"token": {"access_token": "{{access_token}}", "token_type": "Bearer", "refresh_token": "{{refresh_token}}", "expires_in": 3600}}}
  ]
}`

// TestPublicClients: X, Spotify and the other providers that take a public
// client, built without a secret, are public clients.
func TestPublicClients(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name, tokenURL string
		new            func(id, secret string, opts ...Option) (*core.Provider, error)
	}{
		{"x", xTokenURL, X},
		{"spotify", spotifyTokenURL, Spotify},
		{"amazon", amazonTokenURL, Amazon},
		{"dropbox", dropboxTokenURL, Dropbox},
		{"zoom", zoomTokenURL, Zoom},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := conformance.Parse(fmt.Appendf(nil, publicClientCassette, tt.name, tt.tokenURL, tt.tokenURL))
			if err != nil {
				t.Fatal(err)
			}
			p, err := tt.new("public-client-id", "", WithRedirectURL("https://app.example/callback"))
			if err != nil {
				t.Fatal(err)
			}
			conformance.Run(t, p, c)
		})
	}
}
