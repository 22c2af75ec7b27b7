package providers_test

import (
	"errors"
	"fmt"
	"net/url"
	"testing"

	"github.com/go-oauth20/oauth20/conformance"
	"github.com/go-oauth20/oauth20/core"
	"github.com/go-oauth20/oauth20/providers"
)

// TestMoreConfig checks what each constructor of this group refuses.
func TestMoreConfig(t *testing.T) {
	t.Parallel()
	reddit := func(ua string) func(id, secret string, opts ...providers.Option) (*core.Provider, error) {
		return func(id, secret string, opts ...providers.Option) (*core.Provider, error) {
			return providers.Reddit(id, secret, ua, opts...)
		}
	}
	type ctor = func(id, secret string, opts ...providers.Option) (*core.Provider, error)
	tests := []struct {
		name       string
		new        ctor
		id, secret string
		ok         bool
	}{
		{"x confidential", providers.X, "id", "secret", true},
		{"x public", providers.X, "id", "", true},
		{"x no id", providers.X, "", "secret", false},
		{"spotify public", providers.Spotify, "id", "", true},
		{"twitch needs secret", providers.Twitch, "id", "", false},
		{"naver needs secret", providers.Naver, "id", "", false},
		{"kakao needs secret", providers.Kakao, "id", "", false},
		{"weibo needs secret", providers.Weibo, "id", "", false},
		{"line needs secret", providers.LINE, "id", "", false},
		{"reddit", reddit("web:app:v1 (by /u/me)"), "id", "secret", true},
		{"reddit needs secret", reddit("web:app:v1 (by /u/me)"), "id", "", false},
		{"reddit needs user agent", reddit("  "), "id", "secret", false},
		{"reddit user agent one line", reddit("web:app:v1\r\nX-Evil: 1"), "id", "secret", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, err := tt.new(tt.id, tt.secret)
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

// TestMoreCommaScopes checks the providers whose scopes are
// comma-separated.
func TestMoreCommaScopes(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		new  func(id, secret string, opts ...providers.Option) (*core.Provider, error)
	}{{"kakao", providers.Kakao}, {"weibo", providers.Weibo}} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, err := tt.new("id", "secret", providers.WithScopes("a", "b"))
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

// TestWeiboUserNeedsUID: the user fetch of a token without Weibo's uid
// fails without calling Weibo.
func TestWeiboUserNeedsUID(t *testing.T) {
	t.Parallel()
	p, err := providers.Weibo("id", "secret")
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.User(t.Context(), core.UserRequest{Token: &core.Token{AccessToken: "at-1234", TokenType: "Bearer"}})
	if err == nil {
		t.Fatal("a user without uid was fetched")
	}
}

// publicClientCassette replays the public-client variants of X and
// Spotify: no secret, client_id in the body, PKCE verifier.
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

func TestMorePublicClients(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name, tokenURL string
		new            func(id, secret string, opts ...providers.Option) (*core.Provider, error)
	}{
		{"x", "https://api.x.com/2/oauth2/token", providers.X},
		{"spotify", "https://accounts.spotify.com/api/token", providers.Spotify},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := conformance.Parse(fmt.Appendf(nil, publicClientCassette, tt.name, tt.tokenURL, tt.tokenURL))
			if err != nil {
				t.Fatal(err)
			}
			p, err := tt.new("public-client-id", "", providers.WithRedirectURL("https://app.example/callback"))
			if err != nil {
				t.Fatal(err)
			}
			conformance.Run(t, p, c)
		})
	}
}
