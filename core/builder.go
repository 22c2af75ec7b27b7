package core

import (
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/go-resty/resty/v2"
)

// DefaultFlowLifetime is how long a started login may take.
const DefaultFlowLifetime = 10 * time.Minute

// AuthConfig is the configuration an Auth is built from. The Builder fills
// it; its zero values are the defaults.
type AuthConfig struct {
	// SealingKeys encrypt the flow cookies. The first seals, all open (key
	// rotation). Each at least 32 bytes of secret randomness. Every
	// replica behind a load balancer needs the same keys, nothing else.
	SealingKeys [][]byte
	// BaseURL is where the routes are mounted, e.g.
	// "https://app.example/auth": a provider's redirect URI is
	// BaseURL + "/" + name + "/callback" unless its spec sets one.
	BaseURL string
	// HTTPClient is shared by all providers; nil means NewHTTPClient().
	HTTPClient *resty.Client
	// Clock defaults to the system clock.
	Clock Clock
	// Logger receives debug lines, never secrets; nil discards.
	Logger *slog.Logger
	// FlowLifetime defaults to DefaultFlowLifetime.
	FlowLifetime time.Duration
	// CookieName prefixes the flow cookie names; default "oauth20".
	CookieName string
	// DefaultReturnTo is where the user goes after login when no safe
	// return-to path was given; default "/".
	DefaultReturnTo string
	// InsecureCookies drops the Secure attribute even on https (never do
	// this in production). Cookies on a plain-http BaseURL are never Secure.
	InsecureCookies bool
}

// Builder composes an Auth with chained setters. Setters only record;
// Build checks everything at once and does no network I/O.
type Builder struct {
	cfg       AuthConfig
	providers []*Provider
	errs      []error
}

// New starts a Builder.
func New() *Builder { return &Builder{} }

// Provider adds a provider. It takes the constructor's error too, so that
// constructors chain directly and Build reports their problems with the
// rest:
//
//	core.New().Provider(providers.GitHub(id, secret))
func (b *Builder) Provider(p *Provider, err error) *Builder {
	if err != nil {
		b.errs = append(b.errs, err)
		return b
	}
	if p == nil {
		b.errs = append(b.errs, configError("nil provider"))
		return b
	}
	b.providers = append(b.providers, p)
	return b
}

// SealingKeys sets the cookie sealing keys; the first seals.
func (b *Builder) SealingKeys(keys ...[]byte) *Builder {
	b.cfg.SealingKeys = nil
	for _, k := range keys {
		b.cfg.SealingKeys = append(b.cfg.SealingKeys, append([]byte(nil), k...))
	}
	return b
}

// BaseURL sets the URL under which the login routes are mounted.
func (b *Builder) BaseURL(u string) *Builder { b.cfg.BaseURL = u; return b }

// HTTPClient sets the resty client shared by every provider.
func (b *Builder) HTTPClient(rc *resty.Client) *Builder { b.cfg.HTTPClient = rc; return b }

// Clock sets the clock.
func (b *Builder) Clock(c Clock) *Builder { b.cfg.Clock = c; return b }

// Logger sets the logger.
func (b *Builder) Logger(l *slog.Logger) *Builder { b.cfg.Logger = l; return b }

// FlowLifetime sets how long a login may take.
func (b *Builder) FlowLifetime(d time.Duration) *Builder { b.cfg.FlowLifetime = d; return b }

// CookieName sets the prefix of flow cookie names.
func (b *Builder) CookieName(prefix string) *Builder { b.cfg.CookieName = prefix; return b }

// DefaultReturnTo sets where users land after login by default.
func (b *Builder) DefaultReturnTo(p string) *Builder { b.cfg.DefaultReturnTo = p; return b }

// InsecureCookies drops the Secure cookie attribute; for local development
// over plain http on a non-loopback name only.
func (b *Builder) InsecureCookies() *Builder { b.cfg.InsecureCookies = true; return b }

// Build checks the configuration and returns the Auth, or every problem
// found, joined, each wrapping ErrInvalidConfig.
func (b *Builder) Build() (*Auth, error) {
	return NewAuth(b.cfg, b.providers, b.errs...)
}

// MustBuild is Build that panics on error, for tests and examples.
func (b *Builder) MustBuild() *Auth {
	a, err := b.Build()
	if err != nil {
		panic(err)
	}
	return a
}

// NewAuth builds an Auth from a config and providers; earlier is a list of
// errors already found (the Builder's), reported with the rest.
func NewAuth(cfg AuthConfig, providers []*Provider, earlier ...error) (*Auth, error) {
	errs := append([]error(nil), earlier...)
	s, err := newSealer(cfg.SealingKeys)
	if err != nil {
		errs = append(errs, err)
	}
	base, err := url.Parse(cfg.BaseURL)
	switch {
	case cfg.BaseURL == "":
		errs = append(errs, configError("base URL is empty: set where the login routes are mounted, e.g. https://app.example/auth"))
	case err != nil || base.Host == "" || (base.Scheme != "https" && base.Scheme != "http") || base.RawQuery != "" || base.Fragment != "":
		errs = append(errs, configError("base URL %q must be an absolute http(s) URL without query or fragment", cfg.BaseURL))
	case base.Scheme == "http" && !IsLoopback(base.Host) && !cfg.InsecureCookies:
		errs = append(errs, configError("base URL %q: plain http is only allowed on loopback hosts (RFC 9700 §2.6)", cfg.BaseURL))
	}
	if cfg.FlowLifetime < 0 {
		errs = append(errs, configError("flow lifetime %v is negative", cfg.FlowLifetime))
	}
	if cfg.CookieName != "" && strings.ContainsAny(cfg.CookieName, " ;,=\t\r\n\"") {
		errs = append(errs, configError("cookie name %q has characters cookies cannot carry", cfg.CookieName))
	}
	if cfg.DefaultReturnTo != "" && !SafeReturnTo(cfg.DefaultReturnTo) {
		errs = append(errs, configError("default return-to %q is not a safe relative path", cfg.DefaultReturnTo))
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
	if err := joinErrors(errs); err != nil {
		return nil, err
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = NewHTTPClient()
	}
	if cfg.Clock == nil {
		cfg.Clock = SystemClock
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.FlowLifetime == 0 {
		cfg.FlowLifetime = DefaultFlowLifetime
	}
	if cfg.CookieName == "" {
		cfg.CookieName = "oauth20"
	}
	if cfg.DefaultReturnTo == "" {
		cfg.DefaultReturnTo = "/"
	}
	cfg.BaseURL = strings.TrimSuffix(cfg.BaseURL, "/")
	a := &Auth{cfg: cfg, sealer: s, byName: map[string]*Provider{}, base: base}
	a.cookiePath = strings.TrimSuffix(base.EscapedPath(), "/") + "/"
	a.secure = base.Scheme == "https" && !cfg.InsecureCookies
	for _, p := range providers {
		q := p.WithRuntime(cfg.HTTPClient, cfg.Clock, cfg.Logger)
		a.byName[q.Name()] = q
		a.order = append(a.order, q)
	}
	for _, p := range a.order {
		if p.spec.Client.RedirectURL == "" {
			// Checked here so that the error names the provider.
			if err := CheckRedirectURL(a.RedirectURL(p.Name()), cfg.InsecureCookies); err != nil {
				return nil, fmt.Errorf("%w: provider %q: %w", ErrInvalidConfig, p.Name(), err)
			}
		}
	}
	return a, nil
}
