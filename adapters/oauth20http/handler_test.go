package oauth20http_test

import (
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/go-oauth20/oauth20/adapters/oauth20http"
	"github.com/go-oauth20/oauth20/conformance/adaptertest"
	"github.com/go-oauth20/oauth20/conformance/oidctest"
	"github.com/go-oauth20/oauth20/core"
)

var testKey = []byte("0123456789abcdef0123456789abcdef")

// world is a provider, an Auth for it and a browser.
type world struct {
	op      *oidctest.Server
	auth    *core.Auth
	base    string
	ln      net.Listener
	browser *http.Client
}

func newWorld(t *testing.T, settings ...func(*core.Builder)) *world {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	op := oidctest.New(t, oidctest.WithAlgorithm("ES256"), oidctest.WithClients(oidctest.Client{
		ID: "app", Secret: "app-secret-value", RedirectURIs: []string{base + "/auth/oidc/callback"},
	}))
	b := core.New().SealingKeys(testKey).BaseURL(base + "/auth").
		Provider(adaptertest.OIDCTestProvider(op, "oidc", "app", "app-secret-value", false))
	for _, set := range settings {
		set(b)
	}
	auth := b.MustBuild()
	jar, _ := cookiejar.New(nil)
	tr := http.DefaultTransport.(*http.Transport).Clone()
	t.Cleanup(tr.CloseIdleConnections)
	return &world{op: op, auth: auth, base: base, ln: ln, browser: &http.Client{Jar: jar, Transport: tr,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// serve mounts h (and extra routes) on the world's listener.
func (w *world) serve(t *testing.T, h *oauth20http.Handler, extra func(*http.ServeMux)) {
	mux := http.NewServeMux()
	h.Mount(mux, "/auth")
	if extra != nil {
		extra(mux)
	}
	srv := &httptest.Server{Listener: w.ln, Config: &http.Server{Handler: mux}}
	srv.Start()
	t.Cleanup(srv.Close)
}

// login runs a whole login and returns the callback's answer.
func (w *world) login(t *testing.T) *http.Response {
	t.Helper()
	resp := w.get(t, w.base+"/auth/oidc/login")
	resp = w.get(t, resp.Header.Get("Location"))
	return w.get(t, resp.Header.Get("Location"))
}

// post sends a form POST as a browser would, with Sec-Fetch-Site.
func (w *world) post(t *testing.T, u, fetchSite string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, u, strings.NewReader(""))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", fetchSite)
	resp, err := w.browser.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp
}

func (w *world) get(t *testing.T, u string) *http.Response {
	t.Helper()
	resp, err := w.browser.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp
}

func TestNewReportsEveryProblem(t *testing.T) {
	t.Parallel()
	_, err := oauth20http.New(oauth20http.Config{ProviderParam: "a/b"})
	if !errors.Is(err, core.ErrInvalidConfig) {
		t.Fatalf("err = %v", err)
	}
	for _, want := range []string{"Auth is required", "ProviderParam"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("missing %q in:\n%v", want, err)
		}
	}
}

func TestRequireLoginRedirects(t *testing.T) {
	t.Parallel()
	w := newWorld(t, func(b *core.Builder) { b.LoginURL("/login?next=1") })
	h := oauth20http.MustNew(oauth20http.Config{Auth: w.auth})
	w.serve(t, h, func(mux *http.ServeMux) {
		mux.Handle("/private", h.RequireLogin(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})))
	})
	tests := []struct {
		method     string
		wantStatus int
		wantLoc    string
	}{
		{http.MethodGet, http.StatusSeeOther, "/login?next=1&return_to=%2Fprivate%3Fa%3Db"},
		{http.MethodPost, http.StatusUnauthorized, ""},
	}
	for _, tt := range tests {
		req, _ := http.NewRequest(tt.method, w.base+"/private?a=b", nil)
		resp, err := w.browser.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tt.wantStatus || resp.Header.Get("Location") != tt.wantLoc {
			t.Errorf("%s: %d %q, want %d %q", tt.method, resp.StatusCode, resp.Header.Get("Location"), tt.wantStatus, tt.wantLoc)
		}
	}
}

func TestKeepTokensRevokesAtLogout(t *testing.T) {
	t.Parallel()
	w := newWorld(t, func(b *core.Builder) { b.KeepTokens() })
	h := oauth20http.MustNew(oauth20http.Config{Auth: w.auth})
	var seen *core.Session
	w.serve(t, h, func(mux *http.ServeMux) {
		mux.Handle("/me", h.RequireLogin(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
			seen, _ = core.UserFrom(r.Context())
		})))
	})
	if resp := w.login(t); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login: %d", resp.StatusCode)
	}
	w.get(t, w.base+"/me")
	if seen == nil || seen.Token == nil || seen.Token.AccessToken == "" || seen.IDToken == "" {
		t.Fatalf("session without the kept tokens: %+v", seen)
	}
	// A GET (a link) does not log out; a cross-site POST neither.
	if resp := w.get(t, w.base+"/auth/oidc/logout"); resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET logout: %d, want 405", resp.StatusCode)
	}
	if resp := w.post(t, w.base+"/auth/oidc/logout", "cross-site"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("cross-site POST logout: %d, want 403", resp.StatusCode)
	}
	resp := w.post(t, w.base+"/auth/oidc/logout", "same-origin")
	if !strings.HasPrefix(resp.Header.Get("Location"), w.op.URL(oidctest.EndSessionEndpoint)+"?id_token_hint=") {
		t.Errorf("logout went to %q, want the end-session endpoint with id_token_hint", resp.Header.Get("Location"))
	}
	if n := w.op.Count(oidctest.RevocationEndpoint); n != 2 {
		t.Errorf("revocation requests: %d, want 2 (refresh and access token)", n)
	}
	u, _ := url.Parse(w.base)
	for _, c := range w.browser.Jar.Cookies(u) {
		if c.Name == "oauth20_session" {
			t.Error("the session cookie survived logout")
		}
	}
}

func TestCustomHandlers(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	var got *core.Result
	var gotErr error
	h := oauth20http.MustNew(oauth20http.Config{Auth: w.auth,
		OnSuccess: func(w http.ResponseWriter, r *http.Request, res *core.Result) {
			got = res
			w.WriteHeader(http.StatusTeapot)
		},
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			gotErr = err
			w.WriteHeader(core.ProblemOf(err).Status)
		},
	})
	w.serve(t, h, nil)
	if resp := w.login(t); resp.StatusCode != http.StatusTeapot || got == nil || got.User.ID != oidctest.DefaultUser().Subject {
		t.Fatalf("OnSuccess: status %d, result %+v", resp.StatusCode, got)
	}
	if resp := w.get(t, w.base+"/auth/oidc/callback?state=x&code=y"); resp.StatusCode != http.StatusBadRequest || !errors.Is(gotErr, core.ErrFlowMissing) {
		t.Fatalf("ErrorHandler: status %d, err %v", resp.StatusCode, gotErr)
	}
}
