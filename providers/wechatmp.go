package providers

import (
	"github.com/go-oauth20/oauth20/core"
)

// WeChatMP returns a provider for WeChat Official Account web authorization
// (微信公众号网页授权): a page opened inside the WeChat app asks the user to
// authorise the official account appID. It is not the Mini Program login
// (wx.login + jscode2session), which the seed's documentation confused it
// with. It reports configuration problems, joined, each wrapping
// core.ErrInvalidConfig; it does no network I/O.
//
// Documentation:
// https://developers.weixin.qq.com/doc/offiaccount/OA_Web_Apps/Wechat_webpage_authorization.html
//
// Quirks handled here:
//
//   - The authorization URL is
//     https://open.weixin.qq.com/connect/oauth2/authorize with appid (not
//     client_id), and WeChat checks the order of its parameters: appid,
//     redirect_uri, response_type, scope, state come first, in this order,
//     then any extra parameter (WithAuthParam("forcePopup", "true")). The URL
//     ends with the mandatory #wechat_redirect fragment.
//   - Scopes are comma-separated. The default is snsapi_userinfo (a consent
//     page, then the profile); WithScopes("snsapi_base") logs in silently
//     with the openid only.
//   - A user who refuses on the consent page comes back with the state
//     alone: no code and no error parameter. After the flow and its state
//     are checked, that callback is answered as access_denied (401).
//   - No PKCE: WeChat has none, so the login relies on state alone. WeChat
//     documents state as at most 128 bytes of [a-zA-Z0-9]; the login flow's
//     state is 43 characters of base64url, which may also hold '-' and '_'.
//   - The token request is a GET to
//     https://api.weixin.qq.com/sns/oauth2/access_token with appid, secret,
//     code and grant_type in the query, in that order, and no redirect_uri.
//     The answer is JSON sent as text/plain, without token_type (Bearer is
//     assumed), carrying openid, scope and, for an account bound to an
//     Open Platform account, unionid; a token answer without openid is
//     refused. The openid is kept in Token.UserID, so that a stored token
//     (encoding/json, a session with KeepTokens) fetches the user too.
//   - Errors come with HTTP 200 as {"errcode":40029,"errmsg":"invalid code"}:
//     40029, 40163 (code used), 40030 and 42002 (refresh token) map to
//     invalid_grant; 40013 and 40125 to invalid_client; 40001, 40014 and
//     42001 to invalid_token. The number stays in ProviderCode.
//   - Refresh is a GET to /sns/oauth2/refresh_token with appid, grant_type
//     and refresh_token only: no secret. The access token lives 7200 s, the
//     refresh token 30 days and is not renewed by refreshing.
//   - There is no revocation endpoint and no OpenID Connect.
//   - The user is GET https://api.weixin.qq.com/sns/userinfo with
//     access_token, the token answer's openid and lang=zh_CN in the query.
//     ID is the openid (per official account), UnionID the unionid (per
//     developer: link accounts across apps with it), Name the nickname,
//     AvatarURL headimgurl. WeChat gives no email: Email is always empty.
//     Since late 2021 the profile of MP users is generic ("微信用户", no
//     gender or region).
//   - A snsapi_base login, or a "snapshot page" virtual user
//     (is_snapshotuser=1, whose profile is unavailable), gets no /sns/userinfo
//     call: the user is the token answer's openid and unionid. A stored
//     token keeps the openid and the scope, not the rest of the answer
//     (unionid, is_snapshotuser): its snsapi_base user has no UnionID.
//
// Options: those every constructor takes (see Option); WeChat has one
// public installation, so there is no WithBaseURL.
//
// The returned provider is immutable and safe for concurrent use.
func WeChatMP(appID, secret string, opts ...Option) (*core.Provider, error) {
	return newWeChat("wechatmp", "WeChat (in WeChat)", wechatWebURL+"/connect/oauth2/authorize", "snsapi_userinfo", appID, secret, opts)
}
