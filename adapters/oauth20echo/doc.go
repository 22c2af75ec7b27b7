// Package oauth20echo binds the oauth20 login flow to Echo v5: handlers
// for login, callback and logout on an echo.Group, a RequireLogin
// middleware, and problem answers, with cookies written through Echo's
// API.
//
// The flow itself is core.Auth, the framework-neutral login flow every
// adapter calls, so all adapters behave identically (the same table of
// HTTP-level cases, conformance/adaptertest, runs against each). The
// session type is core.Session and the error documents are core.Problem;
// this package imports no other adapter.
//
// # Quickstart
//
//	auth := core.New().SealingKeys(key).BaseURL("https://app.example/auth").
//		Provider(providers.GitHub(id, secret)).MustBuild()
//	h := oauth20echo.MustNew(oauth20echo.Config{Auth: auth})
//	e := echo.New()
//	h.Register(e.Group("/auth"))
//	e.GET("/me", func(c *echo.Context) error {
//		s, _ := oauth20echo.UserFrom(c)
//		return c.String(http.StatusOK, fmt.Sprintf("Hello %s (%s user %s)\n", s.Name, s.Provider, s.UserID))
//	}, h.RequireLogin)
//
// # Routes
//
//	GET       /:provider/login?return_to=/path
//	GET, POST /:provider/callback
//	POST      /:provider/logout
//
// relative to the group they are registered on, whose prefix must be the
// path of the Auth's base URL. The group's middleware runs before them.
//
// # Success and errors
//
// After a successful callback, Config.OnSuccess runs; the default,
// Handler.StartSession, seals the session into a cookie and redirects to
// the safe return-to path. A failed login goes to Config.ErrorHandler with
// a *core.CallbackError; the default, WriteProblem, answers
// application/problem+json with the error's status. An error that
// ErrorHandler returns goes on to Echo's HTTPErrorHandler, like any
// handler's. Callback answers carry Cache-Control: no-store and
// Referrer-Policy: no-referrer; a form_post body is read up to 64 KiB.
//
// # Protected routes
//
// RequireLogin is an echo.MiddlewareFunc. With a valid session cookie it
// puts the core.Session in the echo.Context (UserFrom) and in the
// request's context (core.UserFrom(c.Request().Context())) and calls the
// next handler; otherwise it redirects a GET or HEAD to the Auth's login
// URL (core.Builder.LoginURL) with return_to, or answers with ErrorHandler
// and a 401 wrapping core.ErrLoginRequired.
//
// # Echo version
//
// This package is built on Echo v5 (github.com/labstack/echo/v5), Echo's
// current major version, where a handler takes a *echo.Context.
package oauth20echo
