// Package oauth20fiber binds the oauth20 login flow to Fiber v3: handlers
// for login, callback and logout on a fiber.Router, a RequireLogin
// middleware, and problem answers, with cookies written through Fiber's
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
//	h := oauth20fiber.MustNew(oauth20fiber.Config{Auth: auth})
//	app := fiber.New()
//	h.Register(app.Group("/auth"))
//	app.Get("/me", h.RequireLogin, func(c fiber.Ctx) error {
//		s, _ := oauth20fiber.UserFrom(c)
//		return c.SendString(fmt.Sprintf("Hello %s (%s user %s)\n", s.Name, s.Provider, s.UserID))
//	})
//
// # Routes
//
//	GET       /:provider/login?return_to=/path
//	GET, POST /:provider/callback
//	POST      /:provider/logout
//
// relative to the router they are registered on, whose prefix must be the
// path of the Auth's base URL.
package oauth20fiber
