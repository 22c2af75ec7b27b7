package providers

import (
	"net/http"

	"github.com/go-oauth20/oauth20/core"
)

// Option changes how a provider constructor builds its provider. Options
// are shared by every constructor of this package; a constructor documents
// the ones it ignores.
type Option func(*settings)

// settings is what the options record. Constructors read it and fill a
// core.ProviderSpec from it.
type settings struct {
	name        string
	scopes      []string
	scopesSet   bool
	redirectURL string
	httpClient  *http.Client
	authParams  []core.AuthOption
	baseURL     string
	authMethod  core.AuthMethod
	// OpenID providers (oidc.go).
	additionalIssuers []string
	trustedAudiences  []string
	displayName       string
	formPost          bool
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
	if s.scopesSet {
		return append([]string(nil), s.scopes...)
	}
	return def
}

// nameOr returns the name set with WithName, or def.
func (s *settings) nameOr(def string) string {
	if s.name != "" {
		return s.name
	}
	return def
}

// WithScopes replaces the provider's default scopes. With no arguments, no
// scope parameter is sent.
func WithScopes(scopes ...string) Option {
	return func(s *settings) { s.scopes, s.scopesSet = append([]string(nil), scopes...), true }
}

// WithRedirectURL sets the redirect URI registered with the provider. The
// login flow usually sets it from its base URL; set it here for providers
// used on their own.
func WithRedirectURL(u string) Option {
	return func(s *settings) { s.redirectURL = u }
}

// WithHTTPClient sends the provider's requests through rc instead of a
// client of its own (core.NewHTTPClient). The login flow replaces it with
// its shared client.
func WithHTTPClient(rc *http.Client) Option {
	return func(s *settings) { s.httpClient = rc }
}

// WithAuthParam adds a parameter to every authorization request (for
// example GitHub's allow_signup=false). Parameters are sent in the order
// given, after the standard ones.
func WithAuthParam(key, value string) Option {
	return func(s *settings) { s.authParams = append(s.authParams, core.WithParam(key, value)) }
}

// WithBaseURL points the provider at a self-hosted installation (GitHub
// Enterprise Server, a GitLab instance). Each constructor documents how it
// derives its endpoints from the base URL.
func WithBaseURL(u string) Option {
	return func(s *settings) { s.baseURL = u }
}

// WithName changes the provider's name, which appears in login URLs and
// cookies; use it to register two instances of one provider.
func WithName(name string) Option {
	return func(s *settings) { s.name = name }
}

// WithAuthMethod fixes how the client of an OpenID provider (OIDC and the
// constructors built on it) authenticates at the token, revocation and
// introspection endpoints, such as core.AuthSecretPost for a client
// registered for client_secret_post. Without it, OIDC takes
// client_secret_basic when discovery lists it or lists none, else
// client_secret_post; the other constructors always use the method their
// provider documents and ignore this option.
func WithAuthMethod(m core.AuthMethod) Option {
	return func(s *settings) { s.authMethod = m }
}
