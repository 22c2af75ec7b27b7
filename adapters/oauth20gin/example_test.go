package oauth20gin_test

import (
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"

	"github.com/gin-gonic/gin"
	"github.com/go-oauth20/oauth20/adapters/oauth20gin"
	"github.com/go-oauth20/oauth20/conformance/adaptertest"
	"github.com/go-oauth20/oauth20/conformance/oidctest"
	"github.com/go-oauth20/oauth20/core"
)

// A complete login on Gin against an in-process OpenID provider: the login
// route, the provider, the callback, and a page protected by RequireLogin.
// The lines between the provider and the server are the README's
// quickstart.
func Example() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	app := "http://" + ln.Addr().String()
	op, err := oidctest.Start(oidctest.Config{Algorithm: "ES256", Clients: []oidctest.Client{{
		ID: "my-app", Secret: "my-secret", RedirectURIs: []string{app + "/auth/demo/callback"},
	}}})
	if err != nil {
		log.Fatal(err)
	}
	defer op.Close()
	auth := core.New().SealingKeys([]byte("an example key of at least 32 bytes")).BaseURL(app + "/auth").
		Provider(adaptertest.OIDCTestProvider(op, "demo", "my-app", "my-secret", false)).MustBuild()
	defer auth.Close()

	h := oauth20gin.MustNew(oauth20gin.Config{Auth: auth})
	r := gin.New()
	h.Register(r.Group("/auth"))
	r.GET("/me", h.RequireLogin, func(c *gin.Context) {
		s, _ := oauth20gin.UserFrom(c)
		c.String(http.StatusOK, "hello %s", s.Name)
	})

	srv := &httptest.Server{Listener: ln, Config: &http.Server{Handler: r}}
	srv.Start()
	defer srv.Close()

	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar, Transport: &http.Transport{}}
	resp, err := browser.Get(app + "/auth/demo/login?return_to=/me")
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	fmt.Println(resp.Request.URL.Path)
	fmt.Println(string(body))
	// Output:
	// /me
	// hello Jane Doe
}
