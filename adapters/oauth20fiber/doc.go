// Package oauth20fiber binds the oauth20 login flow to Fiber v3: handlers
// for login, callback and logout on a fiber.Router, a RequireLogin
// middleware, and problem answers, with cookies written through Fiber's
// API.
//
// The flow itself is oauth20http.Flow, the framework-neutral core shared
// with the net/http and chi adapters, so the three behave identically (the
// same table of HTTP-level cases runs against all of them). The session
// type is oauth20http.Session and the error documents are
// oauth20http.Problem; package oauth20http depends on nothing but the
// standard library and the oauth20 core.
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
//		return c.SendString("hello " + s.Name)
//	})
//
// # Routes
//
//	GET       /:provider/login?return_to=/path
//	GET, POST /:provider/callback
//	GET, POST /:provider/logout
//
// relative to the router they are registered on, whose prefix must be the
// path of the Auth's base URL.
package oauth20fiber
