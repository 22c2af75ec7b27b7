package providers_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/go-oauth20/oauth20/core"
	"github.com/go-oauth20/oauth20/internal/coreaccess"
	"github.com/go-oauth20/oauth20/providers"
	"github.com/golang-jwt/jwt/v5"
	"github.com/jarcoal/httpmock"
)

const (
	lineTestChannel = "1234567890"
	lineTestSecret  = "line-channel-secret-0f3a9c"
	lineTestSub     = "U4af4980629a1b2c3d4e5f6a7b8c9d0e1"
)

// lineServer serves LINE's discovery document, a JWK Set holding key's
// public half, and /v2/profile answering profile.
func lineServer(t *testing.T, key *ecdsa.PrivateKey, profile string) *core.Provider {
	t.Helper()
	mt := httpmock.NewMockTransport()
	jsonResp := func(body string) httpmock.Responder {
		return func(*http.Request) (*http.Response, error) {
			r := httpmock.NewStringResponse(http.StatusOK, body)
			r.Header.Set("Content-Type", "application/json")
			return r, nil
		}
	}
	mt.RegisterResponder(http.MethodGet, "https://access.line.me/.well-known/openid-configuration", jsonResp(`{
		"issuer": "https://access.line.me",
		"authorization_endpoint": "https://access.line.me/oauth2/v2.1/authorize",
		"token_endpoint": "https://api.line.me/oauth2/v2.1/token",
		"userinfo_endpoint": "https://api.line.me/oauth2/v2.1/userinfo",
		"jwks_uri": "https://api.line.me/oauth2/v2.1/certs",
		"response_types_supported": ["code"],
		"subject_types_supported": ["pairwise"],
		"id_token_signing_alg_values_supported": ["ES256"],
		"code_challenge_methods_supported": ["S256"]}`))
	b64 := func(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }
	pub := key.PublicKey
	jwks, err := json.Marshal(map[string]any{"keys": []any{map[string]string{
		"kty": "EC", "crv": "P-256", "kid": "line-es256", "alg": "ES256", "use": "sig",
		"x": b64(pub.X.FillBytes(make([]byte, 32))), "y": b64(pub.Y.FillBytes(make([]byte, 32))),
	}}})
	if err != nil {
		t.Fatal(err)
	}
	mt.RegisterResponder(http.MethodGet, "https://api.line.me/oauth2/v2.1/certs", jsonResp(string(jwks)))
	mt.RegisterResponder(http.MethodGet, "https://api.line.me/v2/profile", jsonResp(profile))
	rc := &http.Client{Transport: mt}
	p, err := providers.LINE(lineTestChannel, lineTestSecret, providers.WithHTTPClient(rc),
		providers.WithRedirectURL("https://app.example/callback"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Close() })
	return p
}

func lineClaims(sub string, extra map[string]any) jwt.MapClaims {
	now := time.Now()
	c := jwt.MapClaims{
		"iss": "https://access.line.me", "sub": sub, "aud": lineTestChannel,
		"iat": now.Unix(), "exp": now.Add(time.Hour).Unix(), "nonce": "n-0S6_WzA2Mj", "amr": []string{"pwd"},
	}
	for k, v := range extra {
		c[k] = v
	}
	return c
}

// TestLINEIDTokenAlgorithms proves that LINE's two signing schemes verify
// although its discovery lists ES256 only: HS256 keyed by the channel
// secret (web login) and ES256 with the published keys.
func TestLINEIDTokenAlgorithms(t *testing.T) {
	t.Parallel()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	otherKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	sign := func(m jwt.SigningMethod, k any, kid string) string {
		tok := jwt.NewWithClaims(m, lineClaims(lineTestSub, map[string]any{"email": "taro.line@example.com"}))
		if kid != "" {
			tok.Header["kid"] = kid
		}
		s, err := tok.SignedString(k)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	tests := []struct {
		name string
		raw  string
		ok   bool
	}{
		{"hs256 channel secret", sign(jwt.SigningMethodHS256, []byte(lineTestSecret), ""), true},
		{"es256 published key", sign(jwt.SigningMethodES256, key, "line-es256"), true},
		{"hs256 wrong secret", sign(jwt.SigningMethodHS256, []byte("not-the-channel-secret"), ""), false},
		{"es256 unknown key", sign(jwt.SigningMethodES256, otherKey, "line-es256"), false},
		{"hs384 not allowed", sign(jwt.SigningMethodHS384, []byte(lineTestSecret), ""), false},
	}
	p := lineServer(t, key, `{}`)
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

// TestLINEUserWithIDToken checks the user of a login with a verified ID
// token: the email comes from the token, unverified, and a sub that is not
// the profile's userId is refused.
func TestLINEUserWithIDToken(t *testing.T) {
	t.Parallel()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	p := lineServer(t, key, `{"userId":"`+lineTestSub+`","displayName":"Brown","pictureUrl":"https://profile.line-scdn.net/0hEXAMPLE"}`)
	v, err := coreaccess.Verifier(t.Context(), p)
	if err != nil {
		t.Fatal(err)
	}
	verify := func(sub string) *core.IDToken {
		raw, err := jwt.NewWithClaims(jwt.SigningMethodHS256, lineClaims(sub, map[string]any{"email": "taro.line@example.com"})).
			SignedString([]byte(lineTestSecret))
		if err != nil {
			t.Fatal(err)
		}
		id, err := v.VerifyIDToken(t.Context(), raw, core.IDTokenExpectations{})
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	tok := &core.Token{AccessToken: "line-access-token", TokenType: "Bearer"}

	u, err := p.User(t.Context(), core.UserRequest{Token: tok, IDToken: verify(lineTestSub)})
	if err != nil {
		t.Fatal(err)
	}
	want := core.User{ID: lineTestSub, Name: "Brown", AvatarURL: "https://profile.line-scdn.net/0hEXAMPLE", Email: "taro.line@example.com"}
	if u.ID != want.ID || u.Name != want.Name || u.AvatarURL != want.AvatarURL || u.Email != want.Email || u.EmailVerified {
		t.Fatalf("user = %+v, want %+v", *u, want)
	}
	if u.Raw["iss"] != "https://access.line.me" {
		t.Errorf("raw iss = %v, want the ID token's claims merged", u.Raw["iss"])
	}

	_, err = p.User(t.Context(), core.UserRequest{Token: tok, IDToken: verify("Uffffffffffffffffffffffffffffff0")})
	if err == nil {
		t.Fatal("a profile of another user than the ID token's was accepted")
	}
}

func TestLINENeedsSecret(t *testing.T) {
	t.Parallel()
	_, err := providers.LINE(lineTestChannel, "")
	if !errors.Is(err, core.ErrInvalidConfig) {
		t.Fatalf("err = %v, want ErrInvalidConfig", err)
	}
}
