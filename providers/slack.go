package providers

import (
	"github.com/go-oauth20/oauth20/core"
)

// Slack's issuer and the endpoint its metadata does not list.
const (
	slackIssuer    = "https://slack.com"
	slackRevokeURL = "https://slack.com/api/auth.revoke"
)

// Slack returns an OpenID provider for "Sign in with Slack". It does no
// network I/O until first used.
//
// Documentation:
// https://docs.slack.dev/authentication/sign-in-with-slack/
//
// Quirks handled here:
//
//   - Issuer https://slack.com; endpoints (openid.connect.token,
//     openid.connect.userInfo) and keys come from discovery.
//   - Credentials go in the body (client_secret_post). PKCE is not
//     documented for this flow and not sent; the nonce in the ID token
//     binds the code to the login.
//   - Errors come with HTTP 200 as {"ok":false,"error":"invalid_code"}:
//     they are errors all the same. invalid_code and
//     invalid_refresh_token map to invalid_grant, invalid_client_id and
//     bad_client_secret to invalid_client, bad_redirect_uri to
//     invalid_request, invalid_grant_type to unsupported_grant_type; the
//     Slack code stays in ProviderCode. Successful answers carry ok:true.
//   - Refresh tokens (xoxe-1-...) and expires_in exist only when token
//     rotation is enabled for the app.
//   - Revocation is auth.revoke (not in the metadata) with the token as a
//     form parameter, answered {"ok":true,"revoked":true}; an {"ok":false}
//     answer, also with HTTP 200, is reported as an error.
//   - sub is the Slack user id; the team is in
//     User.Raw["https://slack.com/team_id"] (user ids are unique within a
//     team). email_verified is a boolean.
//   - Without an ID token (outside a login), the user comes from UserInfo
//     alone, whose {"ok":false} errors are detected.
//
// Default scopes: openid, profile, email. Options: those every
// constructor takes (see Option), and WithAdditionalIssuers and
// WithTrustedAudiences; the client authentication is fixed (no
// WithAuthMethod) and there is no form_post (no WithFormPost). The returned provider is immutable and safe for
// concurrent use.
func Slack(clientID, clientSecret string, opts ...Option) (*core.Provider, error) {
	return newOIDC(oidcParams{
		spec: spec{name: "slack", display: "Slack", issuer: slackIssuer,
			method: core.AuthSecretPost, dialect: slackDialect, pkce: core.PKCEUnsupported,
			userFields: slackUserFields},
		extra: core.Endpoints{RevocationURL: slackRevokeURL},
	}, clientID, clientSecret, opts)
}

// slackUserFields are Slack's own claims, beyond the standard ones, that
// identify the user and the workspace.
var slackUserFields = core.UserFields{Personal: []string{
	"https://slack.com/user_id", "https://slack.com/team_id", "https://slack.com/team_name",
	"https://slack.com/team_domain", "https://slack.com/user_image_*", "https://slack.com/team_image_*",
}}

var slackDialect = &core.Dialect{
	RevocationErrorsIn2xx: true,
	ErrorDetectors: []errorDetector{
		okFalseDetector(map[string]core.ErrorCode{
			"invalid_code":          core.CodeInvalidGrant,
			"invalid_refresh_token": core.CodeInvalidGrant,
			"invalid_client_id":     core.CodeInvalidClient,
			"bad_client_secret":     core.CodeInvalidClient,
			"bad_redirect_uri":      core.CodeInvalidRequest,
			"invalid_grant_type":    core.CodeUnsupportedGrantType,
		}),
		DetectRFC6749,
	},
}
