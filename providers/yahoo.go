package providers

import (
	"context"

	"github.com/go-oauth20/oauth20/core"
	"github.com/go-oauth20/oauth20/internal/jsonmap"
)

// Yahoo's issuer and the revocation endpoint its metadata lists under a
// name of its own.
const (
	yahooIssuer    = "https://api.login.yahoo.com"
	yahooRevokeURL = "https://api.login.yahoo.com/oauth2/revoke"
)

// Yahoo returns an OpenID provider for "Sign in with Yahoo". AOL runs the
// same platform under an issuer of its own (https://api.login.aol.com),
// whose ID tokens this provider refuses: use OIDC for it. It does no
// network I/O until first used.
//
// Documentation:
// https://developer.yahoo.com/sign-in-with-yahoo/ and
// https://developer.yahoo.com/oauth2/guide/openid_connect/
//
// Quirks handled here:
//
//   - Issuer https://api.login.yahoo.com; endpoints (/oauth2/request_auth,
//     /oauth2/get_token, /openid/v1/userinfo) and keys (/openid/v1/certs)
//     come from discovery. The metadata lists the revocation endpoint as
//     token_revocation_endpoint, a name of its own, so it is added here
//     (https://api.login.yahoo.com/oauth2/revoke).
//   - ID tokens are ES256 (P-256 keys in a JWK Set that also holds RSA
//     keys), without typ in the header; they carry nonce, at_hash,
//     auth_time, sid and, with the profile and email scopes, the profile
//     claims (a profile_images object, gender, birthdate). They are
//     verified like any OpenID provider's.
//   - Credentials in an Authorization: Basic header (client_secret_basic).
//     A client without a secret is a public client: Yahoo requires PKCE of
//     those (client_id in the body). A confidential client sends none, as
//     the libraries that work with Yahoo do; the nonce in the ID token
//     binds the code to the login.
//   - Token answers carry expires_in (3600) and a refresh token;
//     xoauth_yahoo_guid, the legacy user GUID, is not sent to applications
//     created since 2020; Token.Raw keeps it when it comes.
//   - Some errors come in capitals: a refresh token Yahoo cannot read is
//     {"error":"INVALID_REFRESH_TOKEN"} (invalid_grant) and a request
//     missing a parameter {"error":"INVALID_INPUT"} (invalid_request), with
//     HTTP 400; the original code stays in ProviderCode.
//   - UserInfo holds sub, name, given_name, family_name, nickname, locale,
//     email, email_verified (a boolean), picture, profile_images and gender
//     (with the profile scope; email and email_verified need the email
//     scope). There
//     is no preferred_username, so User.Username stays empty; User.AvatarURL
//     is picture, or the largest of profile_images without it. UserInfo
//     refuses an access token with HTTP 401 and an empty body.
//
// Default scopes: openid, profile, email (the application must be granted
// the OpenID Connect permissions Email and Profile in Yahoo's developer
// console). Options: those every constructor takes (see Option), and
// WithAdditionalIssuers, WithTrustedAudiences and the other ID-token
// options; the client authentication is fixed (no WithAuthMethod) and
// there is no form_post (no WithFormPost). The returned provider is
// immutable and safe for concurrent use.
func Yahoo(clientID, clientSecret string, opts ...Option) (*core.Provider, error) {
	return newOIDC(oidcParams{
		spec: spec{name: "yahoo", display: "Yahoo", issuer: yahooIssuer,
			method: publicOr(clientSecret, core.AuthSecretBasic), pkce: core.PKCEPublicOnly,
			dialect: yahooDialect, userFields: yahooUserFields},
		extra: core.Endpoints{RevocationURL: yahooRevokeURL},
		user:  yahooUser,
	}, clientID, clientSecret, opts)
}

// yahooUserFields are the members of Yahoo's answers beyond the standard
// claims that identify or describe the user.
var yahooUserFields = core.UserFields{Personal: []string{
	"profile_images", "image32", "image64", "image128", "image192", "gender", "sid", "xoauth_yahoo_guid",
}}

// yahooDialect reads Yahoo's capitalised error codes.
var yahooDialect = &core.Dialect{ErrorDetectors: []errorDetector{detectRFC6749Codes(map[string]core.ErrorCode{
	"INVALID_REFRESH_TOKEN": core.CodeInvalidGrant,
	"INVALID_INPUT":         core.CodeInvalidRequest,
})}}

// yahooUser is the standard OpenID user, with the avatar taken from
// profile_images when there is no picture.
func yahooUser(ctx context.Context, r core.UserRequest, userInfoURL string) (*core.User, error) {
	u, err := oidcUser(ctx, r, userInfoURL)
	if err != nil {
		return nil, err
	}
	if u.AvatarURL == "" {
		images := jsonmap.Object(u.Raw, "profile_images")
		for _, size := range []string{"image192", "image128", "image64", "image32"} {
			if s := stringMember(images, size); s != "" {
				u.AvatarURL = s
				break
			}
		}
	}
	return u, nil
}
