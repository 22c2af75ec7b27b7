// Package demoapp is what the demo applications (net/http, chi, Fiber, Gin
// and Echo) share: their configuration, the login providers (an in-process
// OpenID provider by default, and every built-in provider or any OpenID
// issuer whose credentials are in the environment) and the page.
//
// # Environment
//
//	<NAME>_CLIENT_ID, <NAME>_CLIENT_SECRET  adds that provider, for NAME one of
//	    GITHUB GOOGLE GITLAB BITBUCKET DISCORD FACEBOOK LINKEDIN SLACK X TWITCH
//	    SPOTIFY NAVER KAKAO LINE WEIBO GITEE FEISHU LARK LINUXDO OSCHINA
//	    WECHATMP WECHATOPEN DINGTALK QQ REDDIT MICROSOFT (+ MICROSOFT_TENANT)
//	    DOUYIN
//	WECOM_CORP_ID, WECOM_AGENT_ID, WECOM_SECRET  adds WeCom
//	APPLE_CLIENT_ID, APPLE_TEAM_ID, APPLE_KEY_ID, APPLE_PRIVATE_KEY_FILE
//	                                         adds Sign in with Apple
//	OIDC_ISSUER, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET (OIDC_NAME)
//	                                         adds any OpenID provider
//	OAUTH20_SEALING_KEY                      32+ bytes; random per start when unset
//
// Register {base}/auth/{name}/callback as the redirect URI with each
// provider, e.g. http://127.0.0.1:8000/auth/github/callback.
package demoapp
