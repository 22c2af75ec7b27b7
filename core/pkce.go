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
	var buf [43]byte
	return string(base64.RawURLEncoding.AppendEncode(buf[:0], sum[:]))
}

// randomString returns n bytes from crypto/rand, base64url-encoded without
// padding. It is used for state, nonce and PKCE verifiers.
func randomString(n int) string {
	// Both buffers stay on the stack for the sizes the library uses, so
	// that the string is the only allocation.
	var raw [32]byte
	var text [43]byte
	b := raw[:]
	if n > len(raw) {
		b = make([]byte, n)
	}
	b = b[:n]
	// crypto/rand.Read never fails on supported platforms (Go 1.24+).
	_, _ = rand.Read(b)
	return string(base64.RawURLEncoding.AppendEncode(text[:0], b))
}

// loginSecrets are the random values of one login, each base64url-encoded
// without padding: the state and the PKCE verifier (32 bytes each, as
// randomString(32)) and the nonce (24 bytes).
type loginSecrets struct{ state, verifier, nonce string }

// newLoginSecrets draws the three with one read from crypto/rand and
// encodes them into one string, of which each is a part: one allocation
// and one read instead of three of each, on the path of every login.
func newLoginSecrets() loginSecrets {
	var raw [32 + 32 + 24]byte
	var text [43 + 43 + 32]byte
	_, _ = rand.Read(raw[:])
	enc := base64.RawURLEncoding
	enc.Encode(text[:43], raw[:32])
	enc.Encode(text[43:86], raw[32:64])
	enc.Encode(text[86:], raw[64:])
	s := string(text[:])
	return loginSecrets{state: s[:43], verifier: s[43:86], nonce: s[86:]}
}
