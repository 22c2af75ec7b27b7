package oidctest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"math/big"
	"net/http"

	"github.com/golang-jwt/jwt/v5"
)

// ErrKey is wrapped by RemoveKey's errors.
var ErrKey = errors.New("oidctest: key")

// algorithm is a supported JWS algorithm: how to sign, which hash at_hash
// uses (OpenID Connect Core §3.1.3.6), and how to make a key.
type algorithm struct {
	method jwt.SigningMethod
	hash   crypto.Hash
	curve  elliptic.Curve // nil for RSA and HMAC
	hmac   bool           // keyed with the client secret
}

var algorithms = map[string]algorithm{
	"RS256": {jwt.SigningMethodRS256, crypto.SHA256, nil, false},
	"RS384": {jwt.SigningMethodRS384, crypto.SHA384, nil, false},
	"RS512": {jwt.SigningMethodRS512, crypto.SHA512, nil, false},
	"PS256": {jwt.SigningMethodPS256, crypto.SHA256, nil, false},
	"ES256": {jwt.SigningMethodES256, crypto.SHA256, elliptic.P256(), false},
	"ES384": {jwt.SigningMethodES384, crypto.SHA384, elliptic.P384(), false},
	"HS256": {jwt.SigningMethodHS256, crypto.SHA256, nil, true},
	"HS384": {jwt.SigningMethodHS384, crypto.SHA384, nil, true},
	"HS512": {jwt.SigningMethodHS512, crypto.SHA512, nil, true},
}

// signingKey is one private key with its public JWK. An HMAC key has
// neither: it signs with the client's secret, or with secret when set (the
// key of Faults.UnpublishedKey).
type signingKey struct {
	kid     string
	alg     algorithm
	private crypto.Signer
	secret  []byte
	jwk     map[string]any
}

// newSigningKey generates a key for alg. Its kid is the RFC 7638 JWK
// thumbprint, so every key has a distinct, stable kid.
func newSigningKey(name string) (*signingKey, error) {
	alg := algorithms[name]
	k := &signingKey{alg: alg}
	if alg.hmac {
		return k, nil
	}
	b64 := base64.RawURLEncoding.EncodeToString
	var thumb string
	if alg.curve == nil {
		priv, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			return nil, fmt.Errorf("oidctest: generating RSA key: %w", err)
		}
		n := b64(priv.N.Bytes())
		e := b64(big.NewInt(int64(priv.E)).Bytes())
		k.private = priv
		k.jwk = map[string]any{"kty": "RSA", "n": n, "e": e}
		thumb = fmt.Sprintf(`{"e":%q,"kty":"RSA","n":%q}`, e, n)
	} else {
		priv, err := ecdsa.GenerateKey(alg.curve, rand.Reader)
		if err != nil {
			return nil, fmt.Errorf("oidctest: generating EC key: %w", err)
		}
		pub, err := priv.PublicKey.ECDH()
		if err != nil {
			return nil, fmt.Errorf("oidctest: encoding EC key: %w", err)
		}
		point := pub.Bytes()[1:] // uncompressed: 0x04 || X || Y, fixed size
		x, y := b64(point[:len(point)/2]), b64(point[len(point)/2:])
		crv := alg.curve.Params().Name
		k.private = priv
		k.jwk = map[string]any{"kty": "EC", "crv": crv, "x": x, "y": y}
		thumb = fmt.Sprintf(`{"crv":%q,"kty":"EC","x":%q,"y":%q}`, crv, x, y)
	}
	sum := sha256.Sum256([]byte(thumb))
	k.kid = b64(sum[:])
	k.jwk["kid"] = k.kid
	k.jwk["use"] = "sig"
	k.jwk["alg"] = name
	return k, nil
}

// sign returns the compact JWS of claims with the key's kid in the header;
// an HMAC key signs with clientSecret unless it has its own secret.
func (k *signingKey) sign(claims map[string]any, clientSecret string) (string, error) {
	t := jwt.NewWithClaims(k.alg.method, jwt.MapClaims(claims))
	if !k.alg.hmac {
		t.Header["kid"] = k.kid
		return t.SignedString(k.private)
	}
	secret := k.secret
	if secret == nil {
		secret = []byte(clientSecret)
	}
	if len(secret) == 0 {
		return "", fmt.Errorf("oidctest: %s needs a client secret to sign with", k.alg.method.Alg())
	}
	return t.SignedString(secret)
}

// Sign signs claims with the current key as the server signs its ID
// tokens, kid included, so that a test can give a verifier tokens with
// claims the server would not write. It fails for the HMAC algorithms,
// whose key is a client's secret: sign those with the secret directly.
func (s *Server) Sign(claims map[string]any) (string, error) {
	s.mu.Lock()
	k := s.keys.current()
	s.mu.Unlock()
	if k.alg.hmac {
		return "", fmt.Errorf("%w: %s tokens are signed with a client secret", ErrKey, s.cfg.Algorithm)
	}
	return k.sign(claims, "")
}

// keyring holds the published keys; the last one is current. unpublished
// is the key that Faults.UnpublishedKey signs with.
type keyring struct {
	published   []*signingKey
	unpublished *signingKey
}

func newKeyring(alg string) (keyring, error) {
	k, err := newSigningKey(alg)
	if err != nil {
		return keyring{}, err
	}
	return keyring{published: []*signingKey{k}}, nil
}

func (r *keyring) current() *signingKey { return r.published[len(r.published)-1] }

func (r *keyring) find(kid string) *signingKey {
	for _, k := range r.published {
		if k.kid == kid {
			return k
		}
	}
	return nil
}

// errNoKeyToRotate is returned by RotateKey and ReplaceKey for the HMAC
// algorithms.
func (s *Server) errNoKeyToRotate() error {
	return fmt.Errorf("%w: %s signs with the client secret: there is no key to rotate", ErrKey, s.cfg.Algorithm)
}

// RotateKey generates a new signing key and makes it current. The previous
// keys stay in the JWKS, so tokens they signed still verify, until
// RemoveKey removes them. It returns the new key's kid.
func (s *Server) RotateKey() (string, error) {
	if algorithms[s.cfg.Algorithm].hmac {
		return "", s.errNoKeyToRotate()
	}
	k, err := newSigningKey(s.cfg.Algorithm)
	if err != nil {
		return "", err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.keys.published = append(s.keys.published, k)
	return k.kid, nil
}

// ReplaceKey generates a new signing key, makes it current and removes every
// other key from the JWKS at once: a rotation without overlap, after which
// tokens signed before no longer verify. It returns the new key's kid.
func (s *Server) ReplaceKey() (string, error) {
	if algorithms[s.cfg.Algorithm].hmac {
		return "", s.errNoKeyToRotate()
	}
	k, err := newSigningKey(s.cfg.Algorithm)
	if err != nil {
		return "", err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.keys.published = []*signingKey{k}
	return k.kid, nil
}

// ReplaceKeyKeepKID generates a new signing key that takes the current
// key's place under the same kid: a provider that restarts with fresh keys
// but names them as before (go-oidc#243). Tokens signed before no longer
// verify, and a client that cached the old key sees a bad signature for a
// kid it knows. It returns the kid.
func (s *Server) ReplaceKeyKeepKID() (string, error) {
	k, err := newSigningKey(s.cfg.Algorithm)
	if err != nil {
		return "", err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	kid := s.keys.current().kid
	k.kid = kid
	k.jwk["kid"] = kid
	s.keys.published[len(s.keys.published)-1] = k
	return kid, nil
}

// RemoveKey stops publishing the key with the given kid. The current key
// cannot be removed; rotate first.
func (s *Server) RemoveKey(kid string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.keys.current().kid == kid {
		return fmt.Errorf("%w: %q is the current signing key", ErrKey, kid)
	}
	for i, k := range s.keys.published {
		if k.kid == kid {
			s.keys.published = append(s.keys.published[:i:i], s.keys.published[i+1:]...)
			return nil
		}
	}
	return fmt.Errorf("%w: %q is not published", ErrKey, kid)
}

// KeyIDs returns the kids of the published keys, oldest first; the last is
// the current signing key. It is empty for the HMAC algorithms.
func (s *Server) KeyIDs() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var ids []string
	for _, k := range s.keys.published {
		if k.jwk != nil {
			ids = append(ids, k.kid)
		}
	}
	return ids
}

// signingKeyFor returns the key an ID token is signed with under f. The
// unpublished key is made on first use.
func (s *Server) signingKeyFor(f *Faults) (*signingKey, error) {
	s.mu.Lock()
	k, unpublished := s.keys.current(), s.keys.unpublished
	s.mu.Unlock()
	if !f.UnpublishedKey {
		return k, nil
	}
	if unpublished != nil {
		return unpublished, nil
	}
	k, err := newSigningKey(s.cfg.Algorithm)
	if err != nil {
		return nil, err
	}
	if k.alg.hmac {
		k.secret = []byte(randomString())
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.keys.unpublished == nil {
		s.keys.unpublished = k
	}
	return s.keys.unpublished, nil
}

// jwks serves the JWK Set (RFC 7517 §5) of the published keys.
func (s *Server) jwks(w http.ResponseWriter, _ *http.Request, _ *ErrorResponse) {
	s.mu.Lock()
	keys := make([]map[string]any, 0, len(s.keys.published))
	for _, k := range s.keys.published {
		if k.jwk != nil {
			keys = append(keys, k.jwk)
		}
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"keys": keys})
}
