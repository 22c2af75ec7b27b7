package adaptertest

import (
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/go-oauth20/oauth20/conformance/oidctest"
	"github.com/go-oauth20/oauth20/core"
	"github.com/go-oauth20/oauth20/internal/testkit"
)

// World is the setting of an adapter's own tests, for what the table
// cannot know of a framework (its route groups and middleware, custom
// handlers in its terms, its own user look-up): an in-process OpenID
// provider, an Auth for it with the provider QueryProvider (response_mode
// query) whose base URL is the app's origin followed by a prefix, a
// listener for the app, and a browser that keeps cookies and does not
// follow redirects. The test builds the app with the framework, serves it
// on Listener (Serve does it for an http.Handler), and drives it with the
// World's methods, which end the test on a transport error.
type World struct {
	// OP is the provider.
	OP *oidctest.Server
	// Auth runs the flow; it is closed when the test ends.
	Auth *core.Auth
	// Base is the app's origin, http://127.0.0.1:{port}.
	Base string
	// Prefix is where the app must serve the login routes: the path of
	// the Auth's base URL.
	Prefix string
	// Listener is where the app must serve.
	Listener net.Listener
	// Browser keeps cookies and returns redirects instead of following
	// them.
	Browser *http.Client
}

// NewWorld starts a World whose login routes are under prefix (Prefix, or
// a nested group's path such as /app/auth). Each setting is applied to the
// Builder before the Auth is built, to set a login URL, say.
func NewWorld(t *testing.T, prefix string, settings ...func(*core.Builder)) *World {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ln.Close() }) // in case nothing serves on it
	base := "http://" + ln.Addr().String()
	op := oidctest.New(t, oidctest.WithAlgorithm("ES256"), oidctest.WithClients(oidctest.Client{
		ID: ClientID, Secret: ClientSecret, RedirectURIs: []string{base + prefix + "/" + QueryProvider + "/callback"},
	}))
	b := core.New().SealingKeys(testkit.SealingKey()).BaseURL(base + prefix).
		Provider(OIDCTestProvider(op, QueryProvider, ClientID, ClientSecret, false))
	for _, set := range settings {
		set(b)
	}
	auth, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = auth.Close() })
	return &World{OP: op, Auth: auth, Base: base, Prefix: prefix, Listener: ln, Browser: testkit.Browser(t)}
}

// Serve serves h on the World's listener until the test ends.
func (w *World) Serve(t *testing.T, h http.Handler) {
	srv := &httptest.Server{Listener: w.Listener, Config: &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}}
	srv.Start()
	t.Cleanup(srv.Close)
}

// Response is an answer with its body read.
type Response struct {
	*http.Response
	Body string
}

// Do sends req with the browser and reads the answer.
func (w *World) Do(t *testing.T, req *http.Request) *Response {
	t.Helper()
	resp, err := w.Browser.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return &Response{Response: resp, Body: string(b)}
}

// Request sends a request without a body to the absolute URL u.
func (w *World) Request(t *testing.T, method, u string) *Response {
	t.Helper()
	req, err := http.NewRequest(method, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	return w.Do(t, req)
}

// Get sends a GET to the absolute URL u.
func (w *World) Get(t *testing.T, u string) *Response {
	t.Helper()
	return w.Request(t, http.MethodGet, u)
}

// Post sends form, form-urlencoded, to the absolute URL u.
func (w *World) Post(t *testing.T, u string, form url.Values) *Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, u, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return w.Do(t, req)
}

// RouteURL is the URL of the login route of QueryProvider named route
// (login, callback or logout).
func (w *World) RouteURL(route string) string {
	return w.Base + w.Prefix + "/" + QueryProvider + "/" + route
}

// Login runs a whole login: the login route with returnTo as return_to
// (none when empty), which must redirect (302) to the provider, the
// provider, and the callback, whose answer it returns.
func (w *World) Login(t *testing.T, returnTo string) *Response {
	t.Helper()
	u := w.RouteURL("login")
	if returnTo != "" {
		u += "?return_to=" + url.QueryEscape(returnTo)
	}
	resp := w.Get(t, u)
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("login: %d %s", resp.StatusCode, resp.Body)
	}
	resp = w.Get(t, resp.Header.Get("Location"))
	return w.Get(t, resp.Header.Get("Location"))
}

// CheckLoginAndLogout checks a session from login to logout: the callback
// sends the browser to me (303), where the adapter's login middleware lets
// the user through (200, a JSON Me of oidctest.DefaultUser), logout (a
// POST to the logout route) answers 303, and me then answers 401. It
// returns the callback's answer, for checks of the test's own (a header
// that the middleware of a route group sets, say).
func (w *World) CheckLoginAndLogout(t *testing.T, me string) *Response {
	t.Helper()
	cb := w.Login(t, me)
	if cb.StatusCode != http.StatusSeeOther || cb.Header.Get("Location") != me {
		t.Fatalf("callback: %d to %q: %s", cb.StatusCode, cb.Header.Get("Location"), cb.Body)
	}
	resp := w.Get(t, w.Base+me)
	var got Me
	if resp.StatusCode != http.StatusOK || json.Unmarshal([]byte(resp.Body), &got) != nil || got.ID != oidctest.DefaultUser().Subject {
		t.Fatalf("GET %s: %d %s", me, resp.StatusCode, resp.Body)
	}
	if out := w.Post(t, w.RouteURL("logout"), url.Values{}); out.StatusCode != http.StatusSeeOther {
		t.Fatalf("logout: %d %s", out.StatusCode, out.Body)
	}
	if resp := w.Get(t, w.Base+me); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("GET %s after logout: %d %s", me, resp.StatusCode, resp.Body)
	}
	return cb
}

// CheckRequireLogin checks the answers of the route at path behind the
// adapter's login middleware to a browser without a session: a GET is
// sent to the Auth's login URL (303 to wantLocation, which holds the
// return_to of path), another method is answered 401 with a problem
// document, and neither may be cached. Whether the route's own handler ran
// is for the test to check.
func (w *World) CheckRequireLogin(t *testing.T, path, wantLocation string) {
	t.Helper()
	tests := []struct {
		method     string
		wantStatus int
		wantLoc    string
		wantType   string
	}{
		{http.MethodGet, http.StatusSeeOther, wantLocation, ""},
		{http.MethodPost, http.StatusUnauthorized, "", core.ProblemContentType},
	}
	for _, tt := range tests {
		resp := w.Request(t, tt.method, w.Base+path)
		if resp.StatusCode != tt.wantStatus || resp.Header.Get("Location") != tt.wantLoc || resp.Header.Get("Content-Type") != tt.wantType {
			t.Errorf("%s: %d %q %q, want %d %q %q", tt.method, resp.StatusCode, resp.Header.Get("Location"),
				resp.Header.Get("Content-Type"), tt.wantStatus, tt.wantLoc, tt.wantType)
		}
		if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
			t.Errorf("%s: Cache-Control %q", tt.method, cc)
		}
	}
}

// CheckUserFrom checks the framework's own look-up of the session, for an
// adapter that keeps it in the framework's context as well as in the
// request's. The route at open (no login middleware) must answer, as a
// JSON array of three booleans, whether the framework's look-up finds a
// session, whether core.UserFrom on the request's context does, and
// whether the adapter's Session reads one from the cookie; me is a route
// behind the login middleware. Before a login open must answer
// [false,false,false], after it [false,false,true], and me 200.
func (w *World) CheckUserFrom(t *testing.T, open, me string) {
	t.Helper()
	if resp := w.Get(t, w.Base+open); strings.TrimSpace(resp.Body) != "[false,false,false]" {
		t.Errorf("before login: %s", resp.Body)
	}
	if resp := w.Login(t, me); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login: %d %s", resp.StatusCode, resp.Body)
	}
	if resp := w.Get(t, w.Base+open); strings.TrimSpace(resp.Body) != "[false,false,true]" {
		t.Errorf("after login, without the login middleware: %s", resp.Body)
	}
	if resp := w.Get(t, w.Base+me); resp.StatusCode != http.StatusOK {
		t.Errorf("after login, behind the login middleware: %d %s", resp.StatusCode, resp.Body)
	}
}

// CheckCallbackBodyCap checks that the callback route refuses a form_post
// body larger than the adapter's cap before it parses it: 400, a problem
// document of type urn:oauth20:invalid-callback, and no Referer sent on.
func (w *World) CheckCallbackBodyCap(t *testing.T) {
	t.Helper()
	resp := w.Post(t, w.RouteURL("callback"), url.Values{"state": {"s"}, "pad": {strings.Repeat("x", 64<<10)}})
	var p core.Problem
	if resp.StatusCode != http.StatusBadRequest || json.Unmarshal([]byte(resp.Body), &p) != nil || p.Type != "urn:oauth20:invalid-callback" {
		t.Fatalf("oversized form_post: %d %s", resp.StatusCode, resp.Body)
	}
	if resp.Header.Get("Referrer-Policy") != "no-referrer" {
		t.Errorf("Referrer-Policy %q", resp.Header.Get("Referrer-Policy"))
	}
}

// CheckCustomHandlers checks an adapter built with a success handler that
// answers 418 and stores the result in *got, and an error handler that
// answers the error's problem status with the body "sorry" and stores the
// error in *gotErr: a login reaches the success handler with the user,
// and a callback without its flow the error handler with
// core.ErrFlowMissing.
func (w *World) CheckCustomHandlers(t *testing.T, got **core.Result, gotErr *error) {
	t.Helper()
	if resp := w.Login(t, "/"); resp.StatusCode != http.StatusTeapot || *got == nil || (*got).User.ID != oidctest.DefaultUser().Subject {
		t.Fatalf("OnSuccess: status %d, result %+v", resp.StatusCode, *got)
	}
	resp := w.Get(t, w.RouteURL("callback")+"?state=x&code=y")
	if resp.StatusCode != http.StatusBadRequest || resp.Body != "sorry" || !errors.Is(*gotErr, core.ErrFlowMissing) {
		t.Fatalf("ErrorHandler: status %d %q, err %v", resp.StatusCode, resp.Body, *gotErr)
	}
}

// ProblemError is the error for a test of an adapter's WriteProblem: a
// callback refused by the provider "acme", with markup in the
// description.
func ProblemError() error {
	return &core.CallbackError{Status: http.StatusUnauthorized, Provider: "acme", Err: &core.Error{Code: core.CodeAccessDenied, Description: "<script>"}}
}

// CheckWrittenProblem checks resp, the answer that an adapter's
// WriteProblem wrote for ProblemError (from an httptest.ResponseRecorder's
// Result, say): 401, an RFC 9457 document (application/problem+json,
// nosniff) with type, title, status, detail, provider and code, and the
// markup escaped.
func CheckWrittenProblem(t *testing.T, resp *http.Response) {
	t.Helper()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusUnauthorized || resp.Header.Get("Content-Type") != core.ProblemContentType ||
		resp.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Fatalf("status %d, headers %v", resp.StatusCode, resp.Header)
	}
	if strings.Contains(string(body), "<script>") {
		t.Error("the problem body is not HTML-safe")
	}
	var got map[string]any
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"type", "title", "status", "detail", "provider", "code"} {
		if _, ok := got[k]; !ok {
			t.Errorf("problem lacks %q: %s", k, body)
		}
	}
}
