package providers

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-oauth20/oauth20/conformance/oidctest"
	"github.com/go-oauth20/oauth20/core"
	"github.com/go-oauth20/oauth20/internal/testkit"
	"github.com/golang-jwt/jwt/v5"
)

func appleTestKey(t *testing.T) (*ecdsa.PrivateKey, []byte) {
	t.Helper()
	k := testkit.ECKey(t, elliptic.P256())
	return k, testkit.PKCS8PEM(t, k)
}

// appleCheckSecret verifies a client secret as Apple does: ES256 with the
// registered key, kid, iss = team, sub = client, aud = Apple, not expired,
// at most six months long.
func appleCheckSecret(pub *ecdsa.PublicKey, teamID, keyID string, now time.Time) func(string) error {
	return func(s string) error {
		tok, err := jwt.Parse(s, func(tok *jwt.Token) (any, error) {
			if tok.Header["kid"] != keyID {
				return nil, fmt.Errorf("kid %v", tok.Header["kid"])
			}
			return pub, nil
		}, jwt.WithValidMethods([]string{"ES256"}), jwt.WithIssuer(teamID), jwt.WithAudience(appleIssuer),
			jwt.WithSubject(testClientID), jwt.WithIssuedAt(), jwt.WithExpirationRequired(), jwt.WithTimeFunc(func() time.Time { return now }))
		if err != nil {
			return err
		}
		iat, _ := tok.Claims.GetIssuedAt()
		exp, _ := tok.Claims.GetExpirationTime()
		if exp.Sub(iat.Time) > 15777000*time.Second {
			return errors.New("client secret lives longer than six months")
		}
		return nil
	}
}

// appleCheckSecretNow is appleCheckSecret at the time of each check: a
// time taken before the login would make a secret signed in the next
// second look issued in the future.
func appleCheckSecretNow(pub *ecdsa.PublicKey, teamID, keyID string) func(string) error {
	return func(s string) error { return appleCheckSecret(pub, teamID, keyID, time.Now())(s) }
}

// appleOP is a test provider in Apple's shape: its endpoints and metadata,
// client_secret_post with a secret checked by check, ID tokens whatever
// the scope, form_post, no UserInfo, no PKCE advertised.
func appleOP(t *testing.T, check func(string) error, user oidctest.User) *oidctest.Server {
	t.Helper()
	client := testClient("apple", oidctest.AuthSecretPost)
	client.Secret, client.VerifySecret = "", check
	return oidctest.New(t, oidctest.WithAlgorithm("ES256"), oidctest.WithClients(client), oidctest.WithUser(user),
		func(c *oidctest.Config) {
			c.Issuer = appleIssuer
			c.ImplicitOpenID = true
			c.Endpoints = map[oidctest.Endpoint]string{oidctest.AuthorizeEndpoint: "/auth/authorize",
				oidctest.TokenEndpoint: "/auth/token", oidctest.RevocationEndpoint: "/auth/revoke", oidctest.JWKSEndpoint: "/auth/keys"}
			c.Metadata = map[string]any{
				"userinfo_endpoint": nil, "introspection_endpoint": nil, "end_session_endpoint": nil,
				"token_endpoint_auth_methods_supported":          []string{"client_secret_post"},
				"response_modes_supported":                       []string{"query", "fragment", "form_post"},
				"scopes_supported":                               []string{"openid", "email", "name"},
				"id_token_signing_alg_values_supported":          []string{"RS256", "ES256"},
				"code_challenge_methods_supported":               nil,
				"authorization_response_iss_parameter_supported": nil,
			}
		})
}

func TestAppleLogin(t *testing.T) {
	t.Parallel()
	key, p8 := appleTestKey(t)
	const sub = "001234.5f0c1e2d3b4a45c6978899aabbccddee.1234"
	op := appleOP(t, appleCheckSecretNow(&key.PublicKey, "TEAM123456", "KEY1234567"), oidctest.User{Subject: sub,
		Claims: map[string]any{"email": "x7k2m9q4pd@privaterelay.appleid.com", "email_verified": "true",
			"is_private_email": "true", "real_user_status": 2, "nonce_supported": true}})
	p, err := Apple(testClientID, "TEAM123456", "KEY1234567", p8)
	a := newTestAuth(t, op, p, err)

	user := `{"name":{"firstName":"John","lastName":"Appleseed"},"email":"someone-else@example.com"}`
	res, q, err := login(t, op, a, "apple", core.BeginOptions{}, url.Values{"user": {user}})
	if err != nil {
		t.Fatal(err)
	}
	if q.Get("response_mode") != "form_post" || q.Get("scope") != "name email" || sentPKCE(t, q) {
		t.Errorf("authorization request %v", q)
	}
	u := res.User
	if u.ID != sub || u.Email != "x7k2m9q4pd@privaterelay.appleid.com" || !u.EmailVerified || u.Name != "John Appleseed" {
		t.Errorf("user %+v", u)
	}
	if u.Raw["is_private_email"] != true || u.Raw["user"] == nil {
		t.Errorf("raw %v", u.Raw)
	}

	// Later logins have no user field: no name, the rest unchanged.
	res, _, err = login(t, op, a, "apple", core.BeginOptions{}, url.Values{"user": {"{not json"}})
	if err != nil || res.User.Name != "" || res.User.ID != sub {
		t.Fatalf("second login: %+v, %v", res, err)
	}

	tok, _, err := a.Refresh(context.Background(), "apple", res.Token, res.IDToken)
	if err != nil {
		t.Fatalf("refresh: %v", err)
	}
	if _, err := logoutWithTokens(t, context.Background(), a, "apple", tok); err != nil {
		t.Fatalf("logout: %v", err)
	}
	if n := op.Count(oidctest.RevocationEndpoint); n != 2 {
		t.Errorf("%d revocations, want 2", n)
	}
}

func TestAppleLoginBoolClaims(t *testing.T) {
	t.Parallel()
	_, p8 := appleTestKey(t)
	for _, tt := range []struct {
		verified, private any
		wantVerified      bool
		wantPrivate       bool
	}{
		{true, false, true, false},
		{"false", "false", false, false},
		{"TRUE", true, true, true},
	} {
		op := appleOP(t, func(string) error { return nil }, oidctest.User{Subject: "001234.a",
			Claims: map[string]any{"email": "a@example.com", "email_verified": tt.verified, "is_private_email": tt.private}})
		p, err := Apple(testClientID, "TEAM123456", "KEY1234567", p8)
		a := newTestAuth(t, op, p, err)
		res, _, err := login(t, op, a, "apple", core.BeginOptions{}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if res.User.EmailVerified != tt.wantVerified || res.User.Raw["is_private_email"] != tt.wantPrivate {
			t.Errorf("%v/%v: user %+v", tt.verified, tt.private, res.User)
		}
	}
}

func TestAppleSecretRenewal(t *testing.T) {
	t.Parallel()
	key, _ := appleTestKey(t)
	start := time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	now := start
	s := &appleSecret{clientID: testClientID, teamID: "TEAM123456", keyID: "KEY1234567", key: key,
		now: func() time.Time { mu.Lock(); defer mu.Unlock(); return now }}
	set := func(d time.Duration) { mu.Lock(); now = start.Add(d); mu.Unlock() }

	first, err := s.current(s.now())
	if err != nil {
		t.Fatal(err)
	}
	if err := appleCheckSecret(&key.PublicKey, "TEAM123456", "KEY1234567", start)(first); err != nil {
		t.Fatalf("secret rejected: %v", err)
	}
	// Concurrent callers share the cached secret.
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if got, _ := s.current(s.now()); got != first {
				t.Error("secret re-signed while still fresh")
			}
		}()
	}
	wg.Wait()
	set(22 * time.Hour)
	if got, _ := s.current(s.now()); got != first {
		t.Error("secret re-signed 22 hours into a 24-hour lifetime")
	}
	set(23*time.Hour + time.Second)
	second, _ := s.current(s.now())
	if second == first {
		t.Fatal("secret not re-signed within an hour of expiry")
	}
	if err := appleCheckSecret(&key.PublicKey, "TEAM123456", "KEY1234567", start.Add(47*time.Hour))(second); err != nil {
		t.Errorf("renewed secret: %v", err)
	}

	// The hook replaces the marker and leaves requests without one alone.
	r := &core.Request{Op: core.OpRevoke, Params: &core.Params{}}
	r.Params.Set("client_secret", appleSecretMarker)
	if err := s.editRequest(r); err != nil || r.Params.Get("client_secret") != second {
		t.Errorf("revocation secret not replaced: %v", err)
	}
	r = &core.Request{Op: core.OpUserInfo, Params: &core.Params{}}
	if err := s.editRequest(r); err != nil || (r.Params.Get("client_secret") != "") {
		t.Error("secret added to a request that had none")
	}
}

func TestAppleConfig(t *testing.T) {
	t.Parallel()
	_, p8 := appleTestKey(t)
	rsaPEM := testkit.PKCS8PEM(t, testkit.RSAKey(t))
	p384 := testkit.ECKey(t, elliptic.P384())
	p384PEM := testkit.PKCS8PEM(t, p384)
	ecDER, _ := x509.MarshalECPrivateKey(p384)
	tests := []struct {
		name         string
		team, keyID  string
		key          []byte
		wantContains string
	}{
		{"empty team", "", "KEY", p8, "team id"},
		{"empty key id", "TEAM", "", p8, "key id"},
		{"not PEM", "TEAM", "KEY", []byte("MIGTAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBHkwdwIBAQQg"), "PEM"},
		{"SEC1 block", "TEAM", "KEY", pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: ecDER}), "PEM"},
		{"garbage PKCS#8", "TEAM", "KEY", pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: []byte("nope")}), "PKCS#8"},
		{"RSA key", "TEAM", "KEY", rsaPEM, "P-256"},
		{"P-384 key", "TEAM", "KEY", p384PEM, "P-256"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Apple(testClientID, tt.team, tt.keyID, tt.key)
			if p != nil || !errors.Is(err, core.ErrInvalidConfig) || !strings.Contains(err.Error(), tt.wantContains) {
				t.Fatalf("got %v, %v", p, err)
			}
			if strings.Contains(err.Error(), "MIG") || strings.Contains(err.Error(), "BEGIN") {
				t.Errorf("error quotes the key: %v", err)
			}
		})
	}
}

// TestAppleScopeSpace: the authorization URL spells the space between
// scopes %20, the only encoding Apple takes.
func TestAppleScopeSpace(t *testing.T) {
	t.Parallel()
	key, p8 := appleTestKey(t)
	op := appleOP(t, appleCheckSecretNow(&key.PublicKey, "TEAM123456", "KEY1234567"), oidctest.User{Subject: "001234.a.1234"})
	p, err := Apple(testClientID, "TEAM123456", "KEY1234567", p8)
	a := newTestAuth(t, op, p, err)
	u, _, err := a.Begin(context.Background(), "apple", core.BeginOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(u, "scope=name%20email") {
		t.Errorf("authorization URL %q: want scope=name%%20email", u)
	}
}
