package oauth20echo

import (
	"fmt"
	"net/http"
	"net/url"

	"github.com/go-oauth20/oauth20/core"
	"github.com/labstack/echo/v5"
)

// maxCallbackBody caps the form body of a form_post callback.
const maxCallbackBody = 64 << 10

// ProviderParam is the route parameter that holds the provider's name.
const ProviderParam = "provider"

// Config configures a Handler. Only Auth is required; session, login page
// and logout settings are the Auth's (core.Builder).
type Config struct {
	// Auth runs the login flow. Required.
	Auth *core.Auth
	// OnSuccess is called after a successful callback. The default,
	// Handler.StartSession, seals the session into a cookie and redirects
	// to Result.ReturnTo.
	OnSuccess func(c *echo.Context, res *core.Result) error
	// ErrorHandler answers a failed login; err is a *core.CallbackError
	// with the status to answer with and its cause for errors.Is/As. The
	// default is WriteProblem.
	ErrorHandler func(c *echo.Context, err error) error
	// LoginOptions, when set, gives the options of each login from its
	// request on the login route: the application's own state
	// (AppState, back in Result.AppState in OnSuccess), a token-only login
	// (TokenOnly), scopes, prompt or login hint. The handler fills in
	// ReturnTo from the return_to query parameter when LoginOptions leaves
	// it empty, and Host and Path from the request.
	LoginOptions func(c *echo.Context) core.BeginOptions
}

// Handler serves the login routes on Echo and protects other routes with
// RequireLogin. A Handler is immutable and safe for concurrent use.
type Handler struct {
	auth         *core.Auth
	onSuccess    func(*echo.Context, *core.Result) error
	onError      func(*echo.Context, error) error
	loginOptions func(*echo.Context) core.BeginOptions
}

// New checks cfg and returns a Handler. Problems wrap core.ErrInvalidConfig.
func New(cfg Config) (*Handler, error) {
	if cfg.Auth == nil {
		return nil, fmt.Errorf("%w: oauth20echo: Auth is required", core.ErrInvalidConfig)
	}
	h := &Handler{auth: cfg.Auth, onSuccess: cfg.OnSuccess, onError: cfg.ErrorHandler, loginOptions: cfg.LoginOptions}
	if h.onSuccess == nil {
		h.onSuccess = h.StartSession
	}
	if h.onError == nil {
		h.onError = WriteProblem
	}
	return h, nil
}

// MustNew is New that panics on error, for tests and examples.
func MustNew(cfg Config) *Handler {
	h, err := New(cfg)
	if err != nil {
		panic(err)
	}
	return h
}

// Register adds the login, callback and logout routes to g, whose prefix
// must be the path of the Auth's base URL:
//
//	h.Register(e.Group("/auth"))
//
// Middleware of the group runs before the handlers.
func (h *Handler) Register(g *echo.Group) {
	p := "/:" + ProviderParam
	g.GET(p+"/login", h.Login)
	g.GET(p+"/callback", h.Callback)
	g.POST(p+"/callback", h.Callback)
	g.POST(p+"/logout", h.Logout)
}

// Login starts a login with the route's provider and redirects (302) to
// it. The query parameter return_to is where the browser goes after login,
// if it is a safe local path.
func (h *Handler) Login(c *echo.Context) error {
	noStore(c)
	opts := core.BeginOptions{}
	if h.loginOptions != nil {
		opts = h.loginOptions(c)
	}
	if opts.ReturnTo == "" {
		opts.ReturnTo = c.QueryParam("return_to")
	}
	opts.Host, opts.Path = c.Request().Host, c.Request().URL.Path
	loc, ck, err := h.auth.Begin(c.Request().Context(), c.Param(ProviderParam), opts)
	if err != nil {
		return h.onError(c, err)
	}
	if ck.Name != "" {
		c.SetCookie(&ck)
	}
	return c.Redirect(http.StatusFound, loc)
}

// Callback completes a login from the provider's redirect (query) or
// form_post (body). It always clears the flow cookie, answers with
// Cache-Control: no-store and Referrer-Policy: no-referrer (the URL holds
// the code), then calls OnSuccess or ErrorHandler.
func (h *Handler) Callback(c *echo.Context) error {
	noStore(c)
	c.Response().Header().Set("Referrer-Policy", "no-referrer")
	p := c.Param(ProviderParam)
	params, err := callbackParams(c)
	if err != nil {
		return h.onError(c, &core.CallbackError{Status: http.StatusBadRequest, Provider: p, Err: err})
	}
	res, clear, err := h.auth.Complete(c.Request().Context(), p, params, requestCookie(c))
	if clear.Name != "" {
		c.SetCookie(&clear)
	}
	if err != nil {
		return h.onError(c, err)
	}
	return h.onSuccess(c, res)
}

// callbackParams returns the authorization response's parameters: the
// query of a GET, the form body of a POST, read up to maxCallbackBody.
func callbackParams(c *echo.Context) (url.Values, error) {
	r := c.Request()
	if r.Method != http.MethodPost {
		return c.QueryParams(), nil
	}
	r.Body = http.MaxBytesReader(c.Response(), r.Body, maxCallbackBody)
	if err := r.ParseForm(); err != nil {
		return nil, fmt.Errorf("%w: unreadable form body", core.ErrInvalidCallback)
	}
	return r.PostForm, nil
}

// StartSession is the default OnSuccess: it starts the session of res
// (core.Auth.SessionCookie: sealed into the cookie, or into the Store with
// server-side sessions), sets the session cookie and redirects (303) to
// res.ReturnTo. If the session cannot be started it calls ErrorHandler (a
// 500, or a 503 when the Store is unavailable).
func (h *Handler) StartSession(c *echo.Context, res *core.Result) error {
	ck, err := h.auth.SessionCookie(c.Request().Context(), res)
	if err != nil {
		return h.onError(c, err)
	}
	c.SetCookie(&ck)
	return c.Redirect(http.StatusSeeOther, res.ReturnTo)
}

// Logout ends the session (see core.Auth.Logout) and redirects (303) to
// the provider's end-session URL or to the Auth's after-logout path. It
// takes a POST only, and not one the browser marks cross-site
// (Sec-Fetch-Site), so that no link or form of another site can log the
// user out and send them to the provider.
func (h *Handler) Logout(c *echo.Context) error {
	noStore(c)
	if c.Request().Method != http.MethodPost {
		c.Response().Header().Set("Allow", http.MethodPost)
		return c.String(http.StatusMethodNotAllowed, "logout takes a POST")
	}
	if c.Request().Header.Get("Sec-Fetch-Site") == "cross-site" {
		return c.String(http.StatusForbidden, "cross-site logout refused")
	}
	to, clear := h.auth.Logout(c.Request().Context(), requestCookie(c))
	c.SetCookie(&clear)
	return c.Redirect(http.StatusSeeOther, to)
}

// Session returns the session of the request's cookie, if it has a valid
// one (core.Auth.Session). Unlike UserFrom it does not need RequireLogin.
// The error, a 503 *core.CallbackError, says that a server-side session
// could not be read because the Store is unavailable.
func (h *Handler) Session(c *echo.Context) (*core.Session, bool, error) {
	return h.auth.Session(c.Request().Context(), requestCookie(c))
}

// userKey is the key of the session in the echo.Context's store.
const userKey = "oauth20echo.session"

// UserFrom returns the session that RequireLogin stored in c.
func UserFrom(c *echo.Context) (*core.Session, bool) {
	s, ok := c.Get(userKey).(*core.Session)
	return s, ok && s != nil
}

// RequireLogin is an Echo middleware: with a valid session it stores the
// session in c (UserFrom) and in the request's context
// (core.UserFrom(c.Request().Context())) and calls next; otherwise it
// redirects (303) a GET or HEAD to the Auth's login URL with return_to, or
// answers with ErrorHandler and a 401 wrapping core.ErrLoginRequired.
func (h *Handler) RequireLogin(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c *echo.Context) error {
		r := c.Request()
		s, to, err := h.auth.RequireLogin(r.Context(), r.Method, r.URL.RequestURI(), requestCookie(c), func(ck http.Cookie) { c.SetCookie(&ck) })
		if s != nil {
			c.Set(userKey, s)
			c.SetRequest(r.WithContext(core.ContextWithUser(r.Context(), s)))
			// A page for one user: no shared cache may keep it.
			c.Response().Header().Set("Cache-Control", "private, no-store")
			c.Response().Header().Add("Vary", "Cookie")
			return next(c)
		}
		noStore(c)
		if to != "" {
			return c.Redirect(http.StatusSeeOther, to)
		}
		return h.onError(c, err)
	}
}

// WriteProblem is the default ErrorHandler: core.ProblemOf(err) with its
// status, as a small HTML page for a browser (Accept: text/html) and
// application/problem+json for any other client (core.Problem.Render).
func WriteProblem(c *echo.Context, err error) error {
	p := core.ProblemOf(err)
	hd, body := p.Render(c.Request().Header.Get("Accept"))
	for k, v := range hd {
		c.Response().Header()[k] = v
	}
	return c.Blob(p.Status, hd.Get("Content-Type"), body)
}

// requestCookie looks cookies up in the request.
func requestCookie(c *echo.Context) func(string) (string, bool) {
	return func(name string) (string, bool) {
		ck, err := c.Cookie(name)
		if err != nil {
			return "", false
		}
		return ck.Value, true
	}
}

func noStore(c *echo.Context) { c.Response().Header().Set(echo.HeaderCacheControl, "no-store") }
