// Package oauth20chi mounts the oauth20 login flow on a chi.Router. It is
// a thin layer over package oauth20http (chi is net/http): the handlers,
// the RequireLogin middleware and the error answers are oauth20http's, and
// only the routing is chi's (the provider comes from chi's URL parameter
// named after the handler's ProviderParam, {provider} by default).
//
// # Quickstart
//
//	auth := core.New().SealingKeys(key).BaseURL("https://app.example/auth").
//		Provider(providers.GitHub(id, secret)).MustBuild()
//	h := oauth20http.MustNew(oauth20http.Config{Auth: auth})
//	r := chi.NewRouter()
//	r.Mount("/auth", oauth20chi.Routes(h))
//	r.With(h.RequireLogin).Get("/me", func(w http.ResponseWriter, r *http.Request) {
//		s, _ := core.UserFrom(r.Context())
//		fmt.Fprintf(w, "Hello %s (%s user %s)\n", s.Name, s.Provider, s.UserID)
//	})
//
// # Routes
//
//	GET       /{provider}/login?return_to=/path
//	GET, POST /{provider}/callback
//	POST      /{provider}/logout
//
// relative to where they are mounted, which must be the path of the Auth's
// base URL.
package oauth20chi
