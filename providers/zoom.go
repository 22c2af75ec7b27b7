package providers

import (
	"context"
	"strings"

	"github.com/go-oauth20/oauth20/core"
	"github.com/go-oauth20/oauth20/internal/jsonmap"
)

// Zoom endpoints.
const (
	zoomAuthURL   = "https://zoom.us/oauth/authorize"
	zoomTokenURL  = "https://zoom.us/oauth/token"
	zoomRevokeURL = "https://zoom.us/oauth/revoke"
	zoomMeURL     = "https://api.zoom.us/v2/users/me"
)

// Zoom returns a provider for "Sign in with Zoom" (a user-managed OAuth
// app). With a clientSecret of "" the provider is a public client, for the
// separate public client id Zoom issues to apps without a backend. It
// reports configuration problems (an empty client id, a bad redirect URL),
// joined, each wrapping core.ErrInvalidConfig; it does no network I/O.
//
// Documentation: https://developers.zoom.us/docs/integrations/oauth/,
// https://developers.zoom.us/docs/integrations/PKCE/ and
// https://developers.zoom.us/docs/api/users/#tag/users/GET/users/{userId}
//
// Quirks handled here:
//
//   - The app's scopes are chosen when it is registered, so no scope is
//     sent by default (WithScopes adds space-separated granular scopes).
//   - A confidential client authenticates with HTTP Basic at the token and
//     revocation endpoints and sends no PKCE; a public client sends the
//     S256 challenge, then client_id and code_verifier without a secret or
//     Authorization header, as Zoom's PKCE page prescribes.
//   - Token errors carry the text in "reason", not error_description
//     ({"reason":"Invalid client_id or client_secret","error":
//     "invalid_client"}); it becomes the description. API errors are
//     {"code":124,"message":"Invalid access token."}: code 124 maps to
//     invalid_token, other codes are provider_error.
//   - Access tokens live an hour. Refresh tokens are single use: every
//     refresh returns a new one, which must be stored.
//   - Revocation is POST /oauth/revoke with Basic credentials and the token
//     (no hint), answered {"status":"success"}.
//   - The user comes from GET https://api.zoom.us/v2/users/me: id becomes
//     the ID, display_name (or first and last name) the Name, email the
//     Email, pic_url the AvatarURL. Zoom's verified member is about the
//     account, not the address, so EmailVerified stays false.
//
// Options: those every constructor takes (see Option).
//
// The returned provider is immutable and safe for concurrent use.
func Zoom(clientID, clientSecret string, opts ...Option) (*core.Provider, error) {
	return collect(opts).build(clientID, clientSecret, spec{
		name: "zoom", display: "Zoom",
		endpoints: core.Endpoints{AuthURL: zoomAuthURL, TokenURL: zoomTokenURL, RevocationURL: zoomRevokeURL, UserInfoURL: zoomMeURL},
		method:    publicOr(clientSecret, core.AuthSecretBasic), dialect: zoomDialect, pkce: core.PKCEPublicOnly,
		fetchUser: zoomFetchUser, userFields: zoomUserFields,
	})
}

// zoomUserFields are the members of Zoom's /users/me answer that hold
// personal data: names, picture, the personal meeting id and URL, the
// account, phone numbers, where and in which language the user works.
var zoomUserFields = core.UserFields{
	ID: "id", Name: "display_name", Email: "email", AvatarURL: "pic_url",
	Personal: []string{"first_name", "last_name", "pmi", "personal_meeting_url", "vanity_url", "account_id",
		"account_number", "phone_numbers", "timezone", "language", "dept", "job_title", "employee_unique_id", "jid",
		"cms_user_id"},
}

var zoomDialect = &core.Dialect{
	ErrorDetectors: []errorDetector{
		zoomDetectToken,
		CodeDetector("code", "message", map[string]core.ErrorCode{"124": core.CodeInvalidToken}),
	},
	EditRequest: zoomEditRequest,
	// host_key is the PIN that claims the host role of the user's
	// meetings, in the /users/me answer.
	SecretFields: []string{"host_key"},
}

// zoomDetectToken is DetectRFC6749 with Zoom's "reason" as the
// description when error_description is absent.
func zoomDetectToken(status int, body map[string]any) *core.Error {
	e := DetectRFC6749(status, body)
	if e != nil && e.Description == "" {
		e.Description = jsonmap.String(body, "reason")
	}
	return e
}

// zoomEditRequest drops the hint of a revocation, which Zoom does not
// document.
func zoomEditRequest(r *core.Request) error {
	if r.Op == core.OpRevoke {
		r.Params.Del("token_type_hint")
	}
	return nil
}

func zoomFetchUser(ctx context.Context, r core.UserRequest) (*core.User, error) {
	fields, err := r.Client.Resource(ctx, core.ResourceRequest{URL: zoomMeURL, Token: r.Token})
	if err != nil {
		return nil, err
	}
	name := jsonmap.String(fields, "display_name")
	if name == "" {
		name = strings.TrimSpace(jsonmap.String(fields, "first_name") + " " + jsonmap.String(fields, "last_name"))
	}
	return &core.User{
		ID:        jsonmap.String(fields, "id"),
		Name:      name,
		Email:     jsonmap.String(fields, "email"),
		AvatarURL: jsonmap.String(fields, "pic_url"),
		Raw:       fields,
	}, nil
}
