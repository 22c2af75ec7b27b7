// Package adaptertest is the shared table of HTTP-level login cases that
// every oauth20 adapter must pass with identical results. It drives a real
// login over loopback HTTP, with a cookie jar, against an in-process OpenID
// provider (package oidctest), so an adapter for any framework can be
// checked the same way.
//
// # Contract
//
// The adapter under test is started by a Serve function on a listener the
// table opens. It must serve, built from the Env it is given:
//
//   - the login routes under Prefix: GET {Prefix}/{provider}/login,
//     GET and POST {Prefix}/{provider}/callback, POST
//     {Prefix}/{provider}/logout, with the adapter's default success and
//     error handling;
//   - the same login routes under OtherPrefix (a mistake the adapter must
//     report at the first login, before the browser leaves for the
//     provider);
//   - GET MePath, protected by the adapter's login middleware, answering
//     200 with the session as a JSON Me.
//
// # Cases
//
// Success; user denied; missing, expired, tampered and replayed flow
// cookie; altered and missing state; callback at the wrong provider; an
// unknown provider; a provider answering 500; response_mode=form_post; two
// parallel flows in one browser; application state handed back to the
// success hook, and a token-only login without a user request (through
// the adapter's LoginOptions and OnSuccess, wired to Env's); logout, and
// logout by a link or from another site (refused); a login begun on
// another name of the host; a protected route without a session (401
// with WWW-Authenticate) and with one (private, not cached); and an
// unavailable store at the callback.
// Failures must be RFC 9457 problems (application/problem+json) with the
// expected status and type, and no secret, code or state in them; a
// browser (Accept: text/html) gets an HTML page in its terms with a link to
// try again and no internal detail. The table runs twice: with sessions in
// cookies, and with sessions kept on the server
// (core.Builder.ServerSessions), where it also checks central revocation
// and a protected route while the store is unavailable (503).
//
// # Use
//
//	func TestAdapter(t *testing.T) {
//		adaptertest.Run(t, adaptertest.Handler(func(t *testing.T, env adaptertest.Env) http.Handler {
//			return myAdapterRoutes(env)
//		}))
//	}
//
// # An adapter's own tests
//
// What the table cannot know of a framework (its route groups and their
// middleware, success and error handlers in its terms, its own look-up of
// the session) an adapter tests in a World: NewWorld starts a provider and
// an Auth whose login routes are under a prefix the test chooses, the test
// builds the app with its framework on World.Listener, and the World's
// browser drives it. The World's checks hold the expectations, so that the
// test keeps only its framework's glue:
//
//   - CheckLoginAndLogout: a session from login to logout, through the
//     login middleware;
//   - CheckRequireLogin: the login middleware without a session;
//   - CheckUserFrom: the framework's look-up of the session;
//   - CheckCustomHandlers: the adapter's success and error handlers;
//   - CheckCallbackBodyCap: an oversized form_post refused unparsed;
//   - CheckWrittenProblem, with ProblemError: the adapter's WriteProblem.
//
// For example, with a router whose groups take middleware:
//
//	w := adaptertest.NewWorld(t, "/app/auth")
//	h := myadapter.MustNew(myadapter.Config{Auth: w.Auth})
//	r := router.New()
//	app := r.Group("/app", setsXGroup)
//	h.Register(app.Group("/auth"))
//	app.GET("/me", h.RequireLogin, writeMe) // answers adaptertest.MeOf
//	w.Serve(t, r)
//	cb := w.CheckLoginAndLogout(t, "/app/me")
//	// cb.Header: what setsXGroup wrote on the callback's answer
package adaptertest
