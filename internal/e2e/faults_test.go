package e2e

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/go-oauth20/oauth20/conformance/oidctest"
	"github.com/go-oauth20/oauth20/core"
	"github.com/go-oauth20/oauth20/internal/testkit"
	"github.com/go-oauth20/oauth20/providers"
)

const (
	appBase      = "http://127.0.0.1:8000/auth"
	clientSecret = "fault-suite-client-secret"
	// requestTimeout bounds every request of the library in this suite.
	requestTimeout = 1500 * time.Millisecond
)

var sealingKey = []byte("e2e-sealing-key-0123456789abcdef-0123456789")

// env is a login setup whose HTTP client goes through a fault proxy.
type env struct {
	op    *oidctest.Server
	proxy *faultProxy
	tr    *http.Transport
	auth  *core.Auth
}

func newEnv(t *testing.T) *env {
	t.Helper()
	op, err := oidctest.Start(oidctest.Config{Algorithm: "ES256", Clients: []oidctest.Client{{
		ID: "app", Secret: clientSecret, RedirectURIs: []string{appBase + "/idp/callback"},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	e := &env{op: op, proxy: newFaultProxy(t)}
	e.tr = e.proxy.transport()
	rc := &http.Client{Transport: e.tr, Timeout: requestTimeout}
	e.auth, err = core.New().SealingKeys(sealingKey).BaseURL(appBase).HTTPClient(rc).
		Provider(providers.OIDC("idp", op.Issuer(), "app", clientSecret)).Build()
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func (e *env) close() {
	_ = e.auth.Close()
	e.op.Close()
	e.proxy.Close()
	e.tr.CloseIdleConnections()
}

var direct = testkit.NoRedirectClient(nil)

// login plays the browser (straight to the provider, not through the proxy)
// and returns the outcome of Complete, or of Begin when it failed.
func (e *env) login(ctx context.Context) (code string, err error) {
	authURL, cookie, err := e.auth.Begin(ctx, "idp", core.BeginOptions{})
	if err != nil {
		return "", err
	}
	resp, err := direct.Get(authURL)
	if err != nil {
		return "", err
	}
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		return "", err
	}
	_, _, err = e.auth.Complete(ctx, "idp", loc.Query(), func(n string) (string, bool) {
		return cookie.Value, n == cookie.Name
	})
	return loc.Query().Get("code"), err
}

// wantKind says which error kind a fault must produce at an endpoint.
func wantKind(ep oidctest.Endpoint, f fault) error {
	switch f {
	case faultTimeout, faultHangUp:
		return core.ErrTransport
	case fault500, fault503, fault429, faultRedirect:
		return core.ErrUnexpectedStatus
	case faultHuge:
		return core.ErrResponseTooLarge
	}
	return core.ErrMalformedResponse // HTML and invalid UTF-8 with status 200
}

func TestFaults(t *testing.T) {
	if testing.Short() {
		t.Skip("the fault suite makes about 40 logins; skipped with -short")
	}
	endpoints := []oidctest.Endpoint{oidctest.DiscoveryEndpoint, oidctest.JWKSEndpoint, oidctest.TokenEndpoint, oidctest.UserInfoEndpoint}
	baseline := runtime.NumGoroutine()
	for _, ep := range endpoints {
		for _, f := range allFaults {
			t.Run(strings.TrimPrefix(string(ep), "/")+"/"+string(f), func(t *testing.T) {
				e := newEnv(t)
				e.proxy.set(pathOf(t, e.op.URL(ep)), f)
				start := time.Now()
				code, err := e.login(context.Background())
				elapsed := time.Since(start)
				e.close()

				if err == nil {
					t.Fatal("login succeeded through a broken endpoint")
				}
				if e.proxy.hitCount() == 0 {
					t.Fatalf("the fault was never reached: %v", err)
				}
				if want := wantKind(ep, f); !errors.Is(err, want) {
					t.Errorf("err = %v\nwant it to wrap %v", err, want)
				}
				if ep != oidctest.DiscoveryEndpoint {
					if s := core.ProblemOf(err).Status; s != http.StatusBadGateway {
						t.Errorf("status %d, want 502 for a provider failure", s)
					}
				}
				// Each endpoint is called at most twice (a JWKS refetch), each
				// within the request timeout.
				if limit := 3*requestTimeout + time.Second; elapsed > limit {
					t.Errorf("took %v, more than %v", elapsed, limit)
				}
				msg := err.Error()
				for _, secret := range []string{clientSecret, faultLeakCheck, code} {
					if secret != "" && strings.Contains(msg, secret) {
						t.Errorf("error reveals %q: %s", secret, msg)
					}
				}
				waitGoroutines(t, baseline)
			})
		}
	}
}

func pathOf(t *testing.T, raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u.Path
}

// waitGoroutines fails when goroutines started by a subtest outlive it. The
// HTTP machinery winds down asynchronously after Close, so it yields for a
// bounded time before judging.
func waitGoroutines(t *testing.T, baseline int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > baseline+2 {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<16)
			n := runtime.Stack(buf, true)
			t.Fatalf("%d goroutines, baseline %d:\n%s", runtime.NumGoroutine(), baseline, buf[:n])
		}
		runtime.Gosched()
	}
}
