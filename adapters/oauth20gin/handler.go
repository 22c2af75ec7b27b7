package oauth20gin

import (
	"fmt"
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"
	"github.com/go-oauth20/oauth20/core"
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
	OnSuccess func(c *gin.Context, res *core.Result)
	// ErrorHandler answers a failed login; err is a *core.CallbackError
	// with the status to answer with and its cause for errors.Is/As. The
	// default is WriteProblem.
	ErrorHandler func(c *gin.Context, err error)
	// LoginOptions, when set, gives the options of each login from its
	// request on the login route: the application's own state
	// (AppState, back in Result.AppState in OnSuccess), a token-only login
	// (TokenOnly), scopes, prompt or login hint. The handler fills in
	// ReturnTo from the return_to query parameter when LoginOptions leaves
	// it empty, and Host and Path from the request.
	LoginOptions func(c *gin.Context) core.BeginOptions
}

// Handler serves the login routes on Gin and protects other routes with
// RequireLogin. A Handler is immutable and safe for concurrent use.
type Handler struct {
	auth         *core.Auth
	onSuccess    func(*gin.Context, *core.Result)
	onError      func(*gin.Context, error)
	loginOptions func(*gin.Context) core.BeginOptions
}

// New checks cfg and returns a Handler. Problems wrap core.ErrInvalidConfig.
func New(cfg Config) (*Handler, error) {
	if cfg.Auth == nil {
		return nil, fmt.Errorf("%w: oauth20gin: Auth is required", core.ErrInvalidConfig)
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

// Register adds the login, callback and logout routes to r, usually a
// route group whose prefix is the path of the Auth's base URL:
//
//	h.Register(r.Group("/auth"))
//
// Middleware of the group runs before the handlers.
func (h *Handler) Register(r gin.IRoutes) {
	p := "/:" + ProviderParam
	r.GET(p+"/login", h.Login)
	r.GET(p+"/callback", h.Callback)
	r.POST(p+"/callback", h.Callback)
	r.POST(p+"/logout", h.Logout)
}

// Login starts a login with the route's provider and redirects (302) to
// it. The query parameter return_to is where the browser goes after login,
// if it is a safe local path.
func (h *Handler) Login(c *gin.Context) {
	c.Header("Cache-Control", "no-store")
	opts := core.BeginOptions{}
	if h.loginOptions != nil {
		opts = h.loginOptions(c)
	}
	if opts.ReturnTo == "" {
		opts.ReturnTo = c.Query("return_to")
	}
	opts.Host, opts.Path = c.Request.Host, c.Request.URL.Path
	loc, ck, err := h.auth.Begin(c.Request.Context(), c.Param(ProviderParam), opts)
	if err != nil {
		h.onError(c, err)
		return
	}
	if ck.Name != "" {
		c.SetCookieData(&ck)
	}
	redirect(c, http.StatusFound, loc)
}

// Callback completes a login from the provider's redirect (query) or
// form_post (body). It always clears the flow cookie, answers with
// Cache-Control: no-store and Referrer-Policy: no-referrer (the URL holds
// the code), then calls OnSuccess or ErrorHandler.
func (h *Handler) Callback(c *gin.Context) {
	c.Header("Cache-Control", "no-store")
	c.Header("Referrer-Policy", "no-referrer")
	p := c.Param(ProviderParam)
	params, err := callbackParams(c)
	if err != nil {
		h.onError(c, &core.CallbackError{Status: http.StatusBadRequest, Provider: p, Err: err})
		return
	}
	res, clear, err := h.auth.Complete(c.Request.Context(), p, params, requestCookie(c.Request))
	if clear.Name != "" {
		c.SetCookieData(&clear)
	}
	if err != nil {
		h.onError(c, err)
		return
	}
	h.onSuccess(c, res)
}

// callbackParams returns the authorization response's parameters: the
// query of a GET, the form body of a POST, read up to maxCallbackBody.
func callbackParams(c *gin.Context) (url.Values, error) {
	r := c.Request
	if r.Method != http.MethodPost {
		return r.URL.Query(), nil
	}
	r.Body = http.MaxBytesReader(c.Writer, r.Body, maxCallbackBody)
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
func (h *Handler) StartSession(c *gin.Context, res *core.Result) {
	ck, err := h.auth.SessionCookie(c.Request.Context(), res)
	if err != nil {
		h.onError(c, err)
		return
	}
	c.SetCookieData(&ck)
	redirect(c, http.StatusSeeOther, res.ReturnTo)
}

// Logout ends the session (see core.Auth.Logout) and redirects (303) to
// the provider's end-session URL or to the Auth's after-logout path. It
// takes a POST only, and not one the browser marks cross-site
// (Sec-Fetch-Site), so that no link or form of another site can log the
// user out and send them to the provider.
func (h *Handler) Logout(c *gin.Context) {
	c.Header("Cache-Control", "no-store")
	if c.Request.Method != http.MethodPost {
		c.Header("Allow", http.MethodPost)
		c.String(http.StatusMethodNotAllowed, "logout takes a POST")
		return
	}
	if c.GetHeader("Sec-Fetch-Site") == "cross-site" {
		c.String(http.StatusForbidden, "cross-site logout refused")
		return
	}
	to, clear := h.auth.Logout(c.Request.Context(), requestCookie(c.Request))
	c.SetCookieData(&clear)
	redirect(c, http.StatusSeeOther, to)
}

// Session returns the session of the request's cookie, if it has a valid
// one (core.Auth.Session). Unlike UserFrom it does not need RequireLogin.
// The error, a 503 *core.CallbackError, says that a server-side session
// could not be read because the Store is unavailable.
func (h *Handler) Session(c *gin.Context) (*core.Session, bool, error) {
	return h.auth.Session(c.Request.Context(), requestCookie(c.Request))
}

// userKey is the key of the session in the gin.Context.
type userKey struct{}

// UserFrom returns the session that RequireLogin stored in c.
func UserFrom(c *gin.Context) (*core.Session, bool) {
	v, _ := c.Get(userKey{})
	s, ok := v.(*core.Session)
	return s, ok && s != nil
}

// RequireLogin is a Gin middleware: with a valid session it stores the
// session in c (UserFrom) and in the request's context
// (core.UserFrom(c.Request.Context())) and calls the next handler;
// otherwise it aborts the chain, redirecting (303) a GET or HEAD to the
// Auth's login URL with return_to, or answering with ErrorHandler and a 401
// wrapping core.ErrLoginRequired (a 503 wrapping core.ErrStoreUnavailable
// when a server-side session cannot be read).
func (h *Handler) RequireLogin(c *gin.Context) {
	s, to, err := h.auth.RequireLogin(c.Request.Context(), c.Request.Method, c.Request.URL.RequestURI(), requestCookie(c.Request),
		func(ck http.Cookie) { c.SetCookieData(&ck) })
	if s != nil {
		c.Set(userKey{}, s)
		c.Request = c.Request.WithContext(core.ContextWithUser(c.Request.Context(), s))
		// A page for one user: no shared cache may keep it.
		c.Header("Cache-Control", "private, no-store")
		c.Writer.Header().Add("Vary", "Cookie")
		c.Next()
		return
	}
	c.Abort()
	c.Header("Cache-Control", "no-store")
	if to != "" {
		redirect(c, http.StatusSeeOther, to)
		return
	}
	h.onError(c, err)
}

// WriteProblem is the default ErrorHandler: core.ProblemOf(err) with its
// status, as a small HTML page for a browser (Accept: text/html) and
// application/problem+json for any other client (core.Problem.Render).
func WriteProblem(c *gin.Context, err error) {
	p := core.ProblemOf(err)
	accept := ""
	if c.Request != nil {
		accept = c.GetHeader("Accept")
	}
	hd, body := p.Render(accept)
	for k, v := range hd {
		c.Writer.Header()[k] = v
	}
	c.Data(p.Status, hd.Get("Content-Type"), body)
}

// redirect answers with status and the Location to. It does not use
// c.Redirect, whose http.Redirect cleans a local path, so that the browser
// goes exactly where core.Auth said.
func redirect(c *gin.Context, status int, to string) {
	c.Header("Location", to)
	c.Status(status)
}

// requestCookie looks cookies up in r. It does not use c.Cookie, which
// query-unescapes the value that SetCookieData wrote as it is.
func requestCookie(r *http.Request) func(string) (string, bool) {
	return func(name string) (string, bool) {
		ck, err := r.Cookie(name)
		if err != nil {
			return "", false
		}
		return ck.Value, true
	}
}
