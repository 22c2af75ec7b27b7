package oauth20http_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/go-oauth20/oauth20/adapters/oauth20http"
	"github.com/go-oauth20/oauth20/conformance/adaptertest"
	"github.com/go-oauth20/oauth20/core"
)

// routes mounts the handler as the shared table expects.
func routes(t *testing.T, env adaptertest.Env) http.Handler {
	var h *oauth20http.Handler
	h, err := oauth20http.New(oauth20http.Config{Auth: env.Auth, LoginOptions: env.HTTPLoginOptions,
		OnSuccess: env.HTTPOnSuccess(func(w http.ResponseWriter, r *http.Request, res *core.Result) { h.StartSession(w, r, res) })})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	h.Mount(mux, adaptertest.Prefix)
	h.Mount(mux, adaptertest.OtherPrefix)
	mux.Handle("GET "+adaptertest.MePath, h.RequireLogin(http.HandlerFunc(writeMe)))
	return mux
}

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
	adaptertest.Run(t, adaptertest.Handler(routes))
}
