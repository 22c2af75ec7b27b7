package providers

import (
	"github.com/go-oauth20/oauth20/core"
)

// googleIssuer is Google's OpenID Connect issuer; its ID tokens may also
// spell it without the scheme.
const googleIssuer = "https://accounts.google.com"

// Google returns a provider for "Sign in with Google", an OpenID provider.
// Endpoints come from discovery
// (https://accounts.google.com/.well-known/openid-configuration), fetched on
// first use and cached; nothing is fetched when the provider is built. It
// reports configuration problems, joined, each wrapping
// core.ErrInvalidConfig.
//
// Documentation: https://developers.google.com/identity/openid-connect/openid-connect
// and https://developers.google.com/identity/protocols/oauth2/web-server
//
// Quirks handled here:
//
//   - Every login verifies the ID token (signature with Google's rotating
//     keys, aud, azp, exp, iat, nonce, at_hash). Google writes iss as
//     "https://accounts.google.com" or as "accounts.google.com" without the
//     scheme; both are accepted, nothing else is.
//   - access_type=offline is sent on every authorization request, so the
//     first consent yields a refresh token. Google issues a refresh token
//     only on consent: to get a new one for a user who already consented,
//     add WithAuthParam("prompt", "consent") (not sent by default, since it
//     shows the consent page on every login).
//   - PKCE S256 is always sent.
//   - Refresh uses the token endpoint; the answer normally omits
//     refresh_token, and the one given is kept.
//   - Revocation is RFC 7009 at the discovered revocation_endpoint
//     (https://oauth2.googleapis.com/revoke), not the legacy
//     accounts.google.com/o/oauth2/revoke the seed used; revoking either
//     token ends the whole grant.
//   - Client authentication follows discovery (client_secret_basic, which
//     Google advertises with client_secret_post).
//   - The user of a login is the verified ID token merged with the
//     discovered UserInfo endpoint's answer (used only when its sub equals
//     the ID token's): ID is sub, Email and EmailVerified come from email
//     and email_verified (never from the legacy v1/v2 userinfo's
//     verified_email), Name from name, AvatarURL from picture. Raw keeps hd
//     (the Workspace domain) when present. A user fetch without an ID token
//     (a stored access token) uses the UserInfo answer alone.
//
// Default scopes: openid, email, profile. Options: those every
// constructor takes (see Option; WithAuthParam for hd, login_hint,
// include_granted_scopes, prompt), and WithAuthMethod,
// WithAdditionalIssuers and WithTrustedAudiences.
//
// The returned provider is immutable and safe for concurrent use.
func Google(clientID, clientSecret string, opts ...Option) (*core.Provider, error) {
	return newOIDC(oidcParams{
		spec: spec{name: "google", display: "Google", issuer: googleIssuer,
			scopes:      []string{"openid", "email", "profile"},
			authOptions: []core.Option{core.WithParam("access_type", "offline")},
			userFields:  googleUserFields,
		},
		additionalIssuers: []string{"accounts.google.com"},
	}, clientID, clientSecret, opts)
}

// googleUserFields are the claims of Google's ID tokens and userinfo beyond
// the standard ones that hold personal data: hd is the user's Workspace
// domain.
var googleUserFields = core.UserFields{Personal: []string{"hd"}}
