package core

import (
	"context"
	"crypto/elliptic"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/go-oauth20/oauth20/dpop"
	"github.com/go-oauth20/oauth20/internal/testkit"
	"github.com/golang-jwt/jwt/v5"
)

// proofClaims verifies a DPoP proof with the key of its own header, as a
// server does, and returns its claims.
func proofClaims(t *testing.T, key *dpop.Key, proof string) jwt.MapClaims {
	t.Helper()
	c := jwt.MapClaims{}
	if _, err := jwt.NewParser(jwt.WithValidMethods([]string{key.Algorithm()}), jwt.WithoutClaimsValidation()).
		ParseWithClaims(proof, c, func(*jwt.Token) (any, error) { return key.Signer().Public(), nil }); err != nil {
		t.Fatalf("proof: %v", err)
	}
	return c
}

func dpopKey(t *testing.T) *dpop.Key {
	t.Helper()
	k, err := dpop.GenerateKey(dpop.ES256)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// TestDPoPTokenNonce: the token endpoint asks for a nonce (RFC 9449 §8);
// the exchange is sent again once, with the nonce in a new proof and a new
// client assertion, and the DPoP token is accepted.
func TestDPoPTokenNonce(t *testing.T) {
	t.Parallel()
	key := dpopKey(t)
	f := newFakeServer(t)
	var calls atomic.Int32
	f.handle("/token", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if calls.Add(1) == 1 {
			w.Header().Set("DPoP-Nonce", "nonce-1")
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"error":"use_dpop_nonce","error_description":"nonce required"}`))
			return
		}
		_, _ = w.Write([]byte(`{"access_token":"at-1","token_type":"DPoP","expires_in":60}`))
	})
	signing := testkit.ECKey(t, elliptic.P256())
	c := newTestClient(t, f, func(cfg *Config) {
		cfg.DPoPKey, cfg.AuthMethod, cfg.PrivateKey, cfg.ClientSecret, cfg.Issuer = key, AuthPrivateKeyJWT, signing, "", f.URL
	})
	tok, err := c.Exchange(context.Background(), "code-1", WithPKCE("v"))
	if err != nil {
		t.Fatal(err)
	}
	if tok.TokenType != TokenTypeDPoP {
		t.Errorf("token type %q", tok.TokenType)
	}
	reqs := f.requests()
	if len(reqs) != 2 {
		t.Fatalf("%d requests, want 2", len(reqs))
	}
	first, second := proofClaims(t, key, reqs[0].Header.Get("DPoP")), proofClaims(t, key, reqs[1].Header.Get("DPoP"))
	if first["nonce"] != nil || second["nonce"] != "nonce-1" || first["jti"] == second["jti"] ||
		second["htm"] != "POST" || second["htu"] != f.URL+"/token" || second["ath"] != nil {
		t.Errorf("proofs %v then %v", first, second)
	}
	if reqs[0].Form.Get("client_assertion") == reqs[1].Form.Get("client_assertion") || reqs[1].Form.Get("code") != "code-1" {
		t.Error("the retry reused the single-use client assertion")
	}

	// The nonce is kept for the next request to the authorization server.
	f.answer("/token", 200, "application/json", `{"access_token":"at-2","token_type":"dpop"}`)
	if _, err := c.Refresh(context.Background(), "rt"); err != nil {
		t.Fatal(err)
	}
	if n := proofClaims(t, key, f.last(t).Header.Get("DPoP"))["nonce"]; n != "nonce-1" {
		t.Errorf("refresh proof nonce %v", n)
	}
}

// TestDPoPRetriesOnce: a second challenge is the answer, not a loop.
func TestDPoPRetriesOnce(t *testing.T) {
	t.Parallel()
	f := newFakeServer(t)
	var n atomic.Int32
	f.handle("/token", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("DPoP-Nonce", "nonce-"+string(rune('a'+n.Add(1))))
		testkit.WriteJSON(w, http.StatusBadRequest, map[string]string{"error": "use_dpop_nonce"})
	})
	c := newTestClient(t, f, func(cfg *Config) { cfg.DPoPKey = dpopKey(t) })
	_, err := c.Refresh(context.Background(), "rt")
	var oe *Error
	if !errors.As(err, &oe) || oe.Code != CodeUseDPoPNonce || len(f.requests()) != 2 {
		t.Fatalf("err %v after %d requests; want use_dpop_nonce after 2", err, len(f.requests()))
	}
}

// TestDPoPResource: a DPoP token goes to a resource as "DPoP" with a
// proof holding ath; the resource server's nonce challenge (RFC 9449 §9)
// is answered once; without the key the token is not sent at all.
func TestDPoPResource(t *testing.T) {
	t.Parallel()
	key := dpopKey(t)
	f := newFakeServer(t)
	var calls atomic.Int32
	f.handle("/userinfo", func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			w.Header().Set("DPoP-Nonce", "rs-nonce")
			w.Header().Set("WWW-Authenticate", `DPoP error="use_dpop_nonce", error_description="Resource server requires nonce in DPoP proof"`)
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		testkit.WriteJSON(w, 200, map[string]string{"sub": "u-1"})
	})
	c := newTestClient(t, f, func(cfg *Config) { cfg.DPoPKey = key })
	tok := &Token{AccessToken: "at-secret-1", TokenType: TokenTypeDPoP}
	fields, err := c.Resource(context.Background(), ResourceRequest{URL: f.URL + "/userinfo?q=1", Token: tok})
	if err != nil || fields["sub"] != "u-1" {
		t.Fatalf("resource: %v, %v", fields, err)
	}
	reqs := f.requests()
	sum := sha256.Sum256([]byte("at-secret-1"))
	for i, r := range reqs {
		if r.Header.Get("Authorization") != "DPoP at-secret-1" {
			t.Errorf("request %d: Authorization %q", i, r.Header.Get("Authorization"))
		}
		claims := proofClaims(t, key, r.Header.Get("DPoP"))
		if claims["ath"] != base64.RawURLEncoding.EncodeToString(sum[:]) || claims["htm"] != "GET" || claims["htu"] != f.URL+"/userinfo" {
			t.Errorf("request %d: proof %v", i, claims)
		}
	}
	if len(reqs) != 2 || proofClaims(t, key, reqs[1].Header.Get("DPoP"))["nonce"] != "rs-nonce" {
		t.Fatalf("%d requests; want a retry with the resource server's nonce", len(reqs))
	}
	// The authorization server's nonce is another one.
	if got := c.nonces.get(f.URL+"/token", false); got != "" {
		t.Errorf("authorization server nonce %q taken from the resource server", got)
	}

	keyless := newTestClient(t, f, nil)
	_, err = keyless.Resource(context.Background(), ResourceRequest{URL: f.URL + "/userinfo", Token: tok})
	if !errors.Is(err, ErrDPoPKeyMissing) {
		t.Fatalf("without the key: %v", err)
	}
	if len(f.requests()) != 2 {
		t.Error("the token was sent by a client without the key")
	}
	if strings.Contains(err.Error(), "at-secret-1") {
		t.Error("the error shows the token")
	}
}

// TestDPoPTokenType: a DPoP token is accepted only by a client with a key;
// a Bearer answer stays Bearer.
func TestDPoPTokenType(t *testing.T) {
	t.Parallel()
	f := newFakeServer(t)
	f.answer("/token", 200, "application/json", `{"access_token":"at","token_type":"DPoP"}`)
	if _, err := newTestClient(t, f, nil).Refresh(context.Background(), "rt"); !errors.Is(err, ErrUnsupportedTokenTypeLocal) || !errors.Is(err, ErrDPoPKeyMissing) {
		t.Errorf("DPoP token without a key: %v", err)
	}
	if f.last(t).Header.Get("DPoP") != "" {
		t.Error("a client without a key sent a proof")
	}
	f.answer("/token", 200, "application/json", `{"access_token":"at","token_type":"Bearer"}`)
	tok, err := newTestClient(t, f, func(cfg *Config) { cfg.DPoPKey = dpopKey(t) }).Refresh(context.Background(), "rt")
	if err != nil || tok.TokenType != "Bearer" {
		t.Errorf("Bearer answer to a DPoP client: %v, %v", tok, err)
	}
	// Introspection carries no proof: it is no token request.
	f.answer("/introspect", 200, "application/json", `{"active":false}`)
	c := newTestClient(t, f, func(cfg *Config) { cfg.DPoPKey = dpopKey(t) })
	if _, err := c.Introspect(context.Background(), "at", ""); err != nil || f.last(t).Header.Get("DPoP") != "" {
		t.Errorf("introspection: %v, proof %q", err, f.last(t).Header.Get("DPoP"))
	}
}
