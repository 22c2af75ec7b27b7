package e2e

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-oauth20/oauth20/core"
	"github.com/go-oauth20/oauth20/internal/realop"
	"github.com/go-oauth20/oauth20/internal/testkit"
	"github.com/go-oauth20/oauth20/providers"
)

// testTimeout bounds the network work of one test against oidc-provider.
const testTimeout = 60 * time.Second

// loginPrefix is where the login routes are mounted in every app here.
const loginPrefix = "/auth"

// opClient is one of oidc-provider's clients as a case of a table: the
// name of the oauth20 provider built for it and the client authentication
// that oauth20 must end up using.
type opClient struct {
	name   string
	client func(*realop.Server) realop.Client
	method core.AuthMethod
}

// opClients are the three clients of realop, one per client authentication.
var opClients = []opClient{
	{name: "basic", client: func(s *realop.Server) realop.Client { return s.Basic }, method: core.AuthSecretBasic},
	{name: "post", client: func(s *realop.Server) realop.Client { return s.Post }, method: core.AuthSecretPost},
	{name: "public", client: func(s *realop.Server) realop.Client { return s.Public }, method: core.AuthNone},
}

// startOP starts oidc-provider with the given redirect URIs (the
// post-logout URIs too) and returns it with a context bounded by
// testTimeout. It skips without Node.js, or fails with OAUTH20_E2E=1.
func startOP(t *testing.T, redirects, postLogout []string) (*realop.Server, context.Context) {
	t.Helper()
	began := time.Now()
	s := realop.Start(t, realop.Options{RedirectURIs: redirects, PostLogoutRedirectURIs: postLogout})
	t.Logf("oidc-provider ready at %s after %v", s.Issuer, time.Since(began).Round(time.Millisecond))
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	t.Cleanup(cancel)
	return s, ctx
}

// opProvider builds the oauth20 provider named name for a client of s, the
// way an application would: providers.OIDC with the issuer, the client id
// and the secret ("" for the public client, which makes oauth20 use PKCE
// and no client authentication), and client_secret_post for the client
// registered for it (discovery lists both methods, and oauth20 would pick
// Basic). oidc-provider would take Basic from it all the same; wireAuth
// checks what is sent.
func opProvider(s *realop.Server, c realop.Client, name string) (*core.Provider, error) {
	var opts []providers.Option
	if c.AuthMethod == string(core.AuthSecretPost) {
		opts = append(opts, providers.WithAuthMethod(core.AuthSecretPost))
	}
	return providers.OIDC(name, s.Issuer, c.ID, c.Secret, opts...)
}

// listen opens a loopback listener and returns it with its origin.
func listen(t *testing.T) (net.Listener, string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return ln, "http://" + ln.Addr().String()
}

// browser is an HTTP client with a cookie jar that does not follow
// redirects, so that each hop can be checked. realop's helpers use the same
// jar, so the provider's session lives on between calls, as in a browser.
type browser struct {
	t *testing.T
	*http.Client
	jar http.CookieJar
}

func newBrowser(t *testing.T) *browser {
	t.Helper()
	c := testkit.Browser(t)
	return &browser{t: t, jar: c.Jar, Client: c}
}

// page is an answer with its body read.
type page struct {
	*http.Response
	body string
}

func (b *browser) do(ctx context.Context, method, target string, form url.Values) *page {
	b.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(ctx, method, target, body)
	if err != nil {
		b.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := b.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", method, target, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		b.t.Fatalf("%s %s: read: %v", method, target, err)
	}
	return &page{Response: resp, body: string(raw)}
}

func (b *browser) get(ctx context.Context, target string) *page {
	b.t.Helper()
	return b.do(ctx, http.MethodGet, target, nil)
}

// cookies returns the names of the jar's cookies for u whose name starts
// with prefix.
func (b *browser) cookies(u, prefix string) []string {
	b.t.Helper()
	pu, err := url.Parse(u)
	if err != nil {
		b.t.Fatal(err)
	}
	var names []string
	for _, c := range b.jar.Cookies(pu) {
		if strings.HasPrefix(c.Name, prefix) {
			names = append(names, c.Name)
		}
	}
	return names
}

// walkOP follows target and the provider's redirects within its origin,
// without submitting anything, and returns either the first redirect out
// of the provider or, when the provider shows a page instead, nil and the
// page.
func (b *browser) walkOP(ctx context.Context, s *realop.Server, target string) (*url.URL, *page) {
	b.t.Helper()
	issuer, err := url.Parse(s.Issuer)
	if err != nil {
		b.t.Fatal(err)
	}
	for range 10 {
		u, err := url.Parse(target)
		if err != nil {
			b.t.Fatal(err)
		}
		if u.Host != issuer.Host {
			return u, nil
		}
		p := b.get(ctx, target)
		if p.StatusCode < 300 || p.StatusCode >= 400 {
			return nil, p
		}
		next, err := u.Parse(p.Header.Get("Location"))
		if err != nil {
			b.t.Fatal(err)
		}
		target = next.String()
	}
	b.t.Fatalf("more than 10 redirects within the provider from %s", target)
	return nil, nil
}

// flowCookie returns the flow cookie that a login response sets: a
// cookie named oauth20_... other than the session's, not a deletion.
func flowCookie(t *testing.T, resp *http.Response, session string) *http.Cookie {
	t.Helper()
	var found *http.Cookie
	for _, c := range resp.Cookies() {
		if strings.HasPrefix(c.Name, "oauth20_") && c.Name != session && c.MaxAge >= 0 && c.Value != "" {
			if found != nil {
				t.Fatalf("login set two flow cookies: %s and %s", found.Name, c.Name)
			}
			found = c
		}
	}
	if found == nil {
		t.Fatalf("login set no flow cookie: %q", resp.Header.Values("Set-Cookie"))
	}
	return found
}

// deleted reports whether resp deletes the cookie name, with Max-Age=0 or
// an expiry in the past (Fiber sends only the latter).
func deleted(resp *http.Response, name string) bool {
	for _, c := range resp.Cookies() {
		if c.Name == name && (c.MaxAge < 0 || !c.Expires.IsZero() && c.Expires.Before(time.Now())) {
			return true
		}
	}
	return false
}

// wireAuth is an HTTP transport that records how each client authenticates
// to the provider's token, introspection, revocation and device
// authorization endpoints, as seen on the wire. oidc-provider accepts client_secret_basic and
// client_secret_post alike from a client registered for either, so only the
// wire shows which one the library sent.
type wireAuth struct {
	endpoints []string
	next      http.RoundTripper
	mu        sync.Mutex
	seen      map[string][]core.AuthMethod // by client_id, each method once
}

// newWireAuth returns a recorder of the client authentication of calls to
// s; install it with use.
func newWireAuth(t *testing.T, s *realop.Server) *wireAuth {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	t.Cleanup(tr.CloseIdleConnections)
	w := &wireAuth{
		endpoints: []string{s.Endpoints.Token, s.Endpoints.Introspection, s.Endpoints.Revocation, s.Endpoints.DeviceAuthorization},
		next:      tr, seen: map[string][]core.AuthMethod{},
	}
	return w
}

// use makes the Auth that b builds send its requests through w.
func (w *wireAuth) use(b *core.Builder) *core.Builder {
	return b.HTTPClient(&http.Client{Transport: w})
}

func (w *wireAuth) RoundTrip(req *http.Request) (*http.Response, error) {
	target := req.URL.Scheme + "://" + req.URL.Host + req.URL.Path
	if req.Method != http.MethodPost || !slices.Contains(w.endpoints, target) || req.Body == nil {
		return w.next.RoundTrip(req)
	}
	body, err := io.ReadAll(req.Body)
	_ = req.Body.Close()
	if err != nil {
		return nil, err
	}
	req = req.Clone(req.Context())
	req.Body = io.NopCloser(bytes.NewReader(body))
	form, _ := url.ParseQuery(string(body))
	id, method := form.Get("client_id"), core.AuthNone
	switch user, _, basic := req.BasicAuth(); {
	case basic:
		id, _ = url.QueryUnescape(user) // RFC 6749 §2.3.1 form-encodes it
		method = core.AuthSecretBasic
	case form.Has("client_secret"):
		method = core.AuthSecretPost
	case form.Has("client_assertion"):
		method = "client_assertion"
	}
	w.mu.Lock()
	if !slices.Contains(w.seen[id], method) {
		w.seen[id] = append(w.seen[id], method)
	}
	w.mu.Unlock()
	return w.next.RoundTrip(req)
}

// check fails t unless client id authenticated, every time, with want.
func (w *wireAuth) check(t *testing.T, id string, want core.AuthMethod) {
	t.Helper()
	w.mu.Lock()
	got := slices.Clone(w.seen[id])
	w.mu.Unlock()
	if !slices.Equal(got, []core.AuthMethod{want}) {
		t.Errorf("client %s authenticated on the wire with %q, want only %q", id, got, want)
	}
}

// timed logs how long the test took.
func timed(t *testing.T) {
	began := time.Now()
	t.Cleanup(func() { t.Logf("took %v", time.Since(began).Round(time.Millisecond)) })
}

// providerNamed returns the provider of auth called name.
func providerNamed(auth *core.Auth, name string) (*core.Provider, bool) {
	for _, p := range auth.Providers() {
		if p.Name() == name {
			return p, true
		}
	}
	return nil, false
}
