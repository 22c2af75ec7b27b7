package core

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"regexp"
	"sync"
	"sync/atomic"
	"time"

	"net/http"

	"github.com/go-oauth20/oauth20/internal/corehook"
	"github.com/go-oauth20/oauth20/internal/httpx"
	"github.com/go-resty/resty/v2"
)

// PKCEMode says whether a provider takes PKCE.
type PKCEMode int

// PKCE modes.
const (
	// PKCES256 sends an S256 challenge on every login (the default).
	PKCES256 PKCEMode = iota
	// PKCEUnsupported sends none: for providers that reject or ignore the
	// parameters (WeChat, QQ, Weibo). Such providers rely on state alone.
	PKCEUnsupported
	// PKCEPublicOnly sends an S256 challenge for a public client (AuthNone)
	// and none for a client that authenticates: for providers that
	// document PKCE for clients without a secret and the secret for the
	// others, but not the two together (Spotify).
	PKCEPublicOnly
)

// Response modes of JWT Secured Authorization Responses (JARM §2.3), for
// ProviderSpec.JARM.
const (
	// JARMJWT is response_mode=jwt: the provider's default for the
	// response type, a query for the code flow.
	JARMJWT = "jwt"
	// JARMQuery is response_mode=query.jwt.
	JARMQuery = "query.jwt"
	// JARMFormPost is response_mode=form_post.jwt: the response is posted.
	JARMFormPost = "form_post.jwt"
)

// Discovery is what a provider learns from its issuer at run time
// (OpenID Connect Discovery or RFC 8414).
type Discovery struct {
	Issuer    string
	Endpoints Endpoints
	// Verifier verifies the issuer's ID tokens; nil for plain OAuth 2.0.
	Verifier IDTokenVerifier
	// IssParameterSupported is the RFC 9207 metadata flag: when true, every
	// authorization response must carry iss.
	IssParameterSupported bool
	// CodeChallengeMethods lists the supported PKCE methods (empty when the
	// metadata does not say).
	CodeChallengeMethods []string
	// AuthMethods lists token_endpoint_auth_methods_supported.
	AuthMethods []string
	// RequirePAR is the RFC 9126 metadata flag
	// require_pushed_authorization_requests: every login then pushes its
	// request, whatever ProviderSpec.PAR says.
	RequirePAR bool
	// Expiry is when this result should be fetched again; zero means one
	// hour after it was obtained.
	Expiry time.Time
}

// UserRequest is what a provider's user fetch gets.
type UserRequest struct {
	// Client talks to the provider (its HTTP client, dialect and clock).
	Client *Client
	// Token is the token of the login.
	Token *Token
	// IDToken is the verified ID token, nil when the provider has none.
	IDToken *IDToken
	// Callback holds the parameters of the authorization response (Apple
	// sends the user's name there, once).
	Callback url.Values
	// Verifier is the provider's ID-token verifier after discovery (nil
	// for plain OAuth 2.0 providers), for user fetches that verify a signed
	// answer with the issuer's keys. Provider.User fills it.
	Verifier IDTokenVerifier
}

// ProviderSpec describes a login provider. Package providers fills one per
// provider; users write their own for providers the library does not ship.
type ProviderSpec struct {
	// Name identifies the provider in URLs and cookies: lowercase letters,
	// digits, '-' and '_'.
	Name string
	// DisplayName is shown to people ("GitHub"); defaults to Name.
	DisplayName string
	// Client holds the credentials, endpoints, scopes and dialect. When
	// Discover is set, the endpoints it returns replace these at run time.
	Client Config
	// Discover, when set, learns endpoints and the ID-token verifier from
	// the issuer. It is called on first use, not when the provider is
	// built, and its result is cached until Discovery.Expiry. hc is the
	// provider's HTTP client with the library's safety settings (no
	// redirects, capped bodies, a timeout).
	Discover func(ctx context.Context, hc *http.Client, clock Clock) (*Discovery, error)
	// OIDC marks an OpenID provider: a nonce is sent and an ID token is
	// required and verified on every login.
	OIDC bool
	// NonceUnsupported marks an OpenID provider whose ID tokens never carry
	// the nonce (LinkedIn): none is sent and none is required; the ID token
	// is verified otherwise as for any OpenID provider. Such a login rests
	// on state, checked against the sealed single-use flow record, and on
	// PKCE where the provider takes it. Every other OpenID provider must
	// echo the nonce. It is an error without OIDC.
	NonceUnsupported bool
	// PKCE defaults to PKCES256.
	PKCE PKCEMode
	// Options are added to every authorization request (Google's
	// access_type=offline, Apple's response_mode=form_post).
	AuthOptions []Option
	// FormPost is true when the provider answers with response_mode=
	// form_post, so the flow cookie must be SameSite=None.
	FormPost bool
	// PAR pushes every login's authorization request to the provider's
	// pushed_authorization_request_endpoint first (RFC 9126), authenticated
	// as at the token endpoint, and sends the browser there with client_id
	// and request_uri alone. Logins push anyway when the discovered
	// metadata sets require_pushed_authorization_requests.
	PAR bool
	// JARM asks for the authorization response as a signed JWT (JWT
	// Secured Authorization Response Mode) with this response_mode:
	// JARMJWT, JARMQuery or JARMFormPost (which sets FormPost). The
	// callback's response parameter is then verified with the provider's
	// keys (signature, iss, aud, exp) before anything else is read, and its
	// claims are the callback's parameters; a callback without one is
	// refused. It needs an OpenID provider whose verifier has the method
	// VerifyAuthResponse(ctx, response string) (url.Values, error), as
	// package oidc's Verifier has.
	JARM string
	// FAPI2 runs every login of the provider under the FAPI 2.0 Security
	// Profile: the request is pushed (PAR) with PKCE S256, the
	// authorization response must carry iss (RFC 9207) and the access token
	// must be DPoP-bound, at login and at every refresh. NewProvider
	// refuses a configuration that contradicts the profile: a client that
	// does not authenticate with private_key_jwt by an ECDSA P-256 or
	// Ed25519 key, one without a DPoP key, PKCE off, plain http. The
	// profile's algorithm rules for ID tokens (PS256, ES256, EdDSA; no HS*)
	// are the verifier's: providers.WithFAPI2 sets both.
	FAPI2 bool
	// RequestObject signs every login's authorization parameters into a
	// request object (JAR, RFC 9101) with Client.PrivateKey (and KeyID),
	// audience Client.Issuer; the browser, or the pushed request with PAR,
	// then carries client_id and request alone.
	RequestObject bool
	// CodeParams names the callback parameters that may carry the code, in
	// order of preference; default {"code"} (DingTalk also sends authCode).
	CodeParams []string
	// RefusalWithoutCode says that a callback with a state but neither a
	// code nor an error is the user refusing: WeChat sends only the state
	// back when the user declines. Complete then answers such a callback
	// as access_denied (401) rather than as a malformed one (400), once
	// the flow and its state have been checked like any other.
	RefusalWithoutCode bool
	// CheckCallback, when set, reads the callback of a login after its
	// state has been checked and before its code is exchanged, at time
	// now. It may refuse the callback (Shopify signs it) and returns the
	// callback parameters that the exchange must carry (VK ID's
	// device_id), sent as extra token request parameters; nil for none.
	// A refusal fails the login with 400 and ErrInvalidCallback.
	CheckCallback func(callback url.Values, now time.Time) (*Params, error)
	// FetchUser returns the normalised user of a login. Required.
	FetchUser func(ctx context.Context, r UserRequest) (*User, error)
	// TokenOnly makes every login with the provider end at the token (and
	// the verified ID token of an OpenID provider) without fetching the
	// user, as BeginOptions.TokenOnly does for one login.
	TokenOnly bool
	// UserFields names the members of the provider's answers that hold
	// personal data, for tools that keep its traffic (the recorder of
	// package conformance redacts them). The login does not read it.
	UserFields UserFields
}

var providerName = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,62}$`)

// Provider is a built login provider: immutable and safe for concurrent
// use. Build one with NewProvider or a constructor of package providers.
type Provider struct {
	spec   *ProviderSpec // behind a pointer: %+v of a Provider shows no secret
	client *Client       // static endpoints; with Discover, the template
	hc     *http.Client  // httpx.Safe of spec.Client.HTTPClient, for Discover
	disc   *discoveryCache
}

// discoveryCache holds a provider's discovery result. Readers load it
// without a lock (a callback asks for it three times); the lock only
// serialises fetching a new one.
type discoveryCache struct {
	mu      sync.Mutex
	current atomic.Pointer[discovered]
}

// discovered is one discovery result and the client built from it.
type discovered struct {
	result  *Discovery
	client  *Client
	expires time.Time
}

// NewProvider validates spec and builds a Provider. It does no network
// I/O. Every problem is reported, joined, each wrapping ErrInvalidConfig.
func NewProvider(spec ProviderSpec) (*Provider, error) {
	var errs []error
	if !providerName.MatchString(spec.Name) {
		errs = append(errs, configError("provider name %q: use 1 to 63 lowercase letters, digits, '-' or '_'", spec.Name))
	}
	if spec.FetchUser == nil {
		errs = append(errs, configError("provider %q: FetchUser is required", spec.Name))
	}
	if spec.NonceUnsupported && !spec.OIDC {
		errs = append(errs, configError("provider %q: NonceUnsupported is for OpenID providers (OIDC)", spec.Name))
	}
	cfg := spec.Client
	if spec.Discover != nil && cfg.Endpoints.TokenURL == "" {
		// Endpoints come from discovery; validate the rest with a
		// placeholder that is replaced at run time.
		cfg.Endpoints.TokenURL = "https://discovered.invalid/token"
	}
	switch spec.JARM {
	case "", JARMJWT, JARMQuery:
	case JARMFormPost:
		spec.FormPost = true
	default:
		errs = append(errs, configError("provider %q: JARM response mode %q is not one of %q, %q and %q (a fragment never reaches the server)",
			spec.Name, spec.JARM, JARMJWT, JARMQuery, JARMFormPost))
	}
	if spec.JARM != "" && !spec.OIDC {
		errs = append(errs, configError("provider %q: JARM is for OpenID providers, whose keys verify the response", spec.Name))
	}
	if spec.FAPI2 {
		spec.PAR = true
		errs = append(errs, checkFAPI2(&spec)...)
	}
	if spec.RequestObject && spec.Client.PrivateKey == nil {
		errs = append(errs, configError("provider %q: signed request objects (RequestObject) need the client's private key", spec.Name))
	}
	if spec.PKCE < PKCES256 || spec.PKCE > PKCEPublicOnly {
		errs = append(errs, configError("provider %q: unknown PKCE mode %d", spec.Name, spec.PKCE))
	}
	if (cfg.AuthMethod == AuthNone || cfg.AuthMethod == "" && cfg.ClientSecret == "") && spec.PKCE == PKCEUnsupported {
		// Checked on the method in effect: no method and no secret is a
		// public client too.
		errs = append(errs, configError("provider %q: a public client must use PKCE (RFC 9700 §2.1.1)", spec.Name))
	}
	client, err := NewClient(cfg)
	if err != nil {
		errs = append(errs, fmt.Errorf("provider %q: %w", spec.Name, err))
	}
	if spec.Discover == nil && spec.Client.Endpoints.AuthURL == "" {
		errs = append(errs, configError("provider %q: authorization endpoint is empty", spec.Name))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	if spec.DisplayName == "" {
		spec.DisplayName = spec.Name
	}
	if len(spec.CodeParams) == 0 {
		spec.CodeParams = []string{"code"}
	}
	spec.AuthOptions = append([]Option(nil), spec.AuthOptions...)
	spec.UserFields.Personal = append([]string(nil), spec.UserFields.Personal...)
	return &Provider{spec: &spec, client: client, hc: client.http.GetClient(), disc: &discoveryCache{}}, nil
}

// Name returns the provider's name.
func (p *Provider) Name() string { return p.spec.Name }

// DisplayName returns the provider's human name.
func (p *Provider) DisplayName() string { return p.spec.DisplayName }

// pkce reports whether a login with p through c sends a PKCE challenge.
func (p *Provider) pkce(c *Client) bool {
	switch p.spec.PKCE {
	case PKCEUnsupported:
		return false
	case PKCEPublicOnly:
		return c.cfg.AuthMethod == AuthNone
	}
	return true
}

// nonce reports whether a login with p sends a nonce and requires it in
// the ID token.
func (p *Provider) nonce() bool { return p.spec.OIDC && !p.spec.NonceUnsupported }

// withRuntime returns a copy of p that sends its requests through rc, uses
// clock for time and log for debug lines; nil arguments keep p's. The copy
// has its own discovery cache. Auth calls it with its shared settings;
// package conformance (through corehook) with a recording transport.
func (p *Provider) withRuntime(rc *resty.Client, clock Clock, log *slog.Logger) *Provider {
	cfg := p.client.config()
	if rc == nil {
		rc = p.client.http
	}
	cfg.HTTPClient = rc.GetClient()
	if clock != nil {
		cfg.Clock = clock
	}
	if log != nil {
		cfg.Logger = log
	}
	c, err := newClient(cfg, rc)
	if err != nil {
		// cfg was valid when p was built and only runtime parts changed.
		panic("oauth20: withRuntime: " + err.Error())
	}
	q := *p
	q.client = c
	q.hc = cfg.HTTPClient
	q.disc = &discoveryCache{}
	// The spec keeps what was configured: an empty AuthMethod still means
	// "choose from the discovered metadata".
	cfg.AuthMethod = p.spec.Client.AuthMethod
	spec := *p.spec
	spec.Client = cfg
	q.spec = &spec
	return &q
}

func init() {
	corehook.ProviderSpec = func(p *Provider) ProviderSpec { return *p.spec }
	corehook.ProviderWithRuntime = func(p *Provider, hc *http.Client, clock Clock, log *slog.Logger) *Provider {
		var rc *resty.Client
		if hc != nil {
			rc = httpx.Resty(hc)
		}
		return p.withRuntime(rc, clock, log)
	}
	corehook.ProviderVerifier = func(ctx context.Context, p *Provider) (IDTokenVerifier, error) { return p.verifier(ctx) }
	corehook.ProviderPKCE = func(p *Provider, c *Client) bool { return p.pkce(c) }
	corehook.BuilderFAPI2 = func(b *Builder) *Builder { b.cfg.fapi2 = true; return b }
}

// Client returns the provider's OAuth client, running discovery first when
// the provider uses it (cached until the result expires).
func (p *Provider) Client(ctx context.Context) (*Client, error) {
	c, _, err := p.resolve(ctx)
	return c, err
}

// resolve returns the provider's client and its discovery result (nil for
// providers with fixed endpoints), fetching discovery when it is due.
func (p *Provider) resolve(ctx context.Context) (*Client, *Discovery, error) {
	if p.spec.Discover == nil {
		return p.client, nil, nil
	}
	dc := p.disc
	now := p.client.clock.Now()
	if cur := dc.current.Load(); cur != nil && now.Before(cur.expires) {
		return cur.client, cur.result, nil
	}
	dc.mu.Lock()
	defer dc.mu.Unlock()
	cur := dc.current.Load()
	if cur != nil && now.Before(cur.expires) {
		// Fetched by another caller while this one waited.
		return cur.client, cur.result, nil
	}
	d, err := p.spec.Discover(ctx, p.hc, p.client.clock)
	if err != nil {
		if cur != nil {
			// Keep serving the last good result while the issuer is down.
			return cur.client, cur.result, nil
		}
		return nil, nil, fmt.Errorf("oauth20: provider %q: discovery: %w", p.spec.Name, err)
	}
	cfg := p.client.config()
	cfg.Endpoints = d.Endpoints
	cfg.IDTokenVerifier = d.Verifier
	if d.Issuer != "" {
		cfg.Issuer = d.Issuer
	}
	if p.spec.Client.AuthMethod == "" && cfg.ClientSecret != "" {
		cfg.AuthMethod = pickAuthMethod(d.AuthMethods)
	}
	c, err := newClient(cfg, p.client.http)
	if err != nil {
		return nil, nil, fmt.Errorf("oauth20: provider %q: discovered metadata: %w", p.spec.Name, err)
	}
	if cur != nil {
		if old, ok := cur.result.verifierCloser(); ok && (d.Verifier == nil || d.Verifier != cur.result.Verifier) {
			_ = old.Close()
		}
	}
	next := &discovered{result: d, client: c, expires: d.Expiry}
	if next.expires.IsZero() {
		next.expires = now.Add(time.Hour)
	}
	dc.current.Store(next)
	return c, d, nil
}

// pickAuthMethod chooses the client authentication for a client with a
// secret from the advertised methods: client_secret_basic when listed or
// when nothing is (the metadata default), else client_secret_post when
// listed, else client_secret_basic all the same.
func pickAuthMethod(supported []string) AuthMethod {
	if len(supported) == 0 {
		return AuthSecretBasic
	}
	for _, m := range supported {
		if m == string(AuthSecretBasic) {
			return AuthSecretBasic
		}
	}
	for _, m := range supported {
		if m == string(AuthSecretPost) {
			return AuthSecretPost
		}
	}
	return AuthSecretBasic
}

func (d *Discovery) verifierCloser() (io.Closer, bool) {
	if d == nil || d.Verifier == nil {
		return nil, false
	}
	c, ok := d.Verifier.(io.Closer)
	return c, ok
}

// Close releases the provider's background work (a verifier's key
// refresh). The provider must not be used afterwards.
func (p *Provider) Close() error {
	p.disc.mu.Lock()
	defer p.disc.mu.Unlock()
	cur := p.disc.current.Load()
	if cur == nil {
		return nil
	}
	if c, ok := cur.result.verifierCloser(); ok {
		return c.Close()
	}
	return nil
}

// ErrNoIDToken is returned when an OpenID provider's token answer has no
// ID token.
var ErrNoIDToken = errors.New("oauth20: the token response has no id_token")

// verifier returns the provider's ID-token verifier, nil for plain OAuth.
func (p *Provider) verifier(ctx context.Context) (IDTokenVerifier, error) {
	_, d, err := p.resolve(ctx)
	if err != nil || d == nil {
		return nil, err
	}
	return d.Verifier, nil
}

// User fetches the normalised user of a login.
func (p *Provider) User(ctx context.Context, r UserRequest) (*User, error) {
	if r.Client == nil {
		c, err := p.Client(ctx)
		if err != nil {
			return nil, err
		}
		r.Client = c
	}
	if r.Verifier == nil {
		v, err := p.verifier(ctx)
		if err != nil {
			return nil, err
		}
		r.Verifier = v
	}
	u, err := p.spec.FetchUser(ctx, r)
	if err != nil {
		return nil, err
	}
	if u == nil || u.ID == "" {
		return nil, fmt.Errorf("oauth20: provider %q: %w", p.spec.Name, ErrNoUserID)
	}
	return u, nil
}

// ErrNoUserID is returned when a provider's user has no identifier.
var ErrNoUserID = errors.New("oauth20: the provider returned a user without an id")
