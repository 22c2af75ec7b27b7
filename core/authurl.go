package core

import (
	"strings"
	"sync"
)

// AuthOption adds or changes a parameter of an authorization request.
type AuthOption interface{ applyAuth(*authRequest) }

type authRequest struct {
	params      *Params
	scopes      []string
	scopesSet   bool
	redirectURL string
	// Room for the parameters of a login (the protocol's eight and a few
	// more) in the same allocation.
	p          Params
	keys, vals [10]string
}

type authOptionFunc func(*authRequest)

func (f authOptionFunc) applyAuth(r *authRequest) { f(r) }

// WithPKCE adds the S256 code challenge of verifier (RFC 7636). The method
// is always sent explicitly, so a server never falls back to plain.
func WithPKCE(verifier string) AuthOption {
	return authOptionFunc(func(r *authRequest) {
		r.params.Set("code_challenge", s256Challenge(verifier))
		r.params.Set("code_challenge_method", "S256")
	})
}

// WithScopes replaces the client's default scopes for this request.
func WithScopes(scopes ...string) AuthOption {
	return authOptionFunc(func(r *authRequest) {
		r.scopes, r.scopesSet = append([]string(nil), scopes...), true
	})
}

// withRedirectURL replaces the client's default redirect URI.
func withRedirectURL(u string) AuthOption {
	return authOptionFunc(func(r *authRequest) { r.redirectURL = u })
}

// WithParam sets any parameter (standard name; the dialect renames it),
// such as nonce, prompt, login_hint or response_mode. An empty value
// removes the parameter. A redirect_uri set this way replaces the client's
// RedirectURL for this request.
func WithParam(key, value string) AuthOption {
	return authOptionFunc(func(r *authRequest) {
		if key == "redirect_uri" {
			r.redirectURL = value
			return
		}
		if value == "" {
			r.params.Del(key)
			return
		}
		r.params.Set(key, value)
	})
}

// AuthCodeURL returns the URL of the authorization endpoint for the
// authorization-code flow with the given state. The caller must bind state
// (and any PKCE verifier and nonce) to the user agent and check it on the
// callback; Auth.Begin does all of that.
//
// Parameters go on the wire in this order: response_type, client_id,
// redirect_uri, scope, state, then options in the order given, unless the
// dialect fixes an order. AuthCodeURL does not validate option values.
func (c *Client) AuthCodeURL(state string, opts ...AuthOption) string {
	return c.authURL(c.authParams(state, opts))
}

// authParams collects the parameters of an authorization request under
// their standard names, before the dialect renames and orders them.
func (c *Client) authParams(state string, opts []AuthOption) *Params {
	r := authRequests.Get().(*authRequest)
	r.redirectURL, r.scopes = c.cfg.RedirectURL, c.cfg.Scopes
	r.p.keys, r.p.vals, r.p.req = r.keys[:0], r.vals[:0], r
	r.params = &r.p
	p := r.params
	p.Set("response_type", "code")
	p.Set("client_id", c.cfg.ClientID)
	p.Set("redirect_uri", "")
	p.Set("scope", "")
	p.Set("state", state)
	for _, o := range opts {
		o.applyAuth(r)
	}
	if r.redirectURL == "" {
		p.Del("redirect_uri")
	} else {
		p.Set("redirect_uri", r.redirectURL)
	}
	switch {
	case len(r.scopes) == 0:
		p.Del("scope")
	case !r.scopesSet:
		p.Set("scope", c.scope)
	default:
		p.Set("scope", strings.Join(r.scopes, c.dialect.scopeSeparator()))
	}
	if state == "" {
		p.Del("state")
	}
	return p
}

// authURL renames and orders p as the dialect says and appends it to the
// authorization endpoint. It consumes p, which authParams returned: p's
// storage is reused by the next login.
func (c *Client) authURL(p *Params) string {
	r := p.req
	d := c.dialect
	for std, wire := range d.ParamNames {
		p.rename(std, wire)
	}
	p.moveToFront(d.AuthParamOrder)
	u := buildURL(c.cfg.Endpoints.AuthURL, p, d.AuthURLFragment)
	if r != nil {
		// Cleared first: it held the state and the PKCE challenge.
		*r = authRequest{}
		authRequests.Put(r)
	}
	return u
}

// authRequests holds the storage of authorization requests, which lives
// only from authParams to authURL: a login would otherwise allocate
// room for its parameters every time.
var authRequests = sync.Pool{New: func() any { return new(authRequest) }}
