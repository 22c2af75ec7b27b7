// Package builtin lists every provider constructor of package providers
// with the fixed fake credentials its tests need beyond a client id and
// secret (a Keycloak server, an Apple signing key, a WeCom agent id), so
// that the conformance suite and the option tests can build them all.
//
// The values here are test fixtures and nothing else: the hosts are the
// ones the cassettes in conformance/testdata were written for, and the
// Apple key is public knowledge.
package builtin

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/x509"
	"encoding/pem"
	"math/big"

	"github.com/go-oauth20/oauth20/core"
	"github.com/go-oauth20/oauth20/providers"
)

// Provider is one constructor of package providers, shaped to take only a
// client id and secret.
type Provider struct {
	// Name is the provider's default name, also the name of its cassette
	// directory (conformance/testdata/<Name>) and its README row.
	Name string
	// New builds the provider with the given credentials and options.
	New func(clientID, clientSecret string, opts ...providers.Option) (*core.Provider, error)
}

// Fixed values for the constructors that take more than a client id and
// secret.
const (
	// ClientID, ClientSecret and RedirectURL are the fake credentials the
	// cassettes were recorded for; they stand for {{client_id}},
	// {{client_secret}} and {{redirect_uri}}. A cassette that signs with
	// the secret (Shopify's callback HMAC) replays with this secret only.
	ClientID     = "conformance-client"
	ClientSecret = "conformance-secret-9f2c"
	RedirectURL  = "https://app.example/auth/callback"
	// OIDCIssuer is the issuer of the generic provider's cassette.
	OIDCIssuer = "https://idp.example.com"
	// WeComAgentID is the agent id the WeCom cassette expects.
	WeComAgentID = "1000002"
	// AppleTeamID and AppleKeyID are fake Apple developer identifiers.
	AppleTeamID = "TEAMID1234"
	AppleKeyID  = "KEYID56789"
	// RedditUserAgent is the User-Agent the Reddit cassette expects.
	RedditUserAgent = "web:oauth20-conformance:v1.0 (by /u/oauth20-conformance)"
	// ShopifyShop is the shop the Shopify cassette was written for.
	ShopifyShop = "conformance-shop.myshopify.com"
	// SalesforceDomain is the My Domain the Salesforce cassette was
	// written for.
	SalesforceDomain = "conformance-dev-ed.my.salesforce.com"
	// GiteaURL is the installation the Gitea cassette was written for.
	GiteaURL = "https://git.example.com"
)

// All returns every provider constructor of package providers, in a stable
// order. A new provider file must add itself here: TestEveryProviderIsListed
// fails until it does, and the conformance suite then asks for its
// cassette.
func All() []Provider {
	return []Provider{
		{Name: "github", New: providers.GitHub},
		{Name: "oidc", New: func(id, secret string, opts ...providers.Option) (*core.Provider, error) {
			return providers.OIDC("oidc", OIDCIssuer, id, secret, opts...)
		}},
		{Name: "google", New: providers.Google},
		{Name: "gitee", New: providers.Gitee},
		{Name: "feishu", New: providers.Feishu},
		{Name: "lark", New: providers.Lark},
		{Name: "linuxdo", New: providers.LinuxDo},
		{Name: "oschina", New: providers.OSChina},
		{Name: "wechatmp", New: providers.WeChatMP},
		{Name: "wechatopen", New: providers.WeChatOpen},
		{Name: "wecom", New: func(corpID, secret string, opts ...providers.Option) (*core.Provider, error) {
			return providers.WeCom(corpID, WeComAgentID, secret, opts...)
		}},
		{Name: "dingtalk", New: providers.DingTalk},
		{Name: "qq", New: providers.QQ},
		{Name: "keycloak", New: func(id, secret string, opts ...providers.Option) (*core.Provider, error) {
			return providers.Keycloak("https://sso.example.com", "demo", id, secret, opts...)
		}},
		{Name: "okta", New: func(id, secret string, opts ...providers.Option) (*core.Provider, error) {
			return providers.Okta("dev-123456.okta.com", "default", id, secret, opts...)
		}},
		{Name: "auth0", New: func(id, secret string, opts ...providers.Option) (*core.Provider, error) {
			return providers.Auth0("example.us.auth0.com", id, secret, opts...)
		}},
		{Name: "microsoft", New: func(id, secret string, opts ...providers.Option) (*core.Provider, error) {
			return providers.Microsoft("common", id, secret, opts...)
		}},
		// Apple's client secret is a JWT signed with the key: the secret
		// argument is not used.
		{Name: "apple", New: func(id, _ string, opts ...providers.Option) (*core.Provider, error) {
			return providers.Apple(id, AppleTeamID, AppleKeyID, AppleKey(), opts...)
		}},
		{Name: "gitlab", New: providers.GitLab},
		{Name: "bitbucket", New: providers.Bitbucket},
		{Name: "discord", New: providers.Discord},
		{Name: "facebook", New: providers.Facebook},
		{Name: "linkedin", New: providers.LinkedIn},
		{Name: "slack", New: providers.Slack},
		{Name: "x", New: providers.X},
		{Name: "twitch", New: providers.Twitch},
		{Name: "spotify", New: providers.Spotify},
		{Name: "reddit", New: func(id, secret string, opts ...providers.Option) (*core.Provider, error) {
			return providers.Reddit(id, secret, RedditUserAgent, opts...)
		}},
		{Name: "naver", New: providers.Naver},
		{Name: "kakao", New: providers.Kakao},
		{Name: "line", New: providers.LINE},
		{Name: "weibo", New: providers.Weibo},
		{Name: "douyin", New: providers.Douyin},
		// Alipay signs with the app's key and verifies with Alipay's: the
		// secret argument is not used.
		{Name: "alipay", New: func(id, _ string, opts ...providers.Option) (*core.Provider, error) {
			return providers.Alipay(id, AlipayAppKey(), AlipayPublicKey(), opts...)
		}},
		{Name: "tiktok", New: providers.TikTok},
		{Name: "amazon", New: providers.Amazon},
		{Name: "dropbox", New: providers.Dropbox},
		{Name: "zoom", New: providers.Zoom},
		{Name: "yandex", New: providers.Yandex},
		// VK ID's web flow is a public client: the secret argument is
		// not used.
		{Name: "vkid", New: func(id, _ string, opts ...providers.Option) (*core.Provider, error) {
			return providers.VKID(id, opts...)
		}},
		{Name: "shopify", New: func(id, secret string, opts ...providers.Option) (*core.Provider, error) {
			return providers.Shopify(ShopifyShop, id, secret, opts...)
		}},
		{Name: "salesforce", New: func(id, secret string, opts ...providers.Option) (*core.Provider, error) {
			return providers.Salesforce(SalesforceDomain, id, secret, opts...)
		}},
		{Name: "gitea", New: func(id, secret string, opts ...providers.Option) (*core.Provider, error) {
			return providers.Gitea(GiteaURL, id, secret, opts...)
		}},
		{Name: "yahoo", New: providers.Yahoo},
	}
}

// AppleKey returns a PKCS#8 PEM P-256 key with private scalar 7: derived
// from a fixed number so that nothing secret is stored in the source, and
// usable only for tests.
func AppleKey() []byte {
	k, err := ecdsa.ParseRawPrivateKey(elliptic.P256(), new(big.Int).SetInt64(7).FillBytes(make([]byte, 32)))
	if err != nil {
		panic("builtin: fake Apple key: " + err.Error())
	}
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		panic("builtin: fake Apple key: " + err.Error())
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
}
