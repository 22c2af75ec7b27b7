package core

import (
	"net/url"
	"strings"
)

// AuthOption adds or changes a parameter of an authorization request.
type AuthOption interface{ applyAuth(*authRequest) }

type authRequest struct {
	params      *Params
	scopes      []string
	scopesSet   bool
	redirectURL string
}

type authOptionFunc func(*authRequest)

func (f authOptionFunc) applyAuth(r *authRequest) { f(r) }

// WithPKCE adds the S256 code challenge of verifier (RFC 7636). The method
// is always sent explicitly, so a server never falls back to plain.
func WithPKCE(verifier string) AuthOption {
	return authOptionFunc(func(r *authRequest) {
		r.params.Set("code_challenge", S256Challenge(verifier))
		r.params.Set("code_challenge_method", "S256")
	})
}

// WithNonce adds the OpenID Connect nonce.
func WithNonce(nonce string) AuthOption { return WithParam("nonce", nonce) }

// WithPrompt adds prompt (none, login, consent, select_account).
func WithPrompt(prompt ...string) AuthOption { return WithParam("prompt", strings.Join(prompt, " ")) }

// WithLoginHint adds login_hint.
func WithLoginHint(hint string) AuthOption { return WithParam("login_hint", hint) }

// WithResponseMode adds response_mode (query, fragment, form_post).
func WithResponseMode(mode string) AuthOption { return WithParam("response_mode", mode) }

// WithScopes replaces the client's default scopes for this request.
func WithScopes(scopes ...string) AuthOption {
	return authOptionFunc(func(r *authRequest) {
		r.scopes, r.scopesSet = append([]string(nil), scopes...), true
	})
}

// WithRedirectURL replaces the client's default redirect URI.
func WithRedirectURL(u string) AuthOption {
	return authOptionFunc(func(r *authRequest) { r.redirectURL = u })
}

// WithParam sets any parameter (standard name; the dialect renames it). An
// empty value removes the parameter.
func WithParam(key, value string) AuthOption {
	return authOptionFunc(func(r *authRequest) {
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
	r := &authRequest{params: &Params{}, redirectURL: c.cfg.RedirectURL, scopes: c.cfg.Scopes}
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
	if len(r.scopes) == 0 {
		p.Del("scope")
	} else {
		p.Set("scope", strings.Join(r.scopes, c.dialect.scopeSeparator()))
	}
	if state == "" {
		p.Del("state")
	}
	d := c.dialect
	for std, wire := range d.ParamNames {
		p.Rename(std, wire)
	}
	p.MoveToFront(d.AuthParamOrder)
	u := appendQuery(c.cfg.Endpoints.AuthURL, p)
	if d.AuthURLFragment != "" {
		u += "#" + url.PathEscape(d.AuthURLFragment)
	}
	return u
}
