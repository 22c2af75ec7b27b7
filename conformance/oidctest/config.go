package oidctest

import (
	"errors"
	"fmt"
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

	// TLS serves https with the httptest certificate. Use Server.HTTPClient
	// for a client that trusts it. The certificate covers 127.0.0.1 and ::1,
	// not "localhost".
	TLS bool

	// Algorithm is the JWS algorithm of the signing keys: RS256 (default),
	// RS384, RS512, PS256, ES256 or ES384.
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
