package providers

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/go-oauth20/oauth20/core"
	"github.com/go-oauth20/oauth20/internal/urls"
)

// checkBaseURL checks a base URL given to a constructor (WithBaseURL,
// Keycloak's server) and returns it without a trailing slash, or def when
// raw is empty (an error when there is no default). what names the value in errors ("base URL", "domain"). A base URL
// is an absolute https URL (http only on loopback hosts): scheme and host,
// and a path where the installation has one (GitLab under /gitlab, Keycloak
// before 17 under /auth), without query, fragment or user info.
func checkBaseURL(provider, what, raw, def string) (string, error) {
	if raw == "" {
		if def == "" {
			return "", fmt.Errorf("%w: %s: %s is empty", core.ErrInvalidConfig, provider, what)
		}
		return def, nil
	}
	base := strings.TrimRight(strings.TrimSpace(raw), "/")
	u, err := url.Parse(base)
	if err != nil || u.RawQuery != "" || u.Fragment != "" || u.User != nil || strings.ContainsAny(raw, "?#") {
		return "", fmt.Errorf("%w: %s: %s %q: want scheme and host only, or with a path; no query, fragment or user info",
			core.ErrInvalidConfig, provider, what, raw)
	}
	if err := urls.CheckEndpoint(base, false); err != nil {
		return "", fmt.Errorf("%w: %s: %s: %w", core.ErrInvalidConfig, provider, what, err)
	}
	return base, nil
}

// hostURL turns a domain ("dev-123.okta.com") into https://domain and
// checks it as a base URL; a value that already has a scheme is checked as
// it is (tests use loopback http servers).
func hostURL(provider, raw string) (string, error) {
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
	return checkBaseURL(provider, "domain", s, "")
}
