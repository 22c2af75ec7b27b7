package oauth20chi_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/go-chi/chi/v5"
	"github.com/go-oauth20/oauth20/adapters/oauth20chi"
	"github.com/go-oauth20/oauth20/adapters/oauth20http"
	"github.com/go-oauth20/oauth20/conformance/adaptertest"
	"github.com/go-oauth20/oauth20/core"
)

// A complete login on chi against an in-process OpenID provider, with the
// routes of the README's quickstart.
func Example() {
	ex := adaptertest.StartExample()
	defer ex.Close()
	auth := core.New().SealingKeys([]byte("an example key of at least 32 bytes")).BaseURL(ex.App+"/auth").
		Provider(ex.Provider, nil).MustBuild()
	defer auth.Close()

	h := oauth20http.MustNew(oauth20http.Config{Auth: auth})
	r := chi.NewRouter()
	r.Mount("/auth", oauth20chi.Routes(h))
	r.With(h.RequireLogin).Get("/me", func(w http.ResponseWriter, r *http.Request) {
		s, _ := core.UserFrom(r.Context())
		fmt.Fprintf(w, "Hello %s (%s user %s)\n", s.Name, s.Provider, s.UserID)
	})

	srv := &httptest.Server{Listener: ex.Listener, Config: &http.Server{Handler: r}}
	srv.Start()
	defer srv.Close()
	ex.Visit("/me")
	// Output:
	// /me
	// Hello Jane Doe (demo user 248289761001)
}
