package providers

import (
	"context"

	"github.com/go-oauth20/oauth20/core"
	"github.com/go-oauth20/oauth20/oidc"
)

// gitlabURL is gitlab.com.
const gitlabURL = "https://gitlab.com"

// GitLab returns a provider for "Sign in with GitLab" on gitlab.com or, with
// WithBaseURL("https://gitlab.example.com"), a self-managed instance (a
// path is allowed: "https://example.com/gitlab"). It reports configuration
// problems joined, each wrapping core.ErrInvalidConfig; it does no network
// I/O.
//
// Documentation:
// https://docs.gitlab.com/api/oauth2/ and
// https://docs.gitlab.com/integration/openid_connect_provider/
//
// Quirks handled here:
//
//   - Fixed endpoints below the base URL: /oauth/authorize, /oauth/token,
//     /oauth/revoke and /oauth/userinfo, so nothing is discovered and a
//     self-managed instance needs only its URL.
//   - Credentials in the body (client_secret_post); PKCE S256 always.
//   - Access tokens live two hours; refresh tokens rotate on every refresh.
//     Token answers carry created_at (kept in Token.Raw).
//   - The user comes from /oauth/userinfo (scope openid): sub is the
//     numeric user id as a string, nickname/preferred_username the
//     username, email with GitLab's email_verified flag, picture the
//     avatar. The token answer's id_token is not verified by this
//     provider; use OIDC("gitlab", baseURL, ...) for an ID-token login.
//   - Revocation (RFC 7009) answers 200 {}.
//   - Errors are RFC 6749 JSON with 400 or 401.
//
// Default scopes: openid, profile, email. Options: those every constructor
// takes (see Option), and WithBaseURL. The returned provider is immutable
// and safe for concurrent use.
func GitLab(clientID, clientSecret string, opts ...Option) (*core.Provider, error) {
	s := collect(opts)
	base, err := checkBaseURL("gitlab", "base URL", s.baseURL, gitlabURL)
	return s.build(clientID, clientSecret, spec{
		name: "gitlab", display: "GitLab", scopes: []string{"openid", "profile", "email"},
		endpoints: core.Endpoints{
			AuthURL:       base + "/oauth/authorize",
			TokenURL:      base + "/oauth/token",
			RevocationURL: base + "/oauth/revoke",
			UserInfoURL:   base + "/oauth/userinfo",
		},
		method: core.AuthSecretPost, fetchUser: gitlabUser, accepts: optBaseURL,
		userFields: gitlabUserFields,
	}, err)
}

// gitlabUserFields are the members of GitLab's userinfo answer that hold
// personal data beyond the standard claims.
var gitlabUserFields = core.UserFields{
	ID: "sub", Username: "nickname", Name: "name", AvatarURL: "picture", Email: "email",
	Personal: []string{"sub_legacy", "groups", "groups_direct"},
}

func gitlabUser(ctx context.Context, r core.UserRequest) (*core.User, error) {
	fields, err := r.Client.Resource(ctx, core.ResourceRequest{URL: r.Client.Endpoints().UserInfoURL, Token: r.Token})
	if err != nil {
		return nil, err
	}
	u := oidc.ClaimsUser(fields)
	if u.Username == "" {
		u.Username = stringMember(fields, "nickname")
	}
	return &u, nil
}
