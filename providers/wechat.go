package providers

import (
	"context"
	"fmt"
	"strings"

	"github.com/go-oauth20/oauth20/core"
	"github.com/go-oauth20/oauth20/internal/jsonmap"
)

// This file holds what WeChat MP (wechatmp.go) and WeChat Open
// (wechatopen.go) share: the hosts, the wire dialect and the user fetch.
// The two differ only in their authorization page, default scope and name.

// The hosts of WeChat's authorization pages and of its API.
const (
	wechatWebURL = "https://open.weixin.qq.com"
	wechatAPIURL = "https://api.weixin.qq.com"
)

// newWeChat builds WeChat MP and WeChat Open.
func newWeChat(name, display, authURL, scope, appID, secret string, opts []Option) (*core.Provider, error) {
	return collect(opts).build(appID, secret, spec{
		name: name, display: display, scopes: []string{scope},
		endpoints: core.Endpoints{
			AuthURL:     authURL,
			TokenURL:    wechatAPIURL + "/sns/oauth2/access_token",
			UserInfoURL: wechatAPIURL + "/sns/userinfo",
		},
		method: core.AuthSecretPost, dialect: wechatDialect, pkce: core.PKCEUnsupported,
		// A user who refuses comes back with the state alone: no code,
		// no error parameter.
		refusalWithoutCode: true,
		fetchUser:          wechatUser(wechatAPIURL),
		userFields:         wechatUserFields,
	})
}

// wechatUserFields are the members of WeChat's token and sns/userinfo
// answers that hold personal data.
var wechatUserFields = core.UserFields{
	ID: "openid", UnionID: "unionid", Name: "nickname", AvatarURL: "headimgurl",
	Personal: []string{"sex", "province", "city", "country", "privilege"},
}

// wechatCodes maps WeChat's errcode values onto RFC codes.
var wechatCodes = map[string]core.ErrorCode{
	"40029": core.CodeInvalidGrant,   // invalid code
	"40163": core.CodeInvalidGrant,   // code been used
	"40030": core.CodeInvalidGrant,   // invalid refresh_token
	"42002": core.CodeInvalidGrant,   // refresh_token expired
	"41008": core.CodeInvalidRequest, // missing code
	"41009": core.CodeInvalidRequest, // missing openid
	"40003": core.CodeInvalidRequest, // invalid openid
	"40013": core.CodeInvalidClient,  // invalid appid
	"40125": core.CodeInvalidClient,  // invalid appsecret
	"41002": core.CodeInvalidClient,  // appid missing
	"41004": core.CodeInvalidClient,  // appsecret missing
	"40001": core.CodeInvalidToken,   // invalid credential (access token)
	"40014": core.CodeInvalidToken,   // invalid access_token
	"42001": core.CodeInvalidToken,   // access_token expired
	"48001": core.CodeInsufficientScope,
	"50001": core.CodeAccessDenied, // user or app not authorised for the API
}

// wechatDialect is WeChat's wire format: appid/secret, comma-separated
// scopes, #wechat_redirect, the parameter order WeChat checks, GET token
// requests, JSON answers sent as text/plain (core ignores the content type
// of JSON answers) and errcode/errmsg errors in HTTP 200 answers.
var wechatDialect = &core.Dialect{
	Name:             "wechat",
	ParamNames:       map[string]string{"client_id": "appid", "client_secret": "secret"},
	ScopeSeparator:   ",",
	AuthURLFragment:  "wechat_redirect",
	AuthParamOrder:   []string{"appid", "redirect_uri", "response_type", "scope", "state"},
	TokenMethod:      "GET",
	TokenParamOrder:  []string{"appid", "secret", "code", "grant_type"},
	Response:         core.FormatJSON,
	UserIDMember:     "openid",
	DefaultTokenType: "Bearer",
	ErrorDetectors:   []errorDetector{CodeDetector("errcode", "errmsg", wechatCodes)},
	EditRequest:      wechatEditRequest,
	EditToken:        wechatEditToken,
}

// wechatEditRequest drops what WeChat's token endpoints do not take
// and sends refreshes to their own endpoint, without the secret.
func wechatEditRequest(r *core.Request) error {
	switch r.Op {
	case core.OpExchange:
		// WeChat takes no redirect_uri (nor PKCE) at the token endpoint.
		r.Params.Del("redirect_uri")
		r.Params.Del("code_verifier")
	case core.OpRefresh:
		// GET /sns/oauth2/refresh_token?appid&grant_type&refresh_token:
		// the refresh is authenticated by the refresh token alone.
		if base, ok := strings.CutSuffix(r.URL, "/access_token"); ok {
			r.URL = base + "/refresh_token"
		}
		r.Params.Del("secret")
		r.Params = reorderParams(r.Params, nil, "appid", "grant_type", "refresh_token")
	}
	return nil
}

// wechatEditToken requires the openid the user fetch needs (Token.UserID,
// filled from the openid member).
func wechatEditToken(t *core.Token, _ map[string]any) error {
	if t.UserID == "" {
		return fmt.Errorf("%w: the token answer has no openid", core.ErrMalformedResponse)
	}
	return nil
}

// wechatUser fetches a WeChat user: GET /sns/userinfo with the access
// token and the token answer's openid in the query (WeChat takes no Bearer
// header); a stored token, which has no Raw, gives its UserID instead. For
// a silent snsapi_base login, or a "snapshot page" virtual user
// (is_snapshotuser=1), WeChat has no profile to give: the user is built
// from the token answer alone (openid, unionid).
func wechatUser(apiURL string) func(ctx context.Context, r core.UserRequest) (*core.User, error) {
	return func(ctx context.Context, r core.UserRequest) (*core.User, error) {
		if r.Token == nil {
			return nil, fmt.Errorf("providers: wechat: no token")
		}
		raw := r.Token.Raw
		openid := tokenUserID(r.Token, "openid")
		if openid == "" {
			return nil, fmt.Errorf("providers: wechat: %w: the token has no openid", core.ErrMalformedResponse)
		}
		u := &core.User{ID: openid, UnionID: jsonmap.String(raw, "unionid"), Raw: map[string]any{"openid": openid}}
		if u.UnionID != "" {
			u.Raw["unionid"] = u.UnionID
		}
		scope := jsonmap.String(raw, "scope")
		if scope == "" {
			scope = r.Token.Scope
		}
		if jsonmap.String(raw, "is_snapshotuser") == "1" || wechatOnlyBaseScope(scope) {
			if v, ok := raw["is_snapshotuser"]; ok {
				u.Raw["is_snapshotuser"] = v
			}
			return u, nil
		}
		fields, err := r.Client.Resource(ctx, core.ResourceRequest{
			URL: apiURL + "/sns/userinfo", Token: r.Token, NoBearer: true,
			Query: query("access_token", r.Token.AccessToken, "openid", openid, "lang", "zh_CN"),
		})
		if err != nil {
			return nil, err
		}
		if got := jsonmap.String(fields, "openid"); got != "" && got != openid {
			return nil, fmt.Errorf("providers: wechat: %w: userinfo is for another openid", core.ErrMalformedResponse)
		}
		u.Name = jsonmap.String(fields, "nickname")
		u.AvatarURL = jsonmap.String(fields, "headimgurl")
		if id := jsonmap.String(fields, "unionid"); id != "" {
			u.UnionID = id
		}
		u.Raw = mergeMissing(fields, u.Raw)
		return u, nil
	}
}

// wechatOnlyBaseScope reports whether a WeChat scope string grants
// snsapi_base and nothing that reaches /sns/userinfo.
func wechatOnlyBaseScope(scope string) bool {
	base := false
	for _, s := range strings.FieldsFunc(scope, func(r rune) bool { return r == ',' || r == ' ' }) {
		switch s {
		case "snsapi_base":
			base = true
		case "snsapi_userinfo", "snsapi_login":
			return false
		}
	}
	return base
}
