package providers

import (
	"crypto"
	"fmt"
	"net/http"

	"github.com/go-oauth20/oauth20/core"
	"github.com/go-oauth20/oauth20/dpop"
	"github.com/go-oauth20/oauth20/oidc"
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
type option uint32

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
	optIDTokenSigningAlg
	optUserInfoSigningAlg
	optEndpointHosts
	optPrivateKey
	optTokenEndpointAudience
	optTokenOnly
	optPAR
	optRequestObject
	optDPoP
	optJARM
	optDecryptionKey
	optIDTokenEncryption
	optUserInfoEncryption
	optFAPI2

	// optCommon are the options every constructor takes.
	optCommon = optScopes | optRedirectURL | optHTTPClient | optAuthParam | optName | optDisplayName | optTokenOnly
	// optIDToken are the options of a provider that verifies ID tokens.
	optIDToken = optAdditionalIssuers | optTrustedAudiences | optIDTokenSigningAlg | optUserInfoSigningAlg | optEndpointHosts |
		optDecryptionKey | optIDTokenEncryption | optUserInfoEncryption
	// optClientAuth are the options of a provider whose client
	// authentication is the application's choice.
	optClientAuth = optAuthMethod | optPrivateKey | optTokenEndpointAudience
	// optProtocol are the options of the protocol extensions that an
	// OpenID provider found by discovery can offer.
	optProtocol = optPAR | optRequestObject | optDPoP | optJARM | optFAPI2
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
	case optTokenOnly:
		return "WithTokenOnly"
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
	case optIDTokenSigningAlg:
		return "WithIDTokenSigningAlg"
	case optUserInfoSigningAlg:
		return "WithUserInfoSigningAlg"
	case optEndpointHosts:
		return "WithEndpointHosts"
	case optPrivateKey:
		return "WithPrivateKey"
	case optTokenEndpointAudience:
		return "WithTokenEndpointAudience"
	case optPAR:
		return "WithPAR"
	case optRequestObject:
		return "WithRequestObject"
	case optDPoP:
		return "WithDPoP"
	case optJARM:
		return "WithJARM"
	case optDecryptionKey:
		return "WithDecryptionKey"
	case optIDTokenEncryption:
		return "WithIDTokenEncryption"
	case optUserInfoEncryption:
		return "WithUserInfoEncryption"
	case optFAPI2:
		return "WithFAPI2"
	}
	return fmt.Sprintf("option(%d)", uint32(o))
}

// settings is what the options record; spec.build reads it.
type settings struct {
	given       option // the options passed, whatever their values
	name        string
	displayName string
	tokenOnly   bool
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
	idTokenAlg        string
	userInfoAlg       string
	endpointHosts     []string
	// Client authentication by private key (private_key_jwt).
	privateKey            crypto.Signer
	keyID                 string
	tokenEndpointAudience bool
	// Protocol extensions (par.go and the files beside it).
	par           bool
	requestObject bool
	dpopKey       *dpop.Key
	jarm          string
	fapi2         bool
	// Encryption to the client (OpenID providers).
	decryptionKeys []oidc.DecryptionKey
	idTokenEnc     oidc.Encryption
	userInfoEnc    oidc.Encryption
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

// WithTokenOnly ends every login with the provider at the token (and the
// verified ID token of an OpenID provider), without fetching the user: for
// an application that wants the token only (core.ProviderSpec.TokenOnly).
// Result.User is then nil and the adapter's success hook takes the
// Result; the default one, which starts a session, refuses it.
func WithTokenOnly() Option {
	return func(s *settings) { s.given |= optTokenOnly; s.tokenOnly = true }
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

// WithIDTokenSigningAlg states the algorithm the client registered for ID
// tokens (OpenID Connect Registration §2, id_token_signed_response_alg):
// ID tokens and logout tokens signed any other way are refused, even with
// an algorithm the provider advertises. HS256, HS384 or HS512 (an Auth0
// application set to HS256) turns that algorithm on, keyed with the client
// secret: advertising HS* in discovery never does. Only providers that
// verify ID tokens take it.
func WithIDTokenSigningAlg(alg string) Option {
	return func(s *settings) { s.given |= optIDTokenSigningAlg; s.idTokenAlg = alg }
}

// WithUserInfoSigningAlg states that the client registered for signed
// UserInfo answers (userinfo_signed_response_alg): the answer must then be
// a JWT signed with alg by the provider's keys, and a plain JSON answer is
// refused (a downgrade would otherwise pass). Without it, a signed answer
// is still verified and accepted. Only providers that verify ID tokens
// take it.
func WithUserInfoSigningAlg(alg string) Option {
	return func(s *settings) { s.given |= optUserInfoSigningAlg; s.userInfoAlg = alg }
}

// WithEndpointHosts allows the endpoints that discovery announces only on
// these hosts (and the issuer's own): a hostile or compromised issuer can
// then not point the client at other services. Endpoints on loopback,
// private or link-local addresses are refused anyway unless the issuer is
// on such a host (see package oidc). Only providers that use discovery
// take it.
func WithEndpointHosts(hosts ...string) Option {
	return func(s *settings) {
		s.given |= optEndpointHosts
		s.endpointHosts = append(s.endpointHosts, hosts...)
	}
}

// WithPrivateKey authenticates the client with RFC 7523 assertions signed
// by key (private_key_jwt; RSA of 2048 bits or more, ECDSA or Ed25519),
// with kid in their header when it is not empty; the provider must hold
// the public key. It is taken by OIDC and the constructors that let the
// application choose the client authentication.
func WithPrivateKey(key crypto.Signer, kid string) Option {
	return func(s *settings) { s.given |= optPrivateKey; s.privateKey, s.keyID = key, kid }
}

// WithTokenEndpointAudience makes the token endpoint URL the audience of
// the client's assertions (private_key_jwt, client_secret_jwt) instead of
// the issuer, for providers that accept only that (Ory Hydra). The issuer
// is the default and the safer choice (see core.Config). Taken where
// WithPrivateKey is.
func WithTokenEndpointAudience() Option {
	return func(s *settings) { s.given |= optTokenEndpointAudience; s.tokenEndpointAudience = true }
}

// WithPAR pushes every login's authorization request to the provider's
// pushed_authorization_request_endpoint (RFC 9126) and sends the browser to
// the authorization endpoint with client_id and request_uri alone, so that
// the request's parameters never pass through the browser. Logins push
// anyway, without this option, when the provider's metadata says
// require_pushed_authorization_requests. Taken by OIDC and the constructors
// that use discovery.
func WithPAR() Option { return func(s *settings) { s.given |= optPAR; s.par = true } }

// WithRequestObject signs every login's authorization parameters into a
// request object (JAR, RFC 9101) with the key of WithPrivateKey, which it
// requires; the provider must hold the public key (the client's jwks or
// jwks_uri). Together with WithPAR the signed request is pushed. Taken by
// OIDC and the constructors that use discovery.
func WithRequestObject() Option {
	return func(s *settings) { s.given |= optRequestObject; s.requestObject = true }
}

// WithDPoP binds the provider's access tokens to key (DPoP, RFC 9449):
// logins send the key's thumbprint as dpop_jkt, token, refresh and
// revocation requests carry a proof, and the tokens, of type DPoP, are
// sent only with a proof (to UserInfo too), never as Bearer. A nonce the
// provider asks for is sent in one retry. The application holds the key:
// tokens kept beyond a restart (core.Builder.KeepTokens) need the same key
// then (see package dpop). Taken by OIDC and the constructors that use
// discovery.
func WithDPoP(key *dpop.Key) Option {
	return func(s *settings) { s.given |= optDPoP; s.dpopKey = key }
}

// WithJARM asks for signed authorization responses (JWT Secured
// Authorization Response Mode) with mode core.JARMJWT, core.JARMQuery or
// core.JARMFormPost: the callback's response JWT is verified with the
// provider's keys (signature, iss, aud, exp) before its state or code is
// read. The client must be registered for it (authorization_signed_response_alg).
// Taken by OIDC and the constructors that use discovery.
func WithJARM(mode string) Option {
	return func(s *settings) { s.given |= optJARM; s.jarm = mode }
}

// WithDecryptionKey adds one of the client's private keys for what the
// provider encrypts to it: an *rsa.PrivateKey (RSA-OAEP, RSA-OAEP-256) or
// an *ecdsa.PrivateKey (ECDH-ES, ECDH-ES+A128KW/A192KW/A256KW), with the
// kid the client registered it under ("" to try it whatever the kid).
// Encrypted ID tokens and UserInfo answers are then decrypted and verified
// as signed ones. Only providers that verify ID tokens take it.
func WithDecryptionKey(key crypto.PrivateKey, kid string) Option {
	return func(s *settings) {
		s.given |= optDecryptionKey
		s.decryptionKeys = append(s.decryptionKeys, oidc.DecryptionKey{Key: key, KeyID: kid})
	}
}

// WithIDTokenEncryption states the client's registered
// id_token_encrypted_response_alg and _enc (enc "" is the registration
// default, A128CBC-HS256): ID tokens must be encrypted so and signed, and
// one that is only signed is refused (OpenID Connect Core §3.1.3.7 step
// 1). It needs WithDecryptionKey. Only providers that verify ID tokens
// take it.
func WithIDTokenEncryption(alg, enc string) Option {
	return func(s *settings) {
		s.given |= optIDTokenEncryption
		s.idTokenEnc = oidc.Encryption{Alg: alg, Enc: enc}
	}
}

// WithUserInfoEncryption states the client's registered
// userinfo_encrypted_response_alg and _enc: UserInfo answers must be
// encrypted so, and a plain or signed-only answer is refused. It needs
// WithDecryptionKey. Only providers that verify ID tokens take it.
func WithUserInfoEncryption(alg, enc string) Option {
	return func(s *settings) {
		s.given |= optUserInfoEncryption
		s.userInfoEnc = oidc.Encryption{Alg: alg, Enc: enc}
	}
}

// WithFAPI2 runs the provider's logins under the FAPI 2.0 Security Profile
// (see package fapi): pushed requests with PKCE S256, iss required on the
// authorization response, DPoP-bound access tokens, and ID tokens, signed
// UserInfo and signed responses accepted only with PS256, ES256 or EdDSA.
// It needs WithPrivateKey (an ECDSA P-256 or Ed25519 key) and WithDPoP;
// the provider is refused without them, or with an HS* or RS* algorithm
// of WithIDTokenSigningAlg. Taken by OIDC and the constructors that use
// discovery.
func WithFAPI2() Option { return func(s *settings) { s.given |= optFAPI2; s.fapi2 = true } }
