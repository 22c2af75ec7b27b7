package providers

import (
	"errors"
	"testing"

	"github.com/go-oauth20/oauth20/conformance/oidctest"
	"github.com/go-oauth20/oauth20/core"
	"github.com/go-oauth20/oauth20/oidc"
)

// TestGiteaIssuerSpellings: the metadata may spell the installation's
// issuer with or without the trailing slash, and the ID tokens must carry
// the metadata's spelling; any other issuer is refused before a login
// starts.
func TestGiteaIssuerSpellings(t *testing.T) {
	t.Parallel()
	const base = "https://git.example.com"
	tests := []struct {
		name              string
		metadata, tokens  string
		wantBegin, wantIn error
	}{
		{name: "without slash", metadata: base, tokens: base},
		{name: "with slash", metadata: base + "/", tokens: base + "/"},
		{name: "tokens spelled otherwise", metadata: base, tokens: base + "/", wantIn: oidc.ErrIssuerMismatch},
		{name: "tokens spelled otherwise, old metadata", metadata: base + "/", tokens: base, wantIn: oidc.ErrIssuerMismatch},
		{name: "another issuer", metadata: base + "/gitea", tokens: base + "/gitea", wantBegin: oidc.ErrIssuerMismatch},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			op := oidctest.New(t, oidctest.WithClients(testClient("gitea", oidctest.AuthSecretPost)),
				func(c *oidctest.Config) {
					// The server is the installation at base; its metadata
					// and authorization responses spell the issuer as the
					// release does, its ID tokens as tt.tokens.
					c.Issuer, c.TokenIssuer = base, tt.tokens
					if tt.metadata == base+"/" {
						c.Issuer = tt.metadata
					} else if tt.metadata != base {
						c.Metadata = map[string]any{"issuer": tt.metadata}
					}
				})
			p, err := Gitea(base, testClientID, testClientSecret)
			a := newTestAuth(t, op, p, err)
			if tt.wantBegin != nil {
				if _, _, err := a.Begin(t.Context(), "gitea", core.BeginOptions{}); !errors.Is(err, tt.wantBegin) {
					t.Fatalf("begin: %v, want %v", err, tt.wantBegin)
				}
				return
			}
			res, _, err := login(t, op, a, "gitea", core.BeginOptions{}, nil)
			if tt.wantIn != nil {
				if !errors.Is(err, tt.wantIn) {
					t.Fatalf("login: %v, want %v", err, tt.wantIn)
				}
				return
			}
			if err != nil {
				t.Fatalf("login: %v", err)
			}
			if res.IDToken.Issuer != tt.metadata {
				t.Errorf("issuer %q, want %q", res.IDToken.Issuer, tt.metadata)
			}
		})
	}
}

// TestGiteaPublicClient: without a secret the client is public: no client
// authentication, client_id in the body and PKCE, which Gitea requires of
// public clients.
func TestGiteaPublicClient(t *testing.T) {
	t.Parallel()
	client := testClient("gitea", oidctest.AuthNone)
	client.Secret = ""
	op := oidctest.New(t, oidctest.WithClients(client),
		func(c *oidctest.Config) { c.Issuer = "https://git.example.com" })
	p, err := Gitea("https://git.example.com", testClientID, "")
	a := newTestAuth(t, op, p, err)
	res, q, err := login(t, op, a, "gitea", core.BeginOptions{}, nil)
	if err != nil {
		t.Fatalf("login: %v", err)
	}
	if !sentPKCE(t, q) || res.User.ID == "" {
		t.Errorf("PKCE sent: %t, user %+v", sentPKCE(t, q), res.User)
	}
}

// TestGiteaErrors: Gitea's unauthorized_client answers are read by their
// description; others keep their code.
func TestGiteaErrors(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		code, description string
		want              core.ErrorCode
		provider          string
	}{
		{"unauthorized_client", "client is not authorized", core.CodeInvalidGrant, "unauthorized_client"},
		{"unauthorized_client", "failed PKCE code challenge", core.CodeInvalidGrant, "unauthorized_client"},
		{"unauthorized_client", "unable to parse refresh token", core.CodeInvalidGrant, "unauthorized_client"},
		{"unauthorized_client", "token was already used", core.CodeInvalidGrant, "unauthorized_client"},
		{"unauthorized_client", "invalid empty client secret", core.CodeInvalidClient, "unauthorized_client"},
		{"unauthorized_client", "unexpected redirect URI", core.CodeUnauthorizedClient, ""},
		{"invalid_grant", "grant does not exist", core.CodeInvalidGrant, ""},
		{"invalid_client", "invalid client secret", core.CodeInvalidClient, ""},
	} {
		e := giteaDetect(400, map[string]any{"error": tt.code, "error_description": tt.description})
		if e == nil || e.Code != tt.want || e.ProviderCode != tt.provider || e.StatusCode != 400 {
			t.Errorf("%s %q: %+v, want %s (provider code %q)", tt.code, tt.description, e, tt.want, tt.provider)
		}
	}
	if e := giteaDetect(200, map[string]any{"access_token": "x"}); e != nil {
		t.Errorf("a token answer read as %v", e)
	}
}
