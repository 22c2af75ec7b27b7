package oidc

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/go-oauth20/oauth20/core"
	"github.com/go-oauth20/oauth20/internal/httpx"
	"github.com/go-oauth20/oauth20/internal/urls"
	"github.com/go-resty/resty/v2"
)

// DefaultMetadataTTL is how long a Discovery reuses fetched metadata.
const DefaultMetadataTTL = time.Hour

// Metadata is an OpenID Provider's configuration (OpenID Connect Discovery
// 1.0 §3) or an OAuth authorization server's metadata (RFC 8414 §2).
// Members this package does not know are ignored; Raw keeps the document.
type Metadata struct {
	Issuer                                     string   `json:"issuer"`
	AuthorizationEndpoint                      string   `json:"authorization_endpoint"`
	TokenEndpoint                              string   `json:"token_endpoint"`
	UserInfoEndpoint                           string   `json:"userinfo_endpoint"`
	JWKSURL                                    string   `json:"jwks_uri"`
	RegistrationEndpoint                       string   `json:"registration_endpoint"`
	RevocationEndpoint                         string   `json:"revocation_endpoint"`
	IntrospectionEndpoint                      string   `json:"introspection_endpoint"`
	DeviceAuthorizationEndpoint                string   `json:"device_authorization_endpoint"`
	EndSessionEndpoint                         string   `json:"end_session_endpoint"`
	ScopesSupported                            []string `json:"scopes_supported"`
	ResponseTypesSupported                     []string `json:"response_types_supported"`
	ResponseModesSupported                     []string `json:"response_modes_supported"`
	GrantTypesSupported                        []string `json:"grant_types_supported"`
	SubjectTypesSupported                      []string `json:"subject_types_supported"`
	IDTokenSigningAlgValuesSupported           []string `json:"id_token_signing_alg_values_supported"`
	UserInfoSigningAlgValuesSupported          []string `json:"userinfo_signing_alg_values_supported"`
	TokenEndpointAuthMethodsSupported          []string `json:"token_endpoint_auth_methods_supported"`
	TokenEndpointAuthSigningAlgValuesSupported []string `json:"token_endpoint_auth_signing_alg_values_supported"`
	CodeChallengeMethodsSupported              []string `json:"code_challenge_methods_supported"`
	ClaimsSupported                            []string `json:"claims_supported"`
	AuthorizationResponseIssParameterSupported bool     `json:"authorization_response_iss_parameter_supported"`
	BackchannelLogoutSupported                 bool     `json:"backchannel_logout_supported"`
	BackchannelLogoutSessionSupported          bool     `json:"backchannel_logout_session_supported"`
	FrontchannelLogoutSupported                bool     `json:"frontchannel_logout_supported"`
	// PushedAuthorizationRequestEndpoint and
	// RequirePushedAuthorizationRequests are RFC 9126 §5.
	PushedAuthorizationRequestEndpoint string `json:"pushed_authorization_request_endpoint"`
	RequirePushedAuthorizationRequests bool   `json:"require_pushed_authorization_requests"`
	// RequestParameterSupported and RequestObjectSigningAlgValuesSupported
	// are RFC 9101 §10.5 and OpenID Connect Discovery §3.
	RequestParameterSupported              bool     `json:"request_parameter_supported"`
	RequestObjectSigningAlgValuesSupported []string `json:"request_object_signing_alg_values_supported"`
	// DPoPSigningAlgValuesSupported is RFC 9449 §5.1.
	DPoPSigningAlgValuesSupported []string `json:"dpop_signing_alg_values_supported"`
	// AuthorizationSigningAlgValuesSupported lists the algorithms of signed
	// authorization responses (JARM §6).
	AuthorizationSigningAlgValuesSupported []string `json:"authorization_signing_alg_values_supported"`
	// IDTokenEncryptionAlgValuesSupported and the other encryption lists
	// are OpenID Connect Discovery §3.
	IDTokenEncryptionAlgValuesSupported  []string `json:"id_token_encryption_alg_values_supported"`
	IDTokenEncryptionEncValuesSupported  []string `json:"id_token_encryption_enc_values_supported"`
	UserInfoEncryptionAlgValuesSupported []string `json:"userinfo_encryption_alg_values_supported"`
	UserInfoEncryptionEncValuesSupported []string `json:"userinfo_encryption_enc_values_supported"`
	// Raw is the metadata document as received.
	Raw json.RawMessage `json:"-"`
}

// Endpoints returns the endpoints in core's form.
func (m *Metadata) Endpoints() core.Endpoints {
	return core.Endpoints{
		AuthURL:          m.AuthorizationEndpoint,
		TokenURL:         m.TokenEndpoint,
		RevocationURL:    m.RevocationEndpoint,
		IntrospectionURL: m.IntrospectionEndpoint,
		DeviceAuthURL:    m.DeviceAuthorizationEndpoint,
		UserInfoURL:      m.UserInfoEndpoint,
		EndSessionURL:    m.EndSessionEndpoint,
		JWKSURL:          m.JWKSURL,
		PushedAuthURL:    m.PushedAuthorizationRequestEndpoint,
	}
}

// NewVerifier builds a Verifier for this provider: cfg's Issuer, JWKSURL,
// Algorithms, UserInfoAlgorithms and AuthResponseAlgorithms default to the
// metadata's issuer, jwks_uri, id_token_signing_alg_values_supported,
// userinfo_signing_alg_values_supported and
// authorization_signing_alg_values_supported. Only the asymmetric algorithms of
// those lists are used; HS* needs cfg.SymmetricAlgorithms. Like
// NewVerifier, it does no I/O.
func (m *Metadata) NewVerifier(cfg VerifierConfig) (*Verifier, error) {
	if cfg.Issuer == "" {
		cfg.Issuer = m.Issuer
	}
	if cfg.JWKSURL == "" {
		cfg.JWKSURL = m.JWKSURL
	}
	if len(cfg.Algorithms) == 0 {
		cfg.Algorithms = m.IDTokenSigningAlgValuesSupported
	}
	if len(cfg.UserInfoAlgorithms) == 0 {
		cfg.UserInfoAlgorithms = m.UserInfoSigningAlgValuesSupported
	}
	if len(cfg.AuthResponseAlgorithms) == 0 {
		cfg.AuthResponseAlgorithms = m.AuthorizationSigningAlgValuesSupported
	}
	return NewVerifier(cfg)
}

// DiscoverOption changes how Discover and NewDiscovery work.
type DiscoverOption func(*discoverOptions)

type discoverOptions struct {
	rc       *resty.Client
	insecure bool
	expected string
	now      func() time.Time
	ttl      time.Duration
	hosts    []string
}

// WithHTTPClient sets the client for the metadata request (default: one of
// the library's own). Whatever client is given, no redirect is followed,
// the body is capped and the request times out (see core.Config.HTTPClient).
func WithHTTPClient(hc *http.Client) DiscoverOption {
	return func(o *discoverOptions) { o.rc = httpx.Resty(hc) }
}

// WithExpectedIssuer sets the issuer the metadata must name when it differs
// from the URL it is fetched from. Microsoft Entra's "common" endpoint is
// the case in point: fetched from .../common/v2.0, its metadata names
// "https://login.microsoftonline.com/{tenantid}/v2.0". The comparison stays
// byte for byte.
func WithExpectedIssuer(issuer string) DiscoverOption {
	return func(o *discoverOptions) { o.expected = issuer }
}

// InsecureAllowHTTP accepts plain-http endpoints on any host, and
// endpoints on loopback, private or link-local addresses whatever the
// issuer's host. For tests only.
func InsecureAllowHTTP() DiscoverOption {
	return func(o *discoverOptions) { o.insecure = true }
}

// WithEndpointHosts accepts only endpoints on these hosts or on the
// issuer's own host: every other endpoint in the metadata is refused with
// ErrEndpointNotAllowed. An entry is a host name or an IP address, which
// matches any port, or host:port, which matches that port only. A listed
// host is accepted whatever its kind, so an operator can name an internal
// address on purpose; https is still required (http only on loopback).
// Without this option endpoints may be on any public host.
func WithEndpointHosts(hosts ...string) DiscoverOption {
	return func(o *discoverOptions) { o.hosts = append(o.hosts, hosts...) }
}

// WithClock sets the clock a Discovery uses for its cache.
func WithClock(now func() time.Time) DiscoverOption {
	return func(o *discoverOptions) { o.now = now }
}

// WithMetadataTTL sets how long a Discovery reuses metadata (default
// DefaultMetadataTTL).
func WithMetadataTTL(d time.Duration) DiscoverOption {
	return func(o *discoverOptions) { o.ttl = d }
}

func newDiscoverOptions(opts []DiscoverOption) discoverOptions {
	o := discoverOptions{now: time.Now, ttl: DefaultMetadataTTL}
	for _, opt := range opts {
		opt(&o)
	}
	if o.rc == nil {
		o.rc = httpx.Resty(nil)
	}
	return o
}

// Discover fetches the issuer's metadata from
// {issuer}/.well-known/openid-configuration and, if that answers 404, from
// the RFC 8414 location (/.well-known/oauth-authorization-server inserted
// before the issuer's path). The document's issuer must equal the requested
// one byte for byte (OpenID Connect Discovery §4.3, RFC 8414 §3.3), every
// endpoint must be https, or http on a loopback host, and no endpoint may
// be on a loopback, private, link-local or unspecified address unless the
// issuer is on that kind of host too (ErrEndpointNotAllowed; see
// WithEndpointHosts and InsecureAllowHTTP).
func Discover(ctx context.Context, issuer string, opts ...DiscoverOption) (*Metadata, error) {
	o := newDiscoverOptions(opts)
	return discover(ctx, issuer, &o)
}

func discover(ctx context.Context, issuer string, o *discoverOptions) (*Metadata, error) {
	if err := checkIssuerURL(issuer, o.insecure); err != nil {
		return nil, fmt.Errorf("oidc: discovery: issuer %s: %w", quote(issuer), err)
	}
	oidcURL := strings.TrimSuffix(issuer, "/") + "/.well-known/openid-configuration"
	body, status, err := get(ctx, o.rc, oidcURL)
	if err == nil && status == http.StatusNotFound {
		u, _ := url.Parse(issuer)
		u.Path = "/.well-known/oauth-authorization-server" + strings.TrimSuffix(u.Path, "/")
		body, status, err = get(ctx, o.rc, u.String())
	}
	if err != nil {
		return nil, err
	}
	if status != http.StatusOK {
		return nil, fmt.Errorf("oidc: discovery for %s: %w: %d", quote(issuer), core.ErrUnexpectedStatus, status)
	}
	want := issuer
	if o.expected != "" {
		want = o.expected
	}
	return parseMetadata(body, want, newEndpointPolicy(issuer, o.insecure, o.hosts))
}

func get(ctx context.Context, rc *resty.Client, u string) ([]byte, int, error) {
	resp, err := rc.R().SetContext(ctx).SetHeader("Accept", "application/json").Get(u)
	if err != nil {
		return nil, 0, fmt.Errorf("oidc: %w", httpx.TransportError("discovery", http.MethodGet, u, err))
	}
	return resp.Body(), resp.StatusCode(), nil
}

// ParseMetadata decodes a metadata document and checks it: issuer equal to
// wantIssuer byte for byte, an authorization and a token endpoint, every
// endpoint https (http only on loopback hosts unless insecure), and no
// endpoint on a loopback, private, link-local or unspecified address
// unless wantIssuer is on that kind of host too (or insecure): see
// ErrEndpointNotAllowed.
func ParseMetadata(body []byte, wantIssuer string, insecure bool) (*Metadata, error) {
	return parseMetadata(body, wantIssuer, newEndpointPolicy(wantIssuer, insecure, nil))
}

func parseMetadata(body []byte, wantIssuer string, policy endpointPolicy) (*Metadata, error) {
	if err := checkUniqueMembers(body); err != nil {
		return nil, fmt.Errorf("oidc: metadata: %w: %v", core.ErrMalformedResponse, err)
	}
	m := new(Metadata)
	if err := json.Unmarshal(body, m); err != nil {
		return nil, fmt.Errorf("oidc: metadata: %w: %v", core.ErrMalformedResponse, err)
	}
	m.Raw = append(json.RawMessage(nil), body...)
	if m.Issuer != wantIssuer {
		return nil, fmt.Errorf("%w: metadata names %s, requested %s", ErrIssuerMismatch, quote(m.Issuer), quote(wantIssuer))
	}
	var errs []error
	if m.AuthorizationEndpoint == "" {
		errs = append(errs, fmt.Errorf("oidc: metadata: %w: no authorization_endpoint", core.ErrMalformedResponse))
	}
	if m.TokenEndpoint == "" {
		errs = append(errs, fmt.Errorf("oidc: metadata: %w: no token_endpoint", core.ErrMalformedResponse))
	}
	for _, e := range []struct{ name, url string }{
		{"authorization_endpoint", m.AuthorizationEndpoint},
		{"token_endpoint", m.TokenEndpoint},
		{"userinfo_endpoint", m.UserInfoEndpoint},
		{"jwks_uri", m.JWKSURL},
		{"registration_endpoint", m.RegistrationEndpoint},
		{"revocation_endpoint", m.RevocationEndpoint},
		{"introspection_endpoint", m.IntrospectionEndpoint},
		{"device_authorization_endpoint", m.DeviceAuthorizationEndpoint},
		{"end_session_endpoint", m.EndSessionEndpoint},
		{"pushed_authorization_request_endpoint", m.PushedAuthorizationRequestEndpoint},
	} {
		if e.url == "" {
			continue
		}
		err := urls.CheckEndpoint(e.url, policy.insecure)
		if err == nil {
			err = policy.check(e.url)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("oidc: metadata %s: %w", e.name, err))
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return m, nil
}

// Discovery caches one issuer's metadata for a lifetime (default
// DefaultMetadataTTL), so a long-lived caller fetches it once per lifetime
// instead of once per login. Concurrent callers share one fetch; when a
// refresh fails, the previous metadata is served for up to one more minute
// before the error is returned. It is safe for concurrent use and holds no
// global state. NewDiscovery does no I/O.
type Discovery struct {
	issuer string
	o      discoverOptions

	mu       sync.Mutex
	md       *Metadata
	expires  time.Time
	inflight chan struct{}
	lastErr  error
}

// NewDiscovery returns a cache for issuer's metadata.
func NewDiscovery(issuer string, opts ...DiscoverOption) *Discovery {
	return &Discovery{issuer: issuer, o: newDiscoverOptions(opts)}
}

// Metadata returns the cached metadata, fetching it when absent or older
// than the lifetime.
func (d *Discovery) Metadata(ctx context.Context) (*Metadata, error) {
	for {
		d.mu.Lock()
		now := d.o.now()
		if d.md != nil && now.Before(d.expires) {
			md := d.md
			d.mu.Unlock()
			return md, nil
		}
		if wait := d.inflight; wait != nil {
			d.mu.Unlock()
			select {
			case <-wait:
				continue
			case <-ctx.Done():
				return nil, fmt.Errorf("oidc: discovery: %w: %w", core.ErrTransport, ctx.Err())
			}
		}
		done := make(chan struct{})
		d.inflight = done
		d.mu.Unlock()

		md, err := discover(ctx, d.issuer, &d.o)

		d.mu.Lock()
		d.inflight = nil
		close(done)
		switch {
		case err == nil:
			d.md, d.expires = md, d.o.now().Add(d.o.ttl)
		case d.md != nil:
			// Serve stale metadata briefly rather than fail every login.
			d.expires = d.o.now().Add(min(time.Minute, d.o.ttl))
			md, err = d.md, nil
		}
		d.mu.Unlock()
		return md, err
	}
}
