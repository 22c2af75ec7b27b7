package oauth20fiber

import (
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/go-oauth20/oauth20/adapters/oauth20http"
	"github.com/go-oauth20/oauth20/core"
	"github.com/gofiber/fiber/v3"
)

// maxCallbackBody caps the form body of a form_post callback.
const maxCallbackBody = 64 << 10

// ProviderParam is the route parameter that holds the provider's name.
const ProviderParam = "provider"

// Config configures a Handler. Only Auth is required.
type Config struct {
	// Auth runs the login flow. Required.
	Auth *core.Auth
	// OnSuccess is called after a successful callback. The default,
	// Handler.StartSession, seals a small session into a cookie and
	// redirects to Result.ReturnTo.
	OnSuccess func(c fiber.Ctx, res *core.Result) error
	// ErrorHandler answers a failed login; err is a *core.CallbackError
	// (core.StatusOf gives its status). The default is WriteProblem.
	ErrorHandler func(c fiber.Ctx, err error) error
	// Session, LoginURL, AfterLogout, PostLogoutRedirectURL and Logger:
	// see oauth20http.FlowConfig.
	Session               oauth20http.SessionConfig
	LoginURL              string
	AfterLogout           string
	PostLogoutRedirectURL string
	Logger                *slog.Logger
}

// Handler serves the login routes on Fiber. It is immutable and safe for
// concurrent use.
type Handler struct {
	flow      *oauth20http.Flow
	onSuccess func(fiber.Ctx, *core.Result) error
	onError   func(fiber.Ctx, error) error
}

// New checks cfg and returns a Handler. Every problem is reported, joined,
// each wrapping core.ErrInvalidConfig.
func New(cfg Config) (*Handler, error) {
	flow, err := oauth20http.NewFlow(oauth20http.FlowConfig{Auth: cfg.Auth, Session: cfg.Session, LoginURL: cfg.LoginURL,
		AfterLogout: cfg.AfterLogout, PostLogoutRedirectURL: cfg.PostLogoutRedirectURL, Logger: cfg.Logger})
	if err != nil {
		return nil, err
	}
	h := &Handler{flow: flow, onSuccess: cfg.OnSuccess, onError: cfg.ErrorHandler}
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

// Flow returns the framework-neutral flow the handler runs on.
func (h *Handler) Flow() *oauth20http.Flow { return h.flow }

// Register adds the login, callback and logout routes to r, typically
// app.Group("/auth") where the Auth's base URL points.
func (h *Handler) Register(r fiber.Router) {
	r.Get("/:"+ProviderParam+"/login", h.Login)
	r.Get("/:"+ProviderParam+"/callback", h.Callback)
	r.Post("/:"+ProviderParam+"/callback", h.Callback)
	r.Get("/:"+ProviderParam+"/logout", h.Logout)
	r.Post("/:"+ProviderParam+"/logout", h.Logout)
}

// provider returns the route's provider, copied out of Fiber's buffers.
func provider(c fiber.Ctx) string { return strings.Clone(c.Params(ProviderParam)) }

// Login starts a login with the route's provider and redirects the browser
// to it; return_to is where it goes after login, if it is a safe local path.
func (h *Handler) Login(c fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	loc, ck, err := h.flow.Login(c.Context(), provider(c), strings.Clone(c.Query("return_to")))
	if err != nil {
		return h.onError(c, err)
	}
	setCookie(c, ck)
	return redirect(c, http.StatusFound, loc)
}

// Callback completes a login from the provider's redirect (query) or form
// post (body). It always clears the flow cookie, answers with
// Cache-Control: no-store and Referrer-Policy: no-referrer, then calls
// OnSuccess or ErrorHandler.
func (h *Handler) Callback(c fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set(fiber.HeaderReferrerPolicy, "no-referrer")
	p := provider(c)
	params, err := callbackParams(c)
	if err != nil {
		return h.onError(c, &core.CallbackError{Status: http.StatusBadRequest, Provider: p, Err: err})
	}
	res, clear, err := h.flow.Callback(c.Context(), p, params, requestCookie(c))
	if clear.Name != "" {
		setCookie(c, clear)
	}
	if err != nil {
		return h.onError(c, err)
	}
	return h.onSuccess(c, res)
}

// callbackParams returns the authorization response's parameters: the
// query of a GET, the urlencoded body of a POST.
func callbackParams(c fiber.Ctx) (url.Values, error) {
	if c.Method() != fiber.MethodPost {
		return url.ParseQuery(string(c.RequestCtx().QueryArgs().QueryString()))
	}
	body := c.Body()
	if len(body) > maxCallbackBody {
		return nil, core.ErrInvalidCallback
	}
	ct := strings.ToLower(string(c.RequestCtx().Request.Header.ContentType()))
	if !strings.HasPrefix(ct, fiber.MIMEApplicationForm) {
		return url.Values{}, nil
	}
	v, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, core.ErrInvalidCallback
	}
	return v, nil
}

// StartSession is the default OnSuccess: it seals the session of res into
// a cookie and redirects (303) to res.ReturnTo.
func (h *Handler) StartSession(c fiber.Ctx, res *core.Result) error {
	ck, to, err := h.flow.StartSession(res)
	if err != nil {
		return h.onError(c, &core.CallbackError{Status: http.StatusInternalServerError, Provider: res.Provider, Err: err})
	}
	setCookie(c, ck)
	return redirect(c, http.StatusSeeOther, to)
}

// Logout ends the session (see oauth20http.Flow.Logout) and redirects (303)
// to the provider's end-session URL or to AfterLogout.
func (h *Handler) Logout(c fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	to, clear := h.flow.Logout(c.Context(), provider(c), requestCookie(c))
	setCookie(c, clear)
	return redirect(c, http.StatusSeeOther, to)
}

// Session returns the session of the request's cookie, if it has a valid
// one. Unlike UserFrom it does not need RequireLogin.
func (h *Handler) Session(c fiber.Ctx) (*oauth20http.Session, bool) {
	return h.flow.Session(requestCookie(c))
}

func redirect(c fiber.Ctx, status int, to string) error {
	c.Set(fiber.HeaderLocation, to)
	return c.SendStatus(status)
}

// requestCookie looks cookies up through Fiber, copying the values out of
// its buffers.
func requestCookie(c fiber.Ctx) func(string) (string, bool) {
	return func(name string) (string, bool) {
		v := c.Req().Cookies(name)
		return strings.Clone(v), v != ""
	}
}

// expired is the Expires of a deleting cookie: Fiber writes no Max-Age for
// a negative MaxAge, so deletion goes through a date in the past.
var expired = time.Unix(0, 0).UTC()

// setCookie writes a core.Cookie with Fiber's API.
func setCookie(c fiber.Ctx, ck core.Cookie) {
	fc := &fiber.Cookie{Name: ck.Name, Value: ck.Value, Path: ck.Path, MaxAge: ck.MaxAge,
		Secure: ck.Secure, HTTPOnly: ck.HttpOnly, SameSite: sameSite(ck.SameSite)}
	if ck.MaxAge < 0 {
		fc.MaxAge, fc.Value, fc.Expires = 0, "", expired
	}
	c.Cookie(fc)
}

func sameSite(s core.SameSite) string {
	switch s {
	case core.SameSiteNone:
		return fiber.CookieSameSiteNoneMode
	case core.SameSiteStrict:
		return fiber.CookieSameSiteStrictMode
	default:
		return fiber.CookieSameSiteLaxMode
	}
}
