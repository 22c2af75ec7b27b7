package core

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"
)

// Auth is the framework-neutral login flow over a set of providers: every
// adapter calls Begin on the login route, Complete on the callback,
// SessionCookie after a successful login, RequireLogin in its middleware and
// Logout on the logout route. It keeps nothing on the server: the flow and
// the session live in sealed cookies, so any number of replicas work with
// the same sealing keys. An Auth is immutable and safe for concurrent use.
type Auth struct {
	cfg        authConfig
	sealer     *sealer
	byName     map[string]*Provider
	order      []*Provider
	base       *url.URL
	cookiePath string
	secure     bool
}

// Providers returns the providers in the order they were added.
func (a *Auth) Providers() []*Provider { return append([]*Provider(nil), a.order...) }

// Provider returns the provider with the given name.
func (a *Auth) Provider(name string) (*Provider, bool) {
	p, ok := a.byName[name]
	return p, ok
}

// redirectURL returns the redirect URI to register with a provider: its
// spec's, or BaseURL/{name}/callback.
func (a *Auth) redirectURL(provider string) string {
	if p, ok := a.byName[provider]; ok && p.spec.Client.RedirectURL != "" {
		return p.spec.Client.RedirectURL
	}
	return a.cfg.baseURL + "/" + provider + "/callback"
}

// Close releases the providers' background work.
func (a *Auth) Close() error {
	var errs []error
	for _, p := range a.order {
		if err := p.Close(); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// BeginOptions tune one login.
type BeginOptions struct {
	// ReturnTo is where the user goes after login. Only a safe local path
	// is kept (one "/", no scheme, host or backslash, even once
	// percent-decoded: RFC 9700 §4.11.1, no open redirector); anything else
	// is replaced by "/", so a query parameter can be passed in as it is.
	ReturnTo string
	// Scopes replace the provider's default scopes. For an OpenID provider
	// "openid" is kept even when Scopes leaves it out.
	Scopes []string
	// Prompt, LoginHint: OpenID Connect prompt and login_hint.
	Prompt    string
	LoginHint string
	// MaxAge > 0 sends max_age, rounded up to whole seconds, and requires
	// the ID token's auth_time to be no older (OpenID Connect Core
	// §3.1.2.1, §3.1.3.7 item 13).
	MaxAge time.Duration
	// Params are extra authorization request parameters (such as
	// GitHub's allow_signup or Google's hd). They cannot set or remove the
	// parameters the library owns: response_type, client_id,
	// redirect_uri, state, scope, nonce, code_challenge,
	// code_challenge_method, max_age, prompt, login_hint, response_mode,
	// request and request_uri; Begin refuses them with an error wrapping
	// ErrInvalidConfig (use the fields above instead).
	Params map[string]string
}

// reservedParams are the authorization request parameters that
// BeginOptions.Params cannot set: the protocol's own, and those with a
// field of their own.
var reservedParams = map[string]bool{
	"response_type": true, "client_id": true, "redirect_uri": true, "state": true, "scope": true,
	"nonce": true, "code_challenge": true, "code_challenge_method": true, "max_age": true,
	"prompt": true, "login_hint": true, "response_mode": true, "request": true, "request_uri": true,
}

// flowRecord is what the sealed flow cookie holds.
type flowRecord struct {
	State       string `json:"s"`
	Verifier    string `json:"v,omitempty"`
	Nonce       string `json:"n,omitempty"`
	Provider    string `json:"p"`
	RedirectURI string `json:"r"`
	ReturnTo    string `json:"t"`
	Issuer      string `json:"i,omitempty"`
	// MaxAge is the max_age sent, in seconds, when MaxAgeSet (0 is a
	// valid max_age: the user must have just authenticated).
	MaxAge    int64 `json:"m,omitempty"`
	MaxAgeSet bool  `json:"ms,omitempty"`
	Created   int64 `json:"c"`
}

// flowCookieName is derived from the state, so each flow has its own cookie
// (parallel logins in two tabs do not clobber each other) and the callback
// finds it from its state.
func (a *Auth) flowCookieName(state string) string {
	sum := sha256.Sum256([]byte(state))
	var buf [64]byte
	b := append(append(buf[:0], cookiePrefix...), '_')
	return string(base64.RawURLEncoding.AppendEncode(b, sum[:12]))
}

// Begin starts a login with provider: a 32-byte random state, a PKCE S256
// verifier (unless the provider cannot take PKCE), a nonce for OpenID
// providers, and the flow record sealed into a cookie. It returns the URL
// to redirect the browser to and the cookie to set. Begin may call the
// provider's discovery endpoint (once, cached). Its error is a
// *CallbackError: 404 for an unknown provider, 502 when the provider's
// metadata cannot be fetched, 500 for options it refuses.
func (a *Auth) Begin(ctx context.Context, provider string, opts BeginOptions) (string, Cookie, error) {
	p, ok := a.byName[provider]
	if !ok {
		return "", Cookie{}, callbackErr(http.StatusNotFound, provider, fmt.Errorf("%w: %q", ErrUnknownProvider, provider))
	}
	var extra []string // the keys of opts.Params, sorted
	if len(opts.Params) > 0 {
		extra = slices.Sorted(maps.Keys(opts.Params))
	}
	for _, k := range extra {
		if reservedParams[k] {
			return "", Cookie{}, callbackErr(http.StatusInternalServerError, provider,
				configError("BeginOptions.Params cannot set %q: the library owns that parameter", k))
		}
	}
	client, err := p.Client(ctx)
	if err != nil {
		return "", Cookie{}, callbackErr(http.StatusBadGateway, provider, err)
	}
	secrets := newLoginSecrets()
	rec := flowRecord{
		State:       secrets.state,
		Provider:    provider,
		RedirectURI: a.redirectURL(provider),
		ReturnTo:    "/",
		Issuer:      client.cfg.Issuer,
		Created:     a.cfg.clock.Now().Unix(),
	}
	if opts.ReturnTo != "" && safeReturnTo(opts.ReturnTo) {
		rec.ReturnTo = opts.ReturnTo
	}
	authOpts := make([]AuthOption, 0, 8+len(p.spec.AuthOptions)+len(opts.Params))
	authOpts = append(authOpts, withRedirectURL(rec.RedirectURI))
	authOpts = append(authOpts, p.spec.AuthOptions...)
	if scopes := opts.Scopes; len(scopes) > 0 {
		if p.spec.OIDC && !slices.Contains(scopes, "openid") {
			scopes = append([]string{"openid"}, scopes...)
		}
		authOpts = append(authOpts, WithScopes(scopes...))
	}
	if opts.Prompt != "" {
		authOpts = append(authOpts, WithParam("prompt", opts.Prompt))
	}
	if opts.LoginHint != "" {
		authOpts = append(authOpts, WithParam("login_hint", opts.LoginHint))
	}
	if opts.MaxAge > 0 {
		secs := int64((opts.MaxAge + time.Second - 1) / time.Second)
		authOpts = append(authOpts, WithParam("max_age", strconv.FormatInt(secs, 10)))
	}
	for _, k := range extra {
		authOpts = append(authOpts, WithParam(k, opts.Params[k]))
	}
	// The protocol parameters go last, so that nothing above undoes them.
	if p.pkce(client) {
		rec.Verifier = secrets.verifier
		authOpts = append(authOpts, WithPKCE(rec.Verifier))
	}
	if p.spec.OIDC {
		rec.Nonce = secrets.nonce
		authOpts = append(authOpts, WithParam("nonce", rec.Nonce))
	}
	params := client.authParams(rec.State, authOpts)
	if v := params.Get("max_age"); v != "" {
		// max_age may also come from the provider's own options: whichever
		// way it was sent, auth_time is checked against it.
		secs, err := strconv.ParseInt(v, 10, 64)
		if err != nil || secs < 0 {
			return "", Cookie{}, callbackErr(http.StatusInternalServerError, provider, configError("max_age %q is not a number of seconds", v))
		}
		rec.MaxAge, rec.MaxAgeSet = secs, true
	}
	name := a.flowCookieName(rec.State)
	cookie := Cookie{
		Name: name, Value: a.sealer.sealRecord(&rec, name), Path: a.cookiePath,
		MaxAge: int(a.cfg.flowLifetime / time.Second), Secure: a.secure, HttpOnly: true, SameSite: http.SameSiteLaxMode,
	}
	if p.spec.FormPost && a.secure {
		// The callback is a cross-site POST: only SameSite=None cookies
		// travel with it, and browsers require Secure for those.
		cookie.SameSite = http.SameSiteNoneMode
	}
	return client.authURL(params), cookie, nil
}

// Result is a completed login.
type Result struct {
	Provider string
	Token    *Token
	// IDToken is the verified ID token of OpenID providers, else nil.
	IDToken *IDToken
	User    *User
	// ReturnTo is the safe path to send the user to.
	ReturnTo string
}

// Complete finishes a login on the callback. In order, it checks that the
// flow cookie for the callback's state exists, opens, is unexpired, holds
// the same state (constant-time) and provider; checks the RFC 9207 iss
// parameter; turns error= into a typed error; exchanges the code with the
// PKCE verifier and the same redirect URI; verifies the ID token (nonce,
// at_hash, max_age) for OpenID providers; and fetches the user. The
// returned cookie deletes the flow cookie and must be set whatever the
// outcome (the flow is single use). Every error is a *CallbackError.
//
// params are the callback's query parameters, or its form body for
// response_mode=form_post; cookies looks up a request cookie by name.
func (a *Auth) Complete(ctx context.Context, provider string, params url.Values, cookies func(name string) (string, bool)) (*Result, Cookie, error) {
	clear := Cookie{Path: a.cookiePath, MaxAge: -1, Secure: a.secure, HttpOnly: true, SameSite: http.SameSiteLaxMode}
	p, ok := a.byName[provider]
	if !ok {
		return nil, clear, callbackErr(http.StatusNotFound, provider, fmt.Errorf("%w: %q", ErrUnknownProvider, provider))
	}
	state := params.Get("state")
	if state == "" || len(state) > 512 {
		return nil, clear, callbackErr(http.StatusBadRequest, provider, fmt.Errorf("%w: the callback has no usable state", ErrStateMismatch))
	}
	name := a.flowCookieName(state)
	clear.Name = name
	if p.spec.FormPost && a.secure {
		clear.SameSite = http.SameSiteNoneMode
	}
	sealed, ok := "", false
	if cookies != nil {
		sealed, ok = cookies(name)
	}
	if !ok || sealed == "" {
		return nil, clear, callbackErr(http.StatusBadRequest, provider, ErrFlowMissing)
	}
	plain, err := a.sealer.open(sealed, name)
	if err != nil {
		return nil, clear, callbackErr(http.StatusBadRequest, provider, fmt.Errorf("%w: %w", ErrFlowInvalid, err))
	}
	var rec flowRecord
	if err := rec.unmarshal(plain); err != nil {
		return nil, clear, callbackErr(http.StatusBadRequest, provider, fmt.Errorf("%w: undecodable record", ErrFlowInvalid))
	}
	now := a.cfg.clock.Now()
	if created := time.Unix(rec.Created, 0); now.Sub(created) > a.cfg.flowLifetime || created.After(now.Add(time.Minute)) {
		return nil, clear, callbackErr(http.StatusBadRequest, provider, ErrFlowExpired)
	}
	if subtle.ConstantTimeCompare([]byte(rec.State), []byte(state)) != 1 {
		return nil, clear, callbackErr(http.StatusBadRequest, provider, ErrStateMismatch)
	}
	if rec.Provider != provider {
		return nil, clear, callbackErr(http.StatusBadRequest, provider, fmt.Errorf("%w: started for %q", ErrProviderMismatch, rec.Provider))
	}
	// A flow is used once (RFC 9700 §2.1.1, §4.2): its state is marked
	// before the provider is asked anything, for as long as the flow
	// could still be presented, so that a replayed callback with a copy
	// of the cookie never reaches the token endpoint.
	ttl := a.cfg.flowLifetime - now.Sub(time.Unix(rec.Created, 0)) + time.Minute
	fresh, err := a.cfg.store.SetIfAbsent(ctx, "oauth20:used:"+name, []byte{1}, max(ttl, time.Minute))
	if err != nil {
		return nil, clear, callbackErr(http.StatusServiceUnavailable, provider, fmt.Errorf("%w: %w", ErrStoreUnavailable, err))
	}
	if !fresh {
		return nil, clear, callbackErr(http.StatusBadRequest, provider, ErrFlowUsed)
	}
	client, err := p.Client(ctx)
	if err != nil {
		return nil, clear, callbackErr(http.StatusBadGateway, provider, err)
	}
	if err := a.checkIssuer(ctx, p, rec, params); err != nil {
		return nil, clear, callbackErr(http.StatusBadRequest, provider, err)
	}
	code := ""
	for _, k := range p.spec.CodeParams {
		if code = params.Get(k); code != "" {
			break
		}
	}
	if e := params.Get("error"); e != "" {
		if code != "" {
			return nil, clear, callbackErr(http.StatusBadRequest, provider, fmt.Errorf("%w: both code and error", ErrInvalidCallback))
		}
		oe := &Error{Code: ErrorCode(truncate(e, 64)), Description: truncate(params.Get("error_description"), 500),
			URI: truncate(params.Get("error_uri"), 500), Endpoint: "authorization"}
		status := http.StatusBadGateway
		if oe.Code == CodeAccessDenied {
			status = http.StatusUnauthorized
		}
		return nil, clear, callbackErr(status, provider, oe)
	}
	if code == "" {
		return nil, clear, callbackErr(http.StatusBadRequest, provider, fmt.Errorf("%w: no code", ErrInvalidCallback))
	}
	grantOpts := []GrantOption{withGrantRedirectURL(rec.RedirectURI)}
	if rec.Verifier != "" {
		grantOpts = append(grantOpts, WithVerifier(rec.Verifier))
	}
	tok, err := client.Exchange(ctx, code, grantOpts...)
	if err != nil {
		status := http.StatusBadGateway
		if errors.Is(err, ErrInvalidGrant) {
			// The code is unknown, expired or already used: a bad or
			// replayed callback, not a provider failure.
			status = http.StatusBadRequest
		}
		return nil, clear, callbackErr(status, provider, err)
	}
	res := &Result{Provider: provider, Token: tok, ReturnTo: rec.ReturnTo}
	if p.spec.OIDC {
		res.IDToken, err = a.verifyIDToken(ctx, p, tok, rec)
		if err != nil {
			return nil, clear, callbackErr(http.StatusBadGateway, provider, err)
		}
	}
	res.User, err = p.User(ctx, UserRequest{Client: client, Token: tok, IDToken: res.IDToken, Callback: params})
	if err != nil {
		return nil, clear, callbackErr(http.StatusBadGateway, provider, err)
	}
	return res, clear, nil
}

// checkIssuer applies RFC 9207 §2.4: when the callback carries iss it must
// equal the issuer the flow was started with; when the provider advertises
// authorization_response_iss_parameter_supported, iss is required. For a
// provider without a known issuer an iss parameter is ignored.
func (a *Auth) checkIssuer(ctx context.Context, p *Provider, rec flowRecord, params url.Values) error {
	iss, present := params.Get("iss"), params.Has("iss")
	if present && rec.Issuer != "" && subtle.ConstantTimeCompare([]byte(iss), []byte(rec.Issuer)) != 1 {
		return fmt.Errorf("%w: got %q, want %q", ErrAuthResponseIssuer, truncate(iss, 200), rec.Issuer)
	}
	if !present {
		if d, err := p.discovery(ctx); err == nil && d != nil && d.IssParameterSupported {
			return fmt.Errorf("%w: iss is missing although the provider advertises it", ErrAuthResponseIssuer)
		}
	}
	return nil
}

func (a *Auth) verifyIDToken(ctx context.Context, p *Provider, tok *Token, rec flowRecord) (*IDToken, error) {
	if tok.IDToken == "" {
		return nil, ErrNoIDToken
	}
	v, err := p.verifier(ctx)
	if err != nil {
		return nil, err
	}
	if v == nil {
		return nil, fmt.Errorf("oauth20: provider %q is OpenID but has no ID-token verifier", p.Name())
	}
	return v.VerifyIDToken(ctx, tok.IDToken, IDTokenExpectations{
		Nonce: rec.Nonce, AccessToken: tok.AccessToken, MaxAge: time.Duration(rec.MaxAge) * time.Second, MaxAgeSet: rec.MaxAgeSet,
	})
}
