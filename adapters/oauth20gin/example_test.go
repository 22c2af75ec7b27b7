package oauth20gin_test

import (
	"net/http"
	"net/http/httptest"

	"github.com/gin-gonic/gin"
	"github.com/go-oauth20/oauth20/adapters/oauth20gin"
	"github.com/go-oauth20/oauth20/conformance/adaptertest"
	"github.com/go-oauth20/oauth20/core"
)

// A complete login on Gin against an in-process OpenID provider: the login
// route, the provider, the callback, and a page protected by RequireLogin,
// with the routes of the README's quickstart.
func Example() {
	ex := adaptertest.StartExample()
	defer ex.Close()
	auth := core.New().SealingKeys([]byte("an example key of at least 32 bytes")).BaseURL(ex.App+"/auth").
		Provider(ex.Provider, nil).MustBuild()
	defer auth.Close()

	h := oauth20gin.MustNew(oauth20gin.Config{Auth: auth})
	r := gin.New()
	h.Register(r.Group("/auth"))
	r.GET("/me", h.RequireLogin, func(c *gin.Context) {
		s, _ := oauth20gin.UserFrom(c)
		c.String(http.StatusOK, "Hello %s (%s user %s)\n", s.Name, s.Provider, s.UserID)
	})

	srv := &httptest.Server{Listener: ex.Listener, Config: &http.Server{Handler: r}}
	srv.Start()
	defer srv.Close()
	ex.Visit("/me")
	// Output:
	// /me
	// Hello Jane Doe (demo user 248289761001)
}
