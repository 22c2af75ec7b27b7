package providers

import (
	"github.com/go-oauth20/oauth20/core"
)

// LinkedIn's issuer and the endpoint its metadata does not list.
const (
	linkedinIssuer    = "https://www.linkedin.com/oauth"
	linkedinRevokeURL = "https://www.linkedin.com/oauth/v2/revoke"
)

// LinkedIn returns an OpenID provider for "Sign In with LinkedIn using
// OpenID Connect" (the product that replaced r_liteprofile and
// r_emailaddress in 2023). It does no network I/O until first used.
//
// Documentation:
// https://learn.microsoft.com/en-us/linkedin/consumer/integrations/self-serve/sign-in-with-linkedin-v2
//
// Quirks handled here:
//
//   - The issuer is https://www.linkedin.com/oauth (a path, no trailing
//     slash; https://www.linkedin.com before April 2024, now refused);
//     endpoints, keys and UserInfo (https://api.linkedin.com/v2/userinfo)
//     come from discovery.
//   - Credentials go in the body (client_secret_post): the metadata lists
//     no authentication method, which would otherwise mean Basic.
//   - LinkedIn's ID tokens carry no nonce, even when one is sent, so none
//     is sent and none is required (core.ProviderSpec.NonceUnsupported);
//     every other check of the ID token stays (RS256 signature with
//     LinkedIn's keys, iss, aud, exp, iat). Its email_verified is the
//     string "true" or "false".
//   - No PKCE: LinkedIn takes it from native apps only, on request.
//
// Without nonce and PKCE, what binds the callback to the browser that
// started the login is the state: 32 random bytes, compared in constant
// time with the one in the sealed (AES-256-GCM) flow cookie that Begin set
// in that browser, and that flow is used once: its state is marked in the
// store before the code is exchanged, so a replayed callback is refused.
// The code is worth nothing without the client secret, which stays on the
// server. What a nonce would add, a check that the ID token was issued for
// this very login, LinkedIn does not offer.
//
// More quirks:
//
//   - The granted scope comes back comma-separated ("email,openid,profile")
//     and is kept as sent.
//   - Refresh tokens exist only for approved partners. Revocation at
//     /oauth/v2/revoke (RFC 7009 form with the credentials in the body).
//   - UserInfo's locale is documented as a string but arrives as an object
//     ({"country","language"}); it is kept in User.Raw untouched.
//     email_verified is a boolean.
//   - Errors are RFC 6749 JSON with 4xx.
//   - Without an ID token (outside a login), the user comes from UserInfo
//     alone.
//
// Default scopes: openid, profile, email. Options: those every
// constructor takes (see Option), and WithAdditionalIssuers and
// WithTrustedAudiences; the client authentication is fixed (no
// WithAuthMethod) and there is no form_post (no WithFormPost). The returned provider is immutable and safe for
// concurrent use.
func LinkedIn(clientID, clientSecret string, opts ...Option) (*core.Provider, error) {
	return newOIDC(oidcParams{
		spec: spec{name: "linkedin", display: "LinkedIn", issuer: linkedinIssuer, method: core.AuthSecretPost,
			pkce: core.PKCEUnsupported, noNonce: true},
		extra: core.Endpoints{RevocationURL: linkedinRevokeURL},
	}, clientID, clientSecret, opts)
}
