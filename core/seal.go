package core

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"sync"
)

// MinSealingKeyLen is the shortest sealing key accepted: 32 bytes.
const MinSealingKeyLen = 32

// maxSealedLen bounds the sealed values Open accepts (a cookie is at most
// 4 KiB anyway); longer input is rejected before any decoding.
const maxSealedLen = 4096

// ErrUnseal is returned for a sealed value that is malformed, was sealed
// with an unknown key, was tampered with, or belongs to another context.
var ErrUnseal = errors.New("oauth20: sealed value is invalid")

// sealer encrypts and authenticates small records with AES-256-GCM. The
// first key seals; every key opens, so keys can be rotated by putting the
// new key first and keeping the old one until its cookies have expired.
type sealer struct {
	aeads []cipher.AEAD
}

// newSealer derives one AES-256 key per secret with HKDF-SHA256, so that
// secrets of any length ≥ 32 bytes give full-strength keys.
func newSealer(secrets [][]byte) (*sealer, error) {
	s := &sealer{}
	for i, sec := range secrets {
		if len(sec) < MinSealingKeyLen {
			return nil, configError("sealing key %d is %d bytes; at least %d are required", i+1, len(sec), MinSealingKeyLen)
		}
		if why := notRandom(sec); why != "" {
			return nil, configError("sealing key %d is not random (%s): make one with `openssl rand -base64 32` or `oauth20 keygen`", i+1, why)
		}
		key, err := hkdf.Key(sha256.New, sec, nil, "oauth20 sealing key v1", 32)
		if err != nil {
			return nil, configError("sealing key %d: %v", i+1, err)
		}
		block, err := aes.NewCipher(key)
		if err != nil {
			return nil, configError("sealing key %d: %v", i+1, err)
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, configError("sealing key %d: %v", i+1, err)
		}
		s.aeads = append(s.aeads, aead)
	}
	if len(s.aeads) == 0 {
		return nil, configError("no sealing key: set at least one of %d bytes or more", MinSealingKeyLen)
	}
	return s, nil
}

// seal encrypts plaintext bound to context (additional data) and returns
// base64url text: a random 12-byte nonce followed by the ciphertext. The
// sealed bytes and the additional data live only until the text is
// encoded: their buffers are reused, and a flow cookie's text fits the
// stack buffer, so that the string is the only allocation.
func (s *sealer) seal(plaintext []byte, context string) string {
	sb := sealBuffers.Get().(*sealBuffer)
	defer sealBuffers.Put(sb)
	sb.out = s.sealInto(sb, sb.out[:0], plaintext, context)
	var text [1024]byte
	return string(base64.RawURLEncoding.AppendEncode(text[:0], sb.out))
}

// sealBytes is seal without the text encoding, for values kept in a Store;
// the returned slice is the caller's.
func (s *sealer) sealBytes(plaintext []byte, context string) []byte {
	sb := sealBuffers.Get().(*sealBuffer)
	defer sealBuffers.Put(sb)
	return s.sealInto(sb, nil, plaintext, context)
}

// sealInto appends a random nonce and the sealed plaintext to dst.
func (s *sealer) sealInto(sb *sealBuffer, dst, plaintext []byte, context string) []byte {
	aead := s.aeads[0]
	dst = append(dst, make([]byte, aead.NonceSize())...)
	_, _ = rand.Read(dst)
	sb.ad = append(sb.ad[:0], context...)
	return aead.Seal(dst, dst, plaintext, sb.ad)
}

// sealRecord seals the flow record rec, bound to context, with its JSON
// written into a reused buffer.
func (s *sealer) sealRecord(rec *flowRecord, context string) string {
	sb := sealBuffers.Get().(*sealBuffer)
	defer sealBuffers.Put(sb)
	sb.plain = rec.appendJSON(sb.plain[:0])
	return s.seal(sb.plain, context)
}

type sealBuffer struct{ plain, out, ad []byte }

// sealBuffers holds the buffers of seal and sealRecord.
var sealBuffers = sync.Pool{New: func() any {
	return &sealBuffer{plain: make([]byte, 0, 512), out: make([]byte, 0, 512), ad: make([]byte, 0, 64)}
}}

// open reverses seal with any of the keys.
func (s *sealer) open(sealed, context string) ([]byte, error) {
	if len(sealed) > maxSealedLen {
		return nil, fmt.Errorf("%w: %d bytes is too long", ErrUnseal, len(sealed))
	}
	raw, err := base64.RawURLEncoding.DecodeString(sealed)
	if err != nil {
		return nil, fmt.Errorf("%w: not base64url", ErrUnseal)
	}
	return s.openBytes(raw, context)
}

// openBytes reverses sealBytes with any of the keys. It does not bound the
// length of raw: its callers do.
func (s *sealer) openBytes(raw []byte, context string) ([]byte, error) {
	for _, aead := range s.aeads {
		n := aead.NonceSize()
		if len(raw) < n+aead.Overhead() {
			return nil, fmt.Errorf("%w: too short", ErrUnseal)
		}
		if pt, err := aead.Open(nil, raw[:n], raw[n:], []byte(context)); err == nil {
			return pt, nil
		}
	}
	return nil, fmt.Errorf("%w: authentication failed", ErrUnseal)
}

// maxWeakPeriod is the longest pattern whose repetition makes a sealing key
// obviously not random.
const maxWeakPeriod = 8

// notRandom says why key is obviously not random, or "": every byte the
// same, a count up or down by a fixed step ("abcdef…", 0x00 0x01 …), or a
// pattern of up to maxWeakPeriod bytes repeated ("secret12secret12…"). Such
// keys come from placeholders and examples, not from a random source; a
// random key of 32 bytes has one of these shapes with a probability far
// below 2^-190. The reason never shows the key.
func notRandom(key []byte) string {
	step := key[1] - key[0]
	counting := true
	for i := 2; i < len(key) && counting; i++ {
		counting = key[i]-key[i-1] == step
	}
	switch {
	case counting && step == 0:
		return "every byte is the same"
	case counting:
		return "its bytes count by a fixed step"
	}
	for period := 2; period <= maxWeakPeriod; period++ {
		repeats := true
		for i := period; i < len(key) && repeats; i++ {
			repeats = key[i] == key[i-period]
		}
		if repeats {
			return fmt.Sprintf("a pattern of %d bytes repeated", period)
		}
	}
	return ""
}
