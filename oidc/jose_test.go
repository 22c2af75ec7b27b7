package oidc

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-oauth20/oauth20/core"
)

// hs256 signs header.payload with secret.
func hs256(header, payload []byte, secret []byte) string {
	in := b64(header) + "." + b64(payload)
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(in))
	return in + "." + b64(m.Sum(nil))
}

// TestVerifyHeader covers the JOSE rules: alg allow-list and none
// (SPEC-OIDC-07, -15, JOSE-01, -02), crit (JOSE-04), typ (JOSE-11), shape
// and size (JOSE-07, -08), keys from the token (JOSE-05), kid as an
// opaque lookup (JOSE-06), ES256 signature encoding (JOSE-10) and the
// signature-before-claims order (JOSE-16).
func TestVerifyHeader(t *testing.T) {
	t.Parallel()
	// Unknown kids and forged signatures wait for the next permitted JWK
	// Set fetch; this clock lets that time pass at once.
	clock := newAutoClock()
	now := clock.Now()
	key := newKey(t, "k1", "ES256")
	attacker := newKey(t, "k1", "ES256")
	srv := newJWKSServer(t, key)
	v := newTestVerifier(t, srv, clock, func(c *VerifierConfig) { c.Algorithms = []string{"ES256"} })
	payload := mustJSON(t, claims(now))
	good := key.sign(t, claims(now), nil)
	parts := strings.Split(good, ".")

	// A server that must never be called: a jku or x5u target.
	var ssrf atomic.Int64
	trap := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { ssrf.Add(1) }))
	t.Cleanup(trap.Close)

	derSig := func() string {
		h := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
		sig, err := ecdsa.SignASN1(rand.Reader, key.priv.(*ecdsa.PrivateKey), h[:])
		if err != nil {
			t.Fatal(err)
		}
		return parts[0] + "." + parts[1] + "." + b64(sig)
	}()
	attackerJWK := attacker.jwk(t)

	tests := []struct {
		name string
		raw  string
		err  error
	}{
		{"valid", good, nil},
		{"alg none", b64([]byte(`{"alg":"none"}`)) + "." + parts[1] + ".", ErrUnsupportedAlgorithm},
		{"alg None", b64([]byte(`{"alg":"None"}`)) + "." + parts[1] + ".", ErrUnsupportedAlgorithm},
		{"alg NONE", b64([]byte(`{"alg":"NONE"}`)) + "." + parts[1] + ".", ErrUnsupportedAlgorithm},
		{"alg nOnE", b64([]byte(`{"alg":"nOnE"}`)) + "." + parts[1] + ".", ErrUnsupportedAlgorithm},
		{"alg missing", b64([]byte(`{"kid":"k1"}`)) + "." + parts[1] + "." + parts[2], ErrMalformedToken},
		{"alg RS256 not allowed", b64([]byte(`{"alg":"RS256","kid":"k1"}`)) + "." + parts[1] + "." + parts[2], ErrUnsupportedAlgorithm},
		{"HS256 without secret", hs256([]byte(`{"alg":"HS256","kid":"k1"}`), payload, []byte("guess")), ErrUnsupportedAlgorithm},
		{"crit", key.sign(t, claims(now), map[string]any{"crit": []string{"x-unknown"}, "x-unknown": 1}), ErrUnsupportedHeader},
		{"crit empty", key.sign(t, claims(now), map[string]any{"crit": []string{}}), ErrUnsupportedHeader},
		{"typ at+jwt", key.sign(t, claims(now), map[string]any{"typ": "at+jwt"}), ErrWrongTokenType},
		{"typ logout+jwt", key.sign(t, claims(now), map[string]any{"typ": "logout+jwt"}), ErrWrongTokenType},
		{"typ application/jwt", key.sign(t, claims(now), map[string]any{"typ": "application/JWT"}), nil},
		{"typ absent", key.sign(t, claims(now), map[string]any{"typ": nil}), nil},
		{"duplicate alg", key.signRaw(t, []byte(`{"alg":"ES256","alg":"none","kid":"k1"}`), payload), ErrMalformedToken},
		{"kid number", key.signRaw(t, []byte(`{"alg":"ES256","kid":7}`), payload), ErrMalformedToken},
		{"two segments", parts[0] + "." + parts[1], ErrMalformedToken},
		{"JWE five segments", "a.b.c.d.e", ErrMalformedToken},
		{"JSON serialization", `{"payload":"` + parts[1] + `","signatures":[{"protected":"` + parts[0] + `","signature":"` + parts[2] + `"},{"protected":"` + parts[0] + `","signature":"` + parts[2] + `"}]}`, ErrMalformedToken},
		{"header not base64", "!!!." + parts[1] + "." + parts[2], ErrMalformedToken},
		{"header not JSON", b64([]byte(`{"alg":`)) + "." + parts[1] + "." + parts[2], ErrMalformedToken},
		{"payload not base64", parts[0] + ".!!!." + parts[2], ErrMalformedToken},
		{"all-zero signature", parts[0] + "." + parts[1] + "." + b64(make([]byte, 64)), ErrBadSignature},
		{"ES256 DER signature", derSig, ErrBadSignature},
		{"ES256 r=n s=0", parts[0] + "." + parts[1] + "." + b64(append(elliptic.P256().Params().N.FillBytes(make([]byte, 32)), make([]byte, 32)...)), ErrBadSignature},
		{"signed by a key from the jwk header", attacker.sign(t, claims(now), map[string]any{"jwk": json.RawMessage(attackerJWK)}), ErrBadSignature},
		{"jku to a trap", attacker.sign(t, claims(now), map[string]any{"jku": trap.URL, "kid": "other"}), ErrUnknownKey},
		{"x5u to a trap", attacker.sign(t, claims(now), map[string]any{"x5u": trap.URL}), ErrBadSignature},
		{"kid path traversal", key.sign(t, claims(now), map[string]any{"kid": "../../etc/passwd"}), ErrUnknownKey},
		{"kid URL", key.sign(t, claims(now), map[string]any{"kid": trap.URL}), ErrUnknownKey},
		{"expired and forged", attacker.sign(t, with(claims(now), map[string]any{"exp": now.Add(-time.Hour).Unix()}), nil), ErrBadSignature},
		{"exp string and forged", attacker.sign(t, with(claims(now), map[string]any{"exp": "x"}), nil), ErrBadSignature},
		{"too large", strings.Repeat(".", MaxTokenSize+1), ErrMalformedToken},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tok, err := v.Verify(context.Background(), tc.raw, Expectations{})
			if tc.err == nil {
				if err != nil {
					t.Fatalf("Verify: %v", err)
				}
				return
			}
			if !errors.Is(err, tc.err) || tok != nil {
				t.Fatalf("error = %v, want %v", err, tc.err)
			}
			if strings.Contains(err.Error(), tc.raw) || (len(parts[2]) > 0 && strings.Contains(err.Error(), parts[2])) {
				t.Errorf("error %q contains the token", err)
			}
		})
	}
	if n := ssrf.Load(); n != 0 {
		t.Errorf("%d requests to jku/x5u targets", n)
	}
}

// TestVerifyHMAC: HS* only with the client secret and when configured in
// SymmetricAlgorithms, never with an asymmetric key as the secret, never
// with several audiences (SPEC-OIDC-08, JOSE-03).
func TestVerifyHMAC(t *testing.T) {
	t.Parallel()
	clock := newClock()
	now := clock.Now()
	rsaKey := newKey(t, "rk", "RS256")
	srv := newJWKSServer(t, rsaKey)
	secret := "s3cr3t-value-long-enough-for-hs256"
	v := newTestVerifier(t, srv, clock, func(c *VerifierConfig) {
		c.Algorithms = []string{"RS256"}
		c.SymmetricAlgorithms = []string{"HS256"}
		c.ClientSecret = secret
		c.TrustedAudiences = []string{"x"}
	})
	onlyRS := newTestVerifier(t, srv, clock, func(c *VerifierConfig) { c.ClientSecret = secret })
	hdr := []byte(`{"alg":"HS256","typ":"JWT"}`)
	pubDER, err := x509.MarshalPKIXPublicKey(rsaKey.priv.Public())
	if err != nil {
		t.Fatal(err)
	}
	pubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER})
	tests := []struct {
		name string
		v    *Verifier
		raw  string
		err  error
	}{
		{"valid", v, hs256(hdr, mustJSON(t, claims(now)), []byte(secret)), nil},
		{"wrong secret", v, hs256(hdr, mustJSON(t, claims(now)), []byte("other")), ErrBadSignature},
		{"RSA public key PEM as secret", v, hs256(hdr, mustJSON(t, claims(now)), pubPEM), ErrBadSignature},
		{"RSA public key DER as secret", v, hs256(hdr, mustJSON(t, claims(now)), pubDER), ErrBadSignature},
		{"RSA JWK as secret", v, hs256(hdr, mustJSON(t, claims(now)), rsaKey.jwk(t)), ErrBadSignature},
		{"two audiences", v, hs256(hdr, mustJSON(t, with(claims(now), map[string]any{"aud": []string{testClientID, "x"}, "azp": testClientID})), []byte(secret)), ErrAudienceMismatch},
		{"HS256 when only RS256 allowed", onlyRS, hs256(hdr, mustJSON(t, claims(now)), []byte(secret)), ErrUnsupportedAlgorithm},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.v.Verify(context.Background(), tc.raw, Expectations{})
			if (tc.err == nil && err != nil) || (tc.err != nil && !errors.Is(err, tc.err)) {
				t.Fatalf("error = %v, want %v", err, tc.err)
			}
		})
	}
	// A public client (no secret) cannot enable HS256 at all.
	_, err = NewVerifier(VerifierConfig{Issuer: "https://op.example", ClientID: "c", Algorithms: []string{"HS256"}})
	if !errors.Is(err, core.ErrInvalidConfig) {
		t.Errorf("HS256 without secret: %v", err)
	}
	_, err = NewVerifier(VerifierConfig{Issuer: "https://op.example", ClientID: "c", SymmetricAlgorithms: []string{"HS256"}})
	if !errors.Is(err, core.ErrInvalidConfig) {
		t.Errorf("SymmetricAlgorithms without secret: %v", err)
	}
}

// TestVerifyKeySelection: enc keys, key_ops, alg/type mismatches, weak
// keys, and the no-kid policy (SPEC-OIDC-25, -27, JOSE-03).
func TestVerifyKeySelection(t *testing.T) {
	t.Parallel()
	clock := newClock()
	now := clock.Now()
	sig := newKey(t, "sig", "ES256")
	enc := newKey(t, "enc", "ES256")
	enc.use = "enc"
	p384 := newKey(t, "p384", "ES384")
	ed := newKey(t, "ed", "EdDSA")
	srv := newJWKSServer(t, sig, enc, p384, ed)
	// key_ops without verify, and an alg-pinned key.
	opsKey := newKey(t, "ops", "ES256")
	pinned := newKey(t, "pinned", "ES256")
	var set struct {
		Keys []map[string]any `json:"keys"`
	}
	for _, k := range []*testKey{sig, enc, p384, ed, opsKey, pinned} {
		var m map[string]any
		if err := json.Unmarshal(k.jwk(t), &m); err != nil {
			t.Fatal(err)
		}
		switch k {
		case opsKey:
			m["key_ops"] = []string{"encrypt"}
		case pinned:
			m["alg"] = "ES384"
		}
		set.Keys = append(set.Keys, m)
	}
	srv.setBody(mustJSON(t, set))
	v := newTestVerifier(t, srv, clock, nil)
	single := newKey(t, "", "ES256")
	singleSrv := newJWKSServer(t, single)
	vSingle := newTestVerifier(t, singleSrv, clock, nil)
	two := newKey(t, "two", "ES256")
	twoSrv := newJWKSServer(t, single, two)
	vCap1 := newTestVerifier(t, twoSrv, clock, func(c *VerifierConfig) { c.MaxKeysWithoutKID = 1 })
	vTwo := newTestVerifier(t, twoSrv, clock, nil)

	c := claims(now)
	tests := []struct {
		name string
		v    *Verifier
		raw  string
		err  error
	}{
		{"signing key", v, sig.sign(t, c, nil), nil},
		{"enc key", v, enc.sign(t, c, nil), ErrKeyNotUsable},
		{"key_ops encrypt", v, opsKey.sign(t, c, nil), ErrKeyNotUsable},
		{"jwk alg ES384 used for ES256", v, pinned.sign(t, c, nil), ErrKeyNotUsable},
		{"P-384 key named for ES256", v, sig.sign(t, c, map[string]any{"kid": "p384"}), ErrKeyNotUsable},
		{"Ed25519 key named for ES256", v, sig.sign(t, c, map[string]any{"kid": "ed"}), ErrKeyNotUsable},
		{"no kid single key", vSingle, single.sign(t, c, nil), nil},
		{"no kid two keys tried", vTwo, two.sign(t, c, map[string]any{"kid": nil}), nil},
		{"no kid over the cap", vCap1, two.sign(t, c, map[string]any{"kid": nil}), ErrUnknownKey},
		{"no kid none fits", vSingle, ed.sign(t, c, map[string]any{"kid": nil}), ErrUnknownKey},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.v.Verify(context.Background(), tc.raw, Expectations{})
			if (tc.err == nil && err != nil) || (tc.err != nil && !errors.Is(err, tc.err)) {
				t.Fatalf("error = %v, want %v", err, tc.err)
			}
		})
	}
	if n := srv.fetches.Load(); n != 1 {
		t.Errorf("%d JWKS fetches, want 1 (unusable keys must not trigger refreshes)", n)
	}
}
