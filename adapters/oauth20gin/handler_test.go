package oauth20gin_test

import (
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/go-oauth20/oauth20/adapters/oauth20gin"
	"github.com/go-oauth20/oauth20/conformance/adaptertest"
	"github.com/go-oauth20/oauth20/conformance/oidctest"
	"github.com/go-oauth20/oauth20/core"
)

func init() { gin.SetMode(gin.TestMode) }

// writeMe answers the session that RequireLogin stored, after checking
// that it is the same in the gin.Context and in the request's context.
func writeMe(c *gin.Context) {
	s, ok := oauth20gin.UserFrom(c)
	rs, rok := core.UserFrom(c.Request.Context())
	if !ok || !rok || s != rs {
		c.String(http.StatusInternalServerError, "session in gin.Context %t, in the request context %t", ok, rok)
		return
	}
	c.JSON(http.StatusOK, adaptertest.MeOf(s))
}

func TestSharedTable(t *testing.T) {
	t.Parallel()
	adaptertest.Run(t, adaptertest.Handler(func(t *testing.T, env adaptertest.Env) http.Handler {
		var h *oauth20gin.Handler
		h, err := oauth20gin.New(oauth20gin.Config{Auth: env.Auth,
			LoginOptions: func(c *gin.Context) core.BeginOptions { return env.LoginOptions(c.Request.URL.Query()) },
			OnSuccess: func(c *gin.Context, res *core.Result) {
				if status, body, ok := env.OnSuccess(res); ok {
					c.Data(status, "application/json", body)
					return
				}
				h.StartSession(c, res)
			}})
		if err != nil {
			t.Fatal(err)
		}
		r := gin.New()
		h.Register(r.Group(adaptertest.Prefix))
		h.Register(r.Group(adaptertest.OtherPrefix))
		r.GET(adaptertest.MePath, h.RequireLogin, writeMe)
		return r
	}))
}

var testKey = []byte("0123456789abcdef0123456789abcdef")

// world is a provider, an Auth for it whose base URL is the app's origin
// followed by prefix, and a browser that does not follow redirects.
type world struct {
	op      *oidctest.Server
	auth    *core.Auth
	base    string
	prefix  string
	ln      net.Listener
	browser *http.Client
}

func newWorld(t *testing.T, prefix string, settings ...func(*core.Builder)) *world {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	op := oidctest.New(t, oidctest.WithAlgorithm("ES256"), oidctest.WithClients(oidctest.Client{
		ID: "app", Secret: "app-secret-value", RedirectURIs: []string{base + prefix + "/oidc/callback"},
	}))
	b := core.New().SealingKeys(testKey).BaseURL(base + prefix).
		Provider(adaptertest.OIDCTestProvider(op, "oidc", "app", "app-secret-value", false))
	for _, set := range settings {
		set(b)
	}
	auth := b.MustBuild()
	t.Cleanup(func() { _ = auth.Close() })
	jar, _ := cookiejar.New(nil)
	tr := http.DefaultTransport.(*http.Transport).Clone()
	t.Cleanup(tr.CloseIdleConnections)
	return &world{op: op, auth: auth, base: base, prefix: prefix, ln: ln, browser: &http.Client{Jar: jar, Transport: tr,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// serve serves r on the world's listener.
func (w *world) serve(t *testing.T, r *gin.Engine) {
	srv := &httptest.Server{Listener: w.ln, Config: &http.Server{Handler: r}}
	srv.Start()
	t.Cleanup(srv.Close)
}

// login runs a whole login and returns the callback's answer.
func (w *world) login(t *testing.T, returnTo string) *response {
	t.Helper()
	resp := w.do(t, http.MethodGet, w.base+w.prefix+"/oidc/login?return_to="+url.QueryEscape(returnTo), nil)
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("login: %d", resp.StatusCode)
	}
	resp = w.do(t, http.MethodGet, resp.Header.Get("Location"), nil)
	return w.do(t, http.MethodGet, resp.Header.Get("Location"), nil)
}

// response is an answer with its body read.
type response struct {
	*http.Response
	body string
}

func (w *world) do(t *testing.T, method, u string, form url.Values) *response {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := w.browser.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return &response{Response: resp, body: string(b)}
}

func TestNewRequiresAuth(t *testing.T) {
	t.Parallel()
	if _, err := oauth20gin.New(oauth20gin.Config{}); !errors.Is(err, core.ErrInvalidConfig) || !strings.Contains(err.Error(), "Auth is required") {
		t.Fatalf("err = %v", err)
	}
}

// The routes work in a nested route group, behind the group's middleware,
// with the base URL's path as the groups' prefix.
func TestNestedGroups(t *testing.T) {
	t.Parallel()
	w := newWorld(t, "/app/auth")
	h := oauth20gin.MustNew(oauth20gin.Config{Auth: w.auth})
	r := gin.New()
	app := r.Group("/app", func(c *gin.Context) { c.Header("X-Group", "app") })
	h.Register(app.Group("/auth"))
	app.GET("/me", h.RequireLogin, writeMe)
	w.serve(t, r)

	resp := w.login(t, "/app/me")
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/app/me" || resp.Header.Get("X-Group") != "app" {
		t.Fatalf("callback: %d to %q, X-Group %q: %s", resp.StatusCode, resp.Header.Get("Location"), resp.Header.Get("X-Group"), resp.body)
	}
	me := w.do(t, http.MethodGet, w.base+"/app/me", nil)
	var got adaptertest.Me
	if me.StatusCode != http.StatusOK || json.Unmarshal([]byte(me.body), &got) != nil || got.ID != oidctest.DefaultUser().Subject {
		t.Fatalf("GET /app/me: %d %s", me.StatusCode, me.body)
	}
	out := w.do(t, http.MethodPost, w.base+"/app/auth/oidc/logout", url.Values{})
	if out.StatusCode != http.StatusSeeOther {
		t.Fatalf("logout: %d %s", out.StatusCode, out.body)
	}
	if me := w.do(t, http.MethodGet, w.base+"/app/me", nil); me.StatusCode != http.StatusUnauthorized {
		t.Errorf("GET /app/me after logout: %d %s", me.StatusCode, me.body)
	}
}

func TestCustomHandlers(t *testing.T) {
	t.Parallel()
	w := newWorld(t, "/auth")
	var got *core.Result
	var gotErr error
	h := oauth20gin.MustNew(oauth20gin.Config{Auth: w.auth,
		OnSuccess: func(c *gin.Context, res *core.Result) {
			got = res
			c.String(http.StatusTeapot, "welcome %s", res.User.Name)
		},
		ErrorHandler: func(c *gin.Context, err error) {
			gotErr = err
			c.String(core.ProblemOf(err).Status, "sorry")
		},
	})
	r := gin.New()
	h.Register(r.Group("/auth"))
	w.serve(t, r)
	if resp := w.login(t, "/"); resp.StatusCode != http.StatusTeapot || got == nil || got.User.ID != oidctest.DefaultUser().Subject {
		t.Fatalf("OnSuccess: status %d, result %+v", resp.StatusCode, got)
	}
	resp := w.do(t, http.MethodGet, w.base+"/auth/oidc/callback?state=x&code=y", nil)
	if resp.StatusCode != http.StatusBadRequest || resp.body != "sorry" || !errors.Is(gotErr, core.ErrFlowMissing) {
		t.Fatalf("ErrorHandler: status %d %q, err %v", resp.StatusCode, resp.body, gotErr)
	}
}

// RequireLogin sends a GET to the Auth's login URL with return_to, answers
// other methods 401, and stops the chain either way.
func TestRequireLogin(t *testing.T) {
	t.Parallel()
	w := newWorld(t, "/auth", func(b *core.Builder) { b.LoginURL("/login?next=1") })
	h := oauth20gin.MustNew(oauth20gin.Config{Auth: w.auth})
	r := gin.New()
	h.Register(r.Group("/auth"))
	reached := false
	r.Match([]string{http.MethodGet, http.MethodPost}, "/private", h.RequireLogin, func(c *gin.Context) { reached = true })
	w.serve(t, r)
	tests := []struct {
		method     string
		wantStatus int
		wantLoc    string
		wantType   string
	}{
		{http.MethodGet, http.StatusSeeOther, "/login?next=1&return_to=%2Fprivate%3Fa%3Db", ""},
		{http.MethodPost, http.StatusUnauthorized, "", core.ProblemContentType},
	}
	for _, tt := range tests {
		resp := w.do(t, tt.method, w.base+"/private?a=b", nil)
		if resp.StatusCode != tt.wantStatus || resp.Header.Get("Location") != tt.wantLoc || resp.Header.Get("Content-Type") != tt.wantType {
			t.Errorf("%s: %d %q %q, want %d %q %q", tt.method, resp.StatusCode, resp.Header.Get("Location"),
				resp.Header.Get("Content-Type"), tt.wantStatus, tt.wantLoc, tt.wantType)
		}
		if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
			t.Errorf("%s: Cache-Control %q", tt.method, cc)
		}
	}
	if reached {
		t.Error("RequireLogin let a request without a session through")
	}
}

// UserFrom finds the session only behind RequireLogin; Handler.Session
// reads the cookie anywhere.
func TestUserFrom(t *testing.T) {
	t.Parallel()
	w := newWorld(t, "/auth")
	h := oauth20gin.MustNew(oauth20gin.Config{Auth: w.auth})
	r := gin.New()
	h.Register(r.Group("/auth"))
	r.GET("/open", func(c *gin.Context) {
		_, fromGin := oauth20gin.UserFrom(c)
		_, fromRequest := core.UserFrom(c.Request.Context())
		s, ok, _ := h.Session(c)
		c.JSON(http.StatusOK, []bool{fromGin, fromRequest, ok && s.UserID != ""})
	})
	r.GET("/me", h.RequireLogin, writeMe)
	w.serve(t, r)
	if resp := w.do(t, http.MethodGet, w.base+"/open", nil); resp.body != "[false,false,false]" {
		t.Errorf("before login: %s", resp.body)
	}
	if resp := w.login(t, "/me"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login: %d %s", resp.StatusCode, resp.body)
	}
	if resp := w.do(t, http.MethodGet, w.base+"/open", nil); resp.body != "[false,false,true]" {
		t.Errorf("after login, without RequireLogin: %s", resp.body)
	}
	if resp := w.do(t, http.MethodGet, w.base+"/me", nil); resp.StatusCode != http.StatusOK {
		t.Errorf("after login, behind RequireLogin: %d %s", resp.StatusCode, resp.body)
	}
}

// A form_post body larger than the cap is refused before it is parsed.
func TestCallbackBodyCap(t *testing.T) {
	t.Parallel()
	w := newWorld(t, "/auth")
	h := oauth20gin.MustNew(oauth20gin.Config{Auth: w.auth})
	r := gin.New()
	h.Register(r.Group("/auth"))
	w.serve(t, r)
	resp := w.do(t, http.MethodPost, w.base+"/auth/oidc/callback", url.Values{"state": {"s"}, "pad": {strings.Repeat("x", 64<<10)}})
	var p core.Problem
	if resp.StatusCode != http.StatusBadRequest || json.Unmarshal([]byte(resp.body), &p) != nil || p.Type != "urn:oauth20:invalid-callback" {
		t.Fatalf("oversized form_post: %d %s", resp.StatusCode, resp.body)
	}
	if resp.Header.Get("Referrer-Policy") != "no-referrer" {
		t.Errorf("Referrer-Policy %q", resp.Header.Get("Referrer-Policy"))
	}
}

func TestWriteProblem(t *testing.T) {
	t.Parallel()
	rec := httptest.NewRecorder()
	c, _ := gin.CreateTestContext(rec)
	oauth20gin.WriteProblem(c, &core.CallbackError{Status: 401, Provider: "acme", Err: &core.Error{Code: core.CodeAccessDenied, Description: "<script>"}})
	if rec.Code != http.StatusUnauthorized || rec.Header().Get("Content-Type") != core.ProblemContentType ||
		rec.Header().Get("X-Content-Type-Options") != "nosniff" {
		t.Fatalf("status %d, headers %v", rec.Code, rec.Header())
	}
	if strings.Contains(rec.Body.String(), "<script>") {
		t.Error("the problem body is not HTML-safe")
	}
	var got map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"type", "title", "status", "detail", "provider", "code"} {
		if _, ok := got[k]; !ok {
			t.Errorf("problem lacks %q: %s", k, rec.Body)
		}
	}
}
