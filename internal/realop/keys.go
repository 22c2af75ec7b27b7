package realop

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
)

// ClientKeys are the feature clients' own private keys, made anew by
// node/server.mjs at every start; the clients registered their public
// halves (use sig or enc) in their jwks.
type ClientKeys struct {
	// Signing signs private_key_jwt assertions and request objects (ES256)
	// of realop-jar and realop-fapi; its kid is SigningKID.
	Signing    *ecdsa.PrivateKey
	SigningKID string
	// EncryptionRSA decrypts what is encrypted with RSA-OAEP-256 for
	// realop-jwe; its kid is EncryptionRSAKID.
	EncryptionRSA    *rsa.PrivateKey
	EncryptionRSAKID string
	// EncryptionEC decrypts what is encrypted with ECDH-ES (P-256) for
	// realop-jwe and realop-jwe-ec; its kid is EncryptionECKID.
	EncryptionEC    *ecdsa.PrivateKey
	EncryptionECKID string
}

// privateJWK holds the members of an RSA or P-256 private JWK.
type privateJWK struct {
	Kty string `json:"kty"`
	Kid string `json:"kid"`
	Crv string `json:"crv"`
	X   string `json:"x"`
	Y   string `json:"y"`
	D   string `json:"d"`
	N   string `json:"n"`
	E   string `json:"e"`
	P   string `json:"p"`
	Q   string `json:"q"`
}

// parseClientKeys reads the clientKeys member of the READY line.
func parseClientKeys(raw map[string]json.RawMessage) (ClientKeys, error) {
	var k ClientKeys
	var err error
	read := func(name string) (privateJWK, error) {
		var j privateJWK
		if err := json.Unmarshal(raw[name], &j); err != nil {
			return j, fmt.Errorf("realop: client key %s: %w", name, err)
		}
		return j, nil
	}
	sig, err := read("sig")
	if err != nil {
		return k, err
	}
	if k.Signing, err = ecKey(sig); err != nil {
		return k, err
	}
	encRSA, err := read("encRSA")
	if err != nil {
		return k, err
	}
	if k.EncryptionRSA, err = rsaKey(encRSA); err != nil {
		return k, err
	}
	encEC, err := read("encEC")
	if err != nil {
		return k, err
	}
	if k.EncryptionEC, err = ecKey(encEC); err != nil {
		return k, err
	}
	k.SigningKID, k.EncryptionRSAKID, k.EncryptionECKID = sig.Kid, encRSA.Kid, encEC.Kid
	return k, nil
}

func b64int(s string) (*big.Int, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(b) == 0 {
		return nil, errors.New("realop: bad JWK number")
	}
	return new(big.Int).SetBytes(b), nil
}

func ecKey(j privateJWK) (*ecdsa.PrivateKey, error) {
	if j.Kty != "EC" || j.Crv != "P-256" {
		return nil, fmt.Errorf("realop: client key %s is not a P-256 key", j.Kid)
	}
	d, err := b64int(j.D)
	if err != nil {
		return nil, err
	}
	raw := make([]byte, 32)
	d.FillBytes(raw)
	key, err := ecdsa.ParseRawPrivateKey(elliptic.P256(), raw)
	if err != nil {
		return nil, fmt.Errorf("realop: client key %s: %w", j.Kid, err)
	}
	return key, nil
}

func rsaKey(j privateJWK) (*rsa.PrivateKey, error) {
	if j.Kty != "RSA" {
		return nil, fmt.Errorf("realop: client key %s is not an RSA key", j.Kid)
	}
	var ints [5]*big.Int
	for i, s := range []string{j.N, j.E, j.D, j.P, j.Q} {
		v, err := b64int(s)
		if err != nil {
			return nil, err
		}
		ints[i] = v
	}
	key := &rsa.PrivateKey{
		PublicKey: rsa.PublicKey{N: ints[0], E: int(ints[1].Int64())},
		D:         ints[2],
		Primes:    []*big.Int{ints[3], ints[4]},
	}
	if err := key.Validate(); err != nil {
		return nil, fmt.Errorf("realop: client key %s: %w", j.Kid, err)
	}
	key.Precompute()
	return key, nil
}
