package providers

import (
	"context"
	"errors"
	"fmt"

	"github.com/go-oauth20/oauth20/core"
	"github.com/go-oauth20/oauth20/internal/jsonmap"
)

// qqURL is QQ Connect's API host.
const qqURL = "https://graph.qq.com"

// qqNoUnionID reports /oauth2.0/me's errors for an app that may not read
// unionids: 100048 ("companyid not set") and 100049 (the appid has no
// get_unionid permission).
func qqNoUnionID(code string) bool { return code == "100048" || code == "100049" }

// qqCodes maps QQ Connect's numeric errors onto RFC codes, after QQ's table
// of return codes (公共返回码说明).
var qqCodes = map[string]core.ErrorCode{
	"100000": core.CodeInvalidRequest,       // response_type missing or illegal
	"100001": core.CodeInvalidRequest,       // client_id missing
	"100002": core.CodeInvalidClient,        // client_secret missing
	"100004": core.CodeUnsupportedGrantType, // grant_type missing or illegal
	"100005": core.CodeInvalidRequest,       // code missing
	"100006": core.CodeInvalidRequest,       // refresh token missing
	"100007": core.CodeInvalidRequest,       // access token missing
	"100008": core.CodeInvalidClient,        // the appid does not exist
	"100009": core.CodeInvalidClient,        // client_secret (the appkey) illegal
	"100010": core.CodeInvalidRequest,       // redirect address illegal
	"100011": core.CodeUnauthorizedClient,   // the app is not online
	"100013": core.CodeInvalidToken,         // access token illegal
	"100014": core.CodeInvalidToken,         // access token expired
	"100015": core.CodeInvalidToken,         // access token revoked
	"100016": core.CodeInvalidToken,         // access token check failed
	"100019": core.CodeInvalidGrant,         // exchanging the code failed
	"100020": core.CodeInvalidGrant,         // code used twice
	"100021": core.CodeServerError,          // failed to get an access token
	"100030": core.CodeInsufficientScope,    // the user has not granted this API
	"100031": core.CodeUnauthorizedClient,   // the app may not call this API
	"100036": core.CodeInvalidGrant,         // refresh token invalid
	"100037": core.CodeInvalidGrant,         // refresh token expired
	"100038": core.CodeInvalidGrant,         // refresh token revoked
	"100042": core.CodeInvalidGrant,         // refresh token illegal
	"100043": core.CodeUnauthorizedClient,   // the app is suspended
	"100048": core.CodeUnauthorizedClient,   // no unionid permission
	"100049": core.CodeUnauthorizedClient,   // no get_unionid permission
}

// qqUserCodes maps get_user_info's ret values.
var qqUserCodes = map[string]core.ErrorCode{
	"100013": core.CodeInvalidToken,
	"100014": core.CodeInvalidToken,
	"100015": core.CodeInvalidToken,
	"100016": core.CodeInvalidToken,
	"1002":   core.CodeInvalidToken, // "请先登录": not logged in
	"100030": core.CodeInsufficientScope,
}

// QQ returns a provider for QQ Connect (QQ 互联) website login. appID is the
// APP ID, appKey the APP Key. It reports configuration problems, joined,
// each wrapping core.ErrInvalidConfig; it does no network I/O.
//
// Documentation: https://wiki.connect.qq.com/准备工作_oauth2-0 and
// https://wiki.connect.qq.com/使用authorization_code获取access_token
//
// Quirks handled here:
//
//   - The authorization page is https://graph.qq.com/oauth2.0/authorize with
//     the standard names; scopes are comma-separated API names, default
//     get_user_info. WithAuthParam("display", "mobile") selects the mobile
//     page.
//   - No PKCE; the login relies on state.
//   - The token request is a GET to https://graph.qq.com/oauth2.0/token with
//     grant_type, client_id, client_secret, code and redirect_uri in the
//     query, plus fmt=json. The answer is then JSON with expires_in as a
//     string ("7776000") and no token_type (Bearer assumed); without
//     fmt=json QQ answers form-encoded, with errors as JSONP, and both are
//     read as a fallback.
//   - Errors come with HTTP 200 and a numeric error member,
//     {"error":100019,"error_description":"code to access token error"}, or
//     wrapped as JSONP, and map after QQ's table of return codes: 100019
//     and 100020 (code used) and 100036 to 100038 and 100042 (refresh token
//     invalid, expired, revoked, illegal) to invalid_grant; 100005 to 100007
//     (code, refresh token or access token missing) to invalid_request;
//     100008 and 100009 (unknown appid, wrong appkey) to invalid_client;
//     100013 to 100016 to invalid_token. The number stays in ProviderCode.
//   - Refresh is the same GET with grant_type=refresh_token, client_id,
//     client_secret, refresh_token and fmt=json. No revocation endpoint, no
//     OpenID Connect.
//   - The user takes two calls. GET https://graph.qq.com/oauth2.0/me with
//     access_token, unionid=1 and fmt=json gives openid and unionid; it
//     answers JSONP (callback( {...} );) when fmt is ignored, which is read
//     too. An app without the unionid permission gets error 100048 (or
//     100049) for unionid=1: /oauth2.0/me is then asked again without it. Then GET
//     https://graph.qq.com/user/get_user_info with access_token,
//     oauth_consumer_key (the APP ID) and openid; its errors come with HTTP
//     200 and ret != 0 ({"ret":1002,"msg":"请先登录"}).
//   - ID is the openid (per app), UnionID the unionid (per developer: link
//     accounts across apps with it), Name the nickname, AvatarURL
//     figureurl_qq_2 (100 px), else figureurl_qq_1 (40 px). QQ gives no
//     email: Email is always empty.
//
// Options: those every constructor takes (see Option).
//
// The returned provider is immutable and safe for concurrent use.
func QQ(appID, appKey string, opts ...Option) (*core.Provider, error) {
	return collect(opts).build(appID, appKey, spec{
		name: "qq", display: "QQ", scopes: []string{"get_user_info"},
		endpoints: core.Endpoints{
			AuthURL:     qqURL + "/oauth2.0/authorize",
			TokenURL:    qqURL + "/oauth2.0/token",
			UserInfoURL: qqURL + "/user/get_user_info",
		},
		method: core.AuthSecretPost, dialect: qqDialect, pkce: core.PKCEUnsupported,
		userFields: qqUserFields,
		fetchUser: func(ctx context.Context, r core.UserRequest) (*core.User, error) {
			return qqUser(ctx, r, appID)
		},
	})
}

// qqUserFields are the members of QQ's /oauth2.0/me and get_user_info
// answers that hold personal data.
var qqUserFields = core.UserFields{
	ID: "openid", UnionID: "unionid", Name: "nickname", AvatarURL: "figureurl_qq_2",
	Personal: []string{"figureurl*", "gender", "province", "city", "year", "constellation"},
}

// qqDialect is QQ Connect's wire format.
var qqDialect = &core.Dialect{
	ScopeSeparator:   ",",
	TokenMethod:      "GET",
	TokenParamOrder:  []string{"grant_type", "client_id", "client_secret", "code", "refresh_token", "redirect_uri"},
	Response:         core.FormatAuto,
	DefaultTokenType: "Bearer",
	ErrorDetectors:   []errorDetector{qqError, CodeDetector("ret", "msg", qqUserCodes)},
	EditRequest: func(r *core.Request) error {
		if r.Op == core.OpExchange || r.Op == core.OpRefresh {
			r.Params.Del("code_verifier")
			r.Params.Set("fmt", "json")
		}
		return nil
	},
}

// qqError reads QQ's numeric "error" member and maps it.
func qqError(status int, body map[string]any) *core.Error {
	e := DetectRFC6749(status, body)
	if e == nil {
		return nil
	}
	if std, ok := qqCodes[e.ProviderCode]; ok && e.Code == core.CodeProviderError {
		e.Code = std
	}
	return e
}

func qqUser(ctx context.Context, r core.UserRequest, appID string) (*core.User, error) {
	me := func(unionID bool) (map[string]any, error) {
		q := query("access_token", r.Token.AccessToken)
		if unionID {
			q.Set("unionid", "1")
		}
		q.Set("fmt", "json")
		return r.Client.Resource(ctx, core.ResourceRequest{
			URL: qqURL + "/oauth2.0/me", Token: r.Token, NoBearer: true, Query: q, Format: core.FormatAuto,
		})
	}
	ids, err := me(true)
	var pe *core.Error
	if errors.As(err, &pe) && qqNoUnionID(pe.ProviderCode) {
		ids, err = me(false)
	}
	if err != nil {
		return nil, err
	}
	openid := jsonmap.String(ids, "openid")
	if openid == "" {
		return nil, fmt.Errorf("providers: qq: %w: /oauth2.0/me has no openid", core.ErrMalformedResponse)
	}
	if cid := jsonmap.String(ids, "client_id"); cid != "" && cid != appID {
		return nil, fmt.Errorf("providers: qq: %w: the access token was issued to another app", core.ErrMalformedResponse)
	}
	info, err := r.Client.Resource(ctx, core.ResourceRequest{
		URL: r.Client.Endpoints().UserInfoURL, Token: r.Token, NoBearer: true,
		Query: query("access_token", r.Token.AccessToken, "oauth_consumer_key", appID, "openid", openid),
	})
	if err != nil {
		return nil, err
	}
	avatar := jsonmap.String(info, "figureurl_qq_2")
	if avatar == "" {
		avatar = jsonmap.String(info, "figureurl_qq_1")
	}
	u := &core.User{
		ID:        openid,
		UnionID:   jsonmap.String(ids, "unionid"),
		Name:      jsonmap.String(info, "nickname"),
		AvatarURL: avatar,
		Raw:       mergeMissing(info, ids),
	}
	return u, nil
}
