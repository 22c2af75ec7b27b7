package core

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// maxPARLifetime bounds the expires_in of a pushed request that the library
// believes: a request_uri is meant to live seconds to minutes (RFC 9126
// §2.2), so a longer lifetime is a provider bug.
const maxPARLifetime = time.Hour

// pushAuthorization sends the parameters of an authorization request to the
// pushed authorization request endpoint (RFC 9126 §2.1), authenticated as
// at the token endpoint, and returns the request_uri of the answer (§2.2).
// A provider error is an *Error with Endpoint OpPAR, as at the token
// endpoint.
func (c *Client) pushAuthorization(ctx context.Context, params *Params) (string, error) {
	ep := c.cfg.Endpoints.PushedAuthURL
	if ep == "" {
		return "", fmt.Errorf("%w: %s (the provider names no pushed_authorization_request_endpoint)", ErrNoEndpoint, OpPAR)
	}
	r := c.newRequest(OpPAR, ep)
	r.Method, r.Format = http.MethodPost, FormatForm
	params.Each(r.Params.Set)
	resp, err := c.call(ctx, r, true, FormatJSON)
	if err != nil {
		return "", err
	}
	uri, _ := resp.Fields["request_uri"].(string)
	if uri == "" || len(uri) > 2048 {
		return "", fmt.Errorf("oauth20: %s: %w: no usable request_uri", OpPAR, ErrMalformedResponse)
	}
	secs, ok, err := seconds(resp.Fields["expires_in"])
	switch {
	case err != nil:
		return "", fmt.Errorf("oauth20: %s: %w", OpPAR, err)
	case !ok:
		return "", fmt.Errorf("oauth20: %s: %w: expires_in is missing (RFC 9126 §2.2)", OpPAR, ErrMalformedResponse)
	case secs <= 0 || secs > maxPARLifetime.Seconds():
		return "", fmt.Errorf("oauth20: %s: %w: expires_in %s is out of range", OpPAR, ErrInvalidExpiry, strconv.FormatFloat(secs, 'f', -1, 64))
	}
	return uri, nil
}

// authorizationRedirect returns the URL that sends the browser to the
// authorization endpoint with params: as they are, or signed into a request
// object (RFC 9101) when jar, and pushed first (RFC 9126) when par, so that
// the URL carries only client_id and request_uri.
func (c *Client) authorizationRedirect(ctx context.Context, params *Params, par, jar bool) (string, error) {
	if jar {
		obj, err := c.requestObject(params)
		if err != nil {
			return "", err
		}
		params = &Params{}
		params.Set("client_id", c.cfg.ClientID)
		params.Set("request", obj)
	}
	if !par {
		return c.authURL(params), nil
	}
	uri, err := c.pushAuthorization(ctx, params)
	if err != nil {
		return "", err
	}
	q := &Params{}
	q.Set("client_id", c.cfg.ClientID)
	q.Set("request_uri", uri)
	return c.authURL(q), nil
}

// requestObjectLifetime is the exp of a request object after its nbf
// (FAPI 2.0 Message Signing allows at most an hour).
const requestObjectLifetime = 5 * time.Minute

// numericAuthParams are authorization parameters that a request object
// carries as JSON numbers (OpenID Connect Core §6.1).
var numericAuthParams = map[string]bool{"max_age": true}

// requestObject signs params into a request object (RFC 9101 §4; OpenID
// Connect Core §6.1) with the client's private key: the parameters as
// claims, iss = client_id, aud = the issuer identifier, iat, nbf, exp five
// minutes on and a unique jti, with typ oauth-authz-req+jwt (RFC 9101
// §10.8) and the key's kid.
func (c *Client) requestObject(params *Params) (string, error) {
	if c.cfg.PrivateKey == nil {
		return "", configError("signed request objects need the client's private key (Config.PrivateKey)")
	}
	if c.cfg.Issuer == "" {
		return "", configError("signed request objects need the issuer identifier, their audience (Config.Issuer)")
	}
	claims := make(jwt.MapClaims, params.size()+6)
	params.Each(func(k, v string) {
		if numericAuthParams[k] {
			if n, err := strconv.ParseInt(v, 10, 64); err == nil {
				claims[k] = n
				return
			}
		}
		claims[k] = v
	})
	now := c.clock.Now()
	claims["iss"] = c.cfg.ClientID
	claims["aud"] = c.cfg.Issuer
	claims["iat"] = now.Unix()
	claims["nbf"] = now.Unix()
	claims["exp"] = now.Add(requestObjectLifetime).Unix()
	claims["jti"] = randomString(16)
	return c.signJWT("oauth-authz-req+jwt", claims)
}

// signJWT signs claims with the client's private key, with typ (when not
// empty) and the configured kid in the header.
func (c *Client) signJWT(typ string, claims jwt.MapClaims) (string, error) {
	m, err := signingMethodFor(c.cfg.PrivateKey)
	if err != nil {
		return "", configError("private key: %v", err)
	}
	t := jwt.NewWithClaims(m, claims)
	if typ != "" {
		t.Header["typ"] = typ
	}
	if c.cfg.KeyID != "" {
		t.Header["kid"] = c.cfg.KeyID
	}
	s, err := t.SignedString(c.cfg.PrivateKey)
	if err != nil {
		return "", fmt.Errorf("oauth20: %s: signing failed: %w", typ, err)
	}
	return s, nil
}
