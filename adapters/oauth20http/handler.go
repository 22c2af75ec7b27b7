package oauth20http

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/go-oauth20/oauth20/core"
)

// maxCallbackBody caps the form body of a form_post callback.
const maxCallbackBody = 64 << 10

// Config configures a Handler. Only Auth is required; session, login page
// and logout settings are the Auth's (core.Builder).
type Config struct {
	// Auth runs the login flow. Required.
	Auth *core.Auth
	// OnSuccess is called after a successful callback. The default,
	// Handler.StartSession, seals the session into a cookie and redirects
	// to Result.ReturnTo.
	OnSuccess func(w http.ResponseWriter, r *http.Request, res *core.Result)
	// ErrorHandler answers a failed login. err is a *core.CallbackError
	// with the status to answer with and its cause for errors.Is/As. The
	// default is WriteProblem.
	ErrorHandler func(w http.ResponseWriter, r *http.Request, err error)
	// LoginOptions, when set, gives the options of each login from its
	// request on the login route: the application's own state
	// (AppState, back in Result.AppState in OnSuccess), a token-only login
	// (TokenOnly), scopes, prompt or login hint. The handler fills in
	// ReturnTo from the return_to query parameter when LoginOptions leaves
	// it empty, and Host and Path from the request.
	LoginOptions func(r *http.Request) core.BeginOptions
	// ProviderParam is the name of the path wildcard that holds the
	// provider, as in "/auth/{provider}/login"; default "provider".
	ProviderParam string
}

// Handler serves the login routes over net/http:
//
//	GET       {prefix}/{provider}/login?return_to=/path
//	GET, POST {prefix}/{provider}/callback
//	POST      {prefix}/{provider}/logout
//
// and protects other routes with RequireLogin. A Handler is immutable and
// safe for concurrent use.
type Handler struct {
	auth         *core.Auth
	onSuccess    func(http.ResponseWriter, *http.Request, *core.Result)
	onError      func(http.ResponseWriter, *http.Request, error)
	param        string
	loginOptions func(*http.Request) core.BeginOptions
}

// New checks cfg and returns a Handler. Every problem is reported, joined,
// each wrapping core.ErrInvalidConfig.
func New(cfg Config) (*Handler, error) {
	var errs []error
	if cfg.Auth == nil {
		errs = append(errs, fmt.Errorf("%w: oauth20http: Auth is required", core.ErrInvalidConfig))
	}
	if cfg.ProviderParam == "" {
		cfg.ProviderParam = "provider"
	}
	if strings.ContainsAny(cfg.ProviderParam, "{}/ .") {
		errs = append(errs, fmt.Errorf("%w: oauth20http: ProviderParam %q is not a wildcard name", core.ErrInvalidConfig, cfg.ProviderParam))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	h := &Handler{auth: cfg.Auth, onSuccess: cfg.OnSuccess, onError: cfg.ErrorHandler, loginOptions: cfg.LoginOptions, param: cfg.ProviderParam}
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

// ProviderParam returns the name of the path value the handlers read the
// provider from.
func (h *Handler) ProviderParam() string { return h.param }

// Mount registers the login, callback and logout routes on mux under
// prefix, which must be the path of the Auth's base URL ("" or "/auth"),
// with Go 1.22 method and wildcard patterns.
func (h *Handler) Mount(mux *http.ServeMux, prefix string) {
	prefix = strings.TrimSuffix(prefix, "/")
	base := prefix + "/{" + h.param + "}"
	mux.HandleFunc("GET "+base+"/login", h.Login)
	mux.HandleFunc("GET "+base+"/callback", h.Callback)
	mux.HandleFunc("POST "+base+"/callback", h.Callback)
	mux.HandleFunc("POST "+base+"/logout", h.Logout)
}

// provider returns the provider named by the request's path.
func (h *Handler) provider(r *http.Request) string { return r.PathValue(h.param) }

// Login starts a login with the path's provider and redirects the browser
// to it. The query parameter return_to is where the browser goes after
// login, if it is a safe local path.
func (h *Handler) Login(w http.ResponseWriter, r *http.Request) {
	noStore(w)
	opts := core.BeginOptions{}
	if h.loginOptions != nil {
		opts = h.loginOptions(r)
	}
	if opts.ReturnTo == "" && r.URL.RawQuery != "" { // most logins have no query: spare parsing it
		opts.ReturnTo = r.URL.Query().Get("return_to")
	}
	opts.Host, opts.Path = r.Host, r.URL.Path
	loc, c, err := h.auth.Begin(r.Context(), h.provider(r), opts)
	if err != nil {
		h.onError(w, r, err)
		return
	}
	if c.Name != "" {
		http.SetCookie(w, &c)
	}
	w.Header().Set("Location", loc)
	w.WriteHeader(http.StatusFound)
}

// Callback completes a login from the provider's redirect: the query of a
// GET, or the form body of a POST (response_mode=form_post). It always
// clears the flow cookie, answers with Cache-Control: no-store and
// Referrer-Policy: no-referrer (the URL holds the code), then calls
// OnSuccess or ErrorHandler.
func (h *Handler) Callback(w http.ResponseWriter, r *http.Request) {
	noStore(w)
	w.Header().Set("Referrer-Policy", "no-referrer")
	provider := h.provider(r)
	params, err := callbackParams(w, r)
	if err != nil {
		h.onError(w, r, &core.CallbackError{Status: http.StatusBadRequest, Provider: provider, Err: err})
		return
	}
	res, clear, err := h.auth.Complete(r.Context(), provider, params, requestCookie(r))
	if clear.Name != "" {
		http.SetCookie(w, &clear)
	}
	if err != nil {
		h.onError(w, r, err)
		return
	}
	h.onSuccess(w, r, res)
}

// callbackParams returns the authorization response's parameters.
func callbackParams(w http.ResponseWriter, r *http.Request) (url.Values, error) {
	if r.Method != http.MethodPost {
		return r.URL.Query(), nil
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxCallbackBody)
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
func (h *Handler) StartSession(w http.ResponseWriter, r *http.Request, res *core.Result) {
	c, err := h.auth.SessionCookie(r.Context(), res)
	if err != nil {
		h.onError(w, r, err)
		return
	}
	http.SetCookie(w, &c)
	w.Header().Set("Location", res.ReturnTo)
	w.WriteHeader(http.StatusSeeOther)
}

// Logout ends the session (see core.Auth.Logout) and redirects (303) to
// the provider's end-session URL or to the Auth's after-logout path. It
// takes a POST only, and not one the browser marks cross-site
// (Sec-Fetch-Site), so that no link or form of another site can log the
// user out and send them to the provider.
func (h *Handler) Logout(w http.ResponseWriter, r *http.Request) {
	noStore(w)
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "logout takes a POST", http.StatusMethodNotAllowed)
		return
	}
	if r.Header.Get("Sec-Fetch-Site") == "cross-site" {
		http.Error(w, "cross-site logout refused", http.StatusForbidden)
		return
	}
	to, clear := h.auth.Logout(r.Context(), requestCookie(r))
	http.SetCookie(w, &clear)
	w.Header().Set("Location", to)
	w.WriteHeader(http.StatusSeeOther)
}

// Session returns the session of the request's cookie, if it has a valid
// one (core.Auth.Session). Unlike core.UserFrom it does not need
// RequireLogin. The error, a 503 *core.CallbackError, says that a
// server-side session could not be read because the Store is unavailable.
func (h *Handler) Session(r *http.Request) (*core.Session, bool, error) {
	return h.auth.Session(r.Context(), requestCookie(r))
}

// RequireLogin protects next: a request with a valid session goes on with
// the session in its context (core.UserFrom); any other request is
// redirected (303) to the Auth's login URL with return_to, or, without one
// or for a request that is not a GET or HEAD, answered by ErrorHandler with
// a 401 wrapping core.ErrLoginRequired. When a server-side session cannot
// be read (the Store is unavailable), ErrorHandler answers with a 503
// wrapping core.ErrStoreUnavailable.
func (h *Handler) RequireLogin(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s, to, err := h.auth.RequireLogin(r.Context(), r.Method, r.URL.RequestURI(), requestCookie(r), func(c http.Cookie) { http.SetCookie(w, &c) })
		if s != nil {
			// A page for one user: no shared cache may keep it.
			w.Header().Set("Cache-Control", "private, no-store")
			w.Header().Add("Vary", "Cookie")
			next.ServeHTTP(w, r.WithContext(core.ContextWithUser(r.Context(), s)))
			return
		}
		noStore(w)
		if to != "" {
			w.Header().Set("Location", to)
			w.WriteHeader(http.StatusSeeOther)
			return
		}
		h.onError(w, r, err)
	})
}

// WriteProblem is the default ErrorHandler: it answers with
// core.ProblemOf(err) and its status, as a small HTML page for a browser
// (Accept: text/html) and application/problem+json for any other client
// (core.Problem.Render).
func WriteProblem(w http.ResponseWriter, r *http.Request, err error) {
	p := core.ProblemOf(err)
	hd, body := p.Render(r.Header.Get("Accept"))
	for k, v := range hd {
		w.Header()[k] = v
	}
	w.WriteHeader(p.Status)
	_, _ = w.Write(body)
}

// requestCookie looks cookies up in r.
func requestCookie(r *http.Request) func(string) (string, bool) {
	return func(name string) (string, bool) {
		c, err := r.Cookie(name)
		if err != nil {
			return "", false
		}
		return c.Value, true
	}
}

func noStore(w http.ResponseWriter) { w.Header().Set("Cache-Control", "no-store") }
