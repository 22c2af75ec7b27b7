package main

import (
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"

	"github.com/go-oauth20/oauth20/core"
	"github.com/go-oauth20/oauth20/providers"
)

// builtin is one constructor of package providers as the CLI calls it:
// with real credentials, and the settings (--set key=value) that the
// constructor needs beyond a client id and secret.
type builtinEntry struct {
	name string
	// settings are the keys the constructor reads, required unless they
	// have a default in defaults.
	settings []setting
	// noSecret is set for providers whose client secret is not a fixed
	// string the user has (Apple signs one per request with a key file).
	noSecret bool
	new      func(id, secret string, s map[string]string, opts ...providers.Option) (*core.Provider, error)
}

// setting is one --set key a constructor reads.
type setting struct {
	key, help, def string
}

// Settings that every constructor may take through an option; a
// constructor that cannot honour one refuses it with an error.
var optionSettings = []setting{
	{key: "base-url", help: "a self-hosted installation or another cloud (GitHub Enterprise, GitLab, Gitee, Microsoft, WeCom)"},
	{key: "auth-method", help: "client authentication of OpenID providers: client_secret_basic, client_secret_post or none"},
	{key: "form-post", help: "true asks for response_mode=form_post (OpenID providers that support it)"},
}

// plain adapts a constructor that takes a client id and secret only.
func plain(f func(id, secret string, opts ...providers.Option) (*core.Provider, error)) func(string, string, map[string]string, ...providers.Option) (*core.Provider, error) {
	return func(id, secret string, _ map[string]string, opts ...providers.Option) (*core.Provider, error) {
		return f(id, secret, opts...)
	}
}

// builtins lists every constructor of package providers. A new provider
// must be added here: TestBuiltinsListEveryProvider compares this list with
// internal/builtin, which the providers' own test keeps complete.
var builtins = []builtinEntry{
	{name: "alipay", noSecret: true, settings: []setting{
		{key: "key-file", help: "the app's RSA private key (PEM), which signs every gateway call"},
		{key: "public-key-file", help: "Alipay's public key (PEM) from the open platform, which verifies every answer"},
	}, new: func(id, _ string, s map[string]string, opts ...providers.Option) (*core.Provider, error) {
		key, err := os.ReadFile(s["key-file"])
		if err != nil {
			return nil, usageError(fmt.Errorf("alipay: key-file: %w", err))
		}
		pub, err := os.ReadFile(s["public-key-file"])
		if err != nil {
			return nil, usageError(fmt.Errorf("alipay: public-key-file: %w", err))
		}
		return providers.Alipay(id, key, pub, opts...)
	}},
	{name: "amazon", new: plain(providers.Amazon)},
	{name: "apple", noSecret: true, settings: []setting{
		{key: "team-id", help: "the 10-character Team ID"},
		{key: "key-id", help: "the id of the Sign in with Apple key"},
		{key: "key-file", help: "the .p8 key file downloaded from Apple"},
	}, new: func(id, _ string, s map[string]string, opts ...providers.Option) (*core.Provider, error) {
		key, err := os.ReadFile(s["key-file"])
		if err != nil {
			return nil, usageError(fmt.Errorf("apple: key-file: %w", err))
		}
		return providers.Apple(id, s["team-id"], s["key-id"], key, opts...)
	}},
	{name: "auth0", settings: []setting{{key: "domain", help: "the tenant's domain, such as example.us.auth0.com"}},
		new: func(id, secret string, s map[string]string, opts ...providers.Option) (*core.Provider, error) {
			return providers.Auth0(s["domain"], id, secret, opts...)
		}},
	{name: "bitbucket", new: plain(providers.Bitbucket)},
	{name: "dingtalk", new: plain(providers.DingTalk)},
	{name: "discord", new: plain(providers.Discord)},
	{name: "douyin", new: plain(providers.Douyin)},
	{name: "dropbox", new: plain(providers.Dropbox)},
	{name: "facebook", new: plain(providers.Facebook)},
	{name: "feishu", new: plain(providers.Feishu)},
	{name: "gitee", new: plain(providers.Gitee)},
	{name: "gitea", settings: []setting{
		{key: "url", help: "the installation's ROOT_URL (Gitea or Forgejo), such as https://git.example.com"},
	}, new: func(id, secret string, s map[string]string, opts ...providers.Option) (*core.Provider, error) {
		return providers.Gitea(s["url"], id, secret, opts...)
	}},
	{name: "github", new: plain(providers.GitHub)},
	{name: "gitlab", new: plain(providers.GitLab)},
	{name: "google", new: plain(providers.Google)},
	{name: "kakao", new: plain(providers.Kakao)},
	{name: "keycloak", settings: []setting{
		{key: "url", help: "the server's root, such as https://sso.example.com"},
		{key: "realm", help: "the realm's name"},
	}, new: func(id, secret string, s map[string]string, opts ...providers.Option) (*core.Provider, error) {
		return providers.Keycloak(s["url"], s["realm"], id, secret, opts...)
	}},
	{name: "lark", new: plain(providers.Lark)},
	{name: "line", new: plain(providers.LINE)},
	{name: "linkedin", new: plain(providers.LinkedIn)},
	{name: "linuxdo", new: plain(providers.LinuxDo)},
	{name: "microsoft", settings: []setting{
		{key: "tenant", def: "common", help: "a tenant id, organizations, consumers or common"},
	}, new: func(id, secret string, s map[string]string, opts ...providers.Option) (*core.Provider, error) {
		return providers.Microsoft(s["tenant"], id, secret, opts...)
	}},
	{name: "naver", new: plain(providers.Naver)},
	{name: "oidc", settings: []setting{{key: "issuer", help: "the issuer URL, exactly as the provider spells it (--issuer does the same)"}},
		new: func(id, secret string, s map[string]string, opts ...providers.Option) (*core.Provider, error) {
			return providers.OIDC("oidc", s["issuer"], id, secret, opts...)
		}},
	{name: "okta", settings: []setting{
		{key: "domain", help: "the Okta domain, such as dev-123456.okta.com"},
		{key: "auth-server", def: "default", help: `the authorization server: "default", an id, or "org" for the org server`},
	}, new: func(id, secret string, s map[string]string, opts ...providers.Option) (*core.Provider, error) {
		server := s["auth-server"]
		if server == "org" {
			server = ""
		}
		return providers.Okta(s["domain"], server, id, secret, opts...)
	}},
	{name: "oschina", new: plain(providers.OSChina)},
	{name: "qq", new: plain(providers.QQ)},
	{name: "reddit", settings: []setting{
		{key: "user-agent", help: `the User-Agent Reddit asks for, such as "web:com.example.app:v1.0 (by /u/you)"`},
	}, new: func(id, secret string, s map[string]string, opts ...providers.Option) (*core.Provider, error) {
		return providers.Reddit(id, secret, s["user-agent"], opts...)
	}},
	{name: "salesforce", settings: []setting{
		{key: "domain", def: "login.salesforce.com", help: "the login host: login.salesforce.com, test.salesforce.com or a My Domain"},
	}, new: func(id, secret string, s map[string]string, opts ...providers.Option) (*core.Provider, error) {
		return providers.Salesforce(s["domain"], id, secret, opts...)
	}},
	{name: "shopify", settings: []setting{{key: "shop", help: "the shop's domain, such as example.myshopify.com"}},
		new: func(id, secret string, s map[string]string, opts ...providers.Option) (*core.Provider, error) {
			return providers.Shopify(s["shop"], id, secret, opts...)
		}},
	{name: "slack", new: plain(providers.Slack)},
	{name: "spotify", new: plain(providers.Spotify)},
	{name: "tiktok", new: plain(providers.TikTok)},
	{name: "twitch", new: plain(providers.Twitch)},
	{name: "vkid", noSecret: true, new: func(id, _ string, _ map[string]string, opts ...providers.Option) (*core.Provider, error) {
		return providers.VKID(id, opts...)
	}},
	{name: "wechatmp", new: plain(providers.WeChatMP)},
	{name: "wechatopen", new: plain(providers.WeChatOpen)},
	{name: "wecom", settings: []setting{{key: "agent-id", help: "the app's AgentId (the client id is the CorpID)"}},
		new: func(id, secret string, s map[string]string, opts ...providers.Option) (*core.Provider, error) {
			return providers.WeCom(id, s["agent-id"], secret, opts...)
		}},
	{name: "weibo", new: plain(providers.Weibo)},
	{name: "x", new: plain(providers.X)},
	{name: "yahoo", new: plain(providers.Yahoo)},
	{name: "yandex", new: plain(providers.Yandex)},
	{name: "zoom", new: plain(providers.Zoom)},
}

// findBuiltin returns the built-in provider called name.
func findBuiltin(name string) (*builtinEntry, error) {
	for i := range builtins {
		if builtins[i].name == name {
			return &builtins[i], nil
		}
	}
	return nil, usagef("unknown provider %q: 'oauth20 providers' lists the built-in ones; use --issuer for any OpenID provider or --spec for another", name)
}

// builtinNames returns the names of the built-in providers, sorted.
func builtinNames() []string {
	names := make([]string, len(builtins))
	for i, b := range builtins {
		names[i] = b.name
	}
	sort.Strings(names)
	return names
}

// build checks the settings and calls the constructor.
func (b *builtinEntry) build(id, secret string, given map[string]string, opts []providers.Option) (*core.Provider, error) {
	s := map[string]string{}
	var missing []string
	for _, st := range b.settings {
		v, ok := given[st.key]
		if !ok || v == "" {
			v = st.def
		}
		if v == "" {
			missing = append(missing, st.key)
		}
		s[st.key] = v
	}
	if len(missing) > 0 {
		return nil, usagef("provider %s needs --set %s=...", b.name, strings.Join(missing, "=... --set "))
	}
	for k, v := range given {
		switch k {
		case "base-url":
			opts = append(opts, providers.WithBaseURL(v))
		case "auth-method":
			opts = append(opts, providers.WithAuthMethod(core.AuthMethod(v)))
		case "form-post":
			if v != "true" && v != "false" {
				return nil, usagef("--set form-post=%s: want true or false", v)
			}
			if v == "true" {
				opts = append(opts, providers.WithFormPost())
			}
		default:
			if !slices.ContainsFunc(b.settings, func(st setting) bool { return st.key == k }) {
				return nil, usagef("provider %s takes no setting %q (it takes: %s)", b.name, k, strings.Join(b.settingKeys(), ", "))
			}
		}
	}
	p, err := b.new(id, secret, s, opts...)
	if err != nil {
		return nil, usageError(err)
	}
	return p, nil
}

// settingKeys lists the keys the provider takes, its own first.
func (b *builtinEntry) settingKeys() []string {
	var keys []string
	for _, st := range b.settings {
		keys = append(keys, st.key)
	}
	for _, st := range optionSettings {
		keys = append(keys, st.key)
	}
	return keys
}
