package providers

import (
	"errors"
	"net/url"
	"testing"

	"github.com/go-oauth20/oauth20/conformance/oidctest"
	"github.com/go-oauth20/oauth20/core"
	"github.com/go-oauth20/oauth20/internal/coreaccess"
	"github.com/go-oauth20/oauth20/oidc"
)

const (
	googleTestClient = "gid.apps.googleusercontent.com"
	googleTestSub    = "110248495921238986420"
)

// googleOP is a test provider in Google's shape: its endpoints on their
// hosts, its metadata, RS256 keys, client_secret_basic, and ID tokens whose
// iss is tokenIssuer.
func googleOP(t *testing.T, tokenIssuer string) *oidctest.Server {
	t.Helper()
	client := testClient("google", oidctest.AuthSecretBasic)
	client.ID = googleTestClient
	return oidctest.New(t, oidctest.WithClients(client), func(c *oidctest.Config) {
		c.Issuer = googleIssuer
		c.TokenIssuer = tokenIssuer
		c.Endpoints = map[oidctest.Endpoint]string{
			oidctest.AuthorizeEndpoint:  "/o/oauth2/v2/auth",
			oidctest.TokenEndpoint:      "https://oauth2.googleapis.com/token",
			oidctest.UserInfoEndpoint:   "https://openidconnect.googleapis.com/v1/userinfo",
			oidctest.RevocationEndpoint: "https://oauth2.googleapis.com/revoke",
			oidctest.JWKSEndpoint:       "https://www.googleapis.com/oauth2/v3/certs",
		}
		c.Metadata = map[string]any{
			"introspection_endpoint": nil, "end_session_endpoint": nil,
			"id_token_signing_alg_values_supported":          []string{"RS256"},
			"token_endpoint_auth_methods_supported":          []string{"client_secret_post", "client_secret_basic"},
			"code_challenge_methods_supported":               []string{"plain", "S256"},
			"authorization_response_iss_parameter_supported": nil,
		}
		c.User = oidctest.User{Subject: googleTestSub, Name: "Jane Doe", Picture: "https://lh3.googleusercontent.com/a/x=s96-c",
			Email: "jane.doe@gmail.com", EmailVerified: true, Claims: map[string]any{"hd": "example.com"}}
	})
}

// TestGoogleLogin drives a whole login against a test provider in Google's
// shape: the ID token is verified, with iss spelt with or without the
// scheme, and anything else is refused.
func TestGoogleLogin(t *testing.T) {
	t.Parallel()
	tests := []struct {
		iss  string
		want error
	}{
		{"https://accounts.google.com", nil},
		{"accounts.google.com", nil},
		{"https://accounts.google.com.evil.example", oidc.ErrIssuerMismatch},
		{"http://accounts.google.com", oidc.ErrIssuerMismatch},
	}
	for _, tt := range tests {
		t.Run(tt.iss, func(t *testing.T) {
			t.Parallel()
			op := googleOP(t, tt.iss)
			p, err := Google(googleTestClient, testClientSecret)
			a := newTestAuth(t, op, p, err)
			res, q, err := login(t, op, a, "google", core.BeginOptions{}, nil)
			if q.Get("access_type") != "offline" || q.Has("prompt") || !sentPKCE(t, q) {
				t.Errorf("authorization request %v", q)
			}
			// Only Google's OpenID endpoints were called.
			for ep := range op.Counts() {
				switch ep {
				case oidctest.DiscoveryEndpoint, oidctest.AuthorizeEndpoint, oidctest.TokenEndpoint, oidctest.UserInfoEndpoint, oidctest.JWKSEndpoint:
				default:
					t.Errorf("unexpected request to %s", ep)
				}
			}
			if tt.want != nil {
				if res != nil || !errors.Is(err, tt.want) {
					t.Fatalf("err = %v, want %v", err, tt.want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			usr := res.User
			if usr.ID != googleTestSub || usr.Email != "jane.doe@gmail.com" || !usr.EmailVerified || usr.Name != "Jane Doe" || usr.Raw["hd"] != "example.com" {
				t.Errorf("user %+v", usr)
			}
			// The refresh token of the answer is kept, and it works.
			if res.Token.RefreshToken == "" {
				t.Fatalf("token %v", res.Token)
			}
			if _, _, err := a.Refresh(t.Context(), "google", res.Token, res.IDToken); err != nil {
				t.Errorf("refresh: %v", err)
			}
		})
	}
}

func TestGooglePromptOnRequest(t *testing.T) {
	t.Parallel()
	op := googleOP(t, googleIssuer)
	p, err := Google(googleTestClient, testClientSecret, WithAuthParam("prompt", "consent"))
	if err != nil {
		t.Fatal(err)
	}
	c, err := coreaccess.WithRuntime(p, transportClient(op.Transport()), nil, nil).Client(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(c.AuthCodeURL("st", coreaccess.Spec(p).AuthOptions...))
	if q := u.Query(); q.Get("prompt") != "consent" || q.Get("access_type") != "offline" {
		t.Errorf("authorization URL %s", u)
	}
}
