// Package oauth20http binds the oauth20 login flow to net/http: handlers
// for /{provider}/login, /{provider}/callback and /{provider}/logout, a
// stateless session sealed in a cookie, a RequireLogin middleware that
// protects routes, and RFC 9457 problem answers for failed logins.
//
// # Quickstart
//
//	auth := core.New().SealingKeys(key).BaseURL("https://app.example/auth").
//		Provider(providers.GitHub(id, secret)).MustBuild()
//	h := oauth20http.MustNew(oauth20http.Config{Auth: auth})
//	mux := http.NewServeMux()
//	h.Mount(mux, "/auth")
//	mux.Handle("GET /me", h.RequireLogin(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
//		s, _ := oauth20http.UserFrom(r.Context())
//		fmt.Fprintf(w, "hello %s", s.Name)
//	})))
//
// # Routes
//
// Mount registers, with Go 1.22 ServeMux patterns:
//
//	GET       /auth/{provider}/login?return_to=/path   starts a login (core.Auth.Begin)
//	GET, POST /auth/{provider}/callback                 completes it (query, or form_post body)
//	GET, POST /auth/{provider}/logout                   ends the session
//
// The handlers are also exported (Login, Callback, Logout) for other
// routers; they read the provider from r.PathValue("provider").
//
// # Success and errors
//
// After a successful callback, OnSuccess runs; the default seals a Session
// (user id, name, email, provider, token expiry and scopes — no tokens
// unless SessionConfig.KeepTokens) and redirects to the safe return-to
// path. A failed callback goes to ErrorHandler with a *core.CallbackError;
// the default, WriteProblem, answers application/problem+json with the
// error's status (400 for a bad, expired, tampered or replayed callback,
// 401 when the user denied access, 404 for an unknown provider, 502 when
// the provider failed) and never a secret. Callback answers carry
// Cache-Control: no-store and Referrer-Policy: no-referrer.
//
// # Sessions and logout
//
// RequireLogin opens the session cookie and puts the Session in the
// request's context (UserFrom), or redirects to LoginURL, or answers 401.
// Logout deletes the session, revokes kept tokens (RFC 7009) and redirects
// to the provider's end-session URL (OpenID Connect RP-Initiated Logout)
// when it has one, else to AfterLogout.
//
// # Other frameworks
//
// Flow is the same logic in terms of plain data, with no net/http type in
// its API; package oauth20fiber is built on it, and so can an adapter for
// any other framework. Package adaptertest holds the table of HTTP-level
// cases that every adapter must pass.
package oauth20http
