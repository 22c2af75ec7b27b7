// Package oauth20http binds the oauth20 login flow (core.Auth) to
// net/http: handlers for /{provider}/login, /{provider}/callback and
// /{provider}/logout, a RequireLogin middleware that protects routes, and
// RFC 9457 problem answers for failed logins. The flow, the sealed session
// and the rules are core's; this package is only net/http's glue.
//
// # Quickstart
//
//	auth := core.New().SealingKeys(key).BaseURL("https://app.example/auth").
//		Provider(providers.GitHub(id, secret)).MustBuild()
//	h := oauth20http.MustNew(oauth20http.Config{Auth: auth})
//	mux := http.NewServeMux()
//	h.Mount(mux, "/auth")
//	mux.Handle("GET /me", h.RequireLogin(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
//		s, _ := core.UserFrom(r.Context())
//		fmt.Fprintf(w, "Hello %s (%s user %s)\n", s.Name, s.Provider, s.UserID)
//	})))
//
// # Routes
//
// Mount registers, with Go 1.22 ServeMux patterns:
//
//	GET       /auth/{provider}/login?return_to=/path   starts a login (core.Auth.Begin)
//	GET, POST /auth/{provider}/callback                 completes it (query, or form_post body)
//	POST      /auth/{provider}/logout                   ends the session
//
// The handlers are also exported (Login, Callback, Logout) for other
// routers; they read the provider from r.PathValue("provider").
//
// # Success and errors
//
// After a successful callback, OnSuccess runs; the default seals a
// core.Session (user id, name, email, provider, token expiry and scopes —
// no tokens unless the Auth keeps them) and redirects to the safe
// return-to path. A failed callback goes to ErrorHandler with a *core.CallbackError;
// the default, WriteProblem, answers application/problem+json with the
// error's status (400 for a bad, expired, tampered or replayed callback,
// 401 when the user denied access, 404 for an unknown provider, 502 when
// the provider failed) and never a secret. Callback answers carry
// Cache-Control: no-store and Referrer-Policy: no-referrer.
//
// # Sessions and logout
//
// RequireLogin reads the session (from its cookie, or from the Store with
// core.Builder.ServerSessions) and puts the core.Session in the request's
// context (core.UserFrom), or redirects to the Auth's login URL, or answers
// 401; when a server-side session cannot be read it answers 503. Logout
// deletes the session, revokes kept tokens (RFC 7009) and redirects to the
// provider's end-session URL (OpenID Connect RP-Initiated Logout) when it
// has one, else to the Auth's after-logout path. Where sessions live, their
// lifetime, kept tokens, the login page and the logout targets are settings
// of core.Builder.
//
// # Other frameworks
//
// core.Auth holds the whole flow in terms of plain data (http.Cookie,
// url.Values, cookie look-ups), so an adapter for another framework is a
// page of glue like this one. Package conformance/adaptertest holds the
// table of HTTP-level cases that every adapter must pass.
package oauth20http
