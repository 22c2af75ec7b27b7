package core

import (
	"net"
	"net/url"
	"strings"
)

// Endpoints are the URLs of one authorization server. Only AuthURL and
// TokenURL are needed for the authorization-code flow; an operation whose
// endpoint is empty fails with ErrNoEndpoint.
type Endpoints struct {
	AuthURL          string // authorization_endpoint
	TokenURL         string // token_endpoint
	RevocationURL    string // revocation_endpoint (RFC 7009)
	IntrospectionURL string // introspection_endpoint (RFC 7662)
	DeviceAuthURL    string // device_authorization_endpoint (RFC 8628)
	UserInfoURL      string // userinfo_endpoint
	EndSessionURL    string // end_session_endpoint (RP-initiated logout)
	JWKSURL          string // jwks_uri
}

// each calls f with every endpoint's metadata name and value.
func (e Endpoints) each(f func(name, value string)) {
	f("authorization_endpoint", e.AuthURL)
	f("token_endpoint", e.TokenURL)
	f("revocation_endpoint", e.RevocationURL)
	f("introspection_endpoint", e.IntrospectionURL)
	f("device_authorization_endpoint", e.DeviceAuthURL)
	f("userinfo_endpoint", e.UserInfoURL)
	f("end_session_endpoint", e.EndSessionURL)
	f("jwks_uri", e.JWKSURL)
}

// CheckEndpointURL reports whether raw is an absolute URL fit for talking to
// an authorization server: https, or http on a loopback host (127.0.0.0/8,
// ::1, localhost). It returns an error wrapping
// ErrInsecureEndpoint for plain http elsewhere, unless insecure is true.
func CheckEndpointURL(raw string, insecure bool) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return &URLError{URL: raw, Reason: "not an absolute http(s) URL"}
	}
	if u.Fragment != "" {
		return &URLError{URL: raw, Reason: "has a fragment"}
	}
	if u.Scheme == "http" && !insecure && !IsLoopback(u.Host) {
		return &URLError{URL: raw, Reason: "plain http to a non-loopback host", insecure: true}
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

// URLError describes an unusable endpoint or redirect URL.
type URLError struct {
	URL      string
	Reason   string
	insecure bool
}

// Error implements error.
func (e *URLError) Error() string { return "oauth20: URL " + quote(e.URL) + ": " + e.Reason }

// Unwrap lets errors.Is match ErrInsecureEndpoint for plain-http URLs.
func (e *URLError) Unwrap() error {
	if e.insecure {
		return ErrInsecureEndpoint
	}
	return nil
}
