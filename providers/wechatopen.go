package providers

import (
	"github.com/go-oauth20/oauth20/core"
)

// WeChatOpen returns a provider for WeChat Open Platform website login
// (微信开放平台 网站应用微信登录): the user scans a QR code with the WeChat
// app to log in to a website. It reports configuration problems, joined,
// each wrapping core.ErrInvalidConfig; it does no network I/O.
//
// Documentation:
// https://developers.weixin.qq.com/doc/oplatform/Website_App/WeChat_Login/Wechat_Login.html
//
// Quirks handled here:
//
//   - The authorization URL is https://open.weixin.qq.com/connect/qrconnect
//     with appid (not client_id), its parameters in the order WeChat expects
//     (appid, redirect_uri, response_type, scope, state, then extras such as
//     WithAuthParam("lang", "en")), and the #wechat_redirect fragment.
//   - Scopes are comma-separated; the default and only useful one is
//     snsapi_login.
//   - A user who refuses comes back with the state alone: no code and no
//     error parameter. After the flow and its state are checked, that
//     callback is answered as access_denied (401), like an error=access_denied.
//   - No PKCE: WeChat has none; the login relies on state alone.
//   - The token request is a GET to
//     https://api.weixin.qq.com/sns/oauth2/access_token with appid, secret,
//     code and grant_type in the query, in that order, and no redirect_uri.
//     The answer is JSON sent as text/plain without token_type (Bearer is
//     assumed), carrying openid, scope and unionid; a token answer without
//     openid is refused. The openid is kept in Token.UserID, so that a
//     stored token (encoding/json, a session with KeepTokens) fetches the
//     user too.
//   - Errors come with HTTP 200 as {"errcode":40029,"errmsg":"invalid code"}
//     and map to RFC codes as for WeChatMP; the number stays in
//     ProviderCode.
//   - Refresh is a GET to /sns/oauth2/refresh_token with appid, grant_type
//     and refresh_token only: no secret. The refresh token lasts 30 days.
//   - There is no revocation endpoint and no OpenID Connect.
//   - The user is GET https://api.weixin.qq.com/sns/userinfo with
//     access_token, openid and lang=zh_CN in the query. ID is the openid
//     (per website app), UnionID the unionid (shared by the developer's
//     apps: link accounts with it), Name the nickname, AvatarURL
//     headimgurl. WeChat gives no email: Email is always empty.
//
// Options: those every constructor takes (see Option).
//
// The returned provider is immutable and safe for concurrent use.
func WeChatOpen(appID, secret string, opts ...Option) (*core.Provider, error) {
	return newWeChat("wechatopen", "WeChat (QR code)", wechatWebURL+"/connect/qrconnect", "snsapi_login", appID, secret, opts)
}
