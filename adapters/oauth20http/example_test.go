package oauth20http_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/go-oauth20/oauth20/adapters/oauth20http"
	"github.com/go-oauth20/oauth20/conformance/adaptertest"
	"github.com/go-oauth20/oauth20/core"
)

// A complete login on net/http against an in-process OpenID provider: the
// login route, the provider, the callback, and a page protected by
// RequireLogin, with the routes of the README's quickstart.
func Example() {
	ex := adaptertest.StartExample()
	defer ex.Close()
	auth := core.New().SealingKeys([]byte("an example key of at least 32 bytes")).BaseURL(ex.App+"/auth").
		Provider(ex.Provider, nil).MustBuild()
	defer auth.Close()

	h := oauth20http.MustNew(oauth20http.Config{Auth: auth})
	mux := http.NewServeMux()
	h.Mount(mux, "/auth")
	mux.Handle("GET /me", h.RequireLogin(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s, _ := core.UserFrom(r.Context())
		fmt.Fprintf(w, "Hello %s (%s user %s)\n", s.Name, s.Provider, s.UserID)
	})))

	srv := &httptest.Server{Listener: ex.Listener, Config: &http.Server{Handler: mux}}
	srv.Start()
	defer srv.Close()
	ex.Visit("/me")
	// Output:
	// /me
	// Hello Jane Doe (demo user 248289761001)
}
