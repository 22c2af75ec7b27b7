// Package demoapp is what the demo applications (net/http, chi, Fiber, Gin
// and Echo) share: their configuration, the login providers (a development
// test provider, and every built-in provider or any OpenID issuer whose
// credentials are in the environment), the pages and their headers.
//
// # The development test provider
//
// So that the demo works without credentials, it runs an OpenID provider
// in its own process (conformance/oidctest) that signs anyone in as a
// fixed test user, without a password. That is for development only, and
// the demo says so on every page and in its log. It runs only when the
// demo listens on a loopback address, is reached at a loopback URL, and the
// provider listens on loopback too: run the demo on 0.0.0.0 or behind a
// proxy with a public URL and the test provider is off (the demo then needs
// a real provider's credentials, and refuses to start without any).
//
// # Pages
//
// The pages are plain HTML with one small stylesheet (style.css, embedded
// and served inline); they load nothing else. They are sent with the
// headers of the library's own error pages (core.Problem.Render):
// X-Content-Type-Options: nosniff, Cache-Control: no-store,
// X-Frame-Options: DENY and a Content-Security-Policy with frame-ancestors
// 'none' that allows only that stylesheet, by its hash. An unknown path
// gets the library's problem page. The signed-in page shows the user, the
// access token's expiry and the claims of the ID token verified at sign-in,
// never a token.
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
//
// # Flags
//
//	-addr           address to listen on (default 127.0.0.1:8000, or OAUTH20_DEMO_ADDR)
//	-base-url       the demo's URL as the browser sees it (default http://{addr})
//	-provider-addr  address of the development test provider (default a random loopback port)
package demoapp
