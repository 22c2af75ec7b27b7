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
//     slash) [from LinkedIn's metadata as other libraries report it; not
//     re-checked here]; endpoints, keys and UserInfo
//     (https://api.linkedin.com/v2/userinfo) come from discovery.
//   - Credentials go in the body (client_secret_post): the metadata lists
//     no authentication method, which would otherwise mean Basic.
//   - No PKCE for web apps (LinkedIn enables it only for native clients);
//     the nonce in the ID token binds the code to the login.
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
		spec:  spec{name: "linkedin", display: "LinkedIn", issuer: linkedinIssuer, method: core.AuthSecretPost, pkce: core.PKCEUnsupported},
		extra: core.Endpoints{RevocationURL: linkedinRevokeURL},
	}, clientID, clientSecret, opts)
}
