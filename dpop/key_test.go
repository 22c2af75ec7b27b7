package dpop

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// TestThumbprintRFC7638 checks the thumbprint against the example of RFC
// 7638 §3.1.
func TestThumbprintRFC7638(t *testing.T) {
	t.Parallel()
	jwk := map[string]any{
		"kty": "RSA",
		"n": "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMs" +
			"tn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91" +
			"CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw",
		"e": "AQAB",
	}
	if got, want := thumbprint(jwk), "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"; got != want {
		t.Fatalf("thumbprint %s, want %s", got, want)
	}
}

// TestProof: a proof verifies with the public JWK of its own header, has
// typ dpop+jwt, and the claims RFC 9449 §4.2 lists.
func TestProof(t *testing.T) {
	t.Parallel()
	for _, alg := range []string{ES256, ES384, ES512, EdDSA, PS256} {
		t.Run(alg, func(t *testing.T) {
			t.Parallel()
			k, err := GenerateKey(alg)
			if err != nil {
				t.Fatal(err)
			}
			if k.Algorithm() != alg || k.Thumbprint() == "" {
				t.Fatalf("key %v", k)
			}
			now := time.Unix(1_700_000_000, 0)
			p, err := k.Proof(Proof{Method: "POST", URL: "https://as.example/token?x=1#f", AccessToken: "at-1", Nonce: "n-1", IssuedAt: now})
			if err != nil {
				t.Fatal(err)
			}
			claims := jwt.MapClaims{}
			tok, err := jwt.NewParser(jwt.WithValidMethods([]string{alg}), jwt.WithoutClaimsValidation()).
				ParseWithClaims(p, claims, func(tok *jwt.Token) (any, error) { return k.Signer().Public(), nil })
			if err != nil {
				t.Fatal(err)
			}
			if tok.Header["typ"] != "dpop+jwt" {
				t.Errorf("typ %v", tok.Header["typ"])
			}
			jwk, _ := json.Marshal(tok.Header["jwk"])
			if string(jwk) != string(k.PublicJWK()) || strings.Contains(string(jwk), `"d"`) {
				t.Errorf("header jwk %s, want %s without private members", jwk, k.PublicJWK())
			}
			sum := sha256.Sum256([]byte("at-1"))
			if claims["htm"] != "POST" || claims["htu"] != "https://as.example/token" || claims["iat"] != float64(now.Unix()) ||
				claims["nonce"] != "n-1" || claims["ath"] != base64.RawURLEncoding.EncodeToString(sum[:]) || len(claims["jti"].(string)) < 16 {
				t.Errorf("claims %v", claims)
			}
			again, _ := k.Proof(Proof{Method: "POST", URL: "https://as.example/token", IssuedAt: now})
			var c2 jwt.MapClaims
			_, _, _ = jwt.NewParser().ParseUnverified(again, &c2)
			if c2["jti"] == claims["jti"] || c2["ath"] != nil || c2["nonce"] != nil {
				t.Errorf("second proof %v: want a new jti and no ath or nonce", c2)
			}
		})
	}
}

// TestKeyErrors: unusable keys and requests are refused, and a key never
// prints its private part.
func TestKeyErrors(t *testing.T) {
	t.Parallel()
	small, _ := rsa.GenerateKey(rand.Reader, 1024)
	p224, _ := ecdsa.GenerateKey(elliptic.P224(), rand.Reader)
	for name, s := range map[string]crypto.Signer{"rsa-1024": small, "p224": p224, "short ed25519": ed25519.PrivateKey(make([]byte, 10))} {
		if _, err := NewKey(s); !errors.Is(err, ErrUnsupportedKey) {
			t.Errorf("%s: %v, want ErrUnsupportedKey", name, err)
		}
	}
	if _, err := GenerateKey("HS256"); !errors.Is(err, ErrUnsupportedKey) {
		t.Errorf("GenerateKey(HS256): %v", err)
	}
	k, err := GenerateKey(ES256)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []Proof{{URL: "https://as.example/t", IssuedAt: time.Now()}, {Method: "GET", URL: "/relative", IssuedAt: time.Now()},
		{Method: "GET", URL: "https://as.example/t"}} {
		if _, err := k.Proof(p); err == nil {
			t.Errorf("proof for %+v: no error", p)
		}
	}
	d := k.Signer().(*ecdsa.PrivateKey).D.String()
	for _, s := range []string{fmt.Sprint(k), fmt.Sprintf("%+v", k), fmt.Sprintf("%#v", k)} {
		if strings.Contains(s, d) || !strings.Contains(s, k.Thumbprint()) {
			t.Errorf("printed key %q", s)
		}
	}
}
