package demoapp

import (
	"crypto/rand"
	"fmt"
	"net/url"
	"os"
	"strings"

	"github.com/go-oauth20/oauth20/conformance/oidctest"
	"github.com/go-oauth20/oauth20/core"
	"github.com/go-oauth20/oauth20/providers"
)

// Defaults of a Config.
const (
	// DefaultAddr is where the demos listen.
	DefaultAddr = "127.0.0.1:8000"
	// Prefix is where the login routes are mounted.
	Prefix = "/auth"
	// LocalProvider is the name of the in-process provider.
	LocalProvider = "local"
)

// Config configures a demo.
type Config struct {
	// BaseURL is the demo's origin as the browser sees it, such as
	// "http://127.0.0.1:8000". Required.
	BaseURL string
	// ProviderAddr is where the in-process OpenID provider listens;
	// default a random loopback port.
	ProviderAddr string
	// Getenv reads the environment; default os.Getenv.
	Getenv func(string) string
	// Clock is the clock of the login flow; default the system clock.
	Clock core.Clock
}

// Setup is a demo's login side: the Auth and the in-process provider.
// Close it when done.
type Setup struct {
	// Auth sends browsers without a session to the home page ("/") and
	// back to it after logout at the provider.
	Auth *core.Auth
	// Provider is the in-process OpenID provider.
	Provider *oidctest.Server
}

// Close stops the in-process provider and the Auth's background work.
func (s *Setup) Close() {
	_ = s.Auth.Close()
	s.Provider.Close()
}

// New starts the in-process provider and builds the Auth with it and with
// every provider whose credentials are set in the environment.
func New(cfg Config) (*Setup, error) {
	if cfg.Getenv == nil {
		cfg.Getenv = os.Getenv
	}
	base := strings.TrimSuffix(cfg.BaseURL, "/")
	if u, err := url.Parse(base); err != nil || u.Host == "" {
		return nil, fmt.Errorf("demoapp: base URL %q is not an absolute URL", cfg.BaseURL)
	}
	op, err := oidctest.Start(oidctest.Config{Addr: cfg.ProviderAddr, Algorithm: "ES256", Clients: []oidctest.Client{{
		ID: "oauth20-demo", Secret: "demo-secret-not-for-production",
		RedirectURIs:           []string{base + Prefix + "/" + LocalProvider + "/callback"},
		PostLogoutRedirectURIs: []string{base + "/"},
	}}})
	if err != nil {
		return nil, err
	}
	b := core.New().BaseURL(base + Prefix).SealingKeys(sealingKey(cfg.Getenv)).
		LoginURL("/").AfterLogout(base + "/").
		Provider(providers.OIDC(LocalProvider, op.Issuer(), "oauth20-demo", "demo-secret-not-for-production",
			providers.WithDisplayName("Local test provider")))
	if cfg.Clock != nil {
		b = b.Clock(cfg.Clock)
	}
	env := cfg.Getenv
	for _, sp := range simpleProviders {
		if id, secret := env(sp.env+"_CLIENT_ID"), env(sp.env+"_CLIENT_SECRET"); id != "" && secret != "" {
			b = b.Provider(sp.new(id, secret))
		}
	}
	if corp, agent, secret := env("WECOM_CORP_ID"), env("WECOM_AGENT_ID"), env("WECOM_SECRET"); corp != "" && agent != "" && secret != "" {
		b = b.Provider(providers.WeCom(corp, agent, secret))
	}
	if id, secret := env("MICROSOFT_CLIENT_ID"), env("MICROSOFT_CLIENT_SECRET"); id != "" && secret != "" {
		tenant := env("MICROSOFT_TENANT")
		if tenant == "" {
			tenant = "common"
		}
		b = b.Provider(providers.Microsoft(tenant, id, secret))
	}
	if id, secret := env("REDDIT_CLIENT_ID"), env("REDDIT_CLIENT_SECRET"); id != "" && secret != "" {
		b = b.Provider(providers.Reddit(id, secret, "oauth20-demo/1.0"))
	}
	if id, team, kid, file := env("APPLE_CLIENT_ID"), env("APPLE_TEAM_ID"), env("APPLE_KEY_ID"), env("APPLE_PRIVATE_KEY_FILE"); id != "" && team != "" && kid != "" && file != "" {
		p8, err := os.ReadFile(file)
		if err != nil {
			op.Close()
			return nil, fmt.Errorf("demoapp: APPLE_PRIVATE_KEY_FILE: %w", err)
		}
		b = b.Provider(providers.Apple(id, team, kid, p8))
	}
	if iss, id, secret := env("OIDC_ISSUER"), env("OIDC_CLIENT_ID"), env("OIDC_CLIENT_SECRET"); iss != "" && id != "" && secret != "" {
		name := env("OIDC_NAME")
		if name == "" {
			name = "oidc"
		}
		b = b.Provider(providers.OIDC(name, iss, id, secret, providers.WithDisplayName(iss)))
	}
	auth, err := b.Build()
	if err != nil {
		op.Close()
		return nil, err
	}
	return &Setup{Auth: auth, Provider: op}, nil
}

// sealingKey is OAUTH20_SEALING_KEY, or 32 random bytes (sessions then end
// when the demo restarts).
func sealingKey(env func(string) string) []byte {
	if k := env("OAUTH20_SEALING_KEY"); len(k) >= core.MinSealingKeyLen {
		return []byte(k)
	}
	k := make([]byte, 32)
	_, _ = rand.Read(k)
	return k
}

// simpleProviders are the providers whose constructor takes a client id
// and secret alone: each appears when <ENV>_CLIENT_ID and
// <ENV>_CLIENT_SECRET are set.
var simpleProviders = []struct {
	env string
	new func(id, secret string, opts ...providers.Option) (*core.Provider, error)
}{
	{"GITHUB", providers.GitHub}, {"GOOGLE", providers.Google}, {"GITLAB", providers.GitLab},
	{"BITBUCKET", providers.Bitbucket}, {"DISCORD", providers.Discord}, {"FACEBOOK", providers.Facebook},
	{"LINKEDIN", providers.LinkedIn}, {"SLACK", providers.Slack}, {"X", providers.X}, {"TWITCH", providers.Twitch},
	{"SPOTIFY", providers.Spotify}, {"NAVER", providers.Naver}, {"KAKAO", providers.Kakao}, {"LINE", providers.LINE},
	{"WEIBO", providers.Weibo}, {"GITEE", providers.Gitee}, {"FEISHU", providers.Feishu}, {"LARK", providers.Lark},
	{"LINUXDO", providers.LinuxDo}, {"OSCHINA", providers.OSChina}, {"WECHATMP", providers.WeChatMP},
	{"WECHATOPEN", providers.WeChatOpen}, {"DINGTALK", providers.DingTalk}, {"QQ", providers.QQ},
	{"DOUYIN", providers.Douyin},
}
