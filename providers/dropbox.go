package providers

import (
	"context"
	"net/http"
	"strings"

	"github.com/go-oauth20/oauth20/core"
	"github.com/go-oauth20/oauth20/internal/jsonmap"
)

// Dropbox endpoints.
const (
	dropboxAuthURL    = "https://www.dropbox.com/oauth2/authorize"
	dropboxTokenURL   = "https://api.dropboxapi.com/oauth2/token"
	dropboxRevokeURL  = "https://api.dropboxapi.com/2/auth/token/revoke"
	dropboxAccountURL = "https://api.dropboxapi.com/2/users/get_current_account"
)

// Dropbox returns a provider for "Sign in with Dropbox" (OAuth 2 code flow
// with offline access). clientID and clientSecret are the app key and app
// secret; with a clientSecret of "" the provider is a public client (the
// PKCE flow). It reports configuration problems (an empty app key, a bad
// redirect URL), joined, each wrapping core.ErrInvalidConfig; it does no
// network I/O.
//
// Documentation: https://developers.dropbox.com/oauth-guide,
// https://dropbox.tech/developers/using-oauth-2-0-with-offline-access and
// https://www.dropbox.com/developers/documentation/http/documentation
//
// Quirks handled here:
//
//   - Every authorization request carries token_access_type=offline, so
//     that a refresh token comes back beside the short-lived access token. Pass WithAuthParam("token_access_type", "online")
//     for access tokens only.
//   - The default scope is account_info.read, the one
//     users/get_current_account needs; scopes are space-separated.
//   - A confidential client sends client_id and client_secret in the body
//     and no PKCE; a public client sends the S256 challenge, then client_id
//     and code_verifier without a secret. Dropbox's own SDK sends one or
//     the other, never both, and its documentation does not show the two
//     together.
//   - Token errors are RFC 6749 JSON ({"error":"invalid_grant",
//     "error_description":"code doesn't exist or has expired"}). A refresh
//     answer has no refresh_token: the one used is kept.
//   - API errors are {"error_summary":"expired_access_token/","error":
//     {".tag":"expired_access_token"}}: the tag becomes the ProviderCode and
//     invalid_access_token and expired_access_token map to invalid_token,
//     missing_scope to insufficient_scope.
//   - Revocation is POST /2/auth/token/revoke authenticated by the access
//     token itself, with no body, answered 200 null. Only access tokens can
//     be given.
//   - The user comes from POST /2/users/get_current_account with the Bearer
//     token and no body (an RPC without arguments): account_id ("dbid:...")
//     becomes the ID, name.display_name the Name, email and email_verified
//     the Email and EmailVerified, profile_photo_url the AvatarURL.
//
// Options: those every constructor takes (see Option).
//
// The returned provider is immutable and safe for concurrent use.
func Dropbox(clientID, clientSecret string, opts ...Option) (*core.Provider, error) {
	return collect(opts).build(clientID, clientSecret, spec{
		name: "dropbox", display: "Dropbox", scopes: []string{"account_info.read"},
		endpoints: core.Endpoints{
			AuthURL: dropboxAuthURL, TokenURL: dropboxTokenURL, RevocationURL: dropboxRevokeURL, UserInfoURL: dropboxAccountURL,
		},
		method: publicOr(clientSecret, core.AuthSecretPost), dialect: dropboxDialect, pkce: core.PKCEPublicOnly,
		authOptions: []core.Option{core.WithParam("token_access_type", "offline")},
		fetchUser:   dropboxFetchUser,
		userFields:  dropboxUserFields,
	})
}

// dropboxUserFields are the members of Dropbox's token and account answers
// that hold personal data: the account's ids (uid and account_id in the
// token answer too), its name object, photo, country and referral link,
// and the ids of its team membership and namespaces.
var dropboxUserFields = core.UserFields{
	ID: "account_id", Name: "display_name", Email: "email", AvatarURL: "profile_photo_url",
	Personal: []string{"surname", "familiar_name", "abbreviated_name", "referral_link", "team_member_id", "team",
		"root_namespace_id", "home_namespace_id"},
}

var dropboxDialect = &core.Dialect{
	ErrorDetectors:          []errorDetector{dropboxDetectAPI, DetectRFC6749},
	EditRequest:             dropboxEditRequest,
	RevokesAccessTokensOnly: true,
}

// dropboxEditRequest turns core's RFC 7009 revocation into Dropbox's RPC:
// the token as Bearer and no body at all (Dropbox refuses a form
// Content-Type on its RPC endpoints).
func dropboxEditRequest(r *core.Request) error {
	if r.Op != core.OpRevoke {
		return nil
	}
	r.Header.Set("Authorization", "Bearer "+r.Params.Get("token"))
	r.Params = &core.Params{}
	r.Format = core.FormatQuery
	return nil
}

// dropboxAPITags maps the API's error tags onto RFC codes.
var dropboxAPITags = map[string]core.ErrorCode{
	"invalid_access_token": core.CodeInvalidToken,
	"expired_access_token": core.CodeInvalidToken,
	"missing_scope":        core.CodeInsufficientScope,
}

// dropboxDetectAPI reads the API's {"error_summary":...,"error":{".tag":
// ...}} errors; token-endpoint errors have no error_summary and are left to
// DetectRFC6749.
func dropboxDetectAPI(status int, body map[string]any) *core.Error {
	summary, ok := body["error_summary"].(string)
	if !ok {
		return nil
	}
	tag := jsonmap.String(jsonmap.Object(body, "error"), ".tag")
	if tag == "" {
		tag, _, _ = strings.Cut(summary, "/")
	}
	e := &core.Error{Code: core.CodeProviderError, ProviderCode: tag, Description: summary, StatusCode: status}
	if c, ok := dropboxAPITags[tag]; ok {
		e.Code = c
	}
	return e
}

func dropboxFetchUser(ctx context.Context, r core.UserRequest) (*core.User, error) {
	fields, err := r.Client.Resource(ctx, core.ResourceRequest{Method: http.MethodPost, URL: dropboxAccountURL, Token: r.Token})
	if err != nil {
		return nil, err
	}
	u := &core.User{
		ID:        jsonmap.String(fields, "account_id"),
		Name:      jsonmap.String(jsonmap.Object(fields, "name"), "display_name"),
		Email:     jsonmap.String(fields, "email"),
		AvatarURL: jsonmap.String(fields, "profile_photo_url"),
		Raw:       fields,
	}
	u.EmailVerified = u.Email != "" && jsonmap.Bool(fields, "email_verified")
	return u, nil
}
