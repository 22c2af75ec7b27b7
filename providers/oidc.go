package providers

import (
	"context"
	"net/http"
	"strings"

	"github.com/go-oauth20/oauth20/core"
	"github.com/go-oauth20/oauth20/oidc"
)

// OIDC returns a provider for any OpenID provider, from its issuer URL
// alone. Endpoints, signing algorithms, client authentication (basic when
// advertised or unspecified, else post), PKCE and RFC 9207 support come
// from discovery ({issuer}/.well-known/openid-configuration), fetched on
// first use and cached for an hour; nothing is fetched when the provider is
// built. Every login verifies the ID token (signature with the issuer's
// rotating keys, iss, aud, azp, exp, iat, nonce, at_hash) and merges the
// UserInfo answer only when its sub equals the ID token's. Logout uses the
// end_session_endpoint when the issuer has one.
//
// The issuer must be given exactly as the provider spells it: Auth0's ends
// with a slash, Keycloak's is the realm URL. It works unchanged with
// Keycloak, Okta, Auth0, Authentik, Zitadel and Dex. Default scopes:
// openid, profile, email. Options: WithScopes, WithRedirectURL,
// WithHTTPClient, WithAuthParam, WithName (default: name), WithDisplayName,
// WithAdditionalIssuers, WithTrustedAudiences. A secret of "" makes a
// public client (PKCE, no client authentication).
func OIDC(name, issuer, clientID, clientSecret string, opts ...Option) (*core.Provider, error) {
	return newOIDC(oidcParams{name: name, issuer: issuer}, clientID, clientSecret, opts)
}

// WithDisplayName sets the name shown to people on login buttons.
func WithDisplayName(n string) Option { return func(s *settings) { s.displayName = n } }

// WithAdditionalIssuers accepts further exact spellings of the issuer in
// ID tokens (Google also issues "accounts.google.com").
func WithAdditionalIssuers(iss ...string) Option {
	return func(s *settings) { s.additionalIssuers = append(s.additionalIssuers, iss...) }
}

// WithFormPost asks an OpenID provider to answer with
// response_mode=form_post: the callback is then a cross-site POST, and the
// flow cookie is SameSite=None (Secure) so that it travels with it. Use it
// only with providers that list form_post in response_modes_supported.
func WithFormPost() Option { return func(s *settings) { s.formPost = true } }

// WithTrustedAudiences accepts ID tokens whose aud also names these
// clients (OpenID Connect Core §3.1.3.7 step 3); any other extra audience
// is rejected.
func WithTrustedAudiences(aud ...string) Option {
	return func(s *settings) { s.trustedAudiences = append(s.trustedAudiences, aud...) }
}

// oidcParams are the fixed facts of an OpenID provider constructor.
type oidcParams struct {
	name        string
	displayName string
	// issuer is where discovery is fetched from.
	issuer string
	// expectIssuer is the issuer the metadata names when it differs from
	// issuer (Microsoft Entra's tenant-independent endpoints).
	expectIssuer      string
	additionalIssuers []string
	scopes            []string
	authOptions       []core.AuthOption
	formPost          bool
	// fetchUser replaces the standard ID token + UserInfo user.
	fetchUser func(ctx context.Context, r core.UserRequest, userInfoURL string) (*core.User, error)
	// authMethod fixes the client authentication instead of choosing it
	// from the metadata.
	authMethod core.AuthMethod
	// dialect is the provider's wire dialect; nil means RFC 6749.
	dialect *core.Dialect
	// pkce defaults to S256.
	pkce core.PKCEMode
	// algorithms replaces the metadata's ID-token algorithm list.
	algorithms []string
	// extraEndpoints fill endpoints the metadata does not list (Slack's
	// and LinkedIn's revocation).
	extraEndpoints core.Endpoints
	// clientSecret, when set, is the secret the client authenticates with
	// while the verifier gets none (Apple signs its own per request).
	clientSecret string
}

func newOIDC(p oidcParams, clientID, clientSecret string, opts []Option) (*core.Provider, error) {
	s := collect(opts)
	if p.scopes == nil {
		p.scopes = []string{"openid", "profile", "email"}
	}
	display := p.displayName
	if s.displayName != "" {
		display = s.displayName
	}
	issuer := p.issuer
	discover := func(ctx context.Context, rc *http.Client, clock core.Clock) (*core.Discovery, error) {
		dopts := []oidc.DiscoverOption{oidc.WithHTTPClient(rc), oidc.WithClock(clock.Now)}
		if p.expectIssuer != "" {
			dopts = append(dopts, oidc.WithExpectedIssuer(p.expectIssuer))
		}
		md, err := oidc.Discover(ctx, issuer, dopts...)
		if err != nil {
			return nil, err
		}
		v, err := md.NewVerifier(oidc.VerifierConfig{
			ClientID: clientID, ClientSecret: clientSecret, HTTPClient: rc, Now: clock.Now,
			AdditionalIssuers: append(append([]string(nil), p.additionalIssuers...), s.additionalIssuers...),
			TrustedAudiences:  s.trustedAudiences,
			Algorithms:        p.algorithms,
		})
		if err != nil {
			return nil, err
		}
		ep := md.Endpoints()
		if ep.RevocationURL == "" {
			ep.RevocationURL = p.extraEndpoints.RevocationURL
		}
		if ep.UserInfoURL == "" {
			ep.UserInfoURL = p.extraEndpoints.UserInfoURL
		}
		return &core.Discovery{
			Issuer: md.Issuer, Endpoints: ep, Verifier: v,
			IssParameterSupported: md.AuthorizationResponseIssParameterSupported,
			CodeChallengeMethods:  md.CodeChallengeMethodsSupported,
			AuthMethods:           md.TokenEndpointAuthMethodsSupported,
			Expiry:                clock.Now().Add(oidc.DefaultMetadataTTL),
		}, nil
	}
	fetch := func(ctx context.Context, r core.UserRequest) (*core.User, error) {
		ep := r.Client.Endpoints().UserInfoURL
		if p.fetchUser != nil {
			return p.fetchUser(ctx, r, ep)
		}
		return oidcUser(ctx, r, ep)
	}
	return core.NewProvider(core.ProviderSpec{
		Name:        s.nameOr(p.name),
		DisplayName: display,
		Client: core.Config{
			ClientID: clientID, ClientSecret: firstSet(p.clientSecret, clientSecret), Issuer: strings.TrimSpace(issuer),
			RedirectURL: s.redirectURL, Scopes: s.scopesOr(p.scopes...), HTTPClient: s.httpClient,
			AuthMethod: firstSet(s.authMethod, p.authMethod), Dialect: p.dialect,
		},
		Discover:    discover,
		OIDC:        true,
		PKCE:        p.pkce,
		AuthOptions: append(append(append([]core.AuthOption(nil), p.authOptions...), formPostOption(s)...), s.authParams...),
		FormPost:    p.formPost || s.formPost,
		FetchUser:   fetch,
	})
}

func formPostOption(s *settings) []core.AuthOption {
	if !s.formPost {
		return nil
	}
	return []core.AuthOption{core.WithParam("response_mode", "form_post")}
}

// oidcUser builds the user from the verified ID token and, when the issuer
// has a UserInfo endpoint, its answer — used only if its sub matches. A
// fetch without an ID token (for a stored access token, outside a login)
// takes the UserInfo answer alone: the access token authenticates it, and
// its sub is the user's id.
func oidcUser(ctx context.Context, r core.UserRequest, userInfoURL string) (*core.User, error) {
	if r.IDToken == nil {
		return userInfoUser(ctx, r, userInfoURL)
	}
	var info *oidc.UserInfo
	if userInfoURL != "" && r.Token != nil {
		var body []byte
		if _, err := r.Client.Resource(ctx, core.ResourceRequest{URL: userInfoURL, Token: r.Token, Into: &body,
			Header: http.Header{"Accept": {"application/json, application/jwt"}}}); err != nil {
			return nil, err
		}
		var err error
		if info, err = oidc.ParseUserInfo(ctx, body, r.IDToken.Subject); err != nil {
			return nil, err
		}
	}
	u, err := oidc.NewUser(r.IDToken, info)
	if err != nil {
		return nil, err
	}
	return &u, nil
}

// userInfoUser is the user of a UserInfo answer alone.
func userInfoUser(ctx context.Context, r core.UserRequest, userInfoURL string) (*core.User, error) {
	if userInfoURL == "" || r.Token == nil {
		return nil, core.ErrNoIDToken
	}
	fields, err := r.Client.Resource(ctx, core.ResourceRequest{URL: userInfoURL, Token: r.Token,
		Header: map[string][]string{"Accept": {"application/json"}}})
	if err != nil {
		return nil, err
	}
	u := oidc.ClaimsUser(fields)
	return &u, nil
}

// firstSet returns the first of vals that is not the zero value.
func firstSet[T comparable](vals ...T) T {
	var zero T
	for _, v := range vals {
		if v != zero {
			return v
		}
	}
	return zero
}
