package core

import (
	"context"
	"fmt"
	"strings"
)

// GrantOption adds or changes a parameter of a token request.
type GrantOption interface{ applyGrant(*grantRequest) }

type grantRequest struct {
	params      *Params
	redirectURL string
	verifier    string
	scopes      []string
}

type grantOptionFunc func(*grantRequest)

func (f grantOptionFunc) applyGrant(r *grantRequest) { f(r) }

// WithVerifier sends the PKCE code_verifier with a code exchange.
func WithVerifier(verifier string) GrantOption {
	return grantOptionFunc(func(r *grantRequest) { r.verifier = verifier })
}

// withGrantRedirectURL sets the redirect_uri of a code exchange; it must be
// the one of the authorization request (RFC 6749 §4.1.3). The default is
// the client's RedirectURL.
func withGrantRedirectURL(u string) GrantOption {
	return grantOptionFunc(func(r *grantRequest) { r.redirectURL = u })
}

// WithGrantScopes sets the scope of a refresh or client-credentials request.
func WithGrantScopes(scopes ...string) GrantOption {
	return grantOptionFunc(func(r *grantRequest) { r.scopes = append([]string(nil), scopes...) })
}

// WithGrantParam sets any extra parameter of a token request. A
// redirect_uri set this way replaces the client's RedirectURL in a code
// exchange; it must be the one of the authorization request (RFC 6749
// §4.1.3).
func WithGrantParam(key, value string) GrantOption {
	return grantOptionFunc(func(r *grantRequest) {
		if key == "redirect_uri" {
			r.redirectURL = value
			return
		}
		if r.params == nil {
			r.params = &Params{}
		}
		r.params.Set(key, value)
	})
}

// Exchange trades an authorization code for a token (RFC 6749 §4.1.3),
// sending the PKCE verifier when given and the same redirect_uri as the
// authorization request. A code is single use, so Exchange never retries.
// Exchange does not verify the ID token; Auth.Complete does.
func (c *Client) Exchange(ctx context.Context, code string, opts ...GrantOption) (*Token, error) {
	g := &grantRequest{redirectURL: c.cfg.RedirectURL}
	for _, o := range opts {
		o.applyGrant(g)
	}
	r := c.newRequest(OpExchange, c.cfg.Endpoints.TokenURL)
	r.Params.Set("grant_type", "authorization_code")
	r.Params.Set("code", code)
	r.Params.setIfNotEmpty("redirect_uri", g.redirectURL)
	r.Params.setIfNotEmpty("code_verifier", g.verifier)
	return c.tokenRequest(ctx, r, g)
}

// Refresh obtains a new token with a refresh token (RFC 6749 §6). When the
// answer carries no new refresh token, the one given is kept in the result;
// when it carries one, the old one must be discarded (TokenSource does).
func (c *Client) Refresh(ctx context.Context, refreshToken string, opts ...GrantOption) (*Token, error) {
	if refreshToken == "" {
		return nil, ErrNoRefreshToken
	}
	g := &grantRequest{}
	for _, o := range opts {
		o.applyGrant(g)
	}
	r := c.newRequest(OpRefresh, c.cfg.Endpoints.TokenURL)
	r.Params.Set("grant_type", "refresh_token")
	r.Params.Set("refresh_token", refreshToken)
	t, err := c.tokenRequest(ctx, r, g)
	if err != nil {
		return nil, err
	}
	if t.RefreshToken == "" {
		t.RefreshToken = refreshToken
	}
	return t, nil
}

// ClientCredentials obtains a token for the client itself (RFC 6749 §4.4).
// The client's default scopes are requested unless WithGrantScopes is given.
func (c *Client) ClientCredentials(ctx context.Context, opts ...GrantOption) (*Token, error) {
	g := &grantRequest{scopes: c.cfg.Scopes}
	for _, o := range opts {
		o.applyGrant(g)
	}
	r := c.newRequest(OpClientCredentials, c.cfg.Endpoints.TokenURL)
	r.Params.Set("grant_type", "client_credentials")
	return c.tokenRequest(ctx, r, g)
}

// tokenRequest sends a token request with the grant's extra parameters and
// decodes the token.
func (c *Client) tokenRequest(ctx context.Context, r *Request, g *grantRequest) (*Token, error) {
	if len(g.scopes) > 0 {
		r.Params.Set("scope", strings.Join(g.scopes, c.dialect.scopeSeparator()))
	}
	if g.params != nil {
		g.params.Each(r.Params.Set)
	}
	resp, err := c.call(ctx, r, true, c.dialect.Response)
	if err != nil {
		return nil, err
	}
	t, err := tokenFromFields(c.dialect, resp.Fields, c.clock.Now())
	if err != nil {
		return nil, fmt.Errorf("oauth20: %s: %w", r.Op, err)
	}
	return t, nil
}
