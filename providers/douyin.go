package providers

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/go-oauth20/oauth20/core"
	"github.com/go-oauth20/oauth20/internal/jsonmap"
)

// douyinURL is the host of Douyin's open platform: pages and APIs.
const douyinURL = "https://open.douyin.com"

// douyinCodes maps Douyin's error codes onto RFC codes.
var douyinCodes = map[string]core.ErrorCode{
	"2100005":  core.CodeInvalidRequest,     // parameter error
	"10002":    core.CodeInvalidRequest,     // parameter error
	"10005":    core.CodeInvalidRequest,     // a parameter is missing
	"28001007": core.CodeInvalidRequest,     // an invalid parameter
	"10003":    core.CodeInvalidClient,      // client_key does not exist
	"10013":    core.CodeInvalidClient,      // client_key or client_secret wrong
	"29002002": core.CodeInvalidClient,      // client_key invalid
	"10010":    core.CodeInvalidGrant,       // the refresh token has expired
	"10008":    core.CodeInvalidToken,       // the access token has expired
	"2190008":  core.CodeInvalidToken,       // the access token has expired
	"28001003": core.CodeInvalidToken,       // the access token is invalid
	"28001008": core.CodeInvalidToken,       // the access token has expired
	"28001005": core.CodeServerError,        // internal error, retry
	"28001016": core.CodeUnauthorizedClient, // the app is banned or offline
}

// Douyin returns a provider for Douyin (抖音) website login: the user scans
// a QR code with the Douyin app. clientKey is the app's Client Key,
// clientSecret its Client Secret. It reports configuration problems,
// joined, each wrapping core.ErrInvalidConfig; it does no network I/O.
//
// Documentation:
// https://developer.open-douyin.com/docs/resource/zh-CN/dop/develop/openapi/account-permission/get-access-token,
// .../refresh-access-token and .../get-account-open-info.
//
// Quirks handled here:
//
//   - The authorization page is https://open.douyin.com/platform/oauth/connect/
//     with client_key (not client_id), response_type=code, scope, redirect_uri
//     and state. Scopes are comma-separated; the default is user_info. Only
//     the domain of redirect_uri is checked against the app's.
//   - No PKCE: the login relies on state.
//   - The token request is a form POST to
//     https://open.douyin.com/oauth/access_token/ with client_key,
//     client_secret, code and grant_type: no redirect_uri, no Basic
//     header.
//   - Answers come in a {"data":{...},"message":"..."} envelope with HTTP
//     200: data holds access_token, refresh_token, open_id, scope and the
//     lifetimes (numbers in the current documentation, strings in older
//     answers: both are read) and error_code, 0 on success. A token answer
//     without open_id is refused: the user fetch needs it.
//   - Errors are a non-zero data.error_code with data.description, or, on
//     the user API, a non-zero err_no with err_msg: 10010 (refresh token
//     expired) maps to invalid_grant; 10003, 10013 and 29002002 (client key
//     or secret) to invalid_client; 10008, 2190008, 28001003 and 28001008
//     (access token invalid or expired) to invalid_token; parameter errors
//     (2100005, 10002, 10005, 28001007) to invalid_request. The number
//     stays in ProviderCode.
//   - Refresh is a form POST to https://open.douyin.com/oauth/refresh_token/
//     with client_key, grant_type and refresh_token: no client secret. It
//     renews the access token (15 days); the refresh token (30 days) is not
//     rotated.
//   - The user is a form POST to https://open.douyin.com/oauth/userinfo/
//     with access_token and the token answer's open_id (kept in
//     Token.UserID, so that a stored token fetches the user too). ID is
//     open_id (per app), UnionID union_id (per developer: link accounts
//     across apps with it), Name nickname, AvatarURL avatar. Douyin gives
//     no email.
//   - No revocation endpoint (users revoke in the Douyin app) and no OpenID
//     Connect.
//
// Options: those every constructor takes (see Option).
//
// The returned provider is immutable and safe for concurrent use.
func Douyin(clientKey, clientSecret string, opts ...Option) (*core.Provider, error) {
	return collect(opts).build(clientKey, clientSecret, spec{
		name: "douyin", display: "Douyin", scopes: []string{"user_info"},
		endpoints: core.Endpoints{
			AuthURL:     douyinURL + "/platform/oauth/connect/",
			TokenURL:    douyinURL + "/oauth/access_token/",
			UserInfoURL: douyinURL + "/oauth/userinfo/",
		},
		method: core.AuthSecretPost, dialect: douyinDialect, pkce: core.PKCEUnsupported,
		fetchUser: douyinUser, userFields: douyinUserFields,
	})
}

// douyinUserFields are the members of Douyin's user answer that hold
// personal data (encrypt_mobile with the mobile scope).
var douyinUserFields = core.UserFields{
	ID: "open_id", UnionID: "union_id", Name: "nickname", AvatarURL: "avatar",
	Personal: []string{"avatar_larger", "city", "province", "country", "gender", "encrypt_mobile"},
}

// douyinDialect is Douyin's: client_key, comma-separated scopes, the data
// envelope and its error codes.
var douyinDialect = &core.Dialect{
	ParamNames:       map[string]string{"client_id": "client_key"},
	ScopeSeparator:   ",",
	AuthParamOrder:   []string{"client_key", "response_type", "scope", "redirect_uri", "state"},
	Envelope:         "data",
	UserIDMember:     "open_id",
	DefaultTokenType: "Bearer",
	ErrorDetectors:   []errorDetector{douyinError},
	EditRequest:      douyinEditRequest,
	// Douyin's other Open APIs take the access token in an access-token
	// header; the login's own calls send it in the body.
	TokenHeaders: []string{"access-token"},
	EditToken: func(t *core.Token, _ map[string]any) error {
		if t.UserID == "" {
			return fmt.Errorf("%w: the token answer has no open_id", core.ErrMalformedResponse)
		}
		return nil
	},
}

// douyinEditRequest drops what Douyin's token endpoints do not take and
// sends refreshes to their own endpoint, without the secret.
func douyinEditRequest(r *core.Request) error {
	switch r.Op {
	case core.OpExchange:
		r.Params.Del("redirect_uri")
		r.Params.Del("code_verifier")
	case core.OpRefresh:
		if base, ok := strings.CutSuffix(r.URL, "/oauth/access_token/"); ok {
			r.URL = base + "/oauth/refresh_token/"
		}
		r.Params.Del("client_secret")
	}
	return nil
}

// douyinError reads data.error_code and data.description, else the user
// API's err_no and err_msg, else extra.error_code.
func douyinError(status int, body map[string]any) *core.Error {
	failed := func(code string) bool { return code != "" && code != "0" }
	data := jsonmap.Object(body, "data")
	code, desc := jsonmap.String(data, "error_code"), jsonmap.String(data, "description")
	if !failed(code) {
		code, desc = jsonmap.String(body, "err_no"), jsonmap.String(body, "err_msg")
	}
	if !failed(code) {
		extra := jsonmap.Object(body, "extra")
		code, desc = jsonmap.String(extra, "error_code"), jsonmap.String(extra, "description")
	}
	if !failed(code) {
		return nil
	}
	e := &core.Error{Code: core.CodeProviderError, ProviderCode: code, Description: desc, StatusCode: status}
	if std, ok := douyinCodes[code]; ok {
		e.Code = std
	}
	return e
}

func douyinUser(ctx context.Context, r core.UserRequest) (*core.User, error) {
	openID := tokenUserID(r.Token, "open_id")
	if openID == "" {
		return nil, fmt.Errorf("providers: douyin: %w: the token has no open_id", core.ErrMalformedResponse)
	}
	body := &core.Params{}
	body.Set("access_token", r.Token.AccessToken)
	body.Set("open_id", openID)
	fields, err := r.Client.Resource(ctx, core.ResourceRequest{
		Method: http.MethodPost, URL: r.Client.Endpoints().UserInfoURL, Token: r.Token, NoBearer: true, Body: body,
	})
	if err != nil {
		return nil, err
	}
	data := jsonmap.Object(fields, "data")
	if data == nil {
		return nil, fmt.Errorf("providers: douyin: %w: the user answer has no data", core.ErrMalformedResponse)
	}
	if got := jsonmap.String(data, "open_id"); got != "" && got != openID {
		return nil, fmt.Errorf("providers: douyin: %w: the user answer is for another open_id", core.ErrMalformedResponse)
	}
	return &core.User{
		ID:        openID,
		UnionID:   jsonmap.String(data, "union_id"),
		Name:      jsonmap.String(data, "nickname"),
		AvatarURL: jsonmap.String(data, "avatar"),
		Raw:       data,
	}, nil
}
