package providers

import (
	"fmt"
	"net/http"

	"github.com/go-oauth20/oauth20/core"
)

// Option changes how a provider constructor builds its provider. Every
// constructor takes WithScopes, WithRedirectURL, WithHTTPClient,
// WithAuthParam, WithName and WithDisplayName. The other options make sense
// only for some providers, and each constructor's documentation names the
// ones it takes; given one it cannot honour, a constructor returns an error
// wrapping core.ErrInvalidConfig that names the option and the provider.
type Option func(*settings)

// option names one Option, for the set a constructor accepts and for its
// errors.
type option uint16

const (
	optScopes option = 1 << iota
	optRedirectURL
	optHTTPClient
	optAuthParam
	optName
	optDisplayName
	optBaseURL
	optAuthMethod
	optFormPost
	optAdditionalIssuers
	optTrustedAudiences

	// optCommon are the options every constructor takes.
	optCommon = optScopes | optRedirectURL | optHTTPClient | optAuthParam | optName | optDisplayName
	// optIDToken are the options of a provider that verifies ID tokens.
	optIDToken = optAdditionalIssuers | optTrustedAudiences
)

// String returns the name of the Option function.
func (o option) String() string {
	switch o {
	case optScopes:
		return "WithScopes"
	case optRedirectURL:
		return "WithRedirectURL"
	case optHTTPClient:
		return "WithHTTPClient"
	case optAuthParam:
		return "WithAuthParam"
	case optName:
		return "WithName"
	case optDisplayName:
		return "WithDisplayName"
	case optBaseURL:
		return "WithBaseURL"
	case optAuthMethod:
		return "WithAuthMethod"
	case optFormPost:
		return "WithFormPost"
	case optAdditionalIssuers:
		return "WithAdditionalIssuers"
	case optTrustedAudiences:
		return "WithTrustedAudiences"
	}
	return fmt.Sprintf("option(%d)", uint16(o))
}

// settings is what the options record; spec.build reads it.
type settings struct {
	given       option // the options passed, whatever their values
	name        string
	displayName string
	scopes      []string
	redirectURL string
	httpClient  *http.Client
	authParams  []core.Option
	baseURL     string
	authMethod  core.AuthMethod
	formPost    bool
	// OpenID providers (oidc.go).
	additionalIssuers []string
	trustedAudiences  []string
}

func collect(opts []Option) *settings {
	s := &settings{}
	for _, o := range opts {
		if o != nil {
			o(s)
		}
	}
	return s
}

// scopesOr returns the scopes set with WithScopes, or def when none were.
func (s *settings) scopesOr(def ...string) []string {
	if s.given&optScopes != 0 {
		return append([]string(nil), s.scopes...)
	}
	return def
}

// WithScopes replaces the provider's default scopes. With no arguments, no
// scope parameter is sent.
func WithScopes(scopes ...string) Option {
	return func(s *settings) { s.given |= optScopes; s.scopes = append([]string(nil), scopes...) }
}

// WithRedirectURL sets the redirect URI registered with the provider. The
// login flow usually sets it from its base URL; set it here for providers
// used on their own.
func WithRedirectURL(u string) Option {
	return func(s *settings) { s.given |= optRedirectURL; s.redirectURL = u }
}

// WithHTTPClient sends the provider's requests through hc (its transport,
// proxy and cookie jar) instead of a client of its own. Whatever client is
// given, no redirect is followed, bodies are capped and requests time out
// (see core.Config.HTTPClient). An Auth built with Builder.HTTPClient
// replaces it with that client.
func WithHTTPClient(hc *http.Client) Option {
	return func(s *settings) { s.given |= optHTTPClient; s.httpClient = hc }
}

// WithAuthParam adds a parameter to every authorization request (for
// example GitHub's allow_signup=false). Parameters are sent in the order
// given, after the standard ones and the provider's own.
func WithAuthParam(key, value string) Option {
	return func(s *settings) {
		s.given |= optAuthParam
		s.authParams = append(s.authParams, core.WithParam(key, value))
	}
}

// WithName changes the provider's name, which appears in login URLs and
// cookies; use it to register two instances of one provider.
func WithName(name string) Option {
	return func(s *settings) { s.given |= optName; s.name = name }
}

// WithDisplayName sets the name shown to people on login buttons.
func WithDisplayName(n string) Option {
	return func(s *settings) { s.given |= optDisplayName; s.displayName = n }
}

// WithBaseURL points the provider at a self-hosted installation (GitHub
// Enterprise Server, a GitLab instance) or another cloud of the provider.
// Only the constructors of providers that have such installations take it;
// each documents how it derives its endpoints from the base URL.
func WithBaseURL(u string) Option {
	return func(s *settings) { s.given |= optBaseURL; s.baseURL = u }
}

// WithAuthMethod fixes how the client of an OpenID provider authenticates
// at the token, revocation and introspection endpoints, such as
// core.AuthSecretPost for a client registered for client_secret_post.
// Without it, the method follows discovery: client_secret_basic when the
// metadata lists it or lists none, else client_secret_post. It is taken by
// OIDC and the constructors that, like it, choose the method from
// discovery; a constructor whose provider documents one method always uses
// that one and refuses this option.
func WithAuthMethod(m core.AuthMethod) Option {
	return func(s *settings) { s.given |= optAuthMethod; s.authMethod = m }
}

// WithFormPost asks an OpenID provider to answer with
// response_mode=form_post: the callback is then a cross-site POST, and the
// flow cookie is SameSite=None (Secure) so that it travels with it. It is
// taken by OIDC and the constructors of providers that support form_post;
// use it with OIDC only when the provider lists form_post in
// response_modes_supported.
func WithFormPost() Option { return func(s *settings) { s.given |= optFormPost; s.formPost = true } }

// WithAdditionalIssuers accepts further exact spellings of the issuer in
// ID tokens (Google also issues "accounts.google.com"). Only providers that
// verify ID tokens take it.
func WithAdditionalIssuers(iss ...string) Option {
	return func(s *settings) {
		s.given |= optAdditionalIssuers
		s.additionalIssuers = append(s.additionalIssuers, iss...)
	}
}

// WithTrustedAudiences accepts ID tokens whose aud also names these
// clients (OpenID Connect Core §3.1.3.7 step 3); any other extra audience
// is rejected. Only providers that verify ID tokens take it.
func WithTrustedAudiences(aud ...string) Option {
	return func(s *settings) {
		s.given |= optTrustedAudiences
		s.trustedAudiences = append(s.trustedAudiences, aud...)
	}
}
