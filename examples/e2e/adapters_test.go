package e2e

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/go-chi/chi/v5"
	"github.com/go-oauth20/oauth20/adapters/oauth20chi"
	"github.com/go-oauth20/oauth20/adapters/oauth20echo"
	"github.com/go-oauth20/oauth20/adapters/oauth20fiber"
	"github.com/go-oauth20/oauth20/adapters/oauth20gin"
	"github.com/go-oauth20/oauth20/adapters/oauth20http"
	"github.com/go-oauth20/oauth20/conformance/adaptertest"
	"github.com/go-oauth20/oauth20/core"
	"github.com/go-oauth20/oauth20/internal/opuser"
	"github.com/go-oauth20/oauth20/internal/realop"
	"github.com/go-oauth20/oauth20/internal/testkit"
	"github.com/gofiber/fiber/v3"
	"github.com/labstack/echo/v5"
)

// adapter serves an application with the login routes under loginPrefix,
// the adapter's default success and error handling, and GET /me protected
// by its middleware, answering the session as an adaptertest.Me.
type adapter struct {
	name  string
	serve func(t *testing.T, ln net.Listener, auth *core.Auth)
}

var adapters = []adapter{
	{name: "http", serve: serveHTTP},
	{name: "chi", serve: serveChi},
	{name: "fiber", serve: serveFiber},
	{name: "gin", serve: serveGin},
	{name: "echo", serve: serveEcho},
}

func serveHTTP(t *testing.T, ln net.Listener, auth *core.Auth) {
	h, err := oauth20http.New(oauth20http.Config{Auth: auth})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	h.Mount(mux, loginPrefix)
	mux.Handle("GET /me", h.RequireLogin(http.HandlerFunc(writeMe)))
	startHTTP(t, ln, mux)
}

func serveChi(t *testing.T, ln net.Listener, auth *core.Auth) {
	h, err := oauth20http.New(oauth20http.Config{Auth: auth})
	if err != nil {
		t.Fatal(err)
	}
	r := chi.NewRouter()
	r.Mount(loginPrefix, oauth20chi.Routes(h))
	r.With(h.RequireLogin).Get("/me", writeMe)
	startHTTP(t, ln, r)
}

func serveFiber(t *testing.T, ln net.Listener, auth *core.Auth) {
	h, err := oauth20fiber.New(oauth20fiber.Config{Auth: auth})
	if err != nil {
		t.Fatal(err)
	}
	app := fiber.New()
	h.Register(app.Group(loginPrefix))
	app.Get("/me", h.RequireLogin, func(c fiber.Ctx) error {
		s, ok := oauth20fiber.UserFrom(c)
		if !ok {
			return fiber.NewError(fiber.StatusInternalServerError, "no user in the locals")
		}
		return c.JSON(adaptertest.MeOf(s))
	})
	done := make(chan error, 1)
	go func() { done <- app.Listener(ln, fiber.ListenConfig{DisableStartupMessage: true}) }()
	t.Cleanup(func() {
		if err := app.Shutdown(); err != nil {
			t.Errorf("fiber shutdown: %v", err)
		}
		if err := <-done; err != nil {
			t.Errorf("fiber listener: %v", err)
		}
	})
}

// Gin lists its routes on stdout in its default debug mode.
func init() { gin.SetMode(gin.TestMode) }

func serveGin(t *testing.T, ln net.Listener, auth *core.Auth) {
	h, err := oauth20gin.New(oauth20gin.Config{Auth: auth})
	if err != nil {
		t.Fatal(err)
	}
	r := gin.New()
	h.Register(r.Group(loginPrefix))
	r.GET("/me", h.RequireLogin, func(c *gin.Context) {
		s, ok := oauth20gin.UserFrom(c)
		if !ok {
			c.String(http.StatusInternalServerError, "no user in the gin.Context")
			return
		}
		c.JSON(http.StatusOK, adaptertest.MeOf(s))
	})
	startHTTP(t, ln, r)
}

func serveEcho(t *testing.T, ln net.Listener, auth *core.Auth) {
	h, err := oauth20echo.New(oauth20echo.Config{Auth: auth})
	if err != nil {
		t.Fatal(err)
	}
	e := echo.New()
	h.Register(e.Group(loginPrefix))
	e.GET("/me", func(c *echo.Context) error {
		s, ok := oauth20echo.UserFrom(c)
		if !ok {
			return c.String(http.StatusInternalServerError, "no user in the echo.Context")
		}
		return c.JSON(http.StatusOK, adaptertest.MeOf(s))
	}, h.RequireLogin)
	startHTTP(t, ln, e)
}

func startHTTP(t *testing.T, ln net.Listener, h http.Handler) {
	srv := &httptest.Server{Listener: ln, Config: &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}}
	srv.Start()
	t.Cleanup(srv.Close)
}

// writeMe answers the session that RequireLogin put in the context.
func writeMe(w http.ResponseWriter, r *http.Request) {
	s, ok := core.UserFrom(r.Context())
	if !ok {
		http.Error(w, "no user in the context", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(adaptertest.MeOf(s))
}

// TestAdapters logs in through each adapter with each of oidc-provider's
// clients, as a person with a browser would: the app's login route, the
// provider's sign-in and consent pages, the callback, the protected route,
// a second login that the provider's session makes silent, and
// RP-initiated logout confirmed on the provider's page, after which both
// the app and the provider ask for a login again.
func TestAdapters(t *testing.T) {
	t.Parallel()
	type app struct {
		adapter
		ln   net.Listener
		base string
	}
	// The apps' addresses must be registered with the provider before it
	// starts, so listen first.
	var apps []app
	var redirects, postLogout []string
	for _, a := range adapters {
		ln, base := listen(t)
		t.Cleanup(func() { _ = ln.Close() })
		apps = append(apps, app{adapter: a, ln: ln, base: base})
		for _, c := range opClients {
			redirects = append(redirects, base+loginPrefix+"/"+c.name+"/callback")
		}
		postLogout = append(postLogout, base+"/")
	}
	s, ctx := startOP(t, redirects, postLogout)

	for _, a := range apps {
		wire := newWireAuth(t, s)
		b := wire.use(core.New().SealingKeys(testkit.SealingKey()).BaseURL(a.base + loginPrefix).AfterLogout(a.base + "/"))
		for _, c := range opClients {
			b = b.Provider(opProvider(s, c.client(s), c.name))
		}
		auth, err := b.Build()
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = auth.Close() })
		a.serve(t, a.ln, auth)
		for _, c := range opClients {
			t.Run(a.name+"/"+c.name, func(t *testing.T) {
				t.Parallel()
				timed(t)
				loginAndLogout(t, ctx, s, auth, a.base, a.name+"-"+c.name, c)
				wire.check(t, c.client(s).ID, c.method)
			})
		}
	}
}

// loginAndLogout is one person's journey through the app at base with the
// provider of client c, signing in as login.
func loginAndLogout(t *testing.T, ctx context.Context, s *realop.Server, auth *core.Auth, base, login string, c opClient) {
	br := newBrowser(t)
	id := c.client(s).ID
	want := opuser.Account(login)
	const session = "oauth20_session"
	loginURL := base + loginPrefix + "/" + c.name + "/login"
	redirectURI := base + loginPrefix + "/" + c.name + "/callback"

	if p := br.get(ctx, base+"/me"); p.StatusCode != http.StatusUnauthorized {
		t.Fatalf("GET /me before login: %d, want 401", p.StatusCode)
	}

	// The app sends the browser to the provider with PKCE and a nonce,
	// whatever the client authentication.
	p := br.get(ctx, loginURL+"?return_to=%2Fme")
	if p.StatusCode != http.StatusFound {
		t.Fatalf("login: %d, want 302: %s", p.StatusCode, p.body)
	}
	flow := flowCookie(t, p.Response, session)
	authURL := p.Header.Get("Location")
	if !strings.HasPrefix(authURL, s.Endpoints.Authorization+"?") {
		t.Fatalf("login redirects to %q, not to the provider's authorization endpoint", authURL)
	}
	au, _ := url.Parse(authURL)
	q := au.Query()
	if q.Get("client_id") != id || q.Get("redirect_uri") != redirectURI || q.Get("response_type") != "code" ||
		q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" || q.Get("nonce") == "" ||
		q.Get("state") == "" || q.Get("scope") != "openid profile email" {
		t.Errorf("authorization request: %v", q)
	}

	// The user signs in and consents on the provider's pages.
	cb, err := s.Authorize(ctx, br.Client, authURL, login)
	if err != nil {
		t.Fatal(err)
	}
	if got := cb.Scheme + "://" + cb.Host + cb.Path; got != redirectURI || cb.Query().Get("code") == "" {
		t.Fatalf("the provider sent the browser to %s, want a code at %s", cb.Redacted(), redirectURI)
	}

	// The callback ends the flow, starts the session, and goes to /me.
	p = br.get(ctx, cb.String())
	if p.StatusCode != http.StatusSeeOther || p.Header.Get("Location") != "/me" {
		t.Fatalf("callback: %d to %q, want 303 to /me: %s", p.StatusCode, p.Header.Get("Location"), p.body)
	}
	if !deleted(p.Response, flow.Name) {
		t.Errorf("the callback does not delete the flow cookie %s: %q", flow.Name, p.Header.Values("Set-Cookie"))
	}
	if got := br.cookies(base+loginPrefix+"/", "oauth20_"); !slices.Equal(got, []string{session}) {
		t.Errorf("app cookies after the callback: %v, want only %s", got, session)
	}
	// The protected route shows the user, with profile and email from the
	// provider's userinfo endpoint (its ID tokens carry only sub).
	p = br.get(ctx, base+"/me")
	if p.StatusCode != http.StatusOK {
		t.Fatalf("GET /me after login: %d: %s", p.StatusCode, p.body)
	}
	var me adaptertest.Me
	if err := json.Unmarshal([]byte(p.body), &me); err != nil {
		t.Fatalf("GET /me: %v: %s", err, p.body)
	}
	if me.Provider != c.name || me.ID != login || me.Email != want.Email || me.Name != want.Name ||
		!slices.Contains(me.Scopes, "openid") || !slices.Contains(me.Scopes, "email") {
		t.Errorf("GET /me = %+v, want provider %s, id %s, email %s, name %s, scopes with openid and email",
			me, c.name, login, want.Email, want.Name)
	}

	// A second login needs no page at the provider: its session signs in.
	p = br.get(ctx, loginURL)
	if p.StatusCode != http.StatusFound {
		t.Fatalf("second login: %d: %s", p.StatusCode, p.body)
	}
	back, shown := br.walkOP(ctx, s, p.Header.Get("Location"))
	if back == nil {
		t.Fatalf("second login stopped at a provider page (%d): %.300s", shown.StatusCode, shown.body)
	}
	if p = br.get(ctx, back.String()); p.StatusCode != http.StatusSeeOther {
		t.Fatalf("second callback: %d: %s", p.StatusCode, p.body)
	}

	// Logout ends the session and sends the browser to the provider's
	// end-session page, where the user confirms; the provider sends it back.
	p = br.do(ctx, http.MethodPost, base+loginPrefix+"/"+c.name+"/logout", url.Values{})
	end := p.Header.Get("Location")
	if p.StatusCode != http.StatusSeeOther || !strings.HasPrefix(end, s.Endpoints.EndSession+"?") {
		t.Fatalf("logout: %d to %q, want 303 to the end-session endpoint", p.StatusCode, end)
	}
	eu, _ := url.Parse(end)
	if eq := eu.Query(); eq.Get("client_id") != id || eq.Get("post_logout_redirect_uri") != base+"/" {
		t.Errorf("end-session request: %v", eq)
	}
	if !deleted(p.Response, session) {
		t.Errorf("logout does not delete the session cookie: %q", p.Header.Values("Set-Cookie"))
	}
	out, err := s.Logout(ctx, br.Client, end)
	if err != nil {
		t.Fatal(err)
	}
	if out == nil || out.String() != base+"/" {
		t.Errorf("after logout the provider sends the browser to %v, want %s", out, base+"/")
	}

	// Logged out at both ends.
	if p := br.get(ctx, base+"/me"); p.StatusCode != http.StatusUnauthorized {
		t.Errorf("GET /me after logout: %d, want 401", p.StatusCode)
	}
	p = br.get(ctx, loginURL)
	if p.StatusCode != http.StatusFound {
		t.Fatalf("login after logout: %d: %s", p.StatusCode, p.body)
	}
	if back, shown = br.walkOP(ctx, s, p.Header.Get("Location")); back != nil || !strings.Contains(shown.body, `name="login"`) {
		t.Errorf("after logout the provider does not ask for a login: redirect %v", back)
	}
}

// mustProvider returns auth's provider name.
func mustProvider(t *testing.T, auth *core.Auth, name string) *core.Provider {
	t.Helper()
	p, ok := providerNamed(auth, name)
	if !ok {
		t.Fatalf("no provider %q", name)
	}
	return p
}
