package providers

import (
	"crypto/elliptic"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/go-oauth20/oauth20/conformance/oidctest"
	"github.com/go-oauth20/oauth20/core"
	"github.com/go-oauth20/oauth20/internal/coreaccess"
	"github.com/go-oauth20/oauth20/internal/testkit"
	"github.com/golang-jwt/jwt/v5"
)

const (
	lineTestChannel = "1234567890"
	lineTestSecret  = "line-channel-secret-0f3a9c"
	lineTestSub     = "U4af4980629a1b2c3d4e5f6a7b8c9d0e1"
)

// lineOP is a test provider in LINE's shape: its hosts and metadata (ES256
// alone listed, whatever alg signs), client_secret_post, and /v2/profile
// answering for the user of an access token (as another user when
// otherUser is set). alg is what signs its ID tokens.
func lineOP(t *testing.T, alg string, otherUser bool) *oidctest.Server {
	t.Helper()
	var op *oidctest.Server
	profile := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, ok := op.UserFor(strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "))
		if !ok {
			testkit.WriteJSON(w, http.StatusUnauthorized, map[string]any{"message": "invalid token"})
			return
		}
		if otherUser {
			u.Subject = "Uffffffffffffffffffffffffffffff0"
		}
		testkit.WriteJSON(w, http.StatusOK, map[string]any{"userId": u.Subject, "displayName": u.Name, "pictureUrl": u.Picture})
	})
	client := testClient("line", oidctest.AuthSecretPost)
	client.ID, client.Secret = lineTestChannel, lineTestSecret
	op = oidctest.New(t, oidctest.WithAlgorithm(alg), oidctest.WithClients(client), func(c *oidctest.Config) {
		c.Issuer = lineIssuer
		c.Endpoints = map[oidctest.Endpoint]string{
			oidctest.AuthorizeEndpoint:  "/oauth2/v2.1/authorize",
			oidctest.TokenEndpoint:      "https://api.line.me/oauth2/v2.1/token",
			oidctest.UserInfoEndpoint:   "https://api.line.me/oauth2/v2.1/userinfo",
			oidctest.JWKSEndpoint:       "https://api.line.me/oauth2/v2.1/certs",
			oidctest.RevocationEndpoint: lineRevokeURL,
		}
		c.Metadata = map[string]any{
			"revocation_endpoint": nil, "introspection_endpoint": nil, "end_session_endpoint": nil,
			"subject_types_supported":                        []string{"pairwise"},
			"id_token_signing_alg_values_supported":          []string{"ES256"},
			"authorization_response_iss_parameter_supported": nil,
		}
		c.Handlers = map[string]http.Handler{lineProfileURL: profile}
		// LINE sends no email_verified claim.
		c.User = oidctest.User{Subject: lineTestSub, Name: "Brown", Picture: "https://profile.line-scdn.net/0hEXAMPLE",
			Claims: map[string]any{"email": "taro.line@example.com", "amr": []string{"pwd"}}}
	})
	return op
}

// TestLINEIDTokenAlgorithms proves that LINE's two signing schemes verify
// although its discovery lists ES256 only: HS256 keyed by the channel
// secret (web login) and ES256 with the published keys.
func TestLINEIDTokenAlgorithms(t *testing.T) {
	t.Parallel()
	op := lineOP(t, "ES256", false)
	otherKey := testkit.ECKey(t, elliptic.P256())
	now := time.Now()
	claims := jwt.MapClaims{
		"iss": lineIssuer, "sub": lineTestSub, "aud": lineTestChannel, "email": "taro.line@example.com",
		"iat": now.Unix(), "exp": now.Add(time.Hour).Unix(), "nonce": "n-0S6_WzA2Mj", "amr": []string{"pwd"},
	}
	sign := func(m jwt.SigningMethod, k any, kid string) string {
		tok := jwt.NewWithClaims(m, claims)
		if kid != "" {
			tok.Header["kid"] = kid
		}
		s, err := tok.SignedString(k)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	published, err := op.Sign(claims)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		raw  string
		ok   bool
	}{
		{"hs256 channel secret", sign(jwt.SigningMethodHS256, []byte(lineTestSecret), ""), true},
		{"es256 published key", published, true},
		{"hs256 wrong secret", sign(jwt.SigningMethodHS256, []byte("not-the-channel-secret"), ""), false},
		{"es256 unknown key", sign(jwt.SigningMethodES256, otherKey, op.KeyIDs()[0]), false},
		{"hs384 not allowed", sign(jwt.SigningMethodHS384, []byte(lineTestSecret), ""), false},
	}
	p, err := LINE(lineTestChannel, lineTestSecret, WithHTTPClient(transportClient(op.Transport())),
		WithRedirectURL("https://app.example/callback"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Close() })
	v, err := coreaccess.Verifier(t.Context(), p)
	if err != nil || v == nil {
		t.Fatalf("Verifier: %v, %v", v, err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id, err := v.VerifyIDToken(t.Context(), tt.raw, core.IDTokenExpectations{Nonce: "n-0S6_WzA2Mj"})
			switch {
			case tt.ok && err != nil:
				t.Fatalf("VerifyIDToken: %v", err)
			case !tt.ok && err == nil:
				t.Fatal("VerifyIDToken accepted the token")
			case tt.ok && id.Subject != lineTestSub:
				t.Fatalf("sub = %q", id.Subject)
			}
			if err != nil && strings.Contains(err.Error(), lineTestSecret) {
				t.Fatal("the error leaks the channel secret")
			}
		})
	}
}

// TestLINEUser logs in with an HS256 ID token (a web login) and checks the
// user: the profile's, with the email from the ID token, unverified; a
// profile of another user than the ID token's is refused.
func TestLINEUser(t *testing.T) {
	t.Parallel()
	op := lineOP(t, "HS256", false)
	p, err := LINE(lineTestChannel, lineTestSecret)
	a := newTestAuth(t, op, p, err)
	res, q, err := login(t, op, a, "line", core.BeginOptions{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if q.Get("scope") != "openid profile" || !sentPKCE(t, q) {
		t.Errorf("authorization request %v", q)
	}
	u := res.User
	want := core.User{ID: lineTestSub, Name: "Brown", AvatarURL: "https://profile.line-scdn.net/0hEXAMPLE", Email: "taro.line@example.com"}
	if u.ID != want.ID || u.Name != want.Name || u.AvatarURL != want.AvatarURL || u.Email != want.Email || u.EmailVerified {
		t.Fatalf("user = %+v, want %+v", *u, want)
	}
	if u.Raw["iss"] != lineIssuer {
		t.Errorf("raw iss = %v, want the ID token's claims merged", u.Raw["iss"])
	}

	op = lineOP(t, "HS256", true)
	p, err = LINE(lineTestChannel, lineTestSecret)
	a = newTestAuth(t, op, p, err)
	if res, _, err := login(t, op, a, "line", core.BeginOptions{}, nil); err == nil {
		t.Fatalf("a profile of another user than the ID token's was accepted: %+v", res.User)
	}
}

func TestLINENeedsSecret(t *testing.T) {
	t.Parallel()
	_, err := LINE(lineTestChannel, "")
	if !errors.Is(err, core.ErrInvalidConfig) {
		t.Fatalf("err = %v, want ErrInvalidConfig", err)
	}
}
