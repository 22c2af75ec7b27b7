package providers

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/go-oauth20/oauth20/core"
	"github.com/go-oauth20/oauth20/internal/urls"
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
// openid, profile, email. Options: those every constructor takes (see
// Option; WithName replaces name), and WithAuthMethod, WithFormPost,
// WithAdditionalIssuers and WithTrustedAudiences. A secret of "" makes a
// public client (PKCE, no client authentication).
func OIDC(name, issuer, clientID, clientSecret string, opts ...Option) (*core.Provider, error) {
	return newOIDC(oidcParams{spec: spec{name: name, issuer: issuer, accepts: optFormPost}}, clientID, clientSecret, opts)
}

// oidcParams are what an OpenID provider constructor states: its spec
// (name, display name, scopes, a fixed client authentication, dialect,
// PKCE, authorization parameters, whether it always answers with
// form_post), where to discover the rest, and what to verify.
type oidcParams struct {
	spec
	// expectIssuer is the issuer the metadata names when it differs from
	// spec.issuer, where discovery is fetched from (Microsoft Entra's
	// tenant-independent endpoints).
	expectIssuer string
	// issuerSpellings are further spellings of the issuer that the
	// metadata may name instead, for a product whose spelling changed
	// between releases (Gitea's trailing slash). The first that the
	// metadata names is the issuer; ID tokens must carry it exactly.
	issuerSpellings   []string
	additionalIssuers []string
	// algorithms replaces the metadata's ID-token algorithm list;
	// symmetricAlgorithms turns on HS* keyed with the client secret, for a
	// provider documented to use it.
	algorithms          []string
	symmetricAlgorithms []string
	// userOptions change how the user is read from the claims (Apple's
	// string booleans).
	userOptions []oidc.UserOption
	// extra fills endpoints the metadata does not list (Slack's and
	// LinkedIn's revocation).
	extra core.Endpoints
	// user replaces the standard ID token + UserInfo user.
	user func(ctx context.Context, r core.UserRequest, userInfoURL string) (*core.User, error)
	// clientSecret, when set, is the secret the client authenticates with
	// while the verifier gets none (Apple signs its own per request).
	clientSecret string
}

// newOIDC builds an OpenID provider: its endpoints, keys and (unless fixed)
// client authentication come from discovery on first use, and every login
// verifies the ID token. Besides the common options it takes
// WithAdditionalIssuers and WithTrustedAudiences, WithAuthMethod when p
// fixes no method, and WithFormPost when p always answers with form_post
// or says the provider can (p.accepts).
func newOIDC(p oidcParams, clientID, clientSecret string, opts []Option) (*core.Provider, error) {
	s := collect(opts)
	if p.scopes == nil {
		p.scopes = []string{"openid", "profile", "email"}
	}
	p.accepts |= optIDToken
	if p.method == "" {
		p.accepts |= optClientAuth | optProtocol
		p.method = s.authMethod
		if p.method == "" && s.privateKey != nil {
			p.method = core.AuthPrivateKeyJWT
		}
	}
	if p.formPost {
		p.accepts |= optFormPost
	}
	var errs []error
	if err := checkIssuer(p.issuer); err != nil {
		errs = append(errs, fmt.Errorf("%w: %s: issuer: %w", core.ErrInvalidConfig, p.name, err))
	}
	if (s.idTokenEnc != oidc.Encryption{} || s.userInfoEnc != oidc.Encryption{}) && len(s.decryptionKeys) == 0 {
		errs = append(errs, fmt.Errorf("%w: %s: WithIDTokenEncryption and WithUserInfoEncryption need WithDecryptionKey", core.ErrInvalidConfig, p.name))
	}
	if s.fapi2 {
		for _, alg := range []string{s.idTokenAlg, s.userInfoAlg} {
			if alg != "" && !slices.Contains(fapiAlgorithms, alg) {
				errs = append(errs, fmt.Errorf("%w: %s: FAPI 2.0 allows %q only, not %s", core.ErrInvalidConfig, p.name, fapiAlgorithms, alg))
			}
		}
	}
	p.issuer = strings.TrimSpace(p.issuer)
	p.discover = func(ctx context.Context, rc *http.Client, clock core.Clock) (*core.Discovery, error) {
		dopts := []oidc.DiscoverOption{oidc.WithHTTPClient(rc), oidc.WithClock(clock.Now)}
		if len(s.endpointHosts) > 0 {
			dopts = append(dopts, oidc.WithEndpointHosts(s.endpointHosts...))
		}
		if p.expectIssuer != "" {
			dopts = append(dopts, oidc.WithExpectedIssuer(p.expectIssuer))
		}
		md, err := discoverSpelled(ctx, p.issuer, p.issuerSpellings, dopts)
		if err != nil {
			return nil, err
		}
		symmetric := p.symmetricAlgorithms
		if strings.HasPrefix(s.idTokenAlg, "HS") && !slices.Contains(symmetric, s.idTokenAlg) {
			// A client registered for HS* ID tokens says so explicitly.
			symmetric = append(slices.Clone(symmetric), s.idTokenAlg)
		}
		algs, uiAlgs, arAlgs := p.algorithms, []string(nil), []string(nil)
		if s.fapi2 {
			// FAPI 2.0 §5.4.1: PS256, ES256 or EdDSA, whatever else the
			// provider advertises.
			if algs = fapiOnly(cmpOr(algs, md.IDTokenSigningAlgValuesSupported)); len(algs) == 0 {
				return nil, fmt.Errorf("%w: %s: the provider advertises no ID-token algorithm FAPI 2.0 allows", core.ErrInvalidConfig, p.name)
			}
			uiAlgs = fapiOnly(cmpOr(md.UserInfoSigningAlgValuesSupported, algs))
			arAlgs = fapiOnly(cmpOr(md.AuthorizationSigningAlgValuesSupported, algs))
		}
		v, err := md.NewVerifier(oidc.VerifierConfig{
			ClientID: clientID, ClientSecret: clientSecret, HTTPClient: rc, Now: clock.Now,
			AdditionalIssuers:      append(slices.Clone(p.additionalIssuers), s.additionalIssuers...),
			TrustedAudiences:       s.trustedAudiences,
			Algorithms:             algs,
			UserInfoAlgorithms:     uiAlgs,
			AuthResponseAlgorithms: arAlgs,
			// HS* only where the provider is documented to use it (LINE)
			// or the application registered it (WithIDTokenSigningAlg).
			SymmetricAlgorithms:         symmetric,
			RegisteredAlgorithm:         s.idTokenAlg,
			RegisteredUserInfoAlgorithm: s.userInfoAlg,
			DecryptionKeys:              s.decryptionKeys,
			IDTokenEncryption:           s.idTokenEnc,
			UserInfoEncryption:          s.userInfoEnc,
			After:                       clock.After,
		})
		if err != nil {
			return nil, err
		}
		ep := md.Endpoints()
		if ep.RevocationURL == "" {
			ep.RevocationURL = p.extra.RevocationURL
		}
		if ep.UserInfoURL == "" {
			ep.UserInfoURL = p.extra.UserInfoURL
		}
		return &core.Discovery{
			Issuer: md.Issuer, Endpoints: ep, Verifier: v,
			IssParameterSupported: md.AuthorizationResponseIssParameterSupported,
			CodeChallengeMethods:  md.CodeChallengeMethodsSupported,
			AuthMethods:           md.TokenEndpointAuthMethodsSupported,
			RequirePAR:            md.RequirePushedAuthorizationRequests,
			Expiry:                clock.Now().Add(oidc.DefaultMetadataTTL),
		}, nil
	}
	p.oidc = true
	p.fetchUser = func(ctx context.Context, r core.UserRequest) (*core.User, error) {
		ep := r.Client.Endpoints().UserInfoURL
		if p.user != nil {
			return p.user(ctx, r, ep)
		}
		return oidcUser(ctx, r, ep, p.userOptions...)
	}
	secret := clientSecret
	if p.clientSecret != "" {
		secret = p.clientSecret
	}
	return s.build(clientID, secret, p.spec, errs...)
}

// discoverSpelled fetches the metadata of issuer, accepting it when it
// names issuer or, failing that, one of spellings. The comparison stays
// byte for byte; a metadata document naming another issuer still fails. A
// server whose metadata names a spelling other than the first is asked
// again for each (discovery is cached, so that happens once per lifetime).
func discoverSpelled(ctx context.Context, issuer string, spellings []string, opts []oidc.DiscoverOption) (*oidc.Metadata, error) {
	md, err := oidc.Discover(ctx, issuer, opts...)
	for _, s := range spellings {
		if !errors.Is(err, oidc.ErrIssuerMismatch) {
			break
		}
		md, err = oidc.Discover(ctx, issuer, append(slices.Clone(opts), oidc.WithExpectedIssuer(s))...)
	}
	return md, err
}

// oidcUser builds the user from the verified ID token and, when the issuer
// has a UserInfo endpoint, its answer — used only if its sub matches. A
// fetch without an ID token (for a stored access token, outside a login)
// takes the UserInfo answer alone: the access token authenticates it, and
// its sub is the user's id.
func oidcUser(ctx context.Context, r core.UserRequest, userInfoURL string, opts ...oidc.UserOption) (*core.User, error) {
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
		// The provider's verifier checks a signed answer (and, for a client
		// registered for signed UserInfo, refuses a plain one).
		var uopts []oidc.UserInfoOption
		if v, ok := r.Verifier.(*oidc.Verifier); ok {
			uopts = append(uopts, oidc.WithUserInfoVerifier(v))
		}
		var err error
		if info, err = oidc.ParseUserInfo(ctx, body, r.IDToken.Subject, uopts...); err != nil {
			return nil, err
		}
	}
	u, err := oidc.NewUser(r.IDToken, info, opts...)
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

// fapiAlgorithms are the signing algorithms FAPI 2.0 allows (Security
// Profile §5.4.1).
var fapiAlgorithms = []string{"PS256", "ES256", "EdDSA"}

// fapiOnly keeps the algorithms of algs that FAPI 2.0 allows; an empty
// result means none.
func fapiOnly(algs []string) []string {
	var out []string
	for _, a := range algs {
		if slices.Contains(fapiAlgorithms, a) {
			out = append(out, a)
		}
	}
	return out
}

// cmpOr returns a unless it is empty, else b.
func cmpOr(a, b []string) []string {
	if len(a) > 0 {
		return a
	}
	return b
}

// checkIssuer refuses an issuer that cannot be one (OpenID Connect
// Discovery 1.0 §3: an https URL without query or fragment; plain http on
// loopback is allowed for tests): caught when the provider is made, not at
// the first login.
func checkIssuer(issuer string) error {
	if issuer == "" {
		return errors.New("empty")
	}
	if err := urls.CheckEndpoint(issuer, false); err != nil {
		return err
	}
	if strings.Contains(issuer, "?") {
		return fmt.Errorf("%q has a query", issuer)
	}
	return nil
}
