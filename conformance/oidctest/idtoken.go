package oidctest

import (
	"crypto"
	_ "crypto/sha256" // the at_hash hashes
	_ "crypto/sha512"
	"encoding/base64"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// idToken builds and signs the ID token of g (OpenID Connect Core §2,
// §3.1.3.6) for the given access token, applying the ID token faults of f.
// withNonce is false on refresh, where Core §12.2 says not to repeat it.
func (s *Server) idToken(g *grant, accessToken string, withNonce bool, now time.Time, f *Faults) (string, error) {
	key, err := s.signingKeyFor(f)
	if err != nil {
		return "", err
	}

	c := g.user.claims(g.scope)
	c["iss"] = s.tokenIssuer()
	if f.WrongIssuer {
		c["iss"] = AttackerIssuer
	}
	aud := g.clientID
	if f.WrongAudience {
		aud = OtherAudience
	}
	c["aud"] = aud
	c["azp"] = aud
	iat, exp := now, now.Add(s.cfg.IDTokenTTL)
	if f.ExpiredIDToken {
		exp = now.Add(-10 * time.Minute)
		iat = exp.Add(-s.cfg.IDTokenTTL)
	}
	c["iat"] = iat.Unix()
	c["exp"] = exp.Unix()
	c["auth_time"] = g.authTime.Unix()
	c["sid"] = g.sid
	if withNonce && g.nonce != "" && !f.OmitNonce {
		c["nonce"] = g.nonce
		if f.WrongNonce {
			c["nonce"] = WrongNoncePrefix + g.nonce
		}
	}
	hashed := accessToken
	if f.WrongAtHash {
		hashed += "-other"
	}
	c["at_hash"] = atHash(key.alg.hash, hashed)

	if f.NoneAlgorithm {
		return jwt.NewWithClaims(jwt.SigningMethodNone, jwt.MapClaims(c)).
			SignedString(jwt.UnsafeAllowNoneSignatureType)
	}
	client, _ := s.lookupClient(g.clientID)
	signed, err := key.sign(c, client.Secret)
	if err != nil || !f.BadSignature {
		return signed, err
	}
	return corruptSignature(signed), nil
}

// atHash is the at_hash of OpenID Connect Core §3.1.3.6: the left half of
// the hash of the access token's ASCII octets, base64url-encoded, with the
// hash of the JWS algorithm.
func atHash(h crypto.Hash, accessToken string) string {
	d := h.New()
	d.Write([]byte(accessToken))
	sum := d.Sum(nil)
	return base64.RawURLEncoding.EncodeToString(sum[:len(sum)/2])
}

// corruptSignature flips bits of a compact JWS's signature, keeping its
// length and encoding valid.
func corruptSignature(jws string) string {
	i := strings.LastIndexByte(jws, '.')
	sig, err := base64.RawURLEncoding.DecodeString(jws[i+1:])
	if err != nil || len(sig) == 0 {
		return jws + "x"
	}
	sig[len(sig)/2] ^= 0xff
	return jws[:i+1] + base64.RawURLEncoding.EncodeToString(sig)
}
