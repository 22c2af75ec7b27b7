package oidctest

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// ErrInvalidConfig is wrapped by every configuration error that Start, New,
// RegisterClient and SetUser report.
var ErrInvalidConfig = errors.New("oidctest: invalid configuration")

// Default lifetimes, used when the matching Config field is zero.
const (
	DefaultCodeTTL         = time.Minute
	DefaultAccessTokenTTL  = time.Hour
	DefaultIDTokenTTL      = time.Hour
	DefaultRefreshTokenTTL = 24 * time.Hour
)

// Config is the complete configuration of a Server. Its zero value is usable:
// a server on a random loopback port, signing RS256, with the default client
// and the default user.
type Config struct {
	// Addr is the TCP address to listen on, such as "127.0.0.1:9000" for a
	// demo on a fixed port. Empty means "127.0.0.1:0", a random loopback
	// port. The issuer uses the host written here (an unspecified host
	// becomes 127.0.0.1) and the port actually bound.
	Addr string

	// IssuerPath is appended to the issuer URL, for example "/realms/test",
	// so that the issuer has a path like many real providers. Every endpoint
	// lives under it. Empty means the issuer is the bare origin.
	IssuerPath string

	// Issuer, when set, is the issuer the server names instead of its own
	// address: a provider's real spelling, such as "https://accounts.google.com"
	// or Auth0's "https://tenant.example/" with its trailing slash. The server
	// still listens on Addr; its Transport (and HTTPClient) send the requests
	// for the hosts it plays there, whatever their scheme. Issuer and
	// IssuerPath cannot both be set.
	Issuer string

	// TokenIssuer, when set, is the iss claim of ID tokens where it differs
	// from the issuer: Microsoft's multi-tenant metadata names
	// "https://login.microsoftonline.com/{tenantid}/v2.0" (see Metadata)
	// while its tokens carry the tenant's own issuer, and Google's tokens may
	// spell theirs without the scheme.
	TokenIssuer string

	// Endpoints moves endpoints from their default place below the issuer. A
	// value starting with "/" is a path below the issuer (without its
	// trailing slash); any other value is an absolute URL, on any host: the
	// server then plays that host too (see Issuer). DiscoveryEndpoint stays
	// at the issuer's /.well-known/openid-configuration.
	Endpoints map[Endpoint]string

	// Metadata changes the discovery document: each member replaces the
	// server's own, and a nil value removes it, as for a provider that lists
	// no revocation_endpoint. The server acts on one member as the document
	// then has it: without authorization_response_iss_parameter_supported
	// true it sends no iss in authorization responses (RFC 9207). Everything
	// else is only advertised: the server takes PKCE, signs with Algorithm
	// and authenticates each client by its AuthMethod whatever the document
	// says, so that a test can serve a provider's document that is not the
	// whole truth (LINE lists ES256 and signs web logins with HS256; Entra
	// takes PKCE without listing it). An "issuer" member changes the issuer
	// the document names, not the server's; a removed endpoint is still
	// served.
	Metadata map[string]any

	// Handlers serve further URLs beside the OpenID endpoints, keyed like
	// Endpoints (a path below the issuer or an absolute URL): a provider's own
	// APIs, such as LINE's profile endpoint. They see the request as sent;
	// Server.UserFor tells whom an access token belongs to. Their requests
	// are neither counted nor recorded, and faults do not apply to them.
	Handlers map[string]http.Handler

	// ImplicitOpenID makes every authorization an OpenID one whatever its
	// scope, as Sign in with Apple does for its scopes name and email: the
	// openid scope is not required, and ID tokens are issued and UserInfo
	// answers without it.
	ImplicitOpenID bool

	// TLS serves https with the httptest certificate. Use Server.HTTPClient
	// for a client that trusts it. The certificate covers 127.0.0.1 and ::1,
	// not "localhost".
	TLS bool

	// Algorithm is the JWS algorithm of the signing keys: RS256 (default),
	// RS384, RS512, PS256, ES256 or ES384; or HS256, HS384 or HS512, with
	// which ID tokens are MACed with the client's secret (OpenID Connect Core
	// §10.1) and the JWK Set is empty.
	Algorithm string

	// Clients are the registered clients. Nil means DefaultClient alone.
	Clients []Client

	// User is the end user that logins authenticate as until SetUser changes
	// it. The zero value means DefaultUser.
	User User

	// Now is the clock used for every time the server writes or checks (code
	// and token expiry, iat, auth_time). Nil means time.Now. It does not
	// affect Faults.Delays, which are real time.
	Now func() time.Time

	// CodeTTL, AccessTokenTTL, IDTokenTTL and RefreshTokenTTL are lifetimes;
	// zero means the Default* constant.
	CodeTTL         time.Duration
	AccessTokenTTL  time.Duration
	IDTokenTTL      time.Duration
	RefreshTokenTTL time.Duration
}

// Option changes a Config before New starts the server. Any
// func(*Config) is an Option, so tests can set fields directly:
//
//	oidctest.New(t, func(c *oidctest.Config) { c.CodeTTL = time.Second })
type Option func(*Config)

// WithClock sets Config.Now.
func WithClock(now func() time.Time) Option {
	return func(c *Config) { c.Now = now }
}

// WithClients sets Config.Clients, replacing the default client.
func WithClients(clients ...Client) Option {
	return func(c *Config) { c.Clients = append([]Client(nil), clients...) }
}

// WithUser sets Config.User.
func WithUser(u User) Option {
	return func(c *Config) { c.User = u }
}

// WithAlgorithm sets Config.Algorithm.
func WithAlgorithm(alg string) Option {
	return func(c *Config) { c.Algorithm = alg }
}

// WithTLS sets Config.TLS.
func WithTLS() Option {
	return func(c *Config) { c.TLS = true }
}

// withDefaults returns a copy of c with zero fields filled in and every
// problem found, joined.
func (c Config) withDefaults() (Config, error) {
	var errs []error
	if c.Addr == "" {
		c.Addr = "127.0.0.1:0"
	}
	if c.IssuerPath != "" && (!strings.HasPrefix(c.IssuerPath, "/") || strings.HasSuffix(c.IssuerPath, "/") ||
		strings.ContainsAny(c.IssuerPath, "?#")) {
		errs = append(errs, fmt.Errorf("%w: IssuerPath %q must start with / and not end with /", ErrInvalidConfig, c.IssuerPath))
	}
	if c.Issuer != "" {
		if c.IssuerPath != "" {
			errs = append(errs, fmt.Errorf("%w: Issuer and IssuerPath are both set", ErrInvalidConfig))
		}
		if err := checkURL(c.Issuer); err != nil {
			errs = append(errs, fmt.Errorf("%w: Issuer %q %v", ErrInvalidConfig, c.Issuer, err))
		}
	}
	for ep, u := range c.Endpoints {
		switch {
		case ep == DiscoveryEndpoint:
			errs = append(errs, fmt.Errorf("%w: the discovery endpoint cannot be moved", ErrInvalidConfig))
		case !validEndpoint(ep):
			errs = append(errs, fmt.Errorf("%w: unknown endpoint %q", ErrInvalidConfig, ep))
		case u == "" || strings.HasPrefix(u, "/") && !strings.ContainsAny(u, "?#"):
		default:
			if err := checkURL(u); err != nil {
				errs = append(errs, fmt.Errorf("%w: endpoint %q %v", ErrInvalidConfig, u, err))
			}
		}
	}
	for u, h := range c.Handlers {
		if h == nil {
			errs = append(errs, fmt.Errorf("%w: handler for %q is nil", ErrInvalidConfig, u))
		} else if !strings.HasPrefix(u, "/") || strings.ContainsAny(u, "?#") {
			if err := checkURL(u); err != nil {
				errs = append(errs, fmt.Errorf("%w: handler URL %q %v", ErrInvalidConfig, u, err))
			}
		}
	}
	if c.Algorithm == "" {
		c.Algorithm = "RS256"
	}
	if _, ok := algorithms[c.Algorithm]; !ok {
		errs = append(errs, fmt.Errorf("%w: unsupported algorithm %q", ErrInvalidConfig, c.Algorithm))
	}
	if c.Clients == nil {
		c.Clients = []Client{DefaultClient()}
	}
	clients := make([]Client, 0, len(c.Clients))
	seen := map[string]bool{}
	for _, cl := range c.Clients {
		cl, err := cl.normalize()
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if seen[cl.ID] {
			errs = append(errs, fmt.Errorf("%w: client %q registered twice", ErrInvalidConfig, cl.ID))
		}
		seen[cl.ID] = true
		clients = append(clients, cl)
	}
	c.Clients = clients
	if c.User.isZero() {
		c.User = DefaultUser()
	}
	if err := c.User.validate(); err != nil {
		errs = append(errs, err)
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	for _, d := range []struct {
		v   *time.Duration
		def time.Duration
		n   string
	}{
		{&c.CodeTTL, DefaultCodeTTL, "CodeTTL"},
		{&c.AccessTokenTTL, DefaultAccessTokenTTL, "AccessTokenTTL"},
		{&c.IDTokenTTL, DefaultIDTokenTTL, "IDTokenTTL"},
		{&c.RefreshTokenTTL, DefaultRefreshTokenTTL, "RefreshTokenTTL"},
	} {
		switch {
		case *d.v == 0:
			*d.v = d.def
		case *d.v < time.Second:
			errs = append(errs, fmt.Errorf("%w: %s %v is shorter than a second", ErrInvalidConfig, d.n, *d.v))
		}
	}
	return c, errors.Join(errs...)
}

// checkURL checks an absolute http or https URL without query or fragment,
// and says what is wrong with it otherwise.
func checkURL(raw string) error {
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return errors.New("is not a URL")
	case u.Scheme != "http" && u.Scheme != "https" || u.Host == "":
		return errors.New("must be an absolute http or https URL")
	case u.RawQuery != "" || u.Fragment != "" || strings.ContainsAny(raw, "?#"):
		return errors.New("must have no query or fragment")
	}
	return nil
}
