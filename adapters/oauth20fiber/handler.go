package oauth20fiber

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/go-oauth20/oauth20/core"
	"github.com/gofiber/fiber/v3"
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
	OnSuccess func(c fiber.Ctx, res *core.Result) error
	// ErrorHandler answers a failed login; err is a *core.CallbackError
	// with the status to answer with. The default is WriteProblem.
	ErrorHandler func(c fiber.Ctx, err error) error
	// LoginOptions, when set, gives the options of each login from its
	// request on the login route: the application's own state
	// (AppState, back in Result.AppState in OnSuccess), a token-only login
	// (TokenOnly), scopes, prompt or login hint. The handler fills in
	// ReturnTo from the return_to query parameter when LoginOptions leaves
	// it empty, and Host and Path from the request.
	LoginOptions func(c fiber.Ctx) core.BeginOptions
}

// Handler serves the login routes on Fiber and protects other routes with
// RequireLogin. A Handler is immutable and safe for concurrent use.
type Handler struct {
	auth         *core.Auth
	onSuccess    func(fiber.Ctx, *core.Result) error
	onError      func(fiber.Ctx, error) error
	loginOptions func(fiber.Ctx) core.BeginOptions
}

// New checks cfg and returns a Handler. Problems wrap core.ErrInvalidConfig.
func New(cfg Config) (*Handler, error) {
	if cfg.Auth == nil {
		return nil, fmt.Errorf("%w: oauth20fiber: Auth is required", core.ErrInvalidConfig)
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

// Register adds the login, callback and logout routes to r, whose prefix
// must be the path of the Auth's base URL:
//
//	h.Register(app.Group("/auth"))
func (h *Handler) Register(r fiber.Router) {
	r.Get("/:"+ProviderParam+"/login", h.Login)
	r.Get("/:"+ProviderParam+"/callback", h.Callback)
	r.Post("/:"+ProviderParam+"/callback", h.Callback)
	r.Post("/:"+ProviderParam+"/logout", h.Logout)
}

// provider returns the route's provider, copied out of Fiber's buffers.
func provider(c fiber.Ctx) string { return strings.Clone(c.Params(ProviderParam)) }

// Login starts a login with the route's provider and redirects to it.
func (h *Handler) Login(c fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	opts := core.BeginOptions{}
	if h.loginOptions != nil {
		opts = h.loginOptions(c)
	}
	if opts.ReturnTo == "" {
		opts.ReturnTo = strings.Clone(c.Query("return_to"))
	}
	opts.Host, opts.Path = strings.Clone(c.Host()), strings.Clone(c.Path())
	loc, ck, err := h.auth.Begin(c.Context(), provider(c), opts)
	if err != nil {
		return h.onError(c, err)
	}
	if ck.Name != "" {
		setCookie(c, ck)
	}
	return redirect(c, http.StatusFound, loc)
}

// Callback completes a login from the provider's redirect (query) or
// form_post (body). It always clears the flow cookie.
func (h *Handler) Callback(c fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set(fiber.HeaderReferrerPolicy, "no-referrer")
	p := provider(c)
	params, err := callbackParams(c)
	if err != nil {
		return h.onError(c, &core.CallbackError{Status: http.StatusBadRequest, Provider: p, Err: err})
	}
	res, clear, err := h.auth.Complete(c.Context(), p, params, requestCookie(c))
	if clear.Name != "" {
		setCookie(c, clear)
	}
	if err != nil {
		return h.onError(c, err)
	}
	return h.onSuccess(c, res)
}

// callbackParams returns the authorization response's parameters, copied
// out of Fiber's buffers.
func callbackParams(c fiber.Ctx) (url.Values, error) {
	if c.Method() != fiber.MethodPost {
		return url.ParseQuery(string(c.RequestCtx().QueryArgs().QueryString()))
	}
	body := c.Body()
	if len(body) > maxCallbackBody {
		return nil, fmt.Errorf("%w: form body too large", core.ErrInvalidCallback)
	}
	ct := strings.ToLower(string(c.RequestCtx().Request.Header.ContentType()))
	if !strings.HasPrefix(ct, fiber.MIMEApplicationForm) {
		return url.Values{}, nil
	}
	v, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, fmt.Errorf("%w: unreadable form body", core.ErrInvalidCallback)
	}
	return v, nil
}

// StartSession is the default OnSuccess: it starts the session of res
// (core.Auth.SessionCookie: sealed into the cookie, or into the Store with
// server-side sessions), sets the session cookie and redirects (303) to
// res.ReturnTo. If the session cannot be started it calls ErrorHandler.
func (h *Handler) StartSession(c fiber.Ctx, res *core.Result) error {
	ck, err := h.auth.SessionCookie(c.Context(), res)
	if err != nil {
		return h.onError(c, err)
	}
	setCookie(c, ck)
	return redirect(c, http.StatusSeeOther, res.ReturnTo)
}

// Logout ends the session (see core.Auth.Logout) and redirects (303) to
// the provider's end-session URL or to the Auth's after-logout path. It
// takes a POST only, and not one the browser marks cross-site
// (Sec-Fetch-Site), so that no link or form of another site can log the
// user out and send them to the provider.
func (h *Handler) Logout(c fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	if c.Method() != fiber.MethodPost {
		c.Set(fiber.HeaderAllow, fiber.MethodPost)
		return c.Status(http.StatusMethodNotAllowed).SendString("logout takes a POST")
	}
	if c.Get("Sec-Fetch-Site") == "cross-site" {
		return c.Status(http.StatusForbidden).SendString("cross-site logout refused")
	}
	to, clear := h.auth.Logout(c.Context(), requestCookie(c))
	setCookie(c, clear)
	return redirect(c, http.StatusSeeOther, to)
}

// Session returns the session of the request's cookie, if it has a valid
// one (core.Auth.Session). Unlike UserFrom it does not need RequireLogin.
// The error, a 503 *core.CallbackError, says that a server-side session
// could not be read because the Store is unavailable.
func (h *Handler) Session(c fiber.Ctx) (*core.Session, bool, error) {
	return h.auth.Session(c.Context(), requestCookie(c))
}

type userKey struct{}

// UserFrom returns the session that RequireLogin stored in c's locals.
func UserFrom(c fiber.Ctx) (*core.Session, bool) {
	s, ok := c.Locals(userKey{}).(*core.Session)
	return s, ok && s != nil
}

// RequireLogin is a Fiber middleware: with a valid session it stores the
// session in the locals (UserFrom) and in the request context
// (core.UserFrom(c.Context())) and calls the next handler; otherwise it
// redirects (303) to the Auth's login URL with return_to, or answers with
// ErrorHandler and a 401 wrapping core.ErrLoginRequired, or a 503 wrapping
// core.ErrStoreUnavailable when a server-side session cannot be read.
func (h *Handler) RequireLogin(c fiber.Ctx) error {
	s, to, err := h.auth.RequireLogin(c.Context(), c.Method(), string(c.Request().RequestURI()), requestCookie(c),
		func(ck http.Cookie) { setCookie(c, ck) })
	if s != nil {
		c.Locals(userKey{}, s)
		c.SetContext(core.ContextWithUser(c.Context(), s))
		// A page for one user: no shared cache may keep it.
		c.Set(fiber.HeaderCacheControl, "private, no-store")
		c.Append(fiber.HeaderVary, "Cookie")
		return c.Next()
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	if to != "" {
		return redirect(c, http.StatusSeeOther, to)
	}
	return h.onError(c, err)
}

// WriteProblem is the default ErrorHandler: core.ProblemOf(err) with its
// status, as a small HTML page for a browser (Accept: text/html) and
// application/problem+json for any other client (core.Problem.Render).
func WriteProblem(c fiber.Ctx, err error) error {
	p := core.ProblemOf(err)
	hd, body := p.Render(c.Get(fiber.HeaderAccept))
	for k, v := range hd {
		c.Set(k, v[0])
	}
	return c.Status(p.Status).Send(body)
}

func redirect(c fiber.Ctx, status int, to string) error {
	c.Set(fiber.HeaderLocation, to)
	return c.SendStatus(status)
}

// requestCookie looks cookies up in the request, copying their values out
// of Fiber's buffers.
func requestCookie(c fiber.Ctx) func(string) (string, bool) {
	return func(name string) (string, bool) {
		v := c.Req().Cookies(name)
		return strings.Clone(v), v != ""
	}
}

// expired is the Expires of a deleting cookie.
var expired = time.Unix(0, 0).UTC()

// setCookie writes ck through Fiber's cookie API.
func setCookie(c fiber.Ctx, ck http.Cookie) {
	fc := &fiber.Cookie{Name: ck.Name, Value: ck.Value, Path: ck.Path, MaxAge: ck.MaxAge,
		Secure: ck.Secure, HTTPOnly: ck.HttpOnly, SameSite: sameSite(ck.SameSite)}
	if ck.MaxAge < 0 {
		fc.MaxAge, fc.Value, fc.Expires = 0, "", expired
	}
	c.Cookie(fc)
}

func sameSite(s http.SameSite) string {
	switch s {
	case http.SameSiteNoneMode:
		return fiber.CookieSameSiteNoneMode
	case http.SameSiteStrictMode:
		return fiber.CookieSameSiteStrictMode
	default:
		return fiber.CookieSameSiteLaxMode
	}
}
