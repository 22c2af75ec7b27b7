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
	curve  elliptic.Curve // nil for RSA
}

var algorithms = map[string]algorithm{
	"RS256": {jwt.SigningMethodRS256, crypto.SHA256, nil},
	"RS384": {jwt.SigningMethodRS384, crypto.SHA384, nil},
	"RS512": {jwt.SigningMethodRS512, crypto.SHA512, nil},
	"PS256": {jwt.SigningMethodPS256, crypto.SHA256, nil},
	"ES256": {jwt.SigningMethodES256, crypto.SHA256, elliptic.P256()},
	"ES384": {jwt.SigningMethodES384, crypto.SHA384, elliptic.P384()},
}

// signingKey is one private key with its public JWK.
type signingKey struct {
	kid     string
	alg     algorithm
	private crypto.Signer
	jwk     map[string]any
}

// newSigningKey generates a key for alg. Its kid is the RFC 7638 JWK
// thumbprint, so every key has a distinct, stable kid.
func newSigningKey(name string) (*signingKey, error) {
	alg := algorithms[name]
	k := &signingKey{alg: alg}
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

// sign returns the compact JWS of claims with the key's kid in the header.
func (k *signingKey) sign(claims map[string]any) (string, error) {
	t := jwt.NewWithClaims(k.alg.method, jwt.MapClaims(claims))
	t.Header["kid"] = k.kid
	return t.SignedString(k.private)
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

// RotateKey generates a new signing key and makes it current. The previous
// keys stay in the JWKS, so tokens they signed still verify, until
// RemoveKey removes them. It returns the new key's kid.
func (s *Server) RotateKey() (string, error) {
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
// the current signing key.
func (s *Server) KeyIDs() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	ids := make([]string, len(s.keys.published))
	for i, k := range s.keys.published {
		ids[i] = k.kid
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
	keys := make([]map[string]any, len(s.keys.published))
	for i, k := range s.keys.published {
		keys[i] = k.jwk
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"keys": keys})
}
