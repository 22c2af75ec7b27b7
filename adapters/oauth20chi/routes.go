package oauth20chi

import (
	"net/http"

	"github.com/go-chi/chi/v5"
	"github.com/go-oauth20/oauth20/adapters/oauth20http"
)

// ProviderParam is the chi URL parameter that holds the provider's name.
const ProviderParam = "provider"

// Routes returns a router with the login, callback and logout routes of h,
// to mount where the Auth's base URL points:
//
//	r.Mount("/auth", oauth20chi.Routes(h))
func Routes(h *oauth20http.Handler) chi.Router {
	r := chi.NewRouter()
	Register(r, h)
	return r
}

// Register adds the login, callback and logout routes of h to r, for use
// inside r.Route("/auth", ...).
func Register(r chi.Router, h *oauth20http.Handler) {
	r.Get("/{"+ProviderParam+"}/login", withProvider(h.Login))
	r.Get("/{"+ProviderParam+"}/callback", withProvider(h.Callback))
	r.Post("/{"+ProviderParam+"}/callback", withProvider(h.Callback))
	r.Get("/{"+ProviderParam+"}/logout", withProvider(h.Logout))
	r.Post("/{"+ProviderParam+"}/logout", withProvider(h.Logout))
}

// withProvider copies chi's provider URL parameter into the request's path
// values, where oauth20http's handlers read it (with the default
// oauth20http.Config.ProviderParam).
func withProvider(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		r.SetPathValue(ProviderParam, chi.URLParam(r, ProviderParam))
		next(w, r)
	}
}
