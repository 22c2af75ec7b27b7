package providers

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"math/big"
	"net/url"
	"strings"

	"github.com/go-oauth20/oauth20/core"
	"github.com/go-oauth20/oauth20/internal/urls"
)

// intlBuiltins returns the providers of the "intl" group (Keycloak, Okta,
// Auth0, Microsoft Entra ID, Apple, GitLab, Bitbucket, Discord, Facebook,
// LinkedIn, Slack) for Builtins. Providers that need more than a client id
// and secret are wrapped with fixed fake values that exist only so the
// conformance suite can build them; their cassettes refer to the hosts
// chosen here.
func intlBuiltins() []Builtin {
	return []Builtin{
		{Name: "keycloak", New: func(id, secret string, opts ...Option) (*core.Provider, error) {
			return Keycloak("https://sso.example.com", "demo", id, secret, opts...)
		}},
		{Name: "okta", New: func(id, secret string, opts ...Option) (*core.Provider, error) {
			return Okta("dev-123456.okta.com", "default", id, secret, opts...)
		}},
		{Name: "auth0", New: func(id, secret string, opts ...Option) (*core.Provider, error) {
			return Auth0("example.us.auth0.com", id, secret, opts...)
		}},
		{Name: "microsoft", New: func(id, secret string, opts ...Option) (*core.Provider, error) {
			return Microsoft("common", id, secret, opts...)
		}},
		{Name: "apple", New: intlAppleForConformance},
		{Name: "gitlab", New: GitLab},
		{Name: "bitbucket", New: Bitbucket},
		{Name: "discord", New: Discord},
		{Name: "facebook", New: Facebook},
		{Name: "linkedin", New: LinkedIn},
		{Name: "slack", New: Slack},
	}
}

// intlConformanceTeamID and intlConformanceKeyID are fake Apple developer
// identifiers for the conformance suite.
const (
	intlConformanceTeamID = "TEAMID1234"
	intlConformanceKeyID  = "KEYID56789"
)

// intlAppleForConformance builds Apple with fake team and key ids and a
// fake signing key, for the conformance suite only: the client secret
// argument is ignored, since Apple's client secret is a JWT signed with
// the key. The key is derived deterministically from a fixed scalar so
// that nothing secret is stored in the source.
func intlAppleForConformance(clientID, _ string, opts ...Option) (*core.Provider, error) {
	return Apple(clientID, intlConformanceTeamID, intlConformanceKeyID, intlFakeP8(), opts...)
}

// intlFakeP8 returns a PKCS#8 PEM P-256 key with private scalar 7: a key
// that is public knowledge, usable only for tests.
func intlFakeP8() []byte {
	k, err := ecdsa.ParseRawPrivateKey(elliptic.P256(), new(big.Int).SetInt64(7).FillBytes(make([]byte, 32)))
	if err != nil {
		panic("providers: fake Apple key: " + err.Error())
	}
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		panic("providers: fake Apple key: " + err.Error())
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
}

// intlStr returns a string member, "" for anything else (a LinkedIn
// locale object, a JSON null).
func intlStr(m map[string]any, key string) string {
	s, _ := m[key].(string)
	return s
}

// intlBaseURL checks a base URL given to a constructor (a self-hosted
// GitLab, a Keycloak server) and returns it without a trailing slash. It
// may have a path (GitLab under /gitlab, Keycloak < 17 under /auth) but no
// query, fragment or user info.
func intlBaseURL(provider, what, raw string) (string, error) {
	base := strings.TrimRight(strings.TrimSpace(raw), "/")
	u, err := url.Parse(base)
	if err != nil || u.RawQuery != "" || u.Fragment != "" || u.User != nil || strings.HasSuffix(raw, "?") {
		return "", fmt.Errorf("%w: %s: %s %q must be a URL without query, fragment or user info", core.ErrInvalidConfig, provider, what, raw)
	}
	if err := urls.CheckEndpoint(base, false); err != nil {
		return "", fmt.Errorf("%w: %s: %s: %w", core.ErrInvalidConfig, provider, what, err)
	}
	return base, nil
}

// intlHostURL turns a domain ("dev-123.okta.com") into https://domain; a
// value that already has a scheme is checked as a base URL (tests use
// loopback http servers).
func intlHostURL(provider, raw string) (string, error) {
	s := strings.TrimSpace(raw)
	if s == "" {
		return "", fmt.Errorf("%w: %s: domain is empty", core.ErrInvalidConfig, provider)
	}
	if !strings.Contains(s, "://") {
		if strings.ContainsAny(s, "/?#@ ") {
			return "", fmt.Errorf("%w: %s: domain %q must be a host name", core.ErrInvalidConfig, provider, raw)
		}
		s = "https://" + s
	}
	return intlBaseURL(provider, "domain", s)
}
