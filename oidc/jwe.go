package oidc

// Decryption of what a provider encrypts to the client (OpenID Connect Core
// §10.2, §16.14; JARM §2.3): ID tokens, UserInfo answers and authorization
// responses as JWE compact serialisations. The cryptography is go-jose's;
// what is written here is the policy around it, because it is what a
// hostile provider or attacker aims at: a closed list of algorithms (no
// RSA1_5, no PBES2 and its p2c, no keys derived from the client secret),
// no compression (a decompression bomb cannot start), no crit, a size
// bound before anything is decoded, the registered alg and enc pinned, and
// the key chosen by kid from the client's own keys only. Signatures stay
// with golang-jwt: a decrypted token is verified as any other.

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"encoding/base64"
	"fmt"
	"slices"
	"strings"

	jose "github.com/go-jose/go-jose/v4"
)

// MaxEncryptedSize is the largest compact JWE accepted, checked before
// anything is decoded.
const MaxEncryptedSize = 2 * MaxTokenSize

// Key management and content encryption algorithms that the Verifier
// decrypts (RFC 7518 §4, §5).
var (
	jweKeyAlgs = []string{"RSA-OAEP", "RSA-OAEP-256", "ECDH-ES", "ECDH-ES+A128KW", "ECDH-ES+A192KW", "ECDH-ES+A256KW"}
	jweEncs    = []string{"A128GCM", "A192GCM", "A256GCM", "A128CBC-HS256", "A192CBC-HS384", "A256CBC-HS512"}
)

// DecryptionKey is one of the client's private keys for what the provider
// encrypts to it; the provider holds the public key (the client's jwks or
// jwks_uri, with use "enc").
type DecryptionKey struct {
	// Key is an *rsa.PrivateKey (of 2048 bits or more) for RSA-OAEP and
	// RSA-OAEP-256, or an *ecdsa.PrivateKey for the ECDH-ES algorithms.
	Key crypto.PrivateKey
	// KeyID is the kid the provider names in the JWE header; empty means
	// the key is tried for any JWE whose alg fits it.
	KeyID string
}

// Encryption is an encryption the client registered (OpenID Connect
// Registration §2: id_token_encrypted_response_alg and _enc, and their
// userinfo_ and authorization_ counterparts). The zero value means none
// was registered. Alg is a key management algorithm (RSA-OAEP,
// RSA-OAEP-256, ECDH-ES, ECDH-ES+A128KW, ECDH-ES+A192KW, ECDH-ES+A256KW);
// Enc a content encryption (A128GCM, A192GCM, A256GCM, A128CBC-HS256,
// A192CBC-HS384, A256CBC-HS512), A128CBC-HS256 when empty, as the
// registration default.
type Encryption struct {
	Alg string
	Enc string
}

// registered reports whether an encryption was registered.
func (e Encryption) registered() bool { return e.Alg != "" }

// checkEncryption validates a registered encryption.
func checkEncryption(what string, e Encryption) error {
	if !e.registered() {
		if e.Enc != "" {
			return fmt.Errorf("%s encryption enc %q without alg", what, e.Enc)
		}
		return nil
	}
	if !slices.Contains(jweKeyAlgs, e.Alg) {
		return fmt.Errorf("%s encryption alg %q is not one of %q", what, e.Alg, jweKeyAlgs)
	}
	if e.Enc != "" && !slices.Contains(jweEncs, e.Enc) {
		return fmt.Errorf("%s encryption enc %q is not one of %q", what, e.Enc, jweEncs)
	}
	return nil
}

// checkDecryptionKey validates one key.
func checkDecryptionKey(k DecryptionKey) error {
	switch key := k.Key.(type) {
	case *rsa.PrivateKey:
		if key.N.BitLen() < 2048 {
			return fmt.Errorf("decryption key %q: RSA key of %d bits (at least 2048)", k.KeyID, key.N.BitLen())
		}
	case *ecdsa.PrivateKey:
	default:
		return fmt.Errorf("decryption key %q: %T is neither an RSA nor an ECDSA private key", k.KeyID, k.Key)
	}
	return nil
}

// isCompactJWE reports whether raw has the five segments of a compact JWE.
func isCompactJWE(raw string) bool { return strings.Count(raw, ".") == 4 }

// decrypt opens a compact JWE with the client's keys. want, when
// registered, pins alg and enc. It returns the plaintext.
func (v *Verifier) decrypt(raw string, want Encryption) (string, error) {
	if len(raw) > MaxEncryptedSize {
		return "", fmt.Errorf("%w: %d bytes, more than %d", ErrMalformedToken, len(raw), MaxEncryptedSize)
	}
	if len(v.decKeys) == 0 {
		// Not a token this verifier takes at all.
		return "", fmt.Errorf("%w: %w: the token is encrypted and no decryption key is configured", ErrMalformedToken, ErrDecryption)
	}
	hseg, _, _ := strings.Cut(raw, ".")
	kid, err := checkJWEHeader(hseg)
	if err != nil {
		return "", err
	}
	algs, encs := jweKeyAlgs, jweEncs
	if want.registered() {
		algs, encs = []string{want.Alg}, []string{want.Enc}
		if want.Enc == "" {
			encs = []string{"A128CBC-HS256"}
		}
	}
	obj, err := jose.ParseEncryptedCompact(raw, keyAlgorithms(algs), contentEncryptions(encs))
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrUnsupportedAlgorithm, errorText(err))
	}
	alg := obj.Header.Algorithm
	tried := 0
	for _, k := range v.decKeys {
		if kid != "" && k.KeyID != "" && k.KeyID != kid || !keyFitsJWE(k.Key, alg) {
			continue
		}
		tried++
		plain, err := obj.Decrypt(k.Key)
		if err == nil {
			return string(plain), nil
		}
	}
	if tried == 0 {
		return "", fmt.Errorf("%w: no decryption key fits %s (kid %s)", ErrDecryption, alg, quote(kid))
	}
	return "", fmt.Errorf("%w: %s does not decrypt with the client's keys", ErrDecryption, alg)
}

// checkJWEHeader decodes the protected header before go-jose sees it:
// unique member names, no zip (RFC 7516 §4.1.3: a decompression bomb), no
// crit; it returns the kid.
func checkJWEHeader(seg string) (string, error) {
	if len(seg) > maxHeaderSize {
		return "", fmt.Errorf("%w: JWE header of %d bytes", ErrMalformedToken, len(seg))
	}
	data, err := base64.RawURLEncoding.Strict().DecodeString(seg)
	if err != nil {
		return "", fmt.Errorf("%w: JWE header is not base64url", ErrMalformedToken)
	}
	var kid string
	var bad error
	err = eachMember(data, func(name []byte, vs, ve int) error {
		switch string(name) {
		case "zip":
			bad = fmt.Errorf("%w: compressed JWE (zip) is refused", ErrUnsupportedHeader)
		case "crit":
			bad = fmt.Errorf("%w: crit lists extensions this verifier does not implement", ErrUnsupportedHeader)
		case "kid":
			if ve-vs < 2 || data[vs] != '"' {
				bad = fmt.Errorf("%w: kid is not a string", ErrMalformedToken)
			} else {
				kid = string(data[vs+1 : ve-1])
			}
		}
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("%w: JWE header: %v", ErrMalformedToken, err)
	}
	return kid, bad
}

// keyFitsJWE reports whether key can be the recipient key of alg.
func keyFitsJWE(key any, alg string) bool {
	switch key.(type) {
	case *rsa.PrivateKey:
		return strings.HasPrefix(alg, "RSA-OAEP")
	case *ecdsa.PrivateKey:
		return strings.HasPrefix(alg, "ECDH-ES")
	}
	return false
}

func keyAlgorithms(names []string) []jose.KeyAlgorithm {
	out := make([]jose.KeyAlgorithm, len(names))
	for i, n := range names {
		out[i] = jose.KeyAlgorithm(n)
	}
	return out
}

func contentEncryptions(names []string) []jose.ContentEncryption {
	out := make([]jose.ContentEncryption, len(names))
	for i, n := range names {
		out[i] = jose.ContentEncryption(n)
	}
	return out
}

// errorText shortens a go-jose error for a message (it never holds key
// material or plaintext).
func errorText(err error) string {
	s := err.Error()
	if len(s) > 200 {
		s = s[:200] + "..."
	}
	return s
}
