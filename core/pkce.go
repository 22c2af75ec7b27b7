package core

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
)

// GenerateVerifier returns a fresh PKCE code verifier: 32 bytes from
// crypto/rand, base64url-encoded without padding (43 characters, RFC 7636
// §4.1 and its recommendation of 256 bits of entropy).
func GenerateVerifier() string { return randomString(32) }

// s256Challenge returns the S256 code challenge of a verifier:
// BASE64URL(SHA256(ASCII(verifier))) without padding (RFC 7636 §4.2).
func s256Challenge(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// randomString returns n bytes from crypto/rand, base64url-encoded without
// padding. It is used for state, nonce and PKCE verifiers.
func randomString(n int) string {
	b := make([]byte, n)
	// crypto/rand.Read never fails on supported platforms (Go 1.24+).
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
