package oidc

import (
	"context"
	"crypto/elliptic"
	"errors"
	"net/url"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-oauth20/oauth20/internal/testkit"
)

// responseClaims returns the claims of a valid signed authorization
// response.
func responseClaims(now time.Time) map[string]any {
	return map[string]any{
		"iss": "https://op.example", "aud": testClientID, "exp": now.Add(time.Minute).Unix(), "iat": now.Unix(),
		"code": "c-1", "state": "s-1",
	}
}

// TestVerifyAuthResponse: the parameters of a valid response come out as
// strings, without the JWT's own claims; every failed check has its
// sentinel.
func TestVerifyAuthResponse(t *testing.T) {
	t.Parallel()
	clock := newClock()
	key := newKey(t, "k1", "ES256")
	other := newKey(t, "k1", "ES256")
	srv := newJWKSServer(t, key)
	v := newTestVerifier(t, srv, clock, func(c *VerifierConfig) { c.AuthResponseAlgorithms = []string{"ES256"} })
	now := clock.Now()

	got, err := v.VerifyAuthResponse(context.Background(), key.sign(t, with(responseClaims(now), map[string]any{
		"expires_in": 3600, "flag": true, "none": nil,
	}), nil))
	if err != nil {
		t.Fatal(err)
	}
	want := url.Values{"iss": {"https://op.example"}, "code": {"c-1"}, "state": {"s-1"}, "expires_in": {"3600"}, "flag": {"true"}}
	if got.Encode() != want.Encode() {
		t.Errorf("params %v, want %v", got, want)
	}

	tests := []struct {
		name string
		raw  string
		want error
	}{
		{"wrong aud", key.sign(t, with(responseClaims(now), map[string]any{"aud": "other-client"}), nil), ErrAudienceMismatch},
		{"wrong iss", key.sign(t, with(responseClaims(now), map[string]any{"iss": "https://evil.example"}), nil), ErrIssuerMismatch},
		{"no exp", key.sign(t, with(responseClaims(now), map[string]any{"exp": nil}), nil), ErrMissingClaim},
		{"expired", key.sign(t, with(responseClaims(now), map[string]any{"exp": now.Add(-time.Hour).Unix()}), nil), ErrTokenExpired},
		{"future iat", key.sign(t, with(responseClaims(now), map[string]any{"iat": now.Add(time.Hour).Unix()}), nil), ErrIssuedInFuture},
		{"future nbf", key.sign(t, with(responseClaims(now), map[string]any{"nbf": now.Add(time.Hour).Unix()}), nil), ErrTokenNotYetValid},
		{"other key", other.sign(t, responseClaims(now), nil), ErrBadSignature},
		{"alg none", key.signRaw(t, []byte(`{"alg":"none"}`), mustJSON(t, responseClaims(now))), ErrUnsupportedAlgorithm},
		{"not allowed alg", newKey(t, "k2", "RS256").sign(t, responseClaims(now), nil), ErrUnsupportedAlgorithm},
		{"object param", key.sign(t, with(responseClaims(now), map[string]any{"state": map[string]any{"a": 1}}), nil), ErrMalformedToken},
		{"duplicate state", key.signRaw(t, []byte(`{"alg":"ES256","kid":"k1"}`),
			[]byte(`{"iss":"https://op.example","aud":"client-123","exp":9999999999,"state":"a","state":"b"}`)), ErrMalformedToken},
		{"not a JWT", "code=c-1&state=s-1", ErrMalformedToken},
		{"encrypted, no key", "a.b.c.d.e", ErrMalformedToken},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, err := v.VerifyAuthResponse(context.Background(), tt.raw)
			if !errors.Is(err, tt.want) || p != nil {
				t.Fatalf("got %v, %v; want %v", p, err, tt.want)
			}
		})
	}
}

// TestVerifyAuthResponseEncrypted: a response signed and then encrypted to
// the client is opened; with the encryption registered, a signed-only one
// is refused.
func TestVerifyAuthResponseEncrypted(t *testing.T) {
	t.Parallel()
	clock := newClock()
	key := newKey(t, "k1", "ES256")
	enc := testkit.ECKey(t, elliptic.P256())
	srv := newJWKSServer(t, key)
	v := newTestVerifier(t, srv, clock, func(c *VerifierConfig) {
		c.DecryptionKeys = []DecryptionKey{{Key: enc, KeyID: "enc-1"}}
		c.AuthResponseEncryption = Encryption{Alg: "ECDH-ES+A128KW", Enc: "A128GCM"}
	})
	signed := key.sign(t, responseClaims(clock.Now()), nil)
	sealed := encryptTo(t, signed, jose.ECDH_ES_A128KW, jose.A128GCM, &enc.PublicKey, "enc-1", nil)
	p, err := v.VerifyAuthResponse(context.Background(), sealed)
	if err != nil || p.Get("code") != "c-1" {
		t.Fatalf("encrypted response: %v, %v", p, err)
	}
	if _, err := v.VerifyAuthResponse(context.Background(), signed); !errors.Is(err, ErrNotEncrypted) {
		t.Fatalf("signed-only response: %v, want ErrNotEncrypted", err)
	}
}

// FuzzVerifyAuthResponse feeds arbitrary strings to VerifyAuthResponse
// (JARM). Seeds are in testdata/fuzz/FuzzVerifyAuthResponse; valid
// responses signed and encrypted with per-run keys are added here. It must
// not panic, must fail with a sentinel, and must accept only responses of
// the issuer for the client.
func FuzzVerifyAuthResponse(f *testing.F) {
	clock := newAutoClock()
	key := newKey(f, "fz", "ES256")
	enc := testkit.ECKey(f, elliptic.P256())
	srv := newJWKSServer(f, key)
	v := newTestVerifier(f, srv, clock, func(c *VerifierConfig) {
		c.DecryptionKeys = []DecryptionKey{{Key: enc, KeyID: "enc"}}
	})
	signed := key.sign(f, responseClaims(clock.Now()), nil)
	f.Add(signed)
	f.Add(encryptTo(f, signed, jose.ECDH_ES, jose.A256GCM, &enc.PublicKey, "enc", nil))
	f.Fuzz(func(t *testing.T, raw string) {
		p, err := v.VerifyAuthResponse(context.Background(), raw)
		if err != nil {
			if p != nil {
				t.Fatal("parameters returned with an error")
			}
			checkSentinel(t, err)
			return
		}
		if p.Get("iss") != "https://op.example" || p.Has("aud") || p.Has("exp") {
			t.Fatalf("accepted parameters %v", p)
		}
	})
}
