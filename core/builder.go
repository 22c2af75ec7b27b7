package core

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/go-oauth20/oauth20/internal/httpx"
	"github.com/go-oauth20/oauth20/internal/urls"
	"github.com/go-resty/resty/v2"
)

// DefaultFlowLifetime is how long a started login may take.
const DefaultFlowLifetime = 10 * time.Minute

// authConfig is what the Builder records and an Auth keeps.
type authConfig struct {
	sealingKeys           [][]byte
	baseURL               string
	httpClient            *http.Client
	clock                 Clock
	logger                *slog.Logger
	flowLifetime          time.Duration
	sessionLifetime       time.Duration
	untilTokenExpiry      bool
	insecureCookies       bool
	keepTokens            bool
	loginURL              string
	afterLogout           string
	postLogoutRedirectURL string
	store                 Store
	serverSessions        bool
	// fapi2 is the FAPI 2.0 mode, set by package fapi through corehook.
	fapi2 bool
}

// Builder composes an Auth with chained setters. Setters only record;
// Build checks everything at once and does no network I/O. A Builder is not
// safe for concurrent use; the Auth it builds is.
type Builder struct {
	cfg       authConfig
	providers []*Provider
	errs      []error
}

// New starts a Builder. Only SealingKeys, BaseURL and at least one Provider
// are required:
//
//	auth, err := core.New().
//		SealingKeys(key).
//		BaseURL("https://app.example/auth").
//		Provider(providers.GitHub(id, secret)).
//		Build()
func New() *Builder { return &Builder{} }

// Provider adds a provider. It takes the constructor's error too, so that
// constructors chain directly and Build reports their problems with the
// rest:
//
//	core.New().Provider(providers.GitHub(id, secret))
func (b *Builder) Provider(p *Provider, err error) *Builder {
	switch {
	case err != nil:
		b.errs = append(b.errs, err)
	case p == nil:
		b.errs = append(b.errs, configError("nil provider"))
	default:
		b.providers = append(b.providers, p)
	}
	return b
}

// SealingKeys sets the keys that encrypt and authenticate the flow and
// session cookies (AES-256-GCM). Each is at least 32 bytes of secret
// randomness; the first seals and all open, so a key is rotated by putting
// the new one first and keeping the old one until its cookies have expired.
// Every replica behind a load balancer needs the same keys, nothing else.
func (b *Builder) SealingKeys(keys ...[]byte) *Builder {
	b.cfg.sealingKeys = nil
	for _, k := range keys {
		b.cfg.sealingKeys = append(b.cfg.sealingKeys, append([]byte(nil), k...))
	}
	return b
}

// BaseURL sets where the login routes are mounted, such as
// "https://app.example/auth": a provider's redirect URI is
// BaseURL/{name}/callback unless its own configuration names one. Plain
// http is accepted on loopback hosts only.
func (b *Builder) BaseURL(u string) *Builder { b.cfg.baseURL = u; return b }

// HTTPClient sets the client that every provider's requests go through (its
// transport, proxy and cookie jar are used). Whatever client is given, no
// redirect is followed, response bodies are capped and a request times out
// after DefaultTimeout unless the client sets its own Timeout. Default: a
// client of the library's own.
func (b *Builder) HTTPClient(hc *http.Client) *Builder { b.cfg.httpClient = hc; return b }

// Clock sets the clock; default the system clock. Tests inject one.
func (b *Builder) Clock(c Clock) *Builder { b.cfg.clock = c; return b }

// Logger sets the logger for debug lines and failed logouts; it never
// receives a secret. Default: discard.
func (b *Builder) Logger(l *slog.Logger) *Builder { b.cfg.logger = l; return b }

// FlowLifetime sets how long a started login may take; default
// DefaultFlowLifetime.
func (b *Builder) FlowLifetime(d time.Duration) *Builder {
	b.cfg.flowLifetime = d
	if d <= 0 {
		b.errs = append(b.errs, configError("flow lifetime %v is not positive", d))
	}
	return b
}

// SessionLifetime sets how long a login lasts; default
// DefaultSessionLifetime. A session lasts its lifetime whatever becomes of
// its token at the provider: simple, and no request waits for the
// provider, but the session outlives a token that expired or was revoked.
//
// SessionLifetime(UntilTokenExpiry) binds each session to its access
// token instead: it ends when the token expires, and RequireLogin renews
// it with the refresh token (KeepTokens, and a provider that issues
// refresh tokens) on any request made in the last quarter of the token's
// life, so that an active user stays logged in; a refresh the provider
// refuses lets the session end with its token. The session never outlasts
// the lifetime (set by another SessionLifetime call, or the default)
// counted from the login. A session whose provider gave no token lifetime
// lasts the lifetime.
func (b *Builder) SessionLifetime(d time.Duration) *Builder {
	if d == UntilTokenExpiry {
		b.cfg.untilTokenExpiry = true
		return b
	}
	b.cfg.sessionLifetime = d
	if d <= 0 {
		b.errs = append(b.errs, configError("session lifetime %v is not positive", d))
	}
	return b
}

// InsecureCookies drops the Secure cookie attribute and allows a plain-http
// BaseURL on a non-loopback host: for local development only, never in
// production.
func (b *Builder) InsecureCookies() *Builder { b.cfg.insecureCookies = true; return b }

// KeepTokens stores the access, refresh and ID tokens in the session
// (sealed), so that the application can call APIs with them and logout can
// revoke them and send id_token_hint. Off by default: a cookie is no place
// for credentials the application does not need.
func (b *Builder) KeepTokens() *Builder { b.cfg.keepTokens = true; return b }

// LoginURL sets the local path where the login-required middleware sends a
// browser that has no session, with ?return_to= the page it asked for (such
// as "/login" or "/auth/github/login"). Without it the middleware answers
// 401.
func (b *Builder) LoginURL(path string) *Builder { b.cfg.loginURL = path; return b }

// AfterLogout sets where a browser lands after logout, "/" by default. An
// absolute URL of this application (such as "https://app.example/") is
// also sent to providers that have an end-session endpoint, as
// post_logout_redirect_uri, so that they send the browser back there:
// register it with them. A local path is used only where the provider has
// no end-session endpoint, and the browser then stays on the provider's
// logged-out page.
func (b *Builder) AfterLogout(to string) *Builder { b.cfg.afterLogout = to; return b }

// Store sets the store that holds what replicas must share: the states of
// accepted callbacks (a flow is used once, even when a copy of its cookie
// is replayed), the refresh locks that keep a rotating refresh token from
// being used twice (Refresh, SessionToken), and the sessions with
// ServerSessions. Default: an in-memory store of this Auth's own, enough
// for one process; replicas behind a load balancer need a shared one
// (package stores/oauth20redis).
func (b *Builder) Store(s Store) *Builder { b.cfg.store = s; return b }

// ServerSessions keeps sessions in the Store instead of the session
// cookie: the cookie then holds only a sealed session ID, the session is
// sealed with the sealing keys before it is stored (the Store never holds a
// readable token), it can be as large as the tokens of any provider, and it
// can be ended centrally (RevokeSession, RevokeSessions). Reading a session
// then costs two Store reads, and when the Store is unreachable sessions
// fail closed (Session). Off by default: sessions live in the cookie and
// replicas share nothing but the keys. Switching either way ends the
// sessions of the other kind.
func (b *Builder) ServerSessions() *Builder { b.cfg.serverSessions = true; return b }

// Build checks the configuration and returns the Auth, or every problem
// found, joined, each wrapping ErrInvalidConfig.
func (b *Builder) Build() (*Auth, error) {
	return newAuth(b.cfg, b.providers, b.errs)
}

// MustBuild is Build that panics on error, for tests and examples.
func (b *Builder) MustBuild() *Auth {
	a, err := b.Build()
	if err != nil {
		panic(err)
	}
	return a
}

// newAuth builds an Auth from a config and providers; earlier is a list of
// errors already found (the Builder's), reported with the rest.
func newAuth(cfg authConfig, providers []*Provider, earlier []error) (*Auth, error) {
	errs := append([]error(nil), earlier...)
	s, err := newSealer(cfg.sealingKeys)
	if err != nil {
		errs = append(errs, err)
	}
	base, err := url.Parse(cfg.baseURL)
	switch {
	case cfg.baseURL == "":
		errs = append(errs, configError("base URL is empty: set where the login routes are mounted, e.g. https://app.example/auth"))
	case err != nil || base.Host == "" || (base.Scheme != "https" && base.Scheme != "http") || base.RawQuery != "" || base.Fragment != "":
		errs = append(errs, configError("base URL %q must be an absolute http(s) URL without query or fragment", cfg.baseURL))
	case base.Scheme == "http" && !urls.IsLoopback(base.Host) && !cfg.insecureCookies:
		errs = append(errs, configError("base URL %q: plain http is only allowed on loopback hosts (RFC 9700 §2.6)", cfg.baseURL))
	}
	if cfg.loginURL != "" && !safeReturnTo(cfg.loginURL) {
		errs = append(errs, configError("login URL %q is not a safe local path", cfg.loginURL))
	}
	if u := cfg.afterLogout; u != "" && !safeReturnTo(u) {
		if pu, err := url.Parse(u); err != nil || (pu.Scheme != "https" && pu.Scheme != "http") || pu.Host == "" || pu.Fragment != "" {
			errs = append(errs, configError("after-logout %q is neither a safe local path nor an absolute http(s) URL without fragment", u))
		} else {
			cfg.postLogoutRedirectURL = u
		}
	}
	if cfg.fapi2 {
		errs = append(errs, checkFAPI2Auth(cfg, providers)...)
	}
	if len(providers) == 0 && len(earlier) == 0 {
		errs = append(errs, configError("no provider"))
	}
	seen := map[string]bool{}
	for _, p := range providers {
		if seen[p.Name()] {
			errs = append(errs, configError("two providers are named %q", p.Name()))
		}
		seen[p.Name()] = true
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	if cfg.clock == nil {
		cfg.clock = systemClock{}
	}
	if cfg.logger == nil {
		cfg.logger = slog.New(slog.DiscardHandler)
	}
	if cfg.flowLifetime == 0 {
		cfg.flowLifetime = DefaultFlowLifetime
	}
	if cfg.sessionLifetime == 0 {
		cfg.sessionLifetime = DefaultSessionLifetime
	}
	if cfg.afterLogout == "" {
		cfg.afterLogout = "/"
	}
	if cfg.store == nil {
		cfg.store = newMemoryStore(cfg.clock, defaultStoreEntries)
	}
	cfg.baseURL = strings.TrimSuffix(cfg.baseURL, "/")
	a := &Auth{cfg: &cfg, sealer: s, byName: map[string]*Provider{}, base: base}
	a.secure = base.Scheme == "https" && !cfg.insecureCookies
	a.cookiePath = strings.TrimSuffix(base.EscapedPath(), "/") + "/"
	if a.secure {
		a.cookiePath = "/" // __Host- cookies must have the path "/"
	}
	// One resty client over one safe *http.Client for every provider.
	var rc *resty.Client
	if cfg.httpClient != nil {
		rc = httpx.Resty(cfg.httpClient)
	}
	for _, p := range providers {
		q := p.withRuntime(rc, cfg.clock, cfg.logger)
		a.byName[q.Name()] = q
		a.order = append(a.order, q)
	}
	for _, p := range a.order {
		if p.spec.Client.RedirectURL == "" {
			// Checked here so that the error names the provider.
			if err := urls.CheckEndpoint(a.redirectURL(p.Name()), cfg.insecureCookies); err != nil {
				return nil, fmt.Errorf("%w: provider %q: %w", ErrInvalidConfig, p.Name(), err)
			}
		}
	}
	return a, nil
}
