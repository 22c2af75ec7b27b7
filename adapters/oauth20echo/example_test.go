package oauth20echo_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/go-oauth20/oauth20/adapters/oauth20echo"
	"github.com/go-oauth20/oauth20/conformance/adaptertest"
	"github.com/go-oauth20/oauth20/core"
	"github.com/labstack/echo/v5"
)

// A complete login on Echo against an in-process OpenID provider: the
// login route, the provider, the callback, and a page protected by
// RequireLogin, with the routes of the README's quickstart.
func Example() {
	ex := adaptertest.StartExample()
	defer ex.Close()
	auth := core.New().SealingKeys([]byte("an example key of at least 32 bytes")).BaseURL(ex.App+"/auth").
		Provider(ex.Provider, nil).MustBuild()
	defer auth.Close()

	h := oauth20echo.MustNew(oauth20echo.Config{Auth: auth})
	e := echo.New()
	h.Register(e.Group("/auth"))
	e.GET("/me", func(c *echo.Context) error {
		s, _ := oauth20echo.UserFrom(c)
		return c.String(http.StatusOK, fmt.Sprintf("Hello %s (%s user %s)\n", s.Name, s.Provider, s.UserID))
	}, h.RequireLogin)

	srv := &httptest.Server{Listener: ex.Listener, Config: &http.Server{Handler: e}}
	srv.Start()
	defer srv.Close()
	ex.Visit("/me")
	// Output:
	// /me
	// Hello Jane Doe (demo user 248289761001)
}
