package core

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

func TestExchangeRequestAndToken(t *testing.T) {
	t.Parallel()
	f := newFakeServer(t)
	f.answer("/token", 200, "application/json", okToken)
	clock := newFakeClock()
	c := newTestClient(t, f, func(cfg *Config) { cfg.Clock = clock })
	tok, err := c.Exchange(context.Background(), "code-abc", WithPKCE("verifier-xyz"))
	if err != nil {
		t.Fatal(err)
	}
	r := f.last(t)
	if r.Method != "POST" || r.Header.Get("Content-Type") != "application/x-www-form-urlencoded" || r.Header.Get("Accept") != "application/json" {
		t.Errorf("method %s, content type %q, accept %q", r.Method, r.Header.Get("Content-Type"), r.Header.Get("Accept"))
	}
	want := "grant_type=authorization_code&code=code-abc&redirect_uri=http%3A%2F%2F127.0.0.1%3A8000%2Fcallback&code_verifier=verifier-xyz"
	if r.Body != want {
		t.Errorf("body\n got %s\nwant %s", r.Body, want)
	}
	if tok.AccessToken != "at-123" || tok.TokenType != "Bearer" || tok.RefreshToken != "rt-456" || tok.Scope != "read write" {
		t.Errorf("token = %+v", tok)
	}
	if want := clock.Now().Add(time.Hour); !tok.Expiry.Equal(want) {
		t.Errorf("expiry %v, want %v (computed at receipt)", tok.Expiry, want)
	}
	if got := tok.scopes(); len(got) != 2 || got[1] != "write" {
		t.Errorf("scopes %v", got)
	}
	if tok.Raw["expires_in"] == nil {
		t.Error("raw fields not kept")
	}
}

func TestRefreshKeepsOrReplacesRefreshToken(t *testing.T) {
	t.Parallel()
	f := newFakeServer(t)
	c := newTestClient(t, f, nil)
	f.answer("/token", 200, "application/json", `{"access_token":"a2","token_type":"Bearer","expires_in":60}`)
	tok, err := c.Refresh(context.Background(), "old-rt", WithParam("scope", "read"))
	if err != nil {
		t.Fatal(err)
	}
	if tok.RefreshToken != "old-rt" {
		t.Errorf("refresh token %q, want the old one kept", tok.RefreshToken)
	}
	if got := f.last(t).Body; got != "grant_type=refresh_token&refresh_token=old-rt&scope=read" {
		t.Errorf("body %s", got)
	}
	f.answer("/token", 200, "application/json", `{"access_token":"a3","token_type":"Bearer","refresh_token":"new-rt"}`)
	tok, err = c.Refresh(context.Background(), "old-rt")
	if err != nil {
		t.Fatal(err)
	}
	if tok.RefreshToken != "new-rt" {
		t.Errorf("refresh token %q, want the rotated one", tok.RefreshToken)
	}
	if _, err := c.Refresh(context.Background(), ""); !errors.Is(err, ErrNoRefreshToken) {
		t.Errorf("empty refresh token: %v", err)
	}
}

func TestClientCredentials(t *testing.T) {
	t.Parallel()
	f := newFakeServer(t)
	f.answer("/token", 200, "application/json", `{"access_token":"cc","token_type":"Bearer"}`)
	c := newTestClient(t, f, func(cfg *Config) { cfg.Scopes = []string{"api:read", "api:write"} })
	if _, err := c.ClientCredentials(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := f.last(t).Body; got != "grant_type=client_credentials&scope=api%3Aread+api%3Awrite" {
		t.Errorf("body %s", got)
	}
}

// TestClientAuthentication checks every method on every endpoint that
// authenticates the client.
func TestClientAuthentication(t *testing.T) {
	t.Parallel()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ops := []struct {
		name string
		path string
		call func(*Client) error
	}{
		{"token", "/token", func(c *Client) error { _, err := c.Exchange(context.Background(), "code"); return err }},
		{"revocation", "/revoke", func(c *Client) error { return c.Revoke(context.Background(), "tok", HintAccessToken) }},
		{"introspection", "/introspect", func(c *Client) error { _, err := c.Introspect(context.Background(), "tok", ""); return err }},
		{"device", "/device", func(c *Client) error { _, err := c.DeviceAuthorize(context.Background()); return err }},
	}
	methods := []struct {
		method AuthMethod
		check  func(t *testing.T, r recorded)
	}{
		{AuthSecretBasic, func(t *testing.T, r recorded) {
			// RFC 6749 §2.3.1: form-urlencode, then base64.
			want := "Basic " + base64.StdEncoding.EncodeToString([]byte("my+client%3A1:a%3Ab%25c%2Bd+%C3%A9"))
			if got := r.Header.Get("Authorization"); got != want {
				t.Errorf("Authorization %q, want %q", got, want)
			}
			if r.Form.Has("client_secret") || r.Form.Has("client_assertion") {
				t.Error("a second method in the body")
			}
		}},
		{AuthSecretPost, func(t *testing.T, r recorded) {
			if r.Header.Get("Authorization") != "" {
				t.Error("Authorization header with client_secret_post")
			}
			if r.Form.Get("client_id") != "my client:1" || r.Form.Get("client_secret") != "a:b%c+d é" {
				t.Errorf("form %v", r.Form)
			}
		}},
		{AuthNone, func(t *testing.T, r recorded) {
			if r.Header.Get("Authorization") != "" || r.Form.Has("client_secret") || r.Form.Get("client_id") != "my client:1" {
				t.Errorf("public client sent header %q form %v", r.Header.Get("Authorization"), r.Form)
			}
		}},
		{AuthPrivateKeyJWT, func(t *testing.T, r recorded) {
			checkAssertion(t, r, jwt.SigningMethodES256, &key.PublicKey)
		}},
		{AuthSecretJWT, func(t *testing.T, r recorded) {
			checkAssertion(t, r, jwt.SigningMethodHS256, []byte("a:b%c+d é"))
		}},
	}
	for _, m := range methods {
		for _, op := range ops {
			t.Run(string(m.method)+"/"+op.name, func(t *testing.T) {
				t.Parallel()
				f := newFakeServer(t)
				f.answer("/token", 200, "application/json", okToken)
				f.answer("/revoke", 200, "", "")
				f.answer("/introspect", 200, "application/json", `{"active":false}`)
				f.answer("/device", 200, "application/json", `{"device_code":"d","user_code":"u","verification_uri":"https://x.example/d","expires_in":600}`)
				c := newTestClient(t, f, func(cfg *Config) {
					cfg.ClientID, cfg.ClientSecret, cfg.AuthMethod = "my client:1", "a:b%c+d é", m.method
					cfg.Issuer, cfg.PrivateKey, cfg.KeyID = "https://issuer.example", key, "k1"
					if m.method == AuthNone {
						cfg.ClientSecret = ""
					}
				})
				if err := op.call(c); err != nil {
					t.Fatal(err)
				}
				r := f.last(t)
				if r.Path != op.path {
					t.Fatalf("path %s", r.Path)
				}
				m.check(t, r)
			})
		}
	}
}

func checkAssertion(t *testing.T, r recorded, method jwt.SigningMethod, key any) {
	t.Helper()
	if r.Header.Get("Authorization") != "" || r.Form.Has("client_secret") {
		t.Error("a second authentication method alongside the assertion")
	}
	if r.Form.Get("client_assertion_type") != "urn:ietf:params:oauth:client-assertion-type:jwt-bearer" {
		t.Errorf("client_assertion_type %q", r.Form.Get("client_assertion_type"))
	}
	var claims jwt.RegisteredClaims
	// The fake clock is in the past, so time checks are done by hand below.
	tok, err := jwt.ParseWithClaims(r.Form.Get("client_assertion"), &claims, func(*jwt.Token) (any, error) { return key, nil },
		jwt.WithValidMethods([]string{method.Alg()}), jwt.WithoutClaimsValidation())
	if err != nil {
		t.Fatalf("assertion does not verify: %v", err)
	}
	if claims.Issuer != "my client:1" || claims.Subject != "my client:1" {
		t.Errorf("iss %q sub %q", claims.Issuer, claims.Subject)
	}
	if len(claims.Audience) != 1 || claims.Audience[0] != "https://issuer.example" {
		t.Errorf("aud %v, want the issuer", claims.Audience)
	}
	if claims.ID == "" || claims.IssuedAt == nil || claims.ExpiresAt == nil {
		t.Fatal("jti, iat or exp missing")
	}
	if life := claims.ExpiresAt.Sub(claims.IssuedAt.Time); life <= 0 || life > 5*time.Minute {
		t.Errorf("assertion lifetime %v", life)
	}
	if method == jwt.SigningMethodES256 && tok.Header["kid"] != "k1" {
		t.Errorf("kid %v", tok.Header["kid"])
	}
}

func TestAssertionIDsAreUnique(t *testing.T) {
	t.Parallel()
	f := newFakeServer(t)
	c := newTestClient(t, f, func(cfg *Config) { cfg.AuthMethod = AuthSecretJWT })
	seen := map[string]bool{}
	for range 100 {
		a, err := c.clientAssertion()
		if err != nil {
			t.Fatal(err)
		}
		var claims jwt.RegisteredClaims
		if _, _, err := jwt.NewParser().ParseUnverified(a, &claims); err != nil {
			t.Fatal(err)
		}
		if seen[claims.ID] {
			t.Fatal("jti repeated")
		}
		seen[claims.ID] = true
	}
}

func TestNoRedirectFollowed(t *testing.T) {
	t.Parallel()
	f := newFakeServer(t)
	hit := make(chan struct{}, 1)
	f.handle("/elsewhere", func(http.ResponseWriter, *http.Request) { hit <- struct{}{} })
	f.handle("/token", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/elsewhere?leak=1", http.StatusTemporaryRedirect)
	})
	c := newTestClient(t, f, nil)
	_, err := c.Exchange(context.Background(), "code-abc")
	var se *StatusError
	if !errors.As(err, &se) || se.Status != http.StatusTemporaryRedirect || !errors.Is(err, ErrUnexpectedStatus) {
		t.Fatalf("err = %v, want a StatusError 307", err)
	}
	if strings.Contains(err.Error(), "leak") {
		t.Errorf("redirect query in error: %v", err)
	}
	select {
	case <-hit:
		t.Error("the redirect was followed")
	default:
	}
	if n := len(f.requests()); n != 1 {
		t.Errorf("%d requests, want 1 (a code exchange is never retried)", n)
	}
}

// TestAssertionAudience: the issuer is the audience of client assertions
// unless the client is configured for the token endpoint (servers such as
// Ory Hydra accept only that).
func TestAssertionAudience(t *testing.T) {
	t.Parallel()
	f := newFakeServer(t)
	for _, tt := range []struct {
		tokenEndpoint bool
		want          string
	}{{false, "https://issuer.example"}, {true, f.URL + "/token"}} {
		c := newTestClient(t, f, func(cfg *Config) {
			cfg.AuthMethod, cfg.Issuer, cfg.TokenEndpointAudience = AuthSecretJWT, "https://issuer.example", tt.tokenEndpoint
		})
		a, err := c.clientAssertion()
		if err != nil {
			t.Fatal(err)
		}
		var claims jwt.RegisteredClaims
		if _, _, err := jwt.NewParser().ParseUnverified(a, &claims); err != nil || len(claims.Audience) != 1 || claims.Audience[0] != tt.want {
			t.Errorf("token endpoint audience %v: aud %v (%v), want %q", tt.tokenEndpoint, claims.Audience, err, tt.want)
		}
	}
}
