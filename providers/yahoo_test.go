package providers

import (
	"testing"

	"github.com/go-oauth20/oauth20/conformance/oidctest"
	"github.com/go-oauth20/oauth20/core"
)

// TestYahooPublicClient: without a secret the client is public: no client
// authentication, client_id in the body and PKCE, which Yahoo requires of
// public clients; a confidential client sends no PKCE (TestOpenIDShapes).
func TestYahooPublicClient(t *testing.T) {
	t.Parallel()
	client := testClient("yahoo", oidctest.AuthNone)
	client.Secret = ""
	op := oidctest.New(t, oidctest.WithClients(client), func(c *oidctest.Config) { c.Issuer = yahooIssuer })
	p, err := Yahoo(testClientID, "")
	a := newTestAuth(t, op, p, err)
	res, q, err := login(t, op, a, "yahoo", core.BeginOptions{}, nil)
	if err != nil {
		t.Fatalf("login: %v", err)
	}
	if !sentPKCE(t, q) || res.User.ID == "" {
		t.Errorf("PKCE sent: %t, user %+v", sentPKCE(t, q), res.User)
	}
}

// TestYahooAvatar: the avatar is picture, else the largest of
// profile_images.
func TestYahooAvatar(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		claims map[string]any
		want   string
	}{
		{map[string]any{"picture": "https://img.example/p.jpg", "profile_images": map[string]any{"image192": "https://img.example/192.jpg"}}, "https://img.example/p.jpg"},
		{map[string]any{"profile_images": map[string]any{"image32": "https://img.example/32.jpg", "image128": "https://img.example/128.jpg"}}, "https://img.example/128.jpg"},
		{map[string]any{"profile_images": "not an object"}, ""},
		{map[string]any{}, ""},
	} {
		op := oidctest.New(t, oidctest.WithClients(testClient("yahoo", oidctest.AuthSecretBasic)),
			func(c *oidctest.Config) { c.Issuer = yahooIssuer },
			oidctest.WithUser(oidctest.User{Subject: "AEXAMPLE", Claims: tt.claims}))
		p, err := Yahoo(testClientID, testClientSecret)
		a := newTestAuth(t, op, p, err)
		res, _, err := login(t, op, a, "yahoo", core.BeginOptions{}, nil)
		if err != nil {
			t.Fatalf("login: %v", err)
		}
		if res.User.AvatarURL != tt.want {
			t.Errorf("%v: avatar %q, want %q", tt.claims, res.User.AvatarURL, tt.want)
		}
	}
}
