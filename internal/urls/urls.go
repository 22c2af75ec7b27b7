// Package urls checks the URLs the library talks to or sends people to:
// provider endpoints (https, or http on loopback) and redirect URIs.
package urls

import (
	"errors"
	"net"
	"net/url"
	"strings"
)

// ErrInsecure is wrapped by the error for a plain-http URL on a host that
// is not loopback. Package core re-exports it as ErrInsecureEndpoint.
var ErrInsecure = errors.New("oauth20: endpoint must use https")

// Error describes an unusable endpoint or redirect URL.
type Error struct {
	URL      string
	Reason   string
	insecure bool
}

// Error implements error. The URL is shown without its query.
func (e *Error) Error() string {
	u := e.URL
	if i := strings.IndexAny(u, "?#"); i >= 0 {
		u = u[:i]
	}
	return "oauth20: URL " + quote(u) + ": " + e.Reason
}

// Unwrap returns ErrInsecure for plain-http URLs.
func (e *Error) Unwrap() error {
	if e.insecure {
		return ErrInsecure
	}
	return nil
}

func quote(s string) string {
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return `"` + strings.ReplaceAll(s, `"`, `\"`) + `"`
}

// CheckEndpoint reports whether raw is an absolute URL fit for talking to an
// authorization server: https, or http on a loopback host (127.0.0.0/8, ::1,
// localhost), without a fragment. Plain http elsewhere is an error wrapping
// ErrInsecure unless insecure is true.
func CheckEndpoint(raw string, insecure bool) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return &Error{URL: raw, Reason: "not an absolute http(s) URL"}
	}
	if u.Fragment != "" || strings.Contains(raw, "#") {
		return &Error{URL: raw, Reason: "has a fragment"}
	}
	if u.Scheme == "http" && !insecure && !IsLoopback(u.Host) {
		return &Error{URL: raw, Reason: "plain http to a non-loopback host", insecure: true}
	}
	return nil
}

// IsLoopback reports whether hostport names the local machine: localhost,
// 127.0.0.0/8 or ::1, with or without a port.
func IsLoopback(hostport string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.Trim(host, "[]")
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
