// Package oauth20gin binds the oauth20 login flow to Gin: handlers for
// login, callback and logout on a route group, a RequireLogin middleware,
// and problem answers, with cookies written through Gin's API.
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
//	h := oauth20gin.MustNew(oauth20gin.Config{Auth: auth})
//	r := gin.New()
//	h.Register(r.Group("/auth"))
//	r.GET("/me", h.RequireLogin, func(c *gin.Context) {
//		s, _ := oauth20gin.UserFrom(c)
//		c.String(http.StatusOK, "Hello %s (%s user %s)\n", s.Name, s.Provider, s.UserID)
//	})
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
// application/problem+json with the error's status. Callback answers carry
// Cache-Control: no-store and Referrer-Policy: no-referrer; a form_post
// body is read up to 64 KiB.
//
// # Protected routes
//
// RequireLogin is a gin.HandlerFunc. With a valid session cookie it puts
// the core.Session in the gin.Context (UserFrom) and in the request's
// context (core.UserFrom(c.Request.Context())) and calls c.Next;
// otherwise it aborts the chain with a redirect of a GET or HEAD to the
// Auth's login URL (core.Builder.LoginURL) with return_to, or with
// ErrorHandler and a 401 wrapping core.ErrLoginRequired.
package oauth20gin
