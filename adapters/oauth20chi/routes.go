package oauth20chi

import (
	"net/http"

	"github.com/go-chi/chi/v5"
	"github.com/go-oauth20/oauth20/adapters/oauth20http"
)

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
// inside r.Route("/auth", ...). The chi URL parameter that holds the
// provider is named after h's ProviderParam.
func Register(r chi.Router, h *oauth20http.Handler) {
	param := h.ProviderParam()
	p := "/{" + param + "}"
	r.Get(p+"/login", withProvider(param, h.Login))
	r.Get(p+"/callback", withProvider(param, h.Callback))
	r.Post(p+"/callback", withProvider(param, h.Callback))
	r.Post(p+"/logout", withProvider(param, h.Logout))
}

// withProvider copies chi's provider URL parameter into the request's path
// values, where oauth20http's handlers read it.
func withProvider(param string, next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		r.SetPathValue(param, chi.URLParam(r, param))
		next(w, r)
	}
}
