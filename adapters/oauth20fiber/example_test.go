package oauth20fiber_test

import (
	"fmt"
	"log"

	"github.com/go-oauth20/oauth20/adapters/oauth20fiber"
	"github.com/go-oauth20/oauth20/conformance/adaptertest"
	"github.com/go-oauth20/oauth20/core"
	"github.com/gofiber/fiber/v3"
)

// A complete login on Fiber against an in-process OpenID provider: the
// login route, the provider, the callback, and a page protected by
// RequireLogin, with the routes of the README's quickstart.
func Example() {
	ex := adaptertest.StartExample()
	defer ex.Close()
	auth := core.New().SealingKeys([]byte("an example key of at least 32 bytes")).BaseURL(ex.App+"/auth").
		Provider(ex.Provider, nil).MustBuild()
	defer auth.Close()

	h := oauth20fiber.MustNew(oauth20fiber.Config{Auth: auth})
	app := fiber.New()
	h.Register(app.Group("/auth"))
	app.Get("/me", h.RequireLogin, func(c fiber.Ctx) error {
		s, _ := oauth20fiber.UserFrom(c)
		return c.SendString(fmt.Sprintf("Hello %s (%s user %s)\n", s.Name, s.Provider, s.UserID))
	})

	done := make(chan error, 1)
	go func() { done <- app.Listener(ex.Listener, fiber.ListenConfig{DisableStartupMessage: true}) }()
	ex.Visit("/me")
	if err := app.Shutdown(); err != nil {
		log.Fatal(err)
	}
	if err := <-done; err != nil {
		log.Fatal(err)
	}
	// Output:
	// /me
	// Hello Jane Doe (demo user 248289761001)
}
