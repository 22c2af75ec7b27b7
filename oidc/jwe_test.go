package oidc

import (
	"context"
	"crypto/elliptic"
	"errors"
	"strings"
	"testing"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-oauth20/oauth20/internal/testkit"
)

// encryptTo encrypts plaintext to pub as a compact JWE, as a provider
// does; opts may ask for compression or extra headers.
func encryptTo(t testing.TB, plaintext string, alg jose.KeyAlgorithm, enc jose.ContentEncryption, pub any, kid string, opts *jose.EncrypterOptions) string {
	t.Helper()
	if opts == nil {
		opts = &jose.EncrypterOptions{}
	}
	e, err := jose.NewEncrypter(enc, jose.Recipient{Algorithm: alg, Key: pub, KeyID: kid}, opts.WithContentType("JWT"))
	if err != nil {
		t.Fatal(err)
	}
	obj, err := e.Encrypt([]byte(plaintext))
	if err != nil {
		t.Fatal(err)
	}
	s, err := obj.CompactSerialize()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestVerifyEncryptedIDToken: ID tokens signed and then encrypted with
// each allowed key management algorithm are decrypted and verified; the
// verified token's Raw is the signed JWT inside.
func TestVerifyEncryptedIDToken(t *testing.T) {
	t.Parallel()
	clock := newClock()
	key := newKey(t, "k1", "RS256")
	rsaKey := testkit.RSAKey(t)
	ecKey := testkit.ECKey(t, elliptic.P256())
	srv := newJWKSServer(t, key)
	v := newTestVerifier(t, srv, clock, func(c *VerifierConfig) {
		c.DecryptionKeys = []DecryptionKey{{Key: rsaKey, KeyID: "rsa"}, {Key: ecKey, KeyID: "ec"}}
	})
	signed := key.sign(t, claims(clock.Now()), nil)
	for _, tc := range []struct {
		alg jose.KeyAlgorithm
		enc jose.ContentEncryption
		pub any
		kid string
	}{
		{jose.RSA_OAEP_256, jose.A256GCM, &rsaKey.PublicKey, "rsa"},
		{jose.RSA_OAEP, jose.A128CBC_HS256, &rsaKey.PublicKey, ""},
		{jose.ECDH_ES, jose.A128GCM, &ecKey.PublicKey, "ec"},
		{jose.ECDH_ES_A128KW, jose.A128GCM, &ecKey.PublicKey, "ec"},
		{jose.ECDH_ES_A256KW, jose.A256GCM, &ecKey.PublicKey, ""},
	} {
		t.Run(string(tc.alg)+"/"+string(tc.enc), func(t *testing.T) {
			t.Parallel()
			tok, err := v.Verify(context.Background(), encryptTo(t, signed, tc.alg, tc.enc, tc.pub, tc.kid, nil), Expectations{Nonce: testNonce})
			if err != nil {
				t.Fatal(err)
			}
			if tok.Raw != signed || tok.Subject != "248289761001" {
				t.Errorf("Raw is not the signed JWT, or sub %q", tok.Subject)
			}
		})
	}
}

// TestVerifyEncryptedIDTokenRefused: the registered alg and enc are pinned;
// unsafe or unknown algorithms, compression, crit, a JWE without a signed
// JWT inside, the wrong key, and a signed-only token where encryption was
// registered are refused, each with its sentinel.
func TestVerifyEncryptedIDTokenRefused(t *testing.T) {
	t.Parallel()
	clock := newClock()
	key := newKey(t, "k1", "RS256")
	rsaKey := testkit.RSAKey(t)
	ecKey := testkit.ECKey(t, elliptic.P256())
	otherEC := testkit.ECKey(t, elliptic.P256())
	srv := newJWKSServer(t, key)
	registered := newTestVerifier(t, srv, clock, func(c *VerifierConfig) {
		c.DecryptionKeys = []DecryptionKey{{Key: rsaKey, KeyID: "rsa"}, {Key: ecKey, KeyID: "ec"}}
		c.IDTokenEncryption = Encryption{Alg: "RSA-OAEP-256", Enc: "A256GCM"}
	})
	open := newTestVerifier(t, srv, clock, func(c *VerifierConfig) {
		c.DecryptionKeys = []DecryptionKey{{Key: rsaKey, KeyID: "rsa"}, {Key: ecKey, KeyID: "ec"}}
	})
	signed := key.sign(t, claims(clock.Now()), nil)
	tests := []struct {
		name string
		v    *Verifier
		raw  string
		want error
	}{
		{"signed only, encryption registered", registered, signed, ErrNotEncrypted},
		{"other alg than registered", registered, encryptTo(t, signed, jose.RSA_OAEP, jose.A256GCM, &rsaKey.PublicKey, "rsa", nil), ErrUnsupportedAlgorithm},
		{"other enc than registered", registered, encryptTo(t, signed, jose.RSA_OAEP_256, jose.A128GCM, &rsaKey.PublicKey, "rsa", nil), ErrUnsupportedAlgorithm},
		{"RSA1_5", open, encryptTo(t, signed, jose.RSA1_5, jose.A128GCM, &rsaKey.PublicKey, "rsa", nil), ErrUnsupportedAlgorithm},
		{"PBES2", open, encryptTo(t, signed, jose.PBES2_HS256_A128KW, jose.A128GCM, []byte("client-secret"), "", nil), ErrUnsupportedAlgorithm},
		{"compressed", open, encryptTo(t, signed, jose.ECDH_ES, jose.A128GCM, &ecKey.PublicKey, "ec", &jose.EncrypterOptions{Compression: jose.DEFLATE}), ErrUnsupportedHeader},
		{"crit", open, encryptTo(t, signed, jose.ECDH_ES, jose.A128GCM, &ecKey.PublicKey, "ec",
			(&jose.EncrypterOptions{}).WithHeader("crit", []string{"x"}).WithHeader("x", 1)), ErrUnsupportedHeader},
		{"claims inside, unsigned", open, encryptTo(t, `{"iss":"https://op.example","sub":"x"}`, jose.ECDH_ES, jose.A128GCM, &ecKey.PublicKey, "ec", nil), ErrMalformedToken},
		{"another client's key", open, encryptTo(t, signed, jose.ECDH_ES, jose.A128GCM, &otherEC.PublicKey, "ec", nil), ErrDecryption},
		{"unknown kid", open, encryptTo(t, signed, jose.ECDH_ES, jose.A128GCM, &ecKey.PublicKey, "nope", nil), ErrDecryption},
		{"broken ciphertext", open, breakSegment(encryptTo(t, signed, jose.ECDH_ES, jose.A128GCM, &ecKey.PublicKey, "ec", nil), 3), ErrDecryption},
		{"oversized", open, strings.Repeat("a", MaxEncryptedSize) + "....", ErrMalformedToken},
		{"header not base64", open, "!!.a.b.c.d", ErrMalformedToken},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tok, err := tt.v.Verify(context.Background(), tt.raw, Expectations{})
			if !errors.Is(err, tt.want) || tok != nil {
				t.Fatalf("got %v; want %v", err, tt.want)
			}
		})
	}
}

// breakSegment changes one character of segment i of a compact token.
func breakSegment(raw string, i int) string {
	parts := strings.Split(raw, ".")
	b := []byte(parts[i])
	if b[0] == 'A' {
		b[0] = 'B'
	} else {
		b[0] = 'A'
	}
	parts[i] = string(b)
	return strings.Join(parts, ".")
}

// TestEncryptionConfig: registered encryptions need keys and allowed
// algorithms; weak keys are refused.
func TestEncryptionConfig(t *testing.T) {
	t.Parallel()
	base := VerifierConfig{Issuer: "https://op.example", ClientID: testClientID, JWKSURL: "https://op.example/jwks"}
	for name, edit := range map[string]func(*VerifierConfig){
		"no key":      func(c *VerifierConfig) { c.IDTokenEncryption = Encryption{Alg: "RSA-OAEP-256"} },
		"RSA1_5":      func(c *VerifierConfig) { c.UserInfoEncryption = Encryption{Alg: "RSA1_5"} },
		"enc alone":   func(c *VerifierConfig) { c.AuthResponseEncryption = Encryption{Enc: "A128GCM"} },
		"bad enc":     func(c *VerifierConfig) { c.IDTokenEncryption = Encryption{Alg: "ECDH-ES", Enc: "A128CTR"} },
		"ed25519 key": func(c *VerifierConfig) { c.DecryptionKeys = []DecryptionKey{{Key: testkit.Ed25519Key(t)}} },
	} {
		cfg := base
		edit(&cfg)
		if _, err := NewVerifier(cfg); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

// TestEncryptedUserInfo: a UserInfo answer signed and then encrypted is
// opened and verified; with UserInfo encryption registered, a plain one is
// refused.
func TestEncryptedUserInfo(t *testing.T) {
	t.Parallel()
	clock := newClock()
	key := newKey(t, "k1", "ES256")
	ecKey := testkit.ECKey(t, elliptic.P256())
	srv := newJWKSServer(t, key)
	v := newTestVerifier(t, srv, clock, func(c *VerifierConfig) {
		c.DecryptionKeys = []DecryptionKey{{Key: ecKey}}
		c.UserInfoEncryption = Encryption{Alg: "ECDH-ES+A128KW", Enc: "A128GCM"}
	})
	signed := key.sign(t, map[string]any{"iss": "https://op.example", "aud": testClientID, "sub": "u1", "email": "u1@example.com"}, nil)
	body := encryptTo(t, signed, jose.ECDH_ES_A128KW, jose.A128GCM, &ecKey.PublicKey, "", nil)
	info, err := ParseUserInfo(context.Background(), []byte(body), "u1", WithUserInfoVerifier(v))
	if err != nil || !info.Encrypted || !info.Signed || info.Email != "u1@example.com" {
		t.Fatalf("encrypted UserInfo: %+v, %v", info, err)
	}
	if _, err := ParseUserInfo(context.Background(), []byte(`{"sub":"u1"}`), "u1", WithUserInfoVerifier(v)); !errors.Is(err, ErrNotEncrypted) {
		t.Fatalf("plain UserInfo: %v, want ErrNotEncrypted", err)
	}
	// Encrypted claims without a signature are what §5.3.2 allows too.
	claimsOnly := encryptTo(t, `{"sub":"u1"}`, jose.ECDH_ES_A128KW, jose.A128GCM, &ecKey.PublicKey, "", nil)
	if info, err := ParseUserInfo(context.Background(), []byte(claimsOnly), "u1", WithUserInfoVerifier(v)); err != nil || info.Signed || !info.Encrypted {
		t.Fatalf("encrypted claims: %+v, %v", info, err)
	}
}

// FuzzDecrypt feeds arbitrary strings through the JWE path of Verify: it
// must not panic and must fail with a sentinel, and whatever decrypts must
// still verify as a signed ID token. Seeds are in testdata/fuzz/FuzzDecrypt;
// encrypted tokens made with per-run keys are added here.
func FuzzDecrypt(f *testing.F) {
	clock := newAutoClock()
	key := newKey(f, "fz", "ES256")
	rsaKey := testkit.RSAKey(f)
	ecKey := testkit.ECKey(f, elliptic.P256())
	srv := newJWKSServer(f, key)
	v := newTestVerifier(f, srv, clock, func(c *VerifierConfig) {
		c.DecryptionKeys = []DecryptionKey{{Key: rsaKey, KeyID: "rsa"}, {Key: ecKey, KeyID: "ec"}}
	})
	signed := key.sign(f, claims(clock.Now()), nil)
	f.Add(encryptTo(f, signed, jose.RSA_OAEP_256, jose.A256GCM, &rsaKey.PublicKey, "rsa", nil))
	f.Add(encryptTo(f, signed, jose.ECDH_ES_A128KW, jose.A128GCM, &ecKey.PublicKey, "ec", nil))
	f.Add(encryptTo(f, signed, jose.ECDH_ES, jose.A128CBC_HS256, &ecKey.PublicKey, "", nil))
	f.Fuzz(func(t *testing.T, raw string) {
		if !isCompactJWE(raw) {
			return
		}
		tok, err := v.Verify(context.Background(), raw, Expectations{Nonce: testNonce})
		if err != nil {
			if tok != nil {
				t.Fatal("token returned with an error")
			}
			checkSentinel(t, err)
			return
		}
		if tok.Issuer != "https://op.example" || tok.Nonce != testNonce || !isCompactJWS(tok.Raw) {
			t.Fatalf("accepted %+v", tok)
		}
	})
}
