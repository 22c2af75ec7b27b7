package oidc

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"time"
)

// jarmClaims are the members of a signed authorization response that are
// about the JWT itself rather than response parameters; iss stays, since it
// is the RFC 9207 iss parameter too (JARM §2.1).
var jarmClaims = map[string]bool{"aud": true, "exp": true, "iat": true, "nbf": true, "jti": true}

// maxResponseParams bounds the parameters taken from one response.
const maxResponseParams = 64

// VerifyAuthResponse verifies a JWT Secured Authorization Response (JARM):
// the response parameter of a callback made with response_mode jwt,
// query.jwt or form_post.jwt. In order: size and shape, the header (alg in
// the allow-list of AuthResponseAlgorithms, no crit, typ absent or JWT),
// the signature with the issuer's keys, iss exactly, aud with the client id
// and no untrusted audience, exp (required) and, when present, iat and
// nbf. Only then are the response parameters read: the claims other than
// aud, exp, iat, nbf and jti, as the strings a query would carry (numbers
// and booleans as written; objects and arrays are refused). iss is among
// them, to be checked as the RFC 9207 parameter.
//
// A response encrypted to the client (a JWE) is decrypted first when the
// Verifier has decryption keys; errors wrap the sentinel of the failed
// check as Verify's do. VerifyAuthResponse does not check state: the login
// flow compares it with the one it sent.
func (v *Verifier) VerifyAuthResponse(ctx context.Context, raw string) (url.Values, error) {
	if isCompactJWE(raw) {
		inner, err := v.decrypt(raw, v.authRespEnc)
		if err != nil {
			return nil, err
		}
		raw = inner
	} else if v.authRespEnc.registered() {
		return nil, fmt.Errorf("%w: the authorization response is only signed", ErrNotEncrypted)
	}
	r, err := v.verifyAddressed(ctx, raw, kindAuthResponse)
	if err != nil {
		return nil, err
	}
	c, now := &r.c, v.now()
	switch {
	case c.has&hasExp == 0:
		return nil, fmt.Errorf("%w: %w: %q", ErrTokenExpired, ErrMissingClaim, "exp")
	case !now.Before(c.t.Expiry.Add(v.skew)):
		return nil, fmt.Errorf("%w: the response expired %s ago", ErrTokenExpired, now.Sub(c.t.Expiry).Truncate(time.Second))
	case c.has&hasIat != 0 && c.t.IssuedAt.After(now.Add(v.skew)):
		return nil, fmt.Errorf("%w: iat is %s ahead of the clock", ErrIssuedInFuture, c.t.IssuedAt.Sub(now).Truncate(time.Second))
	case c.has&hasNbf != 0 && c.t.NotBefore.After(now.Add(v.skew)):
		return nil, fmt.Errorf("%w: nbf is %s ahead of the clock", ErrTokenNotYetValid, c.t.NotBefore.Sub(now).Truncate(time.Second))
	}
	return responseParams(c.payload)
}

// responseParams reads the response parameters of a verified payload.
func responseParams(payload []byte) (url.Values, error) {
	out := url.Values{}
	err := eachMember(payload, func(name []byte, vs, ve int) error {
		n := string(name)
		if jarmClaims[n] {
			return nil
		}
		if len(out) >= maxResponseParams {
			return fmt.Errorf("more than %d parameters", maxResponseParams)
		}
		val := payload[vs:ve]
		switch val[0] {
		case '"':
			var s string
			if err := json.Unmarshal(val, &s); err != nil {
				return fmt.Errorf("parameter %q: %v", n, err)
			}
			out.Set(n, s)
		case 'n': // null is the same as absent
		case '{', '[':
			return fmt.Errorf("parameter %q is not a string", n)
		default: // a number or a boolean, as written
			out.Set(n, string(val))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("%w: authorization response: %v", ErrMalformedToken, err)
	}
	return out, nil
}
