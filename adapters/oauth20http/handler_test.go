package oauth20http_test

import (
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/go-oauth20/oauth20/adapters/oauth20http"
	"github.com/go-oauth20/oauth20/conformance/adaptertest"
	"github.com/go-oauth20/oauth20/conformance/oidctest"
	"github.com/go-oauth20/oauth20/core"
)

// testKey seals the flows of the tests that build their own Auth.
var testKey = []byte("0123456789abcdef0123456789abcdef")

// serve mounts h under adaptertest.Prefix, with the routes extra adds,
// and serves them in w.
func serve(t *testing.T, w *adaptertest.World, h *oauth20http.Handler, extra func(*http.ServeMux)) {
	mux := http.NewServeMux()
	h.Mount(mux, adaptertest.Prefix)
	if extra != nil {
		extra(mux)
	}
	w.Serve(t, mux)
}

// post sends a form POST as a browser would, with Sec-Fetch-Site.
func post(t *testing.T, w *adaptertest.World, u, fetchSite string) *adaptertest.Response {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, u, strings.NewReader(""))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", fetchSite)
	return w.Do(t, req)
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
	w := adaptertest.NewWorld(t, adaptertest.Prefix, func(b *core.Builder) { b.LoginURL("/login?next=1") })
	h := oauth20http.MustNew(oauth20http.Config{Auth: w.Auth})
	reached := false
	serve(t, w, h, func(mux *http.ServeMux) {
		mux.Handle("/private", h.RequireLogin(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { reached = true })))
	})
	w.CheckRequireLogin(t, "/private?a=b", "/login?next=1&return_to=%2Fprivate%3Fa%3Db")
	if reached {
		t.Error("RequireLogin let a request without a session through")
	}
}

func TestKeepTokensRevokesAtLogout(t *testing.T) {
	t.Parallel()
	w := adaptertest.NewWorld(t, adaptertest.Prefix, func(b *core.Builder) { b.KeepTokens() })
	h := oauth20http.MustNew(oauth20http.Config{Auth: w.Auth})
	var seen *core.Session
	serve(t, w, h, func(mux *http.ServeMux) {
		mux.Handle("/me", h.RequireLogin(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
			seen, _ = core.UserFrom(r.Context())
		})))
	})
	if resp := w.Login(t, ""); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login: %d", resp.StatusCode)
	}
	w.Get(t, w.Base+"/me")
	if seen == nil || seen.Token == nil || seen.Token.AccessToken == "" || seen.IDToken == "" {
		t.Fatalf("session without the kept tokens: %+v", seen)
	}
	// A GET (a link) does not log out; a cross-site POST neither.
	if resp := w.Get(t, w.RouteURL("logout")); resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET logout: %d, want 405", resp.StatusCode)
	}
	if resp := post(t, w, w.RouteURL("logout"), "cross-site"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("cross-site POST logout: %d, want 403", resp.StatusCode)
	}
	resp := post(t, w, w.RouteURL("logout"), "same-origin")
	if !strings.HasPrefix(resp.Header.Get("Location"), w.OP.URL(oidctest.EndSessionEndpoint)+"?id_token_hint=") {
		t.Errorf("logout went to %q, want the end-session endpoint with id_token_hint", resp.Header.Get("Location"))
	}
	if n := w.OP.Count(oidctest.RevocationEndpoint); n != 2 {
		t.Errorf("revocation requests: %d, want 2 (refresh and access token)", n)
	}
	u, _ := url.Parse(w.Base)
	for _, c := range w.Browser.Jar.Cookies(u) {
		if c.Name == "oauth20_session" {
			t.Error("the session cookie survived logout")
		}
	}
}

func TestCustomHandlers(t *testing.T) {
	t.Parallel()
	w := adaptertest.NewWorld(t, adaptertest.Prefix)
	var got *core.Result
	var gotErr error
	h := oauth20http.MustNew(oauth20http.Config{Auth: w.Auth,
		OnSuccess: func(w http.ResponseWriter, r *http.Request, res *core.Result) {
			got = res
			w.WriteHeader(http.StatusTeapot)
		},
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			gotErr = err
			w.WriteHeader(core.ProblemOf(err).Status)
			_, _ = io.WriteString(w, "sorry")
		},
	})
	serve(t, w, h, nil)
	w.CheckCustomHandlers(t, &got, &gotErr)
}
