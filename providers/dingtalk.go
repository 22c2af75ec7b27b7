package providers

import (
	"context"
	"net/http"

	"github.com/go-oauth20/oauth20/core"
	"github.com/go-oauth20/oauth20/internal/jsonmap"
)

// DingTalk endpoints.
const (
	dingtalkLoginURL = "https://login.dingtalk.com"
	dingtalkAPIURL   = "https://api.dingtalk.com"
)

// dingtalkTokenCodes maps DingTalk's error codes at the token endpoint.
// DingTalk publishes no error table for it. invalidParameter.authCode.notFound
// is what it answers for a used or expired code, and for a refresh token it
// no longer accepts (DingTalk's own command-line client handles it so);
// the others are the API gateway's generic codes, mapped by their names.
var dingtalkTokenCodes = map[string]core.ErrorCode{
	"invalidParameter.authCode.notFound":      core.CodeInvalidGrant,
	"MissingParameter":                        core.CodeInvalidRequest,
	"InvalidParameter":                        core.CodeInvalidRequest,
	"Forbidden.AccessDenied":                  core.CodeUnauthorizedClient,
	"Forbidden.AccessDenied.IpNotInWhiteList": core.CodeUnauthorizedClient,
	"Throttling":                              core.CodeTemporarilyUnavailable,
	"ServiceUnavailable":                      core.CodeTemporarilyUnavailable,
	"InternalError":                           core.CodeServerError,
}

// dingtalkUserCodes maps the codes of the user API: InvalidAuthentication
// ("不合法的access_token", HTTP 400) and
// Forbidden.AccessDenied.AccessTokenPermissionDenied (the app lacks the
// Contact.User.Read permission), then the gateway's generic ones.
var dingtalkUserCodes = map[string]core.ErrorCode{
	"InvalidAuthentication":                              core.CodeInvalidToken,
	"Forbidden.AccessDenied.AccessTokenPermissionDenied": core.CodeInsufficientScope,
	"Throttling":         core.CodeTemporarilyUnavailable,
	"ServiceUnavailable": core.CodeTemporarilyUnavailable,
	"InternalError":      core.CodeServerError,
}

// DingTalk returns a provider for DingTalk (钉钉) login with the current
// OAuth 2.0 API (login.dingtalk.com and api.dingtalk.com v1.0), not the
// legacy signed sns API. clientID is the app's AppKey (or a third-party
// app's SuiteKey), clientSecret its AppSecret. It reports configuration
// problems, joined, each wrapping core.ErrInvalidConfig; it does no network
// I/O.
//
// Documentation:
// https://open.dingtalk.com/document/orgapp/tutorial-obtaining-user-personal-information
// and https://open.dingtalk.com/document/orgapp/obtain-user-token
//
// Quirks handled here:
//
//   - The authorization page is https://login.dingtalk.com/oauth2/auth with
//     the standard parameter names, space-separated scopes (default
//     "openid"; add "corpid" for the organisation) and prompt=consent, which
//     DingTalk documents as required.
//   - The callback carries the code as authCode (DingTalk's documentation);
//     code is accepted too.
//   - No PKCE; the login relies on state.
//   - The token request is a POST to
//     https://api.dingtalk.com/v1.0/oauth2/userAccessToken of a JSON body
//     with camelCase members: clientId, clientSecret, code, grantType. No
//     redirect_uri, no Basic header.
//   - The answer is camelCase without token_type: accessToken, refreshToken,
//     expireIn (seconds) and corpId (with the corpid scope).
//   - Refresh is the same endpoint with
//     {clientId, clientSecret, refreshToken, grantType: "refresh_token"}.
//   - Errors are non-2xx answers {"code":"...","message":"...","requestid":"..."}
//     with a string code, HTTP 400 for a bad request. A used or expired
//     code answers invalidParameter.authCode.notFound, and so does a
//     refresh token DingTalk no longer accepts: both map to invalid_grant,
//     so the callback answers 400 and a refresh asks for a new login. At
//     the user API, InvalidAuthentication (HTTP 400, not 401) is
//     invalid_token and Forbidden.AccessDenied.AccessTokenPermissionDenied
//     (the app lacks Contact.User.Read) insufficient_scope. The gateway's
//     generic codes (MissingParameter, Throttling, ...) map by their names;
//     every code stays in ProviderCode.
//   - No revocation endpoint and no OpenID Connect.
//   - The user is GET https://api.dingtalk.com/v1.0/contact/users/me with
//     the token in the x-acs-dingtalk-access-token header (not
//     Authorization). ID is openId (per app), UnionID unionId (per
//     developer: link accounts across apps with it), Name nick, AvatarURL
//     avatarUrl. DingTalk's email is not verified by DingTalk, so
//     EmailVerified is false.
//
// Options: those every constructor takes (see Option).
//
// The returned provider is immutable and safe for concurrent use.
func DingTalk(clientID, clientSecret string, opts ...Option) (*core.Provider, error) {
	return collect(opts).build(clientID, clientSecret, spec{
		name: "dingtalk", display: "DingTalk", scopes: []string{"openid"},
		endpoints: core.Endpoints{
			AuthURL:     dingtalkLoginURL + "/oauth2/auth",
			TokenURL:    dingtalkAPIURL + "/v1.0/oauth2/userAccessToken",
			UserInfoURL: dingtalkAPIURL + "/v1.0/contact/users/me",
		},
		method: core.AuthSecretPost, dialect: dingtalkDialect, pkce: core.PKCEUnsupported,
		authOptions: []core.Option{core.WithParam("prompt", "consent")},
		codeParams:  []string{"authCode", "code"},
		fetchUser:   dingtalkUser,
		userFields:  dingtalkUserFields,
	})
}

// dingtalkUserFields are the members of DingTalk's user answer (and token
// answer: corpId names the organisation) that hold personal data.
var dingtalkUserFields = core.UserFields{
	ID: "openId", UnionID: "unionId", Name: "nick", AvatarURL: "avatarUrl", Email: "email",
	Personal: []string{"mobile", "stateCode", "corpId"},
}

// dingtalkDialect is DingTalk's camelCase JSON token API.
var dingtalkDialect = &core.Dialect{
	TokenFormat: core.FormatJSON,
	TokenFields: map[string]string{
		"access_token":  "accessToken",
		"refresh_token": "refreshToken",
		"expires_in":    "expireIn",
	},
	DefaultTokenType: "Bearer",
	ErrorDetectors:   []errorDetector{CodeDetector("code", "message", dingtalkTokenCodes)},
	EditRequest:      dingtalkEditRequest,
	TokenHeaders:     []string{"x-acs-dingtalk-access-token"},
}

// dingtalkEditRequest renames the token request's members to camelCase
// (only the token API: the authorization page takes snake_case) and drops
// redirect_uri.
func dingtalkEditRequest(r *core.Request) error {
	if r.Op != core.OpExchange && r.Op != core.OpRefresh {
		return nil
	}
	r.Params.Del("redirect_uri")
	r.Params.Del("code_verifier")
	r.Params = reorderParams(r.Params, map[string]string{
		"client_id": "clientId", "client_secret": "clientSecret",
		"grant_type": "grantType", "refresh_token": "refreshToken",
	}, "clientId", "clientSecret", "code", "refreshToken", "grantType")
	return nil
}

var dingtalkUserDetectors = []errorDetector{CodeDetector("code", "message", dingtalkUserCodes)}

func dingtalkUser(ctx context.Context, r core.UserRequest) (*core.User, error) {
	fields, err := r.Client.Resource(ctx, core.ResourceRequest{
		URL: r.Client.Endpoints().UserInfoURL, Token: r.Token, NoBearer: true,
		Header:    http.Header{"X-Acs-Dingtalk-Access-Token": {r.Token.AccessToken}},
		Detectors: dingtalkUserDetectors,
	})
	if err != nil {
		return nil, err
	}
	return &core.User{
		ID:        jsonmap.String(fields, "openId"),
		UnionID:   jsonmap.String(fields, "unionId"),
		Name:      jsonmap.String(fields, "nick"),
		AvatarURL: jsonmap.String(fields, "avatarUrl"),
		Email:     jsonmap.String(fields, "email"),
		Raw:       fields,
	}, nil
}
