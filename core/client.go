package core

import (
	"crypto"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/go-resty/resty/v2"
)

// AuthMethod is how a client authenticates to the token, revocation,
// introspection and device authorization endpoints.
type AuthMethod string

// Client authentication methods (OpenID Connect Core §9, RFC 6749 §2.3).
const (
	// AuthSecretBasic sends client_id and client_secret in an HTTP Basic
	// header, each form-urlencoded first (RFC 6749 §2.3.1). The default for
	// a client with a secret.
	AuthSecretBasic AuthMethod = "client_secret_basic"
	// AuthSecretPost sends client_id and client_secret in the request body
	// (or query, for dialects that send parameters there).
	AuthSecretPost AuthMethod = "client_secret_post"
	// AuthNone is a public client: client_id only, PKCE required.
	AuthNone AuthMethod = "none"
	// AuthPrivateKeyJWT signs an RFC 7523 assertion with Config.PrivateKey.
	AuthPrivateKeyJWT AuthMethod = "private_key_jwt"
	// AuthSecretJWT signs an RFC 7523 assertion with HMAC-SHA256 keyed by
	// the client secret.
	AuthSecretJWT AuthMethod = "client_secret_jwt"
)

// Clock tells the time and waits. The library takes one wherever time
// matters (expiry, polling, flow lifetime) so that tests control it.
type Clock interface {
	Now() time.Time
	// After returns a channel that receives once d has passed.
	After(d time.Duration) <-chan time.Time
}

type systemClock struct{}

func (systemClock) Now() time.Time                         { return time.Now() }
func (systemClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// SystemClock is the real clock.
var SystemClock Clock = systemClock{}

// Config configures a Client. The zero values of optional fields are
// sensible defaults.
type Config struct {
	ClientID     string
	ClientSecret string
	// Endpoints of the authorization server. TokenURL is required.
	Endpoints Endpoints
	// Issuer is the authorization server's issuer identifier. It is the
	// audience of JWT client assertions and the value expected in RFC 9207
	// iss callback parameters. Optional for plain OAuth 2.0 providers.
	Issuer string
	// RedirectURL is the default redirect_uri of authorization requests and
	// code exchanges.
	RedirectURL string
	// Scopes are requested when an operation does not name its own.
	Scopes []string
	// AuthMethod defaults to AuthSecretBasic with a secret, AuthNone without.
	AuthMethod AuthMethod
	// PrivateKey signs private_key_jwt assertions (RSA, ECDSA or Ed25519).
	PrivateKey crypto.Signer
	// KeyID is the kid header of private_key_jwt assertions.
	KeyID string
	// Dialect describes the provider's wire format; nil means RFC6749.
	Dialect *Dialect
	// HTTPClient is the resty client for every call; nil means
	// NewHTTPClient(). Its transport is honoured (tests inject one).
	HTTPClient *resty.Client
	// Clock defaults to the system clock.
	Clock Clock
	// Logger receives debug lines (operation, endpoint without query,
	// status, duration) — never a secret. Nil discards.
	Logger *slog.Logger
	// InsecureAllowHTTP permits plain-http endpoints on non-loopback hosts.
	// Only for tests against servers you control.
	InsecureAllowHTTP bool
}

// Client talks to one authorization server as one OAuth 2.0 client. A
// Client is immutable once built and safe for concurrent use.
type Client struct {
	cfg     Config
	dialect *Dialect
	http    *resty.Client
	clock   Clock
	log     *slog.Logger
}

// NewClient validates cfg and returns a Client. It performs no network I/O.
// Every problem is reported at once, joined, each wrapping ErrInvalidConfig.
func NewClient(cfg Config) (*Client, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	c := &Client{cfg: cfg, dialect: cfg.Dialect, http: cfg.HTTPClient, clock: cfg.Clock, log: cfg.Logger}
	c.cfg.Scopes = append([]string(nil), cfg.Scopes...)
	if c.dialect == nil {
		c.dialect = RFC6749
	}
	if c.http == nil {
		c.http = NewHTTPClient()
	}
	if c.clock == nil {
		c.clock = SystemClock
	}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	if c.cfg.AuthMethod == "" {
		c.cfg.AuthMethod = AuthSecretBasic
		if cfg.ClientSecret == "" {
			c.cfg.AuthMethod = AuthNone
		}
	}
	return c, nil
}

func (cfg *Config) validate() error {
	var errs []error
	if cfg.ClientID == "" {
		errs = append(errs, configError("client id is empty"))
	}
	if cfg.Endpoints.TokenURL == "" {
		errs = append(errs, configError("token endpoint is empty"))
	}
	cfg.Endpoints.each(func(name, value string) {
		if value == "" {
			return
		}
		if err := CheckEndpointURL(value, cfg.InsecureAllowHTTP); err != nil {
			errs = append(errs, fmt.Errorf("%w: %s: %w", ErrInvalidConfig, name, err))
		}
	})
	if cfg.RedirectURL != "" {
		if err := CheckRedirectURL(cfg.RedirectURL, cfg.InsecureAllowHTTP); err != nil {
			errs = append(errs, fmt.Errorf("%w: redirect URL: %w", ErrInvalidConfig, err))
		}
	}
	switch cfg.AuthMethod {
	case "", AuthNone:
	case AuthSecretBasic, AuthSecretPost, AuthSecretJWT:
		if cfg.ClientSecret == "" {
			errs = append(errs, configError("auth method %q needs a client secret", cfg.AuthMethod))
		}
	case AuthPrivateKeyJWT:
		if cfg.PrivateKey == nil {
			errs = append(errs, configError("auth method %q needs a private key", cfg.AuthMethod))
		} else if _, err := signingMethodFor(cfg.PrivateKey); err != nil {
			errs = append(errs, configError("private key: %v", err))
		}
	default:
		errs = append(errs, configError("unknown auth method %q", cfg.AuthMethod))
	}
	if d := cfg.Dialect; d != nil && d.TokenMethod != "" && d.TokenMethod != http.MethodGet && d.TokenMethod != http.MethodPost {
		errs = append(errs, configError("dialect token method %q is neither GET nor POST", d.TokenMethod))
	}
	return joinErrors(errs)
}

// CheckRedirectURL checks a redirect URI: absolute, no fragment (RFC 6749
// §3.1.2), https unless the host is loopback or insecure is set (RFC 9700
// §2.6).
func CheckRedirectURL(raw string, insecure bool) error {
	if err := CheckEndpointURL(raw, insecure); err != nil {
		return err
	}
	if strings.Contains(raw, "#") {
		return &URLError{URL: raw, Reason: "has a fragment"}
	}
	return nil
}

// ClientID returns the client identifier.
func (c *Client) ClientID() string { return c.cfg.ClientID }

// Endpoints returns the authorization server's endpoints.
func (c *Client) Endpoints() Endpoints { return c.cfg.Endpoints }

// Issuer returns the configured issuer identifier ("" when unknown).
func (c *Client) Issuer() string { return c.cfg.Issuer }

// RedirectURL returns the default redirect URI.
func (c *Client) RedirectURL() string { return c.cfg.RedirectURL }

// Dialect returns the client's dialect.
func (c *Client) Dialect() *Dialect { return c.dialect }

// HTTPClient returns the resty client the Client uses, for provider code
// that calls resource endpoints.
func (c *Client) HTTPClient() *resty.Client { return c.http }

// Clock returns the client's clock.
func (c *Client) Clock() Clock { return c.clock }

// AuthMethod returns the effective client authentication method.
func (c *Client) AuthMethod() AuthMethod { return c.cfg.AuthMethod }

// Config returns a copy of the client's configuration, for deriving a
// variant (WithHTTPClient does this).
func (c *Client) Config() Config {
	cfg := c.cfg
	cfg.Scopes = append([]string(nil), c.cfg.Scopes...)
	cfg.Dialect = c.dialect
	cfg.HTTPClient = c.http
	cfg.Clock = c.clock
	cfg.Logger = c.log
	return cfg
}

// WithHTTPClient returns a copy of c that sends its requests through rc.
func (c *Client) WithHTTPClient(rc *resty.Client) *Client {
	d := *c
	d.http = rc
	return &d
}
