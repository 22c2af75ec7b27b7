package oidctest

import (
	"crypto"
	"encoding/base64"
	"errors"
	"slices"
	"testing"

	"github.com/golang-jwt/jwt/v5"
)

func TestKeyRotation(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	kid1 := h.srv.KeyIDs()[0]
	first := str(h.tokens(basicClient)["id_token"])

	kid2, err := h.srv.RotateKey()
	if err != nil {
		t.Fatal(err)
	}
	if kid2 == kid1 || !slices.Equal(h.srv.KeyIDs(), []string{kid1, kid2}) || len(h.jwks()) != 2 {
		t.Fatalf("after rotation: kids %v, JWKS %d keys", h.srv.KeyIDs(), len(h.jwks()))
	}
	second := str(h.tokens(basicClient)["id_token"])
	for raw, kid := range map[string]string{first: kid1, second: kid2} {
		tok, err := h.verify(raw)
		if err != nil || tok.Header["kid"] != kid {
			t.Errorf("token with kid %v: %v (want kid %s)", tok.Header["kid"], err, kid)
		}
	}

	if err := h.srv.RemoveKey(kid2); !errors.Is(err, ErrKey) {
		t.Errorf("removing the current key: %v", err)
	}
	if err := h.srv.RemoveKey("nope"); !errors.Is(err, ErrKey) {
		t.Errorf("removing an unknown key: %v", err)
	}
	if err := h.srv.RemoveKey(kid1); err != nil {
		t.Fatal(err)
	}
	if _, err := h.verify(first); err == nil {
		t.Error("token of a removed key still verifies")
	}
	if _, err := h.verify(second); err != nil {
		t.Errorf("token of the current key: %v", err)
	}

	kid3, err := h.srv.ReplaceKey()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(h.srv.KeyIDs(), []string{kid3}) {
		t.Errorf("after ReplaceKey: %v", h.srv.KeyIDs())
	}
	if _, err := h.verify(second); err == nil {
		t.Error("token of a replaced key still verifies")
	}
}

// TestReplaceKeyKeepKID: a new key under the current kid; tokens of the
// old key no longer verify, new ones do, with the same kid.
func TestReplaceKeyKeepKID(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	kids := h.srv.KeyIDs()
	before := str(h.tokens(basicClient)["id_token"])
	oldKey := h.jwks()[kids[0]]
	kid, err := h.srv.ReplaceKeyKeepKID()
	if err != nil {
		t.Fatal(err)
	}
	keys := h.jwks()
	if kid != kids[0] || !slices.Equal(h.srv.KeyIDs(), kids) || len(keys) != 1 || keys[kid] == nil {
		t.Fatalf("after ReplaceKeyKeepKID: kid %q, kids %v, JWKS %v", kid, h.srv.KeyIDs(), keys)
	}
	if keys[kid].(interface{ Equal(crypto.PublicKey) bool }).Equal(oldKey) {
		t.Error("the published key did not change")
	}
	if _, err := h.verify(before); err == nil {
		t.Error("a token of the replaced key still verifies")
	}
	after := str(h.tokens(basicClient)["id_token"])
	tok, err := h.verify(after)
	if err != nil || tok.Header["kid"] != kid {
		t.Errorf("a token of the new key: %v, kid %v", err, tok.Header["kid"])
	}
}

func TestAlgorithms(t *testing.T) {
	t.Parallel()
	tests := []struct {
		alg  string
		hash crypto.Hash
		kty  string
	}{
		{"RS256", crypto.SHA256, "RSA"},
		{"RS384", crypto.SHA384, "RSA"},
		{"PS256", crypto.SHA256, "RSA"},
		{"ES256", crypto.SHA256, "EC"},
		{"ES384", crypto.SHA384, "EC"},
	}
	for _, tc := range tests {
		t.Run(tc.alg, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, WithAlgorithm(tc.alg))
			tok := h.tokens(basicClient)
			idt, err := h.verify(str(tok["id_token"]), jwt.WithValidMethods([]string{tc.alg}))
			if err != nil {
				t.Fatalf("verify: %v", err)
			}
			d := tc.hash.New()
			d.Write([]byte(str(tok["access_token"])))
			sum := d.Sum(nil)
			if want := base64.RawURLEncoding.EncodeToString(sum[:len(sum)/2]); idt.Claims.(jwt.MapClaims)["at_hash"] != want {
				t.Errorf("at_hash = %v, want %s", idt.Claims.(jwt.MapClaims)["at_hash"], want)
			}
			if meta := h.srv.Discovery(); !slices.Equal(meta["id_token_signing_alg_values_supported"].([]string), []string{tc.alg}) {
				t.Errorf("discovery algs = %v", meta["id_token_signing_alg_values_supported"])
			}
		})
	}
}
