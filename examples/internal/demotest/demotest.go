// Package demotest drives a demo application end to end over real HTTP,
// as a browser with a cookie jar would: login, the provider, the callback,
// the page with the user, the protected page, logout, an unknown page; and
// checks the pages' security headers on the way. Run and RunHandler start a
// demo for it, so that each demo's test is only how its framework serves.
package demotest

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/go-oauth20/oauth20/conformance/oidctest"
	"github.com/go-oauth20/oauth20/examples/internal/demoapp"
	"github.com/go-oauth20/oauth20/internal/testkit"
)

// Run starts a demo on a random loopback port and drives the whole
// journey through it (Drive). start builds the demo from cfg, a
// demoapp.Config for that port with an empty environment (so the
// development test provider is on), serves it on ln until the test ends,
// closes it then, and returns the issuer of its development provider.
func Run(t *testing.T, start func(t *testing.T, ln net.Listener, cfg demoapp.Config) (issuer string)) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	issuer := start(t, ln, demoapp.Config{BaseURL: base, Getenv: func(string) string { return "" }})
	Drive(t, base, issuer)
}

// App is a demo that RunHandler can start: Provider returns the issuer of
// its development provider, Close stops that provider.
type App interface {
	Provider() string
	Close()
}

// RunHandler is Run for a demo that newApp builds and that is served on
// net/http as the handler that handler returns.
func RunHandler[A App](t *testing.T, newApp func(demoapp.Config) (A, error), handler func(A) http.Handler) {
	t.Helper()
	Run(t, func(t *testing.T, ln net.Listener, cfg demoapp.Config) string {
		app, err := newApp(cfg)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(app.Close)
		srv := &httptest.Server{Listener: ln, Config: &http.Server{Handler: handler(app)}}
		srv.Start()
		t.Cleanup(srv.Close)
		return app.Provider()
	})
}

// Drive runs the whole journey against the demo at baseURL whose
// development test provider has the given issuer.
func Drive(t *testing.T, baseURL, issuer string) {
	t.Helper()
	var hops []string
	c := testkit.Browser(t)
	c.CheckRedirect = func(r *http.Request, via []*http.Request) error { // follows them, noting each
		hops = append(hops, r.URL.Scheme+"://"+r.URL.Host+r.URL.Path)
		return nil
	}
	user := oidctest.DefaultUser()

	// Anonymous: the login button, and the protected page sends us home.
	page := get(t, c, baseURL+"/profile")
	if !strings.Contains(page.body, `href="/auth/local/login?return_to=%2Fprofile"`) || strings.Contains(page.body, user.Name) {
		t.Fatalf("anonymous /profile did not land on the login page:\n%s", page.body)
	}
	for _, s := range []string{"Continue with Test provider", `id="dev-warning"`, "Development only."} {
		if !strings.Contains(page.body, s) {
			t.Errorf("the login page lacks %q:\n%s", s, page.body)
		}
	}
	CheckHeaders(t, "the login page", page.header)

	// Login: app -> provider -> callback -> /profile.
	hops = nil
	page = get(t, c, baseURL+"/auth/local/login?return_to=%2Fprofile")
	want := []string{issuer + "/authorize", baseURL + "/auth/local/callback", baseURL + "/profile"}
	if strings.Join(hops, " ") != strings.Join(want, " ") {
		t.Errorf("login went %v, want %v", hops, want)
	}
	for _, s := range []string{user.Subject, user.Name, user.Email, "verified", "openid", "Token expiry", "Sign out",
		"protected page", `<th scope="row">iss</th><td>` + issuer + "<", `<th scope="row">nonce</th>`, `<th scope="row">exp</th>`} {
		if !strings.Contains(page.body, s) {
			t.Errorf("page after login lacks %q:\n%s", s, page.body)
		}
	}
	CheckHeaders(t, "the protected page", page.header)
	if strings.Contains(page.body, "eyJ") || strings.Contains(strings.ToLower(page.body), "access_token") {
		t.Error("the page shows a raw token")
	}
	if home := get(t, c, baseURL+"/"); !strings.Contains(home.body, user.Email) {
		t.Errorf("home after login lacks the user:\n%s", home.body)
	}

	// Logout: app -> provider's end-session -> home, logged out.
	hops = nil
	resp, err := c.PostForm(baseURL+"/auth/local/logout", url.Values{})
	if err != nil {
		t.Fatal(err)
	}
	page = read(t, resp)
	if want := []string{issuer + "/end_session", baseURL + "/"}; strings.Join(hops, " ") != strings.Join(want, " ") {
		t.Errorf("logout went %v, want %v", hops, want)
	}
	if strings.Contains(page.body, user.Email) || !strings.Contains(page.body, "Test provider") {
		t.Errorf("page after logout:\n%s", page.body)
	}
	if page = get(t, c, baseURL+"/profile"); strings.Contains(page.body, user.Email) {
		t.Error("the protected page still shows the user after logout")
	}

	// An unknown page: the library's problem page for a browser, a
	// problem document for an API client.
	for _, tc := range []struct{ accept, contentType, text string }{
		{"text/html,application/xhtml+xml,*/*;q=0.8", "text/html; charset=utf-8", "<h1>Page not found</h1>"},
		{"application/json", "application/problem+json", `"title":"Page not found"`},
	} {
		req, err := http.NewRequest(http.MethodGet, baseURL+"/no-such-page", nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Accept", tc.accept)
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		a := readAny(t, resp)
		if a.status != http.StatusNotFound || a.header.Get("Content-Type") != tc.contentType || !strings.Contains(a.body, tc.text) {
			t.Errorf("unknown page for %s: %d %s:\n%s", tc.accept, a.status, a.header.Get("Content-Type"), a.body)
		}
		if a.header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("unknown page for %s: X-Content-Type-Options %q", tc.accept, a.header.Get("X-Content-Type-Options"))
		}
		if tc.contentType == "text/html; charset=utf-8" {
			CheckHeaders(t, "the not-found page", a.header)
		}
	}
}

// CheckHeaders checks the headers that every HTML page of the demo sends,
// its own pages as the library's error pages: no sniffing, no caching, no
// framing (X-Frame-Options and the CSP's frame-ancestors), and a
// Content-Security-Policy that loads nothing by default.
func CheckHeaders(t *testing.T, what string, h http.Header) {
	t.Helper()
	want := map[string]string{"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY", "Cache-Control": "no-store"}
	for k, v := range want {
		if got := h.Get(k); got != v {
			t.Errorf("%s: %s is %q, want %q", what, k, got, v)
		}
	}
	csp := h.Get("Content-Security-Policy")
	for _, d := range []string{"default-src 'none'", "frame-ancestors 'none'"} {
		if !strings.Contains(csp, d) {
			t.Errorf("%s: Content-Security-Policy %q lacks %q", what, csp, d)
		}
	}
	if strings.Contains(csp, "script-src") {
		t.Errorf("%s: Content-Security-Policy %q allows scripts", what, csp)
	}
}

type answer struct {
	status int
	header http.Header
	body   string
}

func get(t *testing.T, c *http.Client, u string) answer {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	return read(t, resp)
}

// read reads an answer that must be a 200.
func read(t *testing.T, resp *http.Response) answer {
	t.Helper()
	a := readAny(t, resp)
	if a.status != http.StatusOK {
		t.Fatalf("%s: status %d: %s", resp.Request.URL, a.status, a.body)
	}
	return a
}

func readAny(t *testing.T, resp *http.Response) answer {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return answer{status: resp.StatusCode, header: resp.Header, body: string(b)}
}
