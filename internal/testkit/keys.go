package testkit

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"testing"
)

// RSAKey generates a 2048-bit RSA key for one test.
func RSAKey(tb testing.TB) *rsa.PrivateKey {
	tb.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		tb.Fatalf("testkit: generating an RSA key: %v", err)
	}
	return k
}

// ECKey generates an ECDSA key on curve for one test.
func ECKey(tb testing.TB, curve elliptic.Curve) *ecdsa.PrivateKey {
	tb.Helper()
	k, err := ecdsa.GenerateKey(curve, rand.Reader)
	if err != nil {
		tb.Fatalf("testkit: generating an EC key: %v", err)
	}
	return k
}

// Ed25519Key generates an Ed25519 key for one test.
func Ed25519Key(tb testing.TB) ed25519.PrivateKey {
	tb.Helper()
	_, k, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		tb.Fatalf("testkit: generating an Ed25519 key: %v", err)
	}
	return k
}

// SigningKey generates a key for the JWS algorithm alg (RFC 7518 §3.1 and
// RFC 8037): RS256 to PS512 get an RSA key, ES256, ES384 and ES512 a key on
// their curve, EdDSA an Ed25519 key. Any other name stops the test.
func SigningKey(tb testing.TB, alg string) crypto.Signer {
	tb.Helper()
	switch alg {
	case "RS256", "RS384", "RS512", "PS256", "PS384", "PS512":
		return RSAKey(tb)
	case "ES256":
		return ECKey(tb, elliptic.P256())
	case "ES384":
		return ECKey(tb, elliptic.P384())
	case "ES512":
		return ECKey(tb, elliptic.P521())
	case "EdDSA":
		return Ed25519Key(tb)
	}
	tb.Fatalf("testkit: no key type for algorithm %q", alg)
	return nil
}

// PKCS8PEM encodes key as a PEM "PRIVATE KEY" block holding PKCS#8, the
// form of an Apple .p8 file.
func PKCS8PEM(tb testing.TB, key crypto.Signer) []byte {
	tb.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		tb.Fatalf("testkit: encoding a key as PKCS#8: %v", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
}

// SealingKey returns a fresh random 32-byte key, for
// core.Builder.SealingKeys.
func SealingKey() []byte {
	k := make([]byte, 32)
	_, _ = rand.Read(k)
	return k
}
