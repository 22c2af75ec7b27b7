package providers

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"testing"

	"github.com/go-oauth20/oauth20/core"
	"github.com/go-oauth20/oauth20/internal/testkit"
)

func TestFacebookAppSecretProof(t *testing.T) {
	t.Parallel()
	var got url.Values
	var authz string
	rc := handlerClient(func(w http.ResponseWriter, r *http.Request) {
		got, authz = r.URL.Query(), r.Header.Get("Authorization")
		testkit.WriteJSON(w, 200, map[string]any{"id": "10158123456789012", "name": "Jane Doe"})
	})
	p, err := Facebook("app-id", "app-secret", WithHTTPClient(rc))
	if err != nil {
		t.Fatal(err)
	}
	u, err := p.User(context.Background(), core.UserRequest{Token: &core.Token{AccessToken: "EAAG-token", TokenType: "Bearer"}})
	if err != nil {
		t.Fatal(err)
	}
	m := hmac.New(sha256.New, []byte("app-secret"))
	m.Write([]byte("EAAG-token"))
	if want := hex.EncodeToString(m.Sum(nil)); got.Get("appsecret_proof") != want {
		t.Errorf("appsecret_proof %q, want %q", got.Get("appsecret_proof"), want)
	}
	if got.Has("access_token") || authz != "Bearer EAAG-token" {
		t.Errorf("token sent as %q / query %v", authz, got)
	}
	if u.ID != "10158123456789012" || u.Email != "" || u.EmailVerified {
		t.Errorf("user %+v", u)
	}
}
