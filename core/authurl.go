package core

import (
	"strings"
	"sync"
)

// Option sets a parameter of an authorization request (AuthCodeURL) or of
// a token request (Exchange, Refresh, ClientCredentials, DeviceAuthorize):
// the same WithPKCE verifier gives the challenge to the one and the
// code_verifier to the other.
type Option interface {
	applyAuth(*authRequest)
	applyGrant(*grantRequest)
}

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

// option is an Option of two halves; a nil half does nothing.
type option struct {
	auth  func(*authRequest)
	grant func(*grantRequest)
}

func (o option) applyAuth(r *authRequest) {
	if o.auth != nil {
		o.auth(r)
	}
}

func (o option) applyGrant(r *grantRequest) {
	if o.grant != nil {
		o.grant(r)
	}
}

// WithPKCE adds the S256 code challenge of verifier to an authorization
// request (RFC 7636; the method is always sent, so a server never falls
// back to plain) and verifier itself as the code_verifier of a code
// exchange.
func WithPKCE(verifier string) Option {
	return option{
		auth: func(r *authRequest) {
			r.params.Set("code_challenge", s256Challenge(verifier))
			r.params.Set("code_challenge_method", "S256")
		},
		grant: func(r *grantRequest) { r.verifier = verifier },
	}
}

// WithScopes replaces the client's default scopes for this request, joined
// the way the provider's dialect wants.
func WithScopes(scopes ...string) Option {
	scopes = append([]string(nil), scopes...)
	return option{
		auth:  func(r *authRequest) { r.scopes, r.scopesSet = scopes, true },
		grant: func(r *grantRequest) { r.scopes = scopes },
	}
}

// withRedirectURL replaces the client's default redirect URI: the one of
// an exchange must be the one of the authorization request (RFC 6749
// §4.1.3).
func withRedirectURL(u string) Option {
	return option{
		auth:  func(r *authRequest) { r.redirectURL = u },
		grant: func(r *grantRequest) { r.redirectURL = u },
	}
}

// WithParam sets any parameter under its standard name (the dialect
// renames it on the wire), such as nonce, prompt, login_hint or
// response_mode in an authorization request, or resource or audience in a
// token request. An empty value removes an authorization parameter. Two
// names are special: redirect_uri replaces the client's RedirectURL for
// this request, and scope takes space-separated scopes (as WithScopes).
func WithParam(key, value string) Option {
	switch key {
	case "redirect_uri":
		return withRedirectURL(value)
	case "scope":
		return WithScopes(strings.Fields(value)...)
	}
	return option{
		auth: func(r *authRequest) {
			if value == "" {
				r.params.Del(key)
				return
			}
			r.params.Set(key, value)
		},
		grant: func(r *grantRequest) {
			if r.params == nil {
				r.params = &Params{}
			}
			r.params.Set(key, value)
		},
	}
}

// AuthCodeURL returns the URL of the authorization endpoint for the
// authorization-code flow with the given state. The caller must bind state
// (and any PKCE verifier and nonce) to the user agent and check it on the
// callback; Auth.Begin does all of that.
//
// Parameters go on the wire in this order: response_type, client_id,
// redirect_uri, scope, state, then options in the order given, unless the
// dialect fixes an order. AuthCodeURL does not validate option values.
func (c *Client) AuthCodeURL(state string, opts ...Option) string {
	return c.authURL(c.authParams(state, opts))
}

// authParams collects the parameters of an authorization request under
// their standard names, before the dialect renames and orders them.
func (c *Client) authParams(state string, opts []Option) *Params {
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
