package providers

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"

	"github.com/go-oauth20/oauth20/core"
	"github.com/go-oauth20/oauth20/internal/jsonmap"
	"github.com/go-oauth20/oauth20/oidc"
)

// LINE Login endpoints that are not (or not reliably) in its discovery
// document.
const (
	lineIssuer     = "https://access.line.me"
	lineRevokeURL  = "https://api.line.me/oauth2/v2.1/revoke"
	lineProfileURL = "https://api.line.me/v2/profile"
)

// lineAlgorithms are the ID-token algorithms LINE uses: HS256 keyed with
// the channel secret for web logins, ES256 with the keys at jwks_uri for
// native apps, the LINE SDK and LIFF. The discovery document lists ES256
// only, so the list is set here rather than taken from it.
var lineAlgorithms = []string{"ES256", "HS256"}

// LINE returns a provider for LINE Login v2.1, an OpenID provider.
// clientID is the channel ID and clientSecret the channel secret (both
// required). Endpoints and keys come from discovery at
// https://access.line.me/.well-known/openid-configuration, fetched on
// first use; nothing is fetched when the provider is built. It reports
// configuration problems (an empty channel ID or secret, a bad redirect
// URL), joined, each wrapping core.ErrInvalidConfig.
//
// Documentation:
// https://developers.line.biz/en/reference/line-login/ and
// https://developers.line.biz/en/docs/line-login/verify-id-token/
//
// Quirks handled here:
//
//   - Every login verifies the ID token (issuer https://access.line.me,
//     audience the channel ID, nonce). LINE signs the ID tokens of web
//     logins with HS256 keyed by the channel secret (no kid), and those of
//     native apps, the LINE SDK and LIFF with ES256 (keys at jwks_uri),
//     while its discovery lists ES256 alone: both are accepted, and
//     nothing else (LINE's "Get profile information from ID tokens",
//     section Header).
//   - Credentials go in the body (client_secret_post), whatever the
//     discovery document says. PKCE S256 is sent on every login.
//   - Default scopes: openid and profile. The email scope works only after
//     LINE has approved the channel's email permission; add it with
//     WithScopes("openid", "profile", "email") once it has.
//   - Token errors are RFC 6749 JSON with HTTP 400. Access tokens live 30
//     days, refresh tokens up to 90; refresh is the ordinary grant.
//   - Revocation is POST https://api.line.me/oauth2/v2.1/revoke with
//     access_token (not token), client_id and client_secret, answered 200
//     with an empty body. Only access tokens can be revoked; the hint is
//     not sent.
//   - The user comes from GET https://api.line.me/v2/profile (camelCase):
//     userId becomes the ID, displayName the Name, pictureUrl the
//     AvatarURL. When the login's verified ID token is there, its sub must
//     equal userId (else oidc.ErrUserInfoSubjectMismatch), and its email
//     claim (only with the email scope) is the Email. LINE sends no email_verified claim, so EmailVerified is true
//     only if one appears saying so. The ID token's claims are merged into
//     Raw after the profile's.
//
// Options: those every constructor takes (see Option; WithAuthParam for
// prompt=consent, bot_prompt=normal, ui_locales, for example), and
// WithAdditionalIssuers and WithTrustedAudiences.
//
// The returned provider is immutable and safe for concurrent use.
func LINE(clientID, clientSecret string, opts ...Option) (*core.Provider, error) {
	if clientSecret == "" {
		return nil, fmt.Errorf("%w: line: the channel secret is required", core.ErrInvalidConfig)
	}
	return newOIDC(oidcParams{
		spec: spec{name: "line", display: "LINE", issuer: lineIssuer, scopes: []string{"openid", "profile"},
			method: core.AuthSecretPost, dialect: lineDialect, userFields: lineUserFields},
		user: func(ctx context.Context, r core.UserRequest, _ string) (*core.User, error) {
			return lineFetchUser(ctx, r)
		},
		algorithms: lineAlgorithms, symmetricAlgorithms: []string{"HS256"},
		extra: core.Endpoints{RevocationURL: lineRevokeURL},
	}, clientID, clientSecret, opts)
}

// lineUserFields are the members of LINE's /v2/profile answer that hold
// personal data (the ID token's are the standard claims).
var lineUserFields = core.UserFields{
	ID: "userId", Name: "displayName", AvatarURL: "pictureUrl",
	Personal: []string{"statusMessage"},
}

var lineDialect = &core.Dialect{EditRequest: lineEditRequest, RevokesAccessTokensOnly: true}

// lineEditRequest renames token to access_token in revocation requests
// and drops the hint.
func lineEditRequest(r *core.Request) error {
	if r.Op == core.OpRevoke {
		r.Params = reorderParams(r.Params, map[string]string{"token": "access_token"})
		r.Params.Del("token_type_hint")
	}
	return nil
}

func lineFetchUser(ctx context.Context, r core.UserRequest) (*core.User, error) {
	fields, err := r.Client.Resource(ctx, core.ResourceRequest{URL: lineProfileURL, Token: r.Token})
	if err != nil {
		return nil, err
	}
	u := &core.User{
		ID:        jsonmap.String(fields, "userId"),
		Name:      jsonmap.String(fields, "displayName"),
		AvatarURL: jsonmap.String(fields, "pictureUrl"),
		Raw:       fields,
	}
	if r.IDToken == nil {
		return u, nil
	}
	if r.IDToken.Subject != u.ID {
		return nil, fmt.Errorf("providers: line: the profile's userId is not the ID token's sub: %w", oidc.ErrUserInfoSubjectMismatch)
	}
	var claims map[string]any
	if len(r.IDToken.Payload) > 0 {
		d := json.NewDecoder(bytes.NewReader(r.IDToken.Payload))
		d.UseNumber()
		if err := d.Decode(&claims); err != nil {
			return nil, fmt.Errorf("providers: line: ID token payload: %w", core.ErrMalformedResponse)
		}
	}
	for k, v := range claims {
		if _, ok := u.Raw[k]; !ok {
			u.Raw[k] = v
		}
	}
	u.Email = jsonmap.String(claims, "email")
	u.EmailVerified = u.Email != "" && jsonmap.Bool(claims, "email_verified")
	return u, nil
}
