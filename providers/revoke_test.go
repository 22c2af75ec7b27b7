package providers

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/go-oauth20/oauth20/core"
)

// TestLogoutRevokesAccessTokensOnly: providers whose revocation endpoint
// takes access tokens only get the access token at logout, never the
// refresh token in its slot.
func TestLogoutRevokesAccessTokensOnly(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		new  func(id, secret string, opts ...Option) (*core.Provider, error)
	}{
		{"github", GitHub}, {"naver", Naver}, {"kakao", Kakao}, {"line", LINE},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var mu sync.Mutex
			var seen []string
			h := func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == "/.well-known/openid-configuration" { // LINE
					w.Header().Set("Content-Type", "application/json")
					_, _ = io.WriteString(w, `{"issuer":"https://access.line.me","authorization_endpoint":"https://access.line.me/oauth2/v2.1/authorize",`+
						`"token_endpoint":"https://api.line.me/oauth2/v2.1/token","jwks_uri":"https://api.line.me/oauth2/v2.1/certs",`+
						`"id_token_signing_alg_values_supported":["ES256"]}`)
					return
				}
				body, _ := io.ReadAll(r.Body)
				mu.Lock()
				seen = append(seen, r.Method+" "+r.URL.String()+" "+r.Header.Get("Authorization")+" "+string(body))
				mu.Unlock()
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusOK)
				_, _ = io.WriteString(w, `{"result":"success","id":1}`)
			}
			a, err := core.New().SealingKeys([]byte("0123456789abcdef0123456789abcdef")).BaseURL(testAppBase).KeepTokens().
				HTTPClient(handlerClient(h)).Provider(tt.new("client-id", "client-secret")).Build()
			if err != nil {
				t.Fatal(err)
			}
			tok := &core.Token{AccessToken: "the-access-token", TokenType: "Bearer", RefreshToken: "the-refresh-token"}
			if _, err := logoutWithTokens(t, context.Background(), a, tt.name, tok); err != nil {
				t.Fatal(err)
			}
			mu.Lock()
			defer mu.Unlock()
			if len(seen) != 1 || !strings.Contains(seen[0], "the-access-token") || strings.Contains(seen[0], "the-refresh-token") {
				t.Errorf("revocation requests %q, want one with the access token only", seen)
			}
		})
	}
}

// TestXRefreshTokenRejected: X refuses a refresh token it no longer
// accepts with invalid_request; the error says the user must log in again.
func TestXRefreshTokenRejected(t *testing.T) {
	t.Parallel()
	h := func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = io.WriteString(w, `{"error":"invalid_request","error_description":"Value passed for the token was invalid."}`)
	}
	p, err := X("client-id", "client-secret", WithHTTPClient(handlerClient(h)))
	if err != nil {
		t.Fatal(err)
	}
	c, err := p.Client(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Refresh(context.Background(), "rotated-out"); !errors.Is(err, core.ErrLoginAgain) || !errors.Is(err, core.ErrInvalidRequest) {
		t.Errorf("err = %v, want one matching ErrLoginAgain", err)
	}
}
