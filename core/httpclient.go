package core

import (
	"net/http"
	"time"

	"github.com/go-resty/resty/v2"
)

// Defaults for the HTTP client that talks to providers.
const (
	// DefaultTimeout bounds one request to a provider, connection to last
	// byte.
	DefaultTimeout = 10 * time.Second
	// DefaultMaxResponseBytes caps every response body read from a provider.
	DefaultMaxResponseBytes = 1 << 20
)

// NewHTTPClient returns the resty client used when none is injected: a
// request timeout of DefaultTimeout, no redirects followed (token,
// revocation and introspection answers are never taken from a redirect
// target), a body cap of DefaultMaxResponseBytes, no retries, and resty's
// own logging silenced.
func NewHTTPClient() *resty.Client {
	return ConfigureHTTPClient(resty.New())
}

// NewHTTPClientFrom wraps an existing *http.Client (its transport, jar and
// timeout are kept) with the same safety settings as NewHTTPClient.
func NewHTTPClientFrom(hc *http.Client) *resty.Client {
	c := *hc // the caller's client is not modified
	return ConfigureHTTPClient(resty.NewWithClient(&c))
}

// ConfigureHTTPClient applies the library's safety settings to rc and
// returns it: no redirects, the body cap, no retries, no debug output, and
// DefaultTimeout unless rc's underlying client already has a timeout.
func ConfigureHTTPClient(rc *resty.Client) *resty.Client {
	if rc.GetClient().Timeout == 0 {
		rc.SetTimeout(DefaultTimeout)
	}
	// A 3xx answer is returned as it is and then reported as an unexpected
	// status: following it could send a code or secret to another host.
	rc.SetRedirectPolicy(resty.RedirectPolicyFunc(func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}))
	rc.SetResponseBodyLimit(DefaultMaxResponseBytes)
	rc.SetRetryCount(0)
	rc.SetDebug(false)
	rc.SetDisableWarn(true)
	rc.SetLogger(silentLogger{})
	return rc
}

// silentLogger keeps resty from printing requests (which may carry secrets).
type silentLogger struct{}

func (silentLogger) Errorf(string, ...any) {}
func (silentLogger) Warnf(string, ...any)  {}
func (silentLogger) Debugf(string, ...any) {}
