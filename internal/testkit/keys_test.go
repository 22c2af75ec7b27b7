package testkit_test

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"testing"

	"github.com/go-oauth20/oauth20/internal/testkit"
)

func TestSigningKey(t *testing.T) {
	t.Parallel()
	for _, alg := range []string{"RS256", "PS256", "ES256", "ES384", "ES512", "EdDSA"} {
		k := testkit.SigningKey(t, alg)
		block, _ := pem.Decode(testkit.PKCS8PEM(t, k))
		if block == nil || block.Type != "PRIVATE KEY" {
			t.Fatalf("%s: not a PRIVATE KEY block", alg)
		}
		if _, err := x509.ParsePKCS8PrivateKey(block.Bytes); err != nil {
			t.Errorf("%s: %v", alg, err)
		}
	}
}

func TestSealingKey(t *testing.T) {
	t.Parallel()
	a, b := testkit.SealingKey(), testkit.SealingKey()
	if len(a) != 32 || bytes.Equal(a, b) {
		t.Errorf("SealingKey gave %x then %x", a, b)
	}
}
