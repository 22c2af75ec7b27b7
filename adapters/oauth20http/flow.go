package oauth20http

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"github.com/go-oauth20/oauth20/core"
)

// FlowConfig is the framework-neutral part of an adapter's configuration.
type FlowConfig struct {
	// Auth runs the login flow. Required.
	Auth *core.Auth
	// Session says how the session cookie is kept.
	Session SessionConfig
	// LoginURL is where RequireLogin sends a browser that is not logged in,
	// with ?return_to= the page it asked for, such as "/login" or
	// "/auth/github/login". Empty means RequireLogin answers 401.
	LoginURL string
	// AfterLogout is the local path a browser goes to after logout when the
	// provider has no end-session endpoint; default "/".
	AfterLogout string
	// PostLogoutRedirectURL is the absolute URL the provider's end-session
	// endpoint sends the browser back to. It must be registered with the
	// provider. Empty means none is sent.
	PostLogoutRedirectURL string
	// Logger receives failed revocations at logout; nil discards. No secret
	// is ever logged.
	Logger *slog.Logger
}

// Flow is the framework-neutral core of every adapter: login, callback,
// session and logout in terms of plain data (core.Cookie, url.Values,
// cookie look-ups). Handler is net/http over a Flow; package oauth20fiber
// is Fiber over one; an adapter for another framework can be written the
// same way. A Flow is immutable and safe for concurrent use.
type Flow struct {
	cfg FlowConfig
}

// NewFlow checks cfg and fills its defaults. Every problem is reported,
// joined, each wrapping core.ErrInvalidConfig.
func NewFlow(cfg FlowConfig) (*Flow, error) {
	var errs []error
	if cfg.Auth == nil {
		errs = append(errs, fmt.Errorf("%w: oauth20http: Auth is required", core.ErrInvalidConfig))
	}
	if err := cfg.Session.check(); err != nil {
		errs = append(errs, err)
	}
	if cfg.AfterLogout == "" {
		cfg.AfterLogout = "/"
	}
	if !core.SafeReturnTo(cfg.AfterLogout) {
		errs = append(errs, fmt.Errorf("%w: oauth20http: AfterLogout %q is not a safe local path", core.ErrInvalidConfig, cfg.AfterLogout))
	}
	if cfg.LoginURL != "" && !core.SafeReturnTo(cfg.LoginURL) {
		errs = append(errs, fmt.Errorf("%w: oauth20http: LoginURL %q is not a safe local path", core.ErrInvalidConfig, cfg.LoginURL))
	}
	if u := cfg.PostLogoutRedirectURL; u != "" {
		if pu, err := url.Parse(u); err != nil || !pu.IsAbs() || pu.Host == "" || pu.Fragment != "" {
			errs = append(errs, fmt.Errorf("%w: oauth20http: PostLogoutRedirectURL %q must be an absolute URL without fragment", core.ErrInvalidConfig, u))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	cfg.Session = cfg.Session.withDefaults()
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Flow{cfg: cfg}, nil
}

// Auth returns the flow's Auth.
func (f *Flow) Auth() *core.Auth { return f.cfg.Auth }

// Config returns the flow's configuration with its defaults filled in.
func (f *Flow) Config() FlowConfig { return f.cfg }

// Login starts a login with provider and returns the URL to redirect the
// browser to and the flow cookie to set. returnTo is passed on as it came
// (core keeps only a safe local path). The error is a *core.CallbackError:
// 404 for an unknown provider, 502 when the provider's metadata cannot be
// fetched.
func (f *Flow) Login(ctx context.Context, provider, returnTo string) (string, core.Cookie, error) {
	loc, c, err := f.cfg.Auth.Begin(ctx, provider, core.BeginOptions{ReturnTo: returnTo})
	if err != nil {
		status := http.StatusBadGateway
		if errors.Is(err, core.ErrUnknownProvider) {
			status = http.StatusNotFound
		}
		return "", core.Cookie{}, &core.CallbackError{Status: status, Provider: provider, Err: err}
	}
	return loc, c, nil
}

// Callback completes a login: it is core.Auth.Complete. The returned
// cookie clears the flow cookie and must be set whatever the outcome.
func (f *Flow) Callback(ctx context.Context, provider string, params url.Values, cookie func(string) (string, bool)) (*core.Result, core.Cookie, error) {
	return f.cfg.Auth.Complete(ctx, provider, core.CallbackRequest{Params: params, Cookie: cookie})
}

// StartSession seals the session of a completed login and returns its
// cookie and the safe local path to send the browser to.
func (f *Flow) StartSession(res *core.Result) (core.Cookie, string, error) {
	c, err := f.cfg.Session.Seal(f.cfg.Auth, NewSession(res, f.cfg.Session.KeepTokens))
	if err != nil {
		return core.Cookie{}, "", err
	}
	to := res.ReturnTo
	if !core.SafeReturnTo(to) {
		to = "/"
	}
	return c, to, nil
}

// Session returns the logged-in user's session from the request's cookies.
func (f *Flow) Session(cookie func(string) (string, bool)) (*Session, bool) {
	return f.cfg.Session.Open(f.cfg.Auth, cookie)
}

// Logout ends the session found in the request's cookies and returns the
// URL to send the browser to and the cookie that deletes the session. The
// provider is the session's, or the route's when there is no session. With
// kept tokens they are revoked first (failures are logged, not returned:
// the local session ends regardless). The URL is the provider's
// end-session URL when it has one, else AfterLogout.
func (f *Flow) Logout(ctx context.Context, provider string, cookie func(string) (string, bool)) (string, core.Cookie) {
	clear := f.cfg.Session.Clear(f.cfg.Auth)
	opts := core.LogoutOptions{PostLogoutRedirectURL: f.cfg.PostLogoutRedirectURL}
	if s, ok := f.Session(cookie); ok {
		provider = s.Provider
		opts.Token, opts.IDTokenHint = s.Token, s.IDToken
	}
	if _, ok := f.cfg.Auth.Provider(provider); !ok {
		return f.cfg.AfterLogout, clear
	}
	end, err := f.cfg.Auth.Logout(ctx, provider, opts)
	if err != nil {
		f.cfg.Logger.WarnContext(ctx, "oauth20http: logout at the provider failed", "provider", provider, "error", err)
	}
	if end == "" {
		end = f.cfg.AfterLogout
	}
	return end, clear
}

// LoginRedirect returns where RequireLogin sends a browser that asked for
// requestURI without a session: LoginURL with return_to, or "" when no
// LoginURL is set (answer 401 then).
func (f *Flow) LoginRedirect(requestURI string) string {
	if f.cfg.LoginURL == "" {
		return ""
	}
	sep := "?"
	if strings.Contains(f.cfg.LoginURL, "?") {
		sep = "&"
	}
	return f.cfg.LoginURL + sep + url.Values{"return_to": {requestURI}}.Encode()
}
