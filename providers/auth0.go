package providers

import (
	"github.com/go-oauth20/oauth20/core"
)

// Auth0 returns an OpenID provider for an Auth0 tenant. domain is the
// tenant's domain ("example.us.auth0.com") or a custom domain; a URL with a
// scheme is accepted too. The issuer is https://{domain}/ — with the
// trailing slash Auth0 puts in its metadata and ID tokens, compared byte
// for byte.
//
// Documentation:
// https://auth0.com/docs/authenticate/protocols/openid-connect-protocol
//
// Quirks handled here:
//
//   - The issuer ends with a slash.
//   - UserInfo's updated_at is an ISO 8601 string where OpenID Connect
//     says a number; it is kept in User.Raw as it came.
//   - sub is "{connection}|{id}" ("auth0|5f7c...", "google-oauth2|1234"),
//     kept whole as the ID.
//   - Without an audience parameter (WithAuthParam("audience", ...)) the
//     access token is opaque and good only for UserInfo.
//   - ID tokens are RS256, or HS256 keyed with the client secret for an
//     application set so. The tenant's metadata lists both; HS256 tokens
//     are verified only with WithIDTokenSigningAlg("HS256"), and refused
//     otherwise.
//   - Refresh tokens need the offline_access scope (add it with
//     WithScopes); a refresh answers with a new ID token, verified like the
//     login's. Revocation at /oauth/revoke revokes refresh tokens; for a
//     token that is unknown or already revoked Auth0 answers 200 with an
//     error member, which counts as done (RFC 7009 §2.2).
//   - Errors are RFC 6749 JSON; Auth0 answers 403 for some of them
//     (invalid_grant, unauthorized_client), which are recognised by their
//     error member whatever the status.
//   - Without an ID token (outside a login), the user comes from UserInfo
//     alone.
//
// Default scopes: openid, profile, email. Options as for OIDC (the tenant
// is domain: there is no WithBaseURL); the default name is "auth0". The returned provider is immutable and safe for
// concurrent use; it does no network I/O until first used.
func Auth0(domain, clientID, clientSecret string, opts ...Option) (*core.Provider, error) {
	base, err := hostURL("auth0", domain)
	if err != nil {
		return nil, err
	}
	return newOIDC(oidcParams{spec: spec{name: "auth0", display: "Auth0", issuer: base + "/", accepts: optFormPost}},
		clientID, clientSecret, opts)
}
