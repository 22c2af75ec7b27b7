package providers

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/go-oauth20/oauth20/core"
	"github.com/go-oauth20/oauth20/internal/jsonmap"
	"github.com/go-oauth20/oauth20/internal/urls"
)

// This file holds what the providers of fastapi-oauth20 (the seed library)
// share: their registration, base-URL handling, and the WeChat dialect that
// WeChat MP and WeChat Open have in common.

// seedBuiltins lists the seed's providers for Builtins. Providers that need
// more than a client id and secret are built with fixed fake values for
// the missing credentials, documented where they are set: these entries
// exist for the conformance suite.
func seedBuiltins() []Builtin {
	return []Builtin{
		{Name: "google", New: Google},
		{Name: "gitee", New: Gitee},
		{Name: "feishu", New: Feishu},
		{Name: "lark", New: Lark},
		{Name: "linuxdo", New: LinuxDo},
		{Name: "oschina", New: OSChina},
		{Name: "wechatmp", New: WeChatMP},
		{Name: "wechatopen", New: WeChatOpen},
		// For conformance: WeCom also needs an agent id; the cassette
		// expects this one.
		{Name: "wecom", New: func(corpID, secret string, opts ...Option) (*core.Provider, error) {
			return WeCom(corpID, seedWeComTestAgentID, secret, opts...)
		}},
		{Name: "dingtalk", New: DingTalk},
		{Name: "qq", New: QQ},
	}
}

// seedWeComTestAgentID is the agent id of the WeCom conformance entry.
const seedWeComTestAgentID = "1000002"

// seedBaseURL returns the base URL set with WithBaseURL without a trailing
// slash, or def when none was set. A base URL must be an absolute https
// URL (http only on loopback hosts) without query or fragment.
func seedBaseURL(provider string, s *settings, def string) (string, error) {
	if s.baseURL == "" {
		return def, nil
	}
	base := strings.TrimRight(s.baseURL, "/")
	u, err := url.Parse(base)
	if err != nil || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return "", fmt.Errorf("%w: %s: base URL %q must be a scheme, host and optional path", core.ErrInvalidConfig, provider, s.baseURL)
	}
	if err := urls.CheckEndpoint(base, false); err != nil {
		return "", fmt.Errorf("%w: %s: base URL: %w", core.ErrInvalidConfig, provider, err)
	}
	return base, nil
}

// seedQuery builds ordered query parameters from key, value pairs.
func seedQuery(kv ...string) *core.Params {
	p := &core.Params{}
	for i := 0; i+1 < len(kv); i += 2 {
		p.Set(kv[i], kv[i+1])
	}
	return p
}

// seedMerge copies the members of src into dst that dst does not have.
func seedMerge(dst, src map[string]any) map[string]any {
	if dst == nil {
		dst = map[string]any{}
	}
	for k, v := range src {
		if _, ok := dst[k]; !ok {
			dst[k] = v
		}
	}
	return dst
}

// WeChat (MP and Open) share the token endpoint, the user endpoint and the
// wire format; only the authorization page and default scope differ.
const (
	seedWeChatWebURL = "https://open.weixin.qq.com"
	seedWeChatAPIURL = "https://api.weixin.qq.com"
)

// seedWeChatCodes maps WeChat's errcode values onto RFC codes.
var seedWeChatCodes = map[string]core.ErrorCode{
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

// seedWeChatDialect is WeChat's wire format: appid/secret, comma-separated
// scopes, #wechat_redirect, the parameter order WeChat checks, GET token
// requests, JSON answers sent as text/plain (core ignores the content type
// of JSON answers) and errcode/errmsg errors in HTTP 200 answers.
var seedWeChatDialect = &core.Dialect{
	Name:             "wechat",
	ParamNames:       map[string]string{"client_id": "appid", "client_secret": "secret"},
	ScopeSeparator:   ",",
	AuthURLFragment:  "wechat_redirect",
	AuthParamOrder:   []string{"appid", "redirect_uri", "response_type", "scope", "state"},
	TokenMethod:      "GET",
	TokenParamOrder:  []string{"appid", "secret", "code", "grant_type"},
	Response:         core.ResponseJSON,
	DefaultTokenType: "Bearer",
	ErrorDetectors:   []core.ErrorDetector{core.CodeDetector("errcode", "errmsg", seedWeChatCodes)},
	EditRequest:      seedWeChatEditRequest,
	EditToken:        seedWeChatEditToken,
}

// seedWeChatEditRequest drops what WeChat's token endpoints do not take
// and sends refreshes to their own endpoint, without the secret.
func seedWeChatEditRequest(r *core.Request) error {
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

// seedWeChatEditToken requires the openid the user fetch needs.
func seedWeChatEditToken(t *core.Token, fields map[string]any) error {
	if jsonmap.String(fields, "openid") == "" {
		return fmt.Errorf("%w: the token answer has no openid", core.ErrMalformedResponse)
	}
	return nil
}

// seedWeChatUser fetches a WeChat user: GET /sns/userinfo with the access
// token and the token answer's openid in the query (WeChat takes no Bearer
// header). For a silent snsapi_base login, or a "snapshot page" virtual
// user (is_snapshotuser=1), WeChat has no profile to give: the user is
// built from the token answer alone (openid, unionid).
func seedWeChatUser(apiURL string) func(ctx context.Context, r core.UserRequest) (*core.User, error) {
	return func(ctx context.Context, r core.UserRequest) (*core.User, error) {
		if r.Token == nil {
			return nil, fmt.Errorf("providers: wechat: no token")
		}
		raw := r.Token.Raw
		openid := jsonmap.String(raw, "openid")
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
		if jsonmap.String(raw, "is_snapshotuser") == "1" || seedOnlyBaseScope(scope) {
			if v, ok := raw["is_snapshotuser"]; ok {
				u.Raw["is_snapshotuser"] = v
			}
			return u, nil
		}
		fields, err := r.Client.Resource(ctx, core.ResourceRequest{
			URL: apiURL + "/sns/userinfo", Token: r.Token, NoBearer: true,
			Query: seedQuery("access_token", r.Token.AccessToken, "openid", openid, "lang", "zh_CN"),
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
		u.Raw = seedMerge(fields, u.Raw)
		return u, nil
	}
}

// seedOnlyBaseScope reports whether a WeChat scope string grants
// snsapi_base and nothing that reaches /sns/userinfo.
func seedOnlyBaseScope(scope string) bool {
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
