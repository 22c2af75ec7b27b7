package oauth20chi_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/go-chi/chi/v5"
	"github.com/go-oauth20/oauth20/adapters/oauth20chi"
	"github.com/go-oauth20/oauth20/adapters/oauth20http"
	"github.com/go-oauth20/oauth20/conformance/adaptertest"
	"github.com/go-oauth20/oauth20/core"
)

func writeMe(w http.ResponseWriter, r *http.Request) {
	s, ok := core.UserFrom(r.Context())
	if !ok {
		http.Error(w, "no user in the context", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(adaptertest.MeOf(s))
}

func TestSharedTable(t *testing.T) {
	t.Parallel()
	adaptertest.Run(t, adaptertest.Handler(func(t *testing.T, env adaptertest.Env) http.Handler {
		var h *oauth20http.Handler
		h, err := oauth20http.New(oauth20http.Config{Auth: env.Auth, LoginOptions: env.HTTPLoginOptions,
			OnSuccess: env.HTTPOnSuccess(func(w http.ResponseWriter, r *http.Request, res *core.Result) { h.StartSession(w, r, res) })})
		if err != nil {
			t.Fatal(err)
		}
		r := chi.NewRouter()
		r.Mount(adaptertest.Prefix, oauth20chi.Routes(h))
		r.Mount(adaptertest.OtherPrefix, oauth20chi.Routes(h))
		r.With(h.RequireLogin).Get(adaptertest.MePath, writeMe)
		return r
	}))
}

// Register works inside r.Route as well as through Routes, and takes the
// URL parameter's name from the handler's configuration.
func TestRegisterInsideRoute(t *testing.T) {
	t.Parallel()
	adaptertest.Run(t, adaptertest.Handler(func(t *testing.T, env adaptertest.Env) http.Handler {
		var h *oauth20http.Handler
		h = oauth20http.MustNew(oauth20http.Config{Auth: env.Auth, ProviderParam: "idp", LoginOptions: env.HTTPLoginOptions,
			OnSuccess: env.HTTPOnSuccess(func(w http.ResponseWriter, r *http.Request, res *core.Result) { h.StartSession(w, r, res) })})
		r := chi.NewRouter()
		r.Route(adaptertest.Prefix, func(r chi.Router) { oauth20chi.Register(r, h) })
		r.Route(adaptertest.OtherPrefix, func(r chi.Router) { oauth20chi.Register(r, h) })
		r.With(h.RequireLogin).Get(adaptertest.MePath, writeMe)
		return r
	}))
}
