package demoapp

import (
	"crypto/rand"
	"fmt"
	"log/slog"
	"net/url"

	"github.com/go-oauth20/oauth20/conformance/oidctest"
	"github.com/go-oauth20/oauth20/core"
	"github.com/go-oauth20/oauth20/internal/urls"
	"github.com/go-oauth20/oauth20/providers"
)

// The development test provider is conformance/oidctest run inside the
// demo: it signs anyone who reaches it in as a fixed test user, without a
// password or a consent page. That is what makes the demo work without
// credentials, and also why it must never be reachable from another
// machine.

// DevProviderName is the provider name of the development test provider,
// as in /auth/local/login.
const DevProviderName = "local"

// devProviderLabel is the development test provider's display name.
const devProviderLabel = "Test provider"

// devProviderRule decides whether the development test provider may run:
// only when everything it involves stays on this machine. listen is the
// address the demo listens on, base the demo's URL as the browser sees it,
// providerAddr where the test provider would listen. It returns "" when
// the provider may run, and otherwise the reason it may not.
//
// The listen address alone is not enough: a demo listening on loopback
// behind a reverse proxy with a public base URL is reachable from
// anywhere, and so is a test provider listening on 0.0.0.0.
func devProviderRule(listen, base, providerAddr string) string {
	u, err := url.Parse(base)
	switch {
	case !urls.IsLoopback(listen):
		return fmt.Sprintf("the demo listens on %q, which is not a loopback address", listen)
	case err != nil || !urls.IsLoopback(u.Host):
		return fmt.Sprintf("the base URL %q is not on a loopback host", base)
	case !urls.IsLoopback(providerAddr):
		return fmt.Sprintf("the provider address %q is not a loopback address", providerAddr)
	}
	return ""
}

// startDevProvider starts the development test provider for a demo at
// base and returns it with the login provider that uses it. The client
// secret is random per start: nothing outside this process needs it.
func startDevProvider(base, addr string) (*oidctest.Server, *core.Provider, error) {
	secret := rand.Text()
	op, err := oidctest.Start(oidctest.Config{Addr: addr, Algorithm: "ES256", Clients: []oidctest.Client{{
		ID: "oauth20-demo", Secret: secret,
		RedirectURIs:           []string{base + Prefix + "/" + DevProviderName + "/callback"},
		PostLogoutRedirectURIs: []string{base + "/"},
	}}})
	if err != nil {
		return nil, nil, err
	}
	p, err := providers.OIDC(DevProviderName, op.Issuer(), "oauth20-demo", secret,
		providers.WithDisplayName(devProviderLabel))
	if err != nil {
		op.Close()
		return nil, nil, err
	}
	return op, p, nil
}

// logDevProvider says in the log whether the development test provider
// runs, loudly when it does.
func logDevProvider(log *slog.Logger, op *oidctest.Server, off string) {
	if op == nil {
		log.Info("oauth20 demo: development test provider off", "reason", off)
		return
	}
	log.Warn("oauth20 demo: DEVELOPMENT ONLY: the test provider is on; it signs anyone in as a fixed test user "+
		"without a password; it runs only while the demo, its URL and the provider are on loopback addresses",
		"issuer", op.Issuer())
}
