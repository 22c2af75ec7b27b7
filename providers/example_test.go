package providers_test

import (
	"context"
	"fmt"
	"net/url"

	"github.com/go-oauth20/oauth20/core"
	"github.com/go-oauth20/oauth20/providers"
)

// Providers chain into the builder; Build reports every configuration
// problem of every provider at once.
func Example() {
	auth, err := core.New().
		SealingKeys([]byte("a-32-byte-or-longer-random-secret-key")).
		BaseURL("https://app.example/auth").
		Provider(providers.GitHub("github-client-id", "github-secret")).
		Provider(providers.WeChatOpen("wx-app-id", "wx-secret")).
		Build()
	if err != nil {
		panic(err)
	}
	for _, p := range auth.Providers() {
		authURL, _, err := auth.Begin(context.Background(), p.Name(), core.BeginOptions{})
		if err != nil {
			panic(err)
		}
		u, _ := url.Parse(authURL)
		q := u.Query()
		fmt.Printf("%s: %s%s redirect_uri=%s pkce=%t fragment=%q\n", p.DisplayName(), u.Host, u.Path,
			q.Get("redirect_uri"), q.Has("code_challenge"), u.Fragment)
	}

	_, err = core.New().SealingKeys([]byte("short")).BaseURL("https://app.example/auth").
		Provider(providers.GitHub("", "")).Build()
	fmt.Println(err != nil)
	// Output:
	// GitHub: github.com/login/oauth/authorize redirect_uri=https://app.example/auth/github/callback pkce=true fragment=""
	// WeChat (QR code): open.weixin.qq.com/connect/qrconnect redirect_uri=https://app.example/auth/wechatopen/callback pkce=false fragment="wechat_redirect"
	// true
}
