package core

import (
	"crypto"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/go-oauth20/oauth20/dpop"
	"github.com/go-oauth20/oauth20/internal/httpx"
	"github.com/go-oauth20/oauth20/internal/urls"
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
	// AuthSignedRequest is for providers that authenticate the client by a
	// signature over each request rather than by a credential in it
	// (Alipay's RSA2-signed gateway calls): the library adds nothing, and
	// the dialect's EditRequest, which is required, signs. It is not an
	// OpenID Connect method and is never chosen from discovered metadata.
	AuthSignedRequest AuthMethod = "signed_request"
)

// Clock tells the time and waits. The library takes one wherever time
// matters (expiry, polling, flow lifetime) so that tests control it.
type Clock interface {
	Now() time.Time
	// After returns a channel that receives once d has passed.
	After(d time.Duration) <-chan time.Time
}

// systemClock is the real clock, used wherever no Clock is given.
type systemClock struct{}

func (systemClock) Now() time.Time                         { return time.Now() }
func (systemClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

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
	// TokenEndpointAudience makes the token endpoint URL the audience of
	// JWT client assertions instead of the issuer identifier, for servers
	// that accept only that (Ory Hydra answers invalid_client otherwise).
	// The issuer is the default: an audience taken from metadata can be
	// turned against the client by a malicious server (RFC 7523bis).
	TokenEndpointAudience bool
	// Dialect describes the provider's wire format; nil means RFC 6749.
	Dialect *Dialect
	// IDTokenVerifier verifies the ID tokens of refresh and device-grant
	// answers (OpenID Connect Core §12.2). Without one, such an ID token
	// is dropped from the Token rather than handed back unverified. A
	// Client that a Provider returns has its issuer's verifier. Code-flow
	// ID tokens are verified by Auth.Complete, with the nonce.
	IDTokenVerifier IDTokenVerifier
	// HTTPClient sends every request; nil means a client of the library's
	// own. Its transport and cookie jar are used as they are, but whatever
	// client is given, the library never follows a redirect (a 3xx answer
	// is an error: following it could carry a code or secret to another
	// host), caps response bodies at DefaultMaxResponseBytes, and bounds
	// each request by DefaultTimeout unless the client has a Timeout. The
	// client passed in is not modified.
	HTTPClient *http.Client
	// Clock defaults to the system clock.
	Clock Clock
	// Logger receives debug lines (operation, endpoint without query,
	// status, duration) — never a secret. Nil discards.
	Logger *slog.Logger
	// DPoPKey, when set, binds the client's access tokens to this key
	// (DPoP, RFC 9449): token, refresh and revocation requests carry a
	// proof, logins send dpop_jkt, an answer of token_type DPoP is
	// accepted, and resource requests with such a token send it as
	// "Authorization: DPoP …" with a proof. The application holds the key
	// and must keep it for as long as it keeps tokens (package dpop).
	DPoPKey *dpop.Key
	// InsecureAllowHTTP permits plain-http endpoints on non-loopback hosts.
	// Only for tests against servers you control.
	InsecureAllowHTTP bool
}

// Client talks to one authorization server as one OAuth 2.0 client. A
// Client is immutable once built and safe for concurrent use.
type Client struct {
	cfg     *Config // behind a pointer: %+v of a Client shows no secret
	dialect *Dialect
	http    *resty.Client // over httpx.Safe(cfg.HTTPClient)
	clock   Clock
	log     *slog.Logger
	nonces  *dpopNonces // the servers' last DPoP nonces, when DPoPKey is set
	// basicAuth is the Authorization header of AuthSecretBasic, encoded
	// once.
	basicAuth string
	// scope is cfg.Scopes joined with the dialect's separator.
	scope string
}

// NewClient validates cfg and returns a Client. It performs no network I/O.
// Every problem is reported at once, joined, each wrapping ErrInvalidConfig.
func NewClient(cfg Config) (*Client, error) {
	return newClient(cfg, nil)
}

// newClient is NewClient that reuses rc, the resty client of another Client
// built from the same cfg.HTTPClient, instead of making a new one.
func newClient(cfg Config, rc *resty.Client) (*Client, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	c := &Client{cfg: &cfg, dialect: cfg.Dialect, http: rc, clock: cfg.Clock, log: cfg.Logger, nonces: &dpopNonces{}}
	c.cfg.Scopes = append([]string(nil), cfg.Scopes...)
	if c.dialect == nil {
		c.dialect = rfc6749
	}
	if c.http == nil {
		c.http = httpx.Resty(cfg.HTTPClient)
	}
	if c.clock == nil {
		c.clock = systemClock{}
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
	if c.cfg.AuthMethod == AuthSecretBasic {
		c.basicAuth = basicAuth(c.cfg.ClientID, c.cfg.ClientSecret)
	}
	c.scope = strings.Join(c.cfg.Scopes, c.dialect.scopeSeparator())
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
		if err := urls.CheckEndpoint(value, cfg.InsecureAllowHTTP); err != nil {
			errs = append(errs, fmt.Errorf("%w: %s: %w", ErrInvalidConfig, name, err))
		}
	})
	if cfg.RedirectURL != "" {
		if err := urls.CheckEndpoint(cfg.RedirectURL, cfg.InsecureAllowHTTP); err != nil {
			errs = append(errs, fmt.Errorf("%w: redirect URL: %w", ErrInvalidConfig, err))
		}
	}
	switch cfg.AuthMethod {
	case "", AuthNone:
	case AuthSecretBasic, AuthSecretPost, AuthSecretJWT:
		if cfg.ClientSecret == "" {
			errs = append(errs, configError("auth method %q needs a client secret", cfg.AuthMethod))
		}
	case AuthSignedRequest:
		if cfg.Dialect == nil || cfg.Dialect.EditRequest == nil {
			errs = append(errs, configError("auth method %q needs a dialect whose EditRequest signs", cfg.AuthMethod))
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
	return errors.Join(errs...)
}

// Endpoints returns the authorization server's endpoints (after discovery,
// for a Client that a Provider returned).
func (c *Client) Endpoints() Endpoints { return c.cfg.Endpoints }

// config returns a copy of the client's configuration, for deriving a
// variant.
func (c *Client) config() Config {
	cfg := *c.cfg
	cfg.Scopes = append([]string(nil), c.cfg.Scopes...)
	cfg.Dialect = c.dialect
	cfg.Clock = c.clock
	cfg.Logger = c.log
	return cfg
}

// Defaults for the HTTP requests to providers, whatever client is given.
const (
	// DefaultTimeout bounds one request to a provider, connection to last
	// byte, when the client has no Timeout of its own.
	DefaultTimeout = httpx.DefaultTimeout
	// DefaultMaxResponseBytes caps every response body read from a provider.
	DefaultMaxResponseBytes = httpx.MaxResponseBytes
)

// String describes the configuration without its secrets (the client
// secret and the private key are shown as set or not); %v and %+v use it.
func (cfg Config) String() string {
	return fmt.Sprintf("Config{client_id=%q, secret=%t, private_key=%t, auth=%s, issuer=%q, token_url=%q, scopes=%q}",
		cfg.ClientID, cfg.ClientSecret != "", cfg.PrivateKey != nil, cfg.AuthMethod, cfg.Issuer,
		httpx.RedactURL(cfg.Endpoints.TokenURL), cfg.Scopes)
}

// LogValue describes the configuration to log/slog without its secrets.
func (cfg Config) LogValue() slog.Value {
	return slog.GroupValue(slog.String("client_id", cfg.ClientID), slog.Bool("secret", cfg.ClientSecret != ""),
		slog.Bool("private_key", cfg.PrivateKey != nil), slog.String("auth", string(cfg.AuthMethod)),
		slog.String("issuer", cfg.Issuer), slog.String("token_url", httpx.RedactURL(cfg.Endpoints.TokenURL)))
}
