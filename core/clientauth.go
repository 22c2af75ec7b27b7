package core

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// assertionLifetime is the exp of RFC 7523 client assertions: short, since
// each is used once.
const assertionLifetime = time.Minute

const assertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

// authenticate applies the client's authentication method to r, the same
// way for every endpoint that authenticates the client (token, revocation,
// introspection, device authorization). Exactly one method is used
// (RFC 6749 §2.3.1: never Basic together with a body secret).
func (c *Client) authenticate(r *Request) error {
	switch c.cfg.AuthMethod {
	case AuthSecretBasic:
		r.Header["Authorization"] = []string{c.basicAuth}
	case AuthSecretPost:
		r.Params.Set("client_id", c.cfg.ClientID)
		r.Params.Set("client_secret", c.cfg.ClientSecret)
	case AuthNone:
		r.Params.Set("client_id", c.cfg.ClientID)
	case AuthSignedRequest:
		// The dialect's EditRequest signs the request once it is complete.
	case AuthPrivateKeyJWT, AuthSecretJWT:
		a, err := c.clientAssertion()
		if err != nil {
			return err
		}
		r.Params.Set("client_id", c.cfg.ClientID)
		r.Params.Set("client_assertion_type", assertionType)
		r.Params.Set("client_assertion", a)
	}
	return nil
}

// basicAuth encodes id and secret as RFC 6749 §2.3.1 requires: each is
// application/x-www-form-urlencoded before the Basic encoding.
func basicAuth(id, secret string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(id)+":"+url.QueryEscape(secret)))
}

// clientAssertion signs an RFC 7523 §3 assertion: iss = sub = client_id,
// aud = the issuer identifier (RFC 9700 §2.5 guidance: a single string, not
// a URL taken from metadata), a unique jti, iat, and an exp one minute on.
func (c *Client) clientAssertion() (string, error) {
	aud := c.cfg.Issuer
	if aud == "" || c.cfg.TokenEndpointAudience {
		aud = c.cfg.Endpoints.TokenURL
	}
	now := c.clock.Now()
	jti := make([]byte, 16)
	if _, err := rand.Read(jti); err != nil {
		return "", fmt.Errorf("oauth20: client assertion: %w", err)
	}
	// aud is a single string, not an array of one: the issuer identifier
	// "as a single string" is what RFC 7523bis asks for, and what FAPI 2.0
	// servers (oidc-provider's) require.
	claims := jwt.MapClaims{
		"iss": c.cfg.ClientID,
		"sub": c.cfg.ClientID,
		"aud": aud,
		"jti": base64.RawURLEncoding.EncodeToString(jti),
		"iat": now.Unix(),
		"exp": now.Add(assertionLifetime).Unix(),
	}
	var (
		method jwt.SigningMethod
		key    any
	)
	if c.cfg.AuthMethod == AuthSecretJWT {
		method, key = jwt.SigningMethodHS256, []byte(c.cfg.ClientSecret)
	} else {
		m, err := signingMethodFor(c.cfg.PrivateKey)
		if err != nil {
			return "", err
		}
		method, key = m, c.cfg.PrivateKey
	}
	t := jwt.NewWithClaims(method, claims)
	if c.cfg.KeyID != "" && c.cfg.AuthMethod == AuthPrivateKeyJWT {
		t.Header["kid"] = c.cfg.KeyID
	}
	s, err := t.SignedString(key)
	if err != nil {
		return "", fmt.Errorf("oauth20: client assertion: signing failed: %w", err)
	}
	return s, nil
}

// signingMethodFor picks the JWS algorithm for a private key: RS256 for RSA,
// ES256/384/512 by curve, EdDSA for Ed25519.
func signingMethodFor(k crypto.Signer) (jwt.SigningMethod, error) {
	switch key := k.(type) {
	case *rsa.PrivateKey:
		if key.N.BitLen() < 2048 {
			return nil, fmt.Errorf("RSA key of %d bits is too short (minimum 2048)", key.N.BitLen())
		}
		return jwt.SigningMethodRS256, nil
	case *ecdsa.PrivateKey:
		switch key.Curve {
		case elliptic.P256():
			return jwt.SigningMethodES256, nil
		case elliptic.P384():
			return jwt.SigningMethodES384, nil
		case elliptic.P521():
			return jwt.SigningMethodES512, nil
		}
		return nil, errors.New("unsupported ECDSA curve")
	case ed25519.PrivateKey:
		return jwt.SigningMethodEdDSA, nil
	}
	return nil, fmt.Errorf("unsupported private key type %T", k)
}
