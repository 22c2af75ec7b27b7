package providers

import (
	"github.com/go-oauth20/oauth20/core"
)

// Gitea returns an OpenID provider for a Gitea or Forgejo installation
// (Codeberg is a Forgejo installation), whose OAuth2 provider they share.
// baseURL is the installation's ROOT_URL ("https://git.example.com", or
// with a path for one served below it: "https://example.com/gitea"). The
// issuer is baseURL; endpoints and keys come from its discovery document,
// fetched on first use and cached.
//
// Documentation:
// https://docs.gitea.com/development/oauth2-provider and
// https://forgejo.org/docs/latest/user/oauth2-provider/
//
// Quirks handled here:
//
//   - The issuer is ROOT_URL without its trailing slash in Gitea 1.25 and
//     later and in Forgejo, and ROOT_URL with it (https://git.example.com/)
//     in Gitea before 1.25 or when [oauth2] JWT_CLAIM_ISSUER keeps the old
//     value. Both spellings of baseURL are accepted in the metadata, and
//     the ID tokens must then carry the one the metadata names, byte for
//     byte. An issuer set to anything else with JWT_CLAIM_ISSUER is refused;
//     use OIDC for such an installation.
//   - Endpoints below ROOT_URL: /login/oauth/authorize, /access_token,
//     /userinfo and /keys. There is no revocation and no end-session
//     endpoint: Logout ends the session here only (a user revokes the grant
//     in Gitea's settings, after which refreshes fail).
//   - The client authenticates in the body (client_secret_post), which
//     every release takes; the metadata names no method. A client without
//     a secret is a public client (PKCE, client_id in the body): Gitea
//     requires PKCE of those. PKCE S256 is sent on every login.
//   - Access tokens live an hour (ACCESS_TOKEN_EXPIRATION_TIME), refresh
//     tokens 730 hours; every exchange and refresh answers with a new
//     refresh token and, when openid was granted, a new ID token. With
//     INVALIDATE_REFRESH_TOKENS a refresh token is single use.
//   - Errors of the token endpoint are RFC 6749 JSON, always with HTTP
//     400, but Gitea names several invalid_grant cases unauthorized_client,
//     told apart only by their description: an unknown, used or expired
//     code ("client is not authorized"), a PKCE verifier that does not
//     match, a refresh token that does not parse or was already used. They
//     are read as invalid_grant, and a wrong client secret at the code
//     exchange as invalid_client; the provider's code stays in
//     ProviderCode. A callback whose code was refused is then a 400, not a
//     provider failure.
//   - ID tokens: RS256 by default ([oauth2] JWT_SIGNING_ALGORITHM may
//     choose RS384/512, PS*, ES*, EdDSA, which the metadata then names);
//     aud is an array holding the client id; sub is the numeric user id as
//     a string; no at_hash. HS256 installations sign ID tokens with the
//     client secret: verify them with WithIDTokenSigningAlg("HS256").
//   - email_verified is true for every active account: it says the account
//     is activated, which proves the address only on installations that
//     confirm addresses at registration (REGISTER_EMAIL_CONFIRM). It is in
//     the ID token only (email scope), not in UserInfo, so a user fetched
//     outside a login has EmailVerified false.
//   - UserInfo holds sub, name (the full name, or the username when none
//     is set), preferred_username (the username, User.Username), email,
//     picture and groups (organisations and "org:team" names; null in
//     Gitea when there are none). It refuses an access token with HTTP 401,
//     a text body and a Bearer challenge without an error code.
//   - A refreshed ID token carries the nonce of the user's latest login
//     with the application, on any device (Gitea keeps one grant per user
//     and application); a refreshed ID token's nonce is not compared with
//     the login's (OpenID Connect Core §12.2 asks nothing of it), so a
//     session refreshes after the user logged in elsewhere.
//   - Since Gitea 1.22 an access token with only the OpenID scopes may use
//     the whole API as the user; add an API scope such as read:user with
//     WithScopes to narrow it.
//
// Default scopes: openid, profile, email (add groups for the groups claim).
// The client authentication is fixed (no WithAuthMethod), the installation
// is baseURL (no WithBaseURL) and there is no form_post (no WithFormPost);
// WithAdditionalIssuers, WithTrustedAudiences and the other ID-token
// options are taken. The default name is "gitea"; for Forgejo, add
// WithName("forgejo") and WithDisplayName("Forgejo"). The returned provider
// is immutable and safe for concurrent use; it does no network I/O until
// first used.
func Gitea(baseURL, clientID, clientSecret string, opts ...Option) (*core.Provider, error) {
	base, err := checkBaseURL("gitea", "base URL", baseURL, "")
	if err != nil {
		return nil, err
	}
	return newOIDC(oidcParams{
		spec: spec{name: "gitea", display: "Gitea", issuer: base,
			method: publicOr(clientSecret, core.AuthSecretPost), dialect: giteaDialect,
			userFields: giteaUserFields},
		issuerSpellings: []string{base + "/"},
	}, clientID, clientSecret, opts)
}

// giteaUserFields are the members of Gitea's ID tokens and UserInfo beyond
// the standard claims that hold personal data: the user's organisations and
// teams.
var giteaUserFields = core.UserFields{Personal: []string{"groups"}}

// giteaDialect is RFC 6749 with Gitea's unauthorized_client read as what
// its description says it is.
var giteaDialect = &core.Dialect{ErrorDetectors: []errorDetector{giteaDetect}}

// giteaCodes are the error descriptions with which Gitea and Forgejo answer
// unauthorized_client for what RFC 6749 §5.2 calls invalid_grant (the code,
// the PKCE verifier or the refresh token is refused) or invalid_client (the
// secret is wrong at the code exchange; a refresh says invalid_client
// itself). Gitea writes these descriptions as constants in its token
// handler (routers/web/auth/oauth2_provider.go); an unlisted description
// keeps unauthorized_client.
var giteaCodes = map[string]core.ErrorCode{
	"client is not authorized":      core.CodeInvalidGrant,
	"failed PKCE code challenge":    core.CodeInvalidGrant,
	"unable to parse refresh token": core.CodeInvalidGrant,
	"token was already used":        core.CodeInvalidGrant,
	"invalid client secret":         core.CodeInvalidClient,
	"invalid empty client secret":   core.CodeInvalidClient,
}

// giteaDetect is DetectRFC6749 with giteaCodes applied to
// unauthorized_client; the original code stays in ProviderCode.
func giteaDetect(status int, body map[string]any) *core.Error {
	e := DetectRFC6749(status, body)
	if e == nil || e.Code != core.CodeUnauthorizedClient {
		return e
	}
	if code, ok := giteaCodes[e.Description]; ok {
		e.ProviderCode, e.Code = string(e.Code), code
	}
	return e
}
