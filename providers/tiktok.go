package providers

import (
	"context"
	"fmt"

	"github.com/go-oauth20/oauth20/core"
	"github.com/go-oauth20/oauth20/internal/jsonmap"
)

// TikTok endpoints (Login Kit, OAuth v2).
const (
	tiktokAuthURL   = "https://www.tiktok.com/v2/auth/authorize/"
	tiktokTokenURL  = "https://open.tiktokapis.com/v2/oauth/token/"
	tiktokRevokeURL = "https://open.tiktokapis.com/v2/oauth/revoke/"
	tiktokUserURL   = "https://open.tiktokapis.com/v2/user/info/"
)

// tiktokUserFields are the user.info.basic fields asked of /v2/user/info/.
const tiktokUserFields = "open_id,union_id,avatar_url,display_name"

// TikTok returns a provider for "Login with TikTok" (Login Kit for Web,
// OAuth v2). clientKey and clientSecret are the app's credentials from the
// TikTok developer portal. It reports configuration problems (an empty
// client key or secret, a bad redirect URL), joined, each wrapping
// core.ErrInvalidConfig; it does no network I/O.
//
// Documentation:
// https://developers.tiktok.com/doc/oauth-user-access-token-management,
// https://developers.tiktok.com/doc/oauth-error-handling and
// https://developers.tiktok.com/doc/tiktok-api-v2-get-user-info
//
// Quirks handled here:
//
//   - The client identifier is client_key, not client_id, in the
//     authorization URL and in every token and revocation request.
//   - Scopes are comma-separated; the default is user.info.basic.
//   - Credentials go in the body (client_key and client_secret); a secret is
//     required. TikTok takes PKCE from mobile and desktop apps only, so a
//     web login sends none and relies on state.
//   - The token answer is flat JSON with open_id (the user's id for this
//     app), a comma-separated scope and refresh_expires_in. Access tokens
//     live two hours and refresh tokens 180 days, and every refresh rotates
//     the refresh token: store the new one.
//   - Token errors are {"error":"invalid_grant","error_description":...,
//     "log_id":...} with RFC 6749 codes.
//   - Revocation is POST /v2/oauth/revoke/ with client_key, client_secret
//     and token (no hint); a failure is an error body, caught whatever the
//     status.
//   - The user comes from GET /v2/user/info/?fields=open_id,union_id,
//     avatar_url,display_name, which answers {"data":{"user":{...}},
//     "error":{"code":"ok",...}}: any code but "ok" is an error
//     (access_token_invalid is invalid_token, scope_not_authorized
//     insufficient_scope). open_id becomes the ID, union_id the UnionID
//     (shared by the apps of one developer), display_name the Name,
//     avatar_url the AvatarURL. TikTok gives no email address.
//
// Options: those every constructor takes (see Option).
//
// The returned provider is immutable and safe for concurrent use.
func TikTok(clientKey, clientSecret string, opts ...Option) (*core.Provider, error) {
	return collect(opts).build(clientKey, clientSecret, spec{
		name: "tiktok", display: "TikTok", scopes: []string{"user.info.basic"},
		endpoints: core.Endpoints{
			AuthURL: tiktokAuthURL, TokenURL: tiktokTokenURL, RevocationURL: tiktokRevokeURL, UserInfoURL: tiktokUserURL,
		},
		method: core.AuthSecretPost, dialect: tiktokDialect, pkce: core.PKCEUnsupported,
		fetchUser: tiktokFetchUser, userFields: tiktokPersonalFields,
	})
}

// tiktokPersonalFields are the members of TikTok's user info answer that
// hold personal data (those of the user.info.profile scope included).
var tiktokPersonalFields = core.UserFields{
	ID: "open_id", UnionID: "union_id", Name: "display_name", Username: "username", AvatarURL: "avatar_url",
	Personal: []string{"avatar_url_100", "avatar_large_url", "bio_description", "profile_deep_link"},
}

var tiktokDialect = &core.Dialect{
	ParamNames:            map[string]string{"client_id": "client_key"},
	ScopeSeparator:        ",",
	RevocationErrorsIn2xx: true,
	EditRequest:           tiktokEditRequest,
}

// tiktokEditRequest drops the hint of a revocation: TikTok documents
// client_key, client_secret and token only.
func tiktokEditRequest(r *core.Request) error {
	if r.Op == core.OpRevoke {
		r.Params.Del("token_type_hint")
	}
	return nil
}

// tiktokAPICodes maps the API's error codes onto RFC codes.
var tiktokAPICodes = map[string]core.ErrorCode{
	"access_token_invalid": core.CodeInvalidToken,
	"scope_not_authorized": core.CodeInsufficientScope,
	"invalid_params":       core.CodeInvalidRequest,
	"internal_error":       core.CodeServerError,
}

// tiktokDetectAPI reads the API's {"error":{"code":"ok","message":...,
// "log_id":...}}: every code but "ok" is an error.
func tiktokDetectAPI(status int, body map[string]any) *core.Error {
	e := jsonmap.Object(body, "error")
	code := jsonmap.String(e, "code")
	if e == nil || code == "ok" {
		return nil
	}
	out := &core.Error{Code: core.CodeProviderError, ProviderCode: code, Description: jsonmap.String(e, "message"), StatusCode: status}
	if c, ok := tiktokAPICodes[code]; ok {
		out.Code = c
	}
	return out
}

func tiktokFetchUser(ctx context.Context, r core.UserRequest) (*core.User, error) {
	fields, err := r.Client.Resource(ctx, core.ResourceRequest{
		URL: tiktokUserURL, Token: r.Token, Query: query("fields", tiktokUserFields),
		Detectors: []errorDetector{tiktokDetectAPI},
	})
	if err != nil {
		return nil, err
	}
	u := jsonmap.Object(jsonmap.Object(fields, "data"), "user")
	if u == nil {
		return nil, fmt.Errorf("providers: tiktok: %w: /v2/user/info/ has no data.user member", core.ErrMalformedResponse)
	}
	return &core.User{
		ID:        jsonmap.String(u, "open_id"),
		UnionID:   jsonmap.String(u, "union_id"),
		Name:      jsonmap.String(u, "display_name"),
		Username:  jsonmap.String(u, "username"),
		AvatarURL: jsonmap.String(u, "avatar_url"),
		Raw:       fields,
	}, nil
}
