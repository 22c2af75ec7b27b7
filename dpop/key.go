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
	"math/big"
	"net/url"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Algorithms of DPoP proofs (RFC 7518 names, as in the proofs' alg).
const (
	ES256 = "ES256"
	ES384 = "ES384"
	ES512 = "ES512"
	EdDSA = "EdDSA"
	PS256 = "PS256"
)

// ErrUnsupportedKey is returned by NewKey and GenerateKey for a key or an
// algorithm that cannot sign DPoP proofs.
var ErrUnsupportedKey = errors.New("dpop: unsupported key")

// Key is a client's DPoP key: a private key, the algorithm its proofs are
// signed with, and its public JWK and thumbprint, computed once. A Key is
// immutable and safe for concurrent use. Its String and GoString never
// show the private key.
type Key struct {
	signer     crypto.Signer
	method     jwt.SigningMethod
	jwk        map[string]any // the public JWK, with its required members only
	thumbprint string
}

// NewKey returns the Key of signer: an *ecdsa.PrivateKey on P-256, P-384
// or P-521 (ES256, ES384, ES512), an ed25519.PrivateKey (EdDSA) or an
// *rsa.PrivateKey of 2048 bits or more (PS256).
func NewKey(signer crypto.Signer) (*Key, error) {
	k := &Key{signer: signer}
	switch key := signer.(type) {
	case *ecdsa.PrivateKey:
		var crv string
		var size int
		switch key.Curve {
		case elliptic.P256():
			k.method, crv, size = jwt.SigningMethodES256, "P-256", 32
		case elliptic.P384():
			k.method, crv, size = jwt.SigningMethodES384, "P-384", 48
		case elliptic.P521():
			k.method, crv, size = jwt.SigningMethodES512, "P-521", 66
		default:
			return nil, fmt.Errorf("%w: ECDSA curve %s", ErrUnsupportedKey, key.Curve.Params().Name)
		}
		pub, err := key.PublicKey.Bytes() // 0x04 || X || Y
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrUnsupportedKey, err)
		}
		k.jwk = map[string]any{"kty": "EC", "crv": crv, "x": b64(pub[1 : 1+size]), "y": b64(pub[1+size:])}
	case ed25519.PrivateKey:
		if len(key) != ed25519.PrivateKeySize {
			return nil, fmt.Errorf("%w: Ed25519 key of %d bytes", ErrUnsupportedKey, len(key))
		}
		k.method = jwt.SigningMethodEdDSA
		k.jwk = map[string]any{"kty": "OKP", "crv": "Ed25519", "x": b64(key.Public().(ed25519.PublicKey))}
	case *rsa.PrivateKey:
		if key.N.BitLen() < 2048 {
			return nil, fmt.Errorf("%w: RSA key of %d bits (at least 2048)", ErrUnsupportedKey, key.N.BitLen())
		}
		k.method = jwt.SigningMethodPS256
		k.jwk = map[string]any{"kty": "RSA", "n": b64(key.N.Bytes()), "e": b64(big.NewInt(int64(key.E)).Bytes())}
	default:
		return nil, fmt.Errorf("%w: %T", ErrUnsupportedKey, signer)
	}
	k.thumbprint = thumbprint(k.jwk)
	return k, nil
}

// GenerateKey makes a new key for alg: ES256, ES384, ES512, EdDSA or
// PS256 (RSA of 2048 bits).
func GenerateKey(alg string) (*Key, error) {
	var (
		s   crypto.Signer
		err error
	)
	switch alg {
	case ES256:
		s, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case ES384:
		s, err = ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	case ES512:
		s, err = ecdsa.GenerateKey(elliptic.P521(), rand.Reader)
	case EdDSA:
		_, s, err = ed25519.GenerateKey(rand.Reader)
	case PS256:
		s, err = rsa.GenerateKey(rand.Reader, 2048)
	default:
		return nil, fmt.Errorf("%w: algorithm %q", ErrUnsupportedKey, alg)
	}
	if err != nil {
		return nil, fmt.Errorf("dpop: generate %s key: %w", alg, err)
	}
	return NewKey(s)
}

// Algorithm returns the alg of the key's proofs.
func (k *Key) Algorithm() string { return k.method.Alg() }

// Signer returns the private key, for the application to store (see the
// package documentation).
func (k *Key) Signer() crypto.Signer { return k.signer }

// Thumbprint returns the key's JWK SHA-256 thumbprint (RFC 7638),
// base64url-encoded: the dpop_jkt of authorization requests (RFC 9449 §10)
// and the jkt of the tokens bound to the key (cnf.jkt, §6).
func (k *Key) Thumbprint() string { return k.thumbprint }

// PublicJWK returns the public key as a JWK (its required members only).
func (k *Key) PublicJWK() json.RawMessage {
	b, _ := json.Marshal(k.jwk)
	return b
}

// String describes the key by its algorithm and thumbprint, never its
// private part.
func (k *Key) String() string { return "dpop.Key{" + k.Algorithm() + ", jkt=" + k.thumbprint + "}" }

// GoString is String, so that %#v shows no private key either.
func (k *Key) GoString() string { return k.String() }

// Proof describes one request that a DPoP proof is made for.
type Proof struct {
	// Method is the request's HTTP method (htm).
	Method string
	// URL is the request's URL; its query and fragment are left out of
	// htu (RFC 9449 §4.2).
	URL string
	// AccessToken, when the request carries one, is hashed into ath.
	AccessToken string
	// Nonce is the server's last DPoP-Nonce, when it gave one.
	Nonce string
	// IssuedAt is iat, the current time of the caller's clock.
	IssuedAt time.Time
}

// Proof signs a DPoP proof JWT for p (RFC 9449 §4.2): typ dpop+jwt, the
// algorithm and public JWK of the key in the header; a unique jti, htm,
// htu, iat, and ath and nonce when given. The proof is a credential for one
// request: never log it.
func (k *Key) Proof(p Proof) (string, error) {
	if p.Method == "" || p.IssuedAt.IsZero() {
		return "", errors.New("dpop: a proof needs the request's method and the time")
	}
	htu, err := targetURI(p.URL)
	if err != nil {
		return "", err
	}
	jti := make([]byte, 16)
	_, _ = rand.Read(jti)
	claims := jwt.MapClaims{
		"jti": b64(jti),
		"htm": p.Method,
		"htu": htu,
		"iat": p.IssuedAt.Unix(),
	}
	if p.AccessToken != "" {
		sum := sha256.Sum256([]byte(p.AccessToken))
		claims["ath"] = b64(sum[:])
	}
	if p.Nonce != "" {
		claims["nonce"] = p.Nonce
	}
	t := jwt.NewWithClaims(k.method, claims)
	t.Header["typ"] = "dpop+jwt"
	t.Header["jwk"] = k.jwk
	s, err := t.SignedString(k.signer)
	if err != nil {
		return "", fmt.Errorf("dpop: sign the proof: %w", err)
	}
	return s, nil
}

// targetURI is htu: the URL without query and fragment.
func targetURI(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return "", errors.New("dpop: a proof needs the request's absolute URL")
	}
	u.RawQuery, u.ForceQuery, u.Fragment, u.RawFragment, u.User = "", false, "", "", nil
	return u.String(), nil
}

// thumbprint computes the RFC 7638 thumbprint: SHA-256 over the required
// members in lexicographic order, without whitespace.
func thumbprint(jwk map[string]any) string {
	var names []string
	switch jwk["kty"] {
	case "EC":
		names = []string{"crv", "kty", "x", "y"}
	case "OKP":
		names = []string{"crv", "kty", "x"}
	case "RSA":
		names = []string{"e", "kty", "n"}
	}
	var b strings.Builder
	b.WriteByte('{')
	for i, n := range names {
		if i > 0 {
			b.WriteByte(',')
		}
		// The members are base64url strings and fixed names: no escaping.
		fmt.Fprintf(&b, "%q:%q", n, jwk[n])
	}
	b.WriteByte('}')
	sum := sha256.Sum256([]byte(b.String()))
	return b64(sum[:])
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }
