package demoapp

import (
	"crypto/rand"
	"fmt"
	"log/slog"
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
)

// Config configures a demo.
type Config struct {
	// BaseURL is the demo's origin as the browser sees it, such as
	// "http://127.0.0.1:8000". Required.
	BaseURL string
	// ListenAddr is the address the demo listens on, as its listener
	// reports it; empty means the host of BaseURL. The development test
	// provider runs only when this address, the host of BaseURL and
	// ProviderAddr are all loopback.
	ListenAddr string
	// ProviderAddr is where the development test provider listens;
	// default a random loopback port.
	ProviderAddr string
	// Getenv reads the environment; default os.Getenv.
	Getenv func(string) string
	// Clock is the clock of the login flow; default the system clock.
	Clock core.Clock
	// Logger receives the demo's log lines and the Auth's; default
	// slog.Default().
	Logger *slog.Logger
}

// Setup is a demo's login side: the Auth and the development test
// provider. Close it when done.
type Setup struct {
	// Auth sends browsers without a session to the home page ("/") and
	// back to it after logout at the provider.
	Auth *core.Auth
	// Provider is the development test provider, nil when it is off (see
	// Config.ListenAddr).
	Provider *oidctest.Server
}

// Issuer returns the development test provider's issuer, "" when it is
// off.
func (s *Setup) Issuer() string {
	if s.Provider == nil {
		return ""
	}
	return s.Provider.Issuer()
}

// Close stops the development test provider and the Auth's background
// work.
func (s *Setup) Close() {
	_ = s.Auth.Close()
	if s.Provider != nil {
		s.Provider.Close()
	}
}

// New builds the Auth with the development test provider, when the
// addresses allow it (see Config.ListenAddr), and every provider whose
// credentials are set in the environment. It fails when that leaves no
// provider at all, saying why.
func New(cfg Config) (*Setup, error) {
	if cfg.Getenv == nil {
		cfg.Getenv = os.Getenv
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.ProviderAddr == "" {
		cfg.ProviderAddr = "127.0.0.1:0"
	}
	base := strings.TrimSuffix(cfg.BaseURL, "/")
	u, err := url.Parse(base)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("demoapp: base URL %q is not an absolute URL", cfg.BaseURL)
	}
	if cfg.ListenAddr == "" {
		cfg.ListenAddr = u.Host
	}
	b := core.New().BaseURL(base + Prefix).SealingKeys(sealingKey(cfg.Getenv)).
		LoginURL("/").AfterLogout(base + "/").Logger(cfg.Logger)
	var op *oidctest.Server
	off := devProviderRule(cfg.ListenAddr, base, cfg.ProviderAddr)
	if off == "" {
		var p *core.Provider
		if op, p, err = startDevProvider(base, cfg.ProviderAddr); err != nil {
			return nil, err
		}
		b = b.Provider(p, nil)
	}
	closeOP := func() {
		if op != nil {
			op.Close()
		}
	}
	if cfg.Clock != nil {
		b = b.Clock(cfg.Clock)
	}
	n, err := addFromEnv(b, cfg.Getenv)
	if err != nil {
		closeOP()
		return nil, err
	}
	if op == nil && n == 0 {
		return nil, fmt.Errorf("demoapp: no login provider: the development test provider is off because %s, "+
			"and no provider's credentials are in the environment (GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET, ...)", off)
	}
	auth, err := b.Build()
	if err != nil {
		closeOP()
		return nil, err
	}
	logDevProvider(cfg.Logger, op, off)
	return &Setup{Auth: auth, Provider: op}, nil
}

// addFromEnv adds to b every provider whose credentials env holds and
// returns how many.
func addFromEnv(b *core.Builder, env func(string) string) (int, error) {
	n := 0
	add := func(p *core.Provider, err error) {
		b.Provider(p, err)
		n++
	}
	for _, sp := range simpleProviders {
		if id, secret := env(sp.env+"_CLIENT_ID"), env(sp.env+"_CLIENT_SECRET"); id != "" && secret != "" {
			add(sp.new(id, secret))
		}
	}
	if corp, agent, secret := env("WECOM_CORP_ID"), env("WECOM_AGENT_ID"), env("WECOM_SECRET"); corp != "" && agent != "" && secret != "" {
		add(providers.WeCom(corp, agent, secret))
	}
	if id, secret := env("MICROSOFT_CLIENT_ID"), env("MICROSOFT_CLIENT_SECRET"); id != "" && secret != "" {
		tenant := env("MICROSOFT_TENANT")
		if tenant == "" {
			tenant = "common"
		}
		add(providers.Microsoft(tenant, id, secret))
	}
	if id, secret := env("REDDIT_CLIENT_ID"), env("REDDIT_CLIENT_SECRET"); id != "" && secret != "" {
		add(providers.Reddit(id, secret, "oauth20-demo/1.0"))
	}
	if id, team, kid, file := env("APPLE_CLIENT_ID"), env("APPLE_TEAM_ID"), env("APPLE_KEY_ID"), env("APPLE_PRIVATE_KEY_FILE"); id != "" && team != "" && kid != "" && file != "" {
		p8, err := os.ReadFile(file)
		if err != nil {
			return n, fmt.Errorf("demoapp: APPLE_PRIVATE_KEY_FILE: %w", err)
		}
		add(providers.Apple(id, team, kid, p8))
	}
	if iss, id, secret := env("OIDC_ISSUER"), env("OIDC_CLIENT_ID"), env("OIDC_CLIENT_SECRET"); iss != "" && id != "" && secret != "" {
		name := env("OIDC_NAME")
		if name == "" {
			name = "oidc"
		}
		add(providers.OIDC(name, iss, id, secret, providers.WithDisplayName(iss)))
	}
	return n, nil
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
