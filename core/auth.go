package core

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Auth is the framework-neutral login flow over a set of providers: every
// adapter calls Begin on the login route, Complete on the callback,
// SessionCookie after a successful login, RequireLogin in its middleware and
// Logout on the logout route. It keeps little on the server: the flow, and
// by default the session, live in sealed cookies; its Store holds the
// single-use marks of callbacks and, with ServerSessions, the sessions. Any
// number of replicas work with the same sealing keys and a shared Store.
// An Auth is immutable and safe for concurrent use.
type Auth struct {
	cfg        *authConfig // behind a pointer: %+v of an Auth shows no key
	sealer     *sealer
	byName     map[string]*Provider
	order      []*Provider
	base       *url.URL
	cookiePath string
	secure     bool
	// refreshes are the refreshes in progress in this process.
	refreshes flights
}

// Providers returns the providers in the order they were added; each
// one's Name is the name the login routes and Begin take.
func (a *Auth) Providers() []*Provider { return append([]*Provider(nil), a.order...) }

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
	// Host is the host (and port) the login request arrived at, when the
	// adapter knows it. A login that starts on another host than the base
	// URL's (localhost against 127.0.0.1) is sent to the same login route
	// on the base URL's host first, with no flow cookie: the cookie must be
	// set where the callback will look for it.
	Host string
	// Path is the path the login request arrived at, when the adapter
	// knows it. A login route that is not BaseURL's path + /{provider}/login
	// (routes mounted under another prefix than the base URL's) is refused
	// as a configuration error before the browser goes to the provider:
	// the callback would otherwise end in a 404 after the login there.
	Path string
	// Params are extra authorization request parameters (such as
	// GitHub's allow_signup or Google's hd). They cannot set or remove the
	// parameters the library owns: response_type, client_id,
	// redirect_uri, state, scope, nonce, code_challenge,
	// code_challenge_method, max_age, prompt, login_hint, response_mode,
	// request, request_uri and dpop_jkt; Begin refuses them with an error wrapping
	// ErrInvalidConfig (use the fields above instead).
	Params map[string]string
	// AppState is the application's own state for this login (a page to
	// come back to with its form, a cart id, an invitation): opaque to the
	// library, at most MaxAppState bytes, sealed in the flow cookie (never
	// sent to the provider) and handed back unchanged in Result.AppState
	// after the callback succeeds. The protocol state stays the library's,
	// random and checked.
	AppState string
	// TokenOnly ends the login at the token (and the verified ID token of
	// an OpenID provider) without fetching the user: Result.User is nil.
	// Such a login starts no session by itself (SessionCookie needs a
	// user): the application's success hook takes the Result.
	TokenOnly bool
}

// MaxAppState is the longest BeginOptions.AppState, in bytes.
const MaxAppState = 1024

// reservedParams are the authorization request parameters that
// BeginOptions.Params cannot set: the protocol's own, and those with a
// field of their own.
var reservedParams = map[string]bool{
	"response_type": true, "client_id": true, "redirect_uri": true, "state": true, "scope": true,
	"nonce": true, "code_challenge": true, "code_challenge_method": true, "max_age": true,
	"prompt": true, "login_hint": true, "response_mode": true, "request": true, "request_uri": true, "dpop_jkt": true,
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
	// AppState is BeginOptions.AppState; TokenOnly BeginOptions.TokenOnly.
	AppState  string `json:"a,omitempty"`
	TokenOnly bool   `json:"o,omitempty"`
}

// flowCookieName is derived from the state, so each flow has its own cookie
// (parallel logins in two tabs do not clobber each other) and the callback
// finds it from its state.
func (a *Auth) flowCookieName(state string) string {
	sum := sha256.Sum256([]byte(state))
	var buf [64]byte
	b := append(append(buf[:0], a.cookiePrefix()...), '_')
	return string(base64.RawURLEncoding.AppendEncode(b, sum[:12]))
}

// Begin starts a login with provider: a 32-byte random state, a PKCE S256
// verifier (unless the provider cannot take PKCE), a nonce for OpenID
// providers, and the flow record sealed into a cookie. It returns the URL
// to redirect the browser to and the cookie to set. Begin may call the
// provider's discovery endpoint (once, cached) and, for a provider that
// pushes its requests (PAR), the pushed authorization request endpoint; a
// provider with RequestObject gets the parameters signed, and one with a
// DPoP key gets dpop_jkt. Its error is a *CallbackError: 404 for an
// unknown provider, 502 when the provider's metadata cannot be fetched or
// its PAR endpoint refuses, 500 for options it refuses.
func (a *Auth) Begin(ctx context.Context, provider string, opts BeginOptions) (string, http.Cookie, error) {
	if opts.Host != "" && !strings.EqualFold(opts.Host, a.base.Host) {
		// The flow cookie would be set for this host and looked for on the
		// base URL's, where the callback arrives: start on that host
		// instead (localhost and 127.0.0.1 are different hosts to a
		// browser).
		return a.loginURL(provider, opts.ReturnTo), http.Cookie{}, nil
	}
	if opts.Path != "" {
		if want := a.base.EscapedPath(); !strings.HasPrefix(opts.Path, strings.TrimSuffix(want, "/")+"/") {
			err := callbackErr(http.StatusInternalServerError, provider, configError(
				"the login route %q is not under the base URL's path %q: mount the routes there, or change the base URL",
				truncate(opts.Path, 200), want))
			a.logFailure(ctx, "login", provider, err)
			return "", http.Cookie{}, err
		}
	}
	to, c, err := a.begin(ctx, provider, opts)
	if err != nil {
		a.logFailure(ctx, "login", provider, err)
	}
	return to, c, err
}

func (a *Auth) begin(ctx context.Context, provider string, opts BeginOptions) (string, http.Cookie, error) {
	p, ok := a.byName[provider]
	if !ok {
		return "", http.Cookie{}, callbackErr(http.StatusNotFound, provider, fmt.Errorf("%w: %q", ErrUnknownProvider, provider))
	}
	var extra []string // the keys of opts.Params, sorted
	if len(opts.Params) > 0 {
		extra = slices.Sorted(maps.Keys(opts.Params))
	}
	for _, k := range extra {
		if reservedParams[k] {
			return "", http.Cookie{}, callbackErr(http.StatusInternalServerError, provider,
				configError("BeginOptions.Params cannot set %q: the library owns that parameter", k))
		}
	}
	client, disc, err := p.resolve(ctx)
	if err != nil {
		return "", http.Cookie{}, callbackErr(http.StatusBadGateway, provider, err)
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
	if len(opts.AppState) > MaxAppState {
		return "", http.Cookie{}, callbackErr(http.StatusInternalServerError, provider,
			configError("BeginOptions.AppState is %d bytes; at most %d fit in the flow cookie", len(opts.AppState), MaxAppState))
	}
	rec.AppState, rec.TokenOnly = opts.AppState, opts.TokenOnly
	authOpts := make([]Option, 0, 8+len(p.spec.AuthOptions)+len(opts.Params))
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
	if p.nonce() {
		rec.Nonce = secrets.nonce
		authOpts = append(authOpts, WithParam("nonce", rec.Nonce))
	}
	if p.spec.JARM != "" {
		authOpts = append(authOpts, WithParam("response_mode", p.spec.JARM))
	}
	if k := client.cfg.DPoPKey; k != nil {
		// The code is bound to the key too (RFC 9449 §10).
		authOpts = append(authOpts, WithParam("dpop_jkt", k.Thumbprint()))
	}
	params := client.authParams(rec.State, authOpts)
	if v := params.Get("max_age"); v != "" {
		// max_age may also come from the provider's own options: whichever
		// way it was sent, auth_time is checked against it.
		secs, err := strconv.ParseInt(v, 10, 64)
		if err != nil || secs < 0 {
			return "", http.Cookie{}, callbackErr(http.StatusInternalServerError, provider, configError("max_age %q is not a number of seconds", v))
		}
		rec.MaxAge, rec.MaxAgeSet = secs, true
	}
	if p.spec.FAPI2 && params.Get("response_type") != "code" {
		// An authorization option may have replaced it; FAPI 2.0 allows
		// the code flow only (Security Profile §5.3.1.2).
		return "", http.Cookie{}, callbackErr(http.StatusInternalServerError, provider,
			configError("FAPI 2.0 allows response_type=code only, not %q", truncate(params.Get("response_type"), 40)))
	}
	// PAR as the provider is set up, or as its metadata requires.
	par := p.spec.PAR || disc != nil && disc.RequirePAR
	to, err := client.authorizationRedirect(ctx, params, par, p.spec.RequestObject)
	if err != nil {
		status := http.StatusBadGateway
		if errors.Is(err, ErrInvalidConfig) {
			status = http.StatusInternalServerError
		}
		return "", http.Cookie{}, callbackErr(status, provider, err)
	}
	name := a.flowCookieName(rec.State)
	cookie := http.Cookie{
		Name: name, Value: a.sealer.sealRecord(&rec, name), Path: a.cookiePath,
		MaxAge: int(a.cfg.flowLifetime / time.Second), Secure: a.secure, HttpOnly: true, SameSite: http.SameSiteLaxMode,
	}
	if p.spec.FormPost && a.secure {
		// The callback is a cross-site POST: only SameSite=None cookies
		// travel with it, and browsers require Secure for those.
		cookie.SameSite = http.SameSiteNoneMode
	}
	return to, cookie, nil
}

// Result is a completed login.
type Result struct {
	Provider string
	Token    *Token
	// IDToken is the verified ID token of OpenID providers, else nil.
	IDToken *IDToken
	// User is the user the provider answered for; nil for a token-only
	// login (BeginOptions.TokenOnly, ProviderSpec.TokenOnly).
	User *User
	// ReturnTo is the safe path to send the user to.
	ReturnTo string
	// AppState is the BeginOptions.AppState the login began with, back
	// from the sealed flow cookie unchanged.
	AppState string
}

// Complete finishes a login on the callback. In order, it verifies the
// response JWT for a provider that uses JARM (and reads nothing else of the
// callback); checks that the flow cookie for the callback's state exists, opens, is unexpired, holds
// the same state (constant-time) and provider; checks the RFC 9207 iss
// parameter; turns error= (or, for a provider whose spec says
// RefusalWithoutCode, a callback without a code) into a typed error; lets
// the provider check the callback (ProviderSpec.CheckCallback); exchanges
// the code with the PKCE verifier, the same redirect URI and the callback
// parameters the provider carries (and a DPoP proof when the client has a
// key); refuses a token that is not DPoP-bound for a FAPI 2.0 provider;
// verifies the ID token (nonce, unless the provider is NonceUnsupported;
// at_hash; max_age) for OpenID providers; and fetches the user. The returned cookie deletes the flow cookie and
// must be set whatever the outcome (the flow is single use). Every error
// is a *CallbackError.
//
// params are the callback's query parameters, or its form body for
// response_mode=form_post; cookies looks up a request cookie by name.
func (a *Auth) Complete(ctx context.Context, provider string, params url.Values, cookies func(name string) (string, bool)) (*Result, http.Cookie, error) {
	res, clear, returnTo, err := a.complete(ctx, provider, params, cookies)
	if err != nil {
		var ce *CallbackError
		if errors.As(err, &ce) && ce.Retry == "" {
			if _, known := a.byName[provider]; known {
				ce.Retry = a.loginURL(provider, returnTo)
			}
		}
		a.logFailure(ctx, "callback", provider, err)
		return nil, clear, err
	}
	if a.cfg.logger.Enabled(ctx, slog.LevelInfo) {
		a.cfg.logger.LogAttrs(ctx, slog.LevelInfo, "oauth20: login", slog.String("provider", provider))
	}
	return res, clear, nil
}

// complete is Complete without the logging; it also returns the return-to
// path of the flow record, once the record could be read.
func (a *Auth) complete(ctx context.Context, provider string, params url.Values, cookies func(name string) (string, bool)) (*Result, http.Cookie, string, error) {
	rt := "" // the flow's return-to path, once the record is read
	clear := http.Cookie{Path: a.cookiePath, MaxAge: -1, Secure: a.secure, HttpOnly: true, SameSite: http.SameSiteLaxMode}
	p, ok := a.byName[provider]
	if !ok {
		return nil, clear, rt, callbackErr(http.StatusNotFound, provider, fmt.Errorf("%w: %q", ErrUnknownProvider, provider))
	}
	if p.spec.JARM != "" {
		// The response is a JWT: nothing of the callback is read before it
		// is verified, and then only what it holds.
		var err error
		if params, err = a.openJARM(ctx, p, params); err != nil {
			return nil, clear, rt, err
		}
	}
	state := params.Get("state")
	if state == "" || len(state) > 512 {
		return nil, clear, rt, callbackErr(http.StatusBadRequest, provider, fmt.Errorf("%w: the callback has no usable state", ErrStateMismatch))
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
		return nil, clear, rt, callbackErr(http.StatusBadRequest, provider, ErrFlowMissing)
	}
	plain, err := a.sealer.open(sealed, name)
	if err != nil {
		return nil, clear, rt, callbackErr(http.StatusBadRequest, provider, fmt.Errorf("%w: %w", ErrFlowInvalid, err))
	}
	var rec flowRecord
	if err := rec.unmarshal(plain); err != nil {
		return nil, clear, rt, callbackErr(http.StatusBadRequest, provider, fmt.Errorf("%w: undecodable record", ErrFlowInvalid))
	}
	rt = rec.ReturnTo
	now := a.cfg.clock.Now()
	if created := time.Unix(rec.Created, 0); now.Sub(created) > a.cfg.flowLifetime || created.After(now.Add(time.Minute)) {
		return nil, clear, rt, callbackErr(http.StatusBadRequest, provider, ErrFlowExpired)
	}
	if subtle.ConstantTimeCompare([]byte(rec.State), []byte(state)) != 1 {
		return nil, clear, rt, callbackErr(http.StatusBadRequest, provider, ErrStateMismatch)
	}
	if rec.Provider != provider {
		return nil, clear, rt, callbackErr(http.StatusBadRequest, provider, fmt.Errorf("%w: started for %q", ErrProviderMismatch, rec.Provider))
	}
	// A flow is used once (RFC 9700 §2.1.1, §4.2): its state is marked
	// before the provider is asked anything, for as long as the flow
	// could still be presented, so that a replayed callback with a copy
	// of the cookie never reaches the token endpoint.
	ttl := a.cfg.flowLifetime - now.Sub(time.Unix(rec.Created, 0)) + time.Minute
	fresh, err := a.cfg.store.SetIfAbsent(ctx, "oauth20:used:"+name, []byte(randomString(12)), max(ttl, time.Minute))
	if err != nil {
		return nil, clear, rt, callbackErr(http.StatusServiceUnavailable, provider, fmt.Errorf("%w: %w", ErrStoreUnavailable, err))
	}
	if !fresh {
		return nil, clear, rt, callbackErr(http.StatusBadRequest, provider, ErrFlowUsed)
	}
	client, disc, err := p.resolve(ctx)
	if err != nil {
		return nil, clear, rt, callbackErr(http.StatusBadGateway, provider, err)
	}
	if err := checkIssuer(p, disc, rec, params); err != nil {
		return nil, clear, rt, callbackErr(http.StatusBadRequest, provider, err)
	}
	code := ""
	for _, k := range p.spec.CodeParams {
		if code = params.Get(k); code != "" {
			break
		}
	}
	if e := params.Get("error"); e != "" {
		if code != "" {
			return nil, clear, rt, callbackErr(http.StatusBadRequest, provider, fmt.Errorf("%w: both code and error", ErrInvalidCallback))
		}
		oe := &Error{Code: ErrorCode(truncate(e, 64)), Description: truncate(params.Get("error_description"), 500),
			URI: truncate(params.Get("error_uri"), 500), Endpoint: "authorization"}
		status := http.StatusBadGateway
		if oe.Code == CodeAccessDenied {
			status = http.StatusUnauthorized
		}
		return nil, clear, rt, callbackErr(status, provider, oe)
	}
	if code == "" {
		if p.spec.RefusalWithoutCode {
			return nil, clear, rt, callbackErr(http.StatusUnauthorized, provider, &Error{Code: CodeAccessDenied,
				Description: "the callback has no code: the user refused", Endpoint: "authorization"})
		}
		return nil, clear, rt, callbackErr(http.StatusBadRequest, provider, fmt.Errorf("%w: no code", ErrInvalidCallback))
	}
	grantOpts := []Option{withRedirectURL(rec.RedirectURI)}
	if p.spec.CheckCallback != nil {
		carried, err := p.spec.CheckCallback(params, now)
		if err != nil {
			return nil, clear, rt, callbackErr(http.StatusBadRequest, provider, fmt.Errorf("%w: %w", ErrInvalidCallback, err))
		}
		if carried != nil {
			carried.Each(func(k, v string) { grantOpts = append(grantOpts, WithParam(k, v)) })
		}
	}
	if rec.Verifier != "" {
		grantOpts = append(grantOpts, WithPKCE(rec.Verifier))
	}
	tok, err := client.Exchange(ctx, code, grantOpts...)
	if err != nil {
		status := http.StatusBadGateway
		if errors.Is(err, ErrInvalidGrant) {
			// The code is unknown, expired or already used: a bad or
			// replayed callback, not a provider failure.
			status = http.StatusBadRequest
		}
		return nil, clear, rt, callbackErr(status, provider, err)
	}
	if p.spec.FAPI2 {
		if err := checkFAPI2Token(tok); err != nil {
			return nil, clear, rt, callbackErr(http.StatusBadGateway, provider, err)
		}
	}
	res := &Result{Provider: provider, Token: tok, ReturnTo: rec.ReturnTo, AppState: rec.AppState}
	if p.spec.OIDC {
		res.IDToken, err = a.verifyIDToken(ctx, p, tok, rec)
		if err != nil {
			return nil, clear, rt, callbackErr(http.StatusBadGateway, provider, err)
		}
	}
	if rec.TokenOnly || p.spec.TokenOnly {
		return res, clear, rec.ReturnTo, nil
	}
	res.User, err = p.User(ctx, UserRequest{Client: client, Token: tok, IDToken: res.IDToken, Callback: params})
	if err != nil {
		return nil, clear, rt, callbackErr(http.StatusBadGateway, provider, err)
	}
	return res, clear, rec.ReturnTo, nil
}

// checkIssuer applies RFC 9207 §2.4: when the callback carries iss it must
// equal the issuer the flow was started with; when the provider advertises
// authorization_response_iss_parameter_supported, iss is required. For a
// provider without a known issuer an iss parameter is ignored.
func checkIssuer(p *Provider, disc *Discovery, rec flowRecord, params url.Values) error {
	iss, present := params.Get("iss"), params.Has("iss")
	if present && rec.Issuer != "" && subtle.ConstantTimeCompare([]byte(iss), []byte(rec.Issuer)) != 1 {
		return fmt.Errorf("%w: got %q, want %q", ErrAuthResponseIssuer, truncate(iss, 200), rec.Issuer)
	}
	if p.spec.FAPI2 && (!present || rec.Issuer == "") {
		// FAPI 2.0 §5.3.2.2: the client checks iss on every response.
		return fmt.Errorf("%w: %w: iss is missing", ErrAuthResponseIssuer, ErrFAPI)
	}
	if !present {
		if disc != nil && disc.IssParameterSupported {
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
	if p.nonce() && rec.Nonce == "" {
		// Begin always records one: a flow without it was not started here.
		return nil, fmt.Errorf("%w: the flow record has no nonce", ErrFlowInvalid)
	}
	return v.VerifyIDToken(ctx, tok.IDToken, IDTokenExpectations{
		Nonce: rec.Nonce, AccessToken: tok.AccessToken, MaxAge: time.Duration(rec.MaxAge) * time.Second, MaxAgeSet: rec.MaxAgeSet,
	})
}

// loginURL is the login route of provider under the base URL, with
// return_to when it is a safe path other than "/".
func (a *Auth) loginURL(provider, returnTo string) string {
	u := a.cfg.baseURL + "/" + url.PathEscape(provider) + "/login"
	if returnTo != "" && returnTo != "/" && safeReturnTo(returnTo) {
		u += "?" + url.Values{"return_to": {returnTo}}.Encode()
	}
	return u
}

// logFailure writes one Warn line for a failed login step: the provider,
// the kind of failure, the status, the provider's error code and the
// cause, which the library keeps free of secrets. The context goes to the
// handler, so one that reads a request id from it adds it.
func (a *Auth) logFailure(ctx context.Context, step, provider string, err error) {
	if !a.cfg.logger.Enabled(ctx, slog.LevelWarn) {
		return
	}
	p := ProblemOf(err)
	attrs := []slog.Attr{slog.String("step", step), slog.String("provider", provider),
		slog.String("kind", strings.TrimPrefix(p.Type, "urn:oauth20:")), slog.Int("status", p.Status)}
	var oe *Error
	if errors.As(err, &oe) {
		code := string(oe.Code)
		if oe.ProviderCode != "" {
			code = oe.ProviderCode
		}
		attrs = append(attrs, slog.String("code", code))
	}
	attrs = append(attrs, slog.String("error", err.Error()))
	a.cfg.logger.LogAttrs(ctx, slog.LevelWarn, "oauth20: login failed", attrs...)
}

// authResponseVerifier is what a provider's verifier offers to verify
// signed authorization responses (JARM); package oidc's Verifier has it.
type authResponseVerifier interface {
	VerifyAuthResponse(ctx context.Context, response string) (url.Values, error)
}

// openJARM verifies the response parameter of a JARM callback and returns
// the parameters it holds. Errors are *CallbackError: 400 for a missing or
// refused response, 502 when the provider's keys cannot be had.
func (a *Auth) openJARM(ctx context.Context, p *Provider, params url.Values) (url.Values, error) {
	name := p.Name()
	response := params.Get("response")
	if response == "" {
		return nil, callbackErr(http.StatusBadRequest, name, fmt.Errorf("%w: no response JWT (response_mode %s)", ErrInvalidCallback, p.spec.JARM))
	}
	v, err := p.verifier(ctx)
	if err != nil {
		return nil, callbackErr(http.StatusBadGateway, name, err)
	}
	av, ok := v.(authResponseVerifier)
	if !ok {
		return nil, callbackErr(http.StatusInternalServerError, name,
			configError("provider %q: its verifier cannot verify signed authorization responses (JARM)", name))
	}
	out, err := av.VerifyAuthResponse(ctx, response)
	if err != nil {
		return nil, callbackErr(http.StatusBadRequest, name, fmt.Errorf("%w: %w", ErrInvalidCallback, err))
	}
	return out, nil
}
