package oauth20fiber_test

import (
	"net"
	"testing"

	"github.com/go-oauth20/oauth20/adapters/oauth20fiber"
	"github.com/go-oauth20/oauth20/conformance/adaptertest"
	"github.com/gofiber/fiber/v3"
)

// serve runs a Fiber app with the adapter on the table's listener.
func serve(t *testing.T, ln net.Listener, env adaptertest.Env) {
	h, err := oauth20fiber.New(oauth20fiber.Config{Auth: env.Auth})
	if err != nil {
		t.Fatal(err)
	}
	app := fiber.New()
	h.Register(app.Group(adaptertest.Prefix))
	h.Register(app.Group(adaptertest.OtherPrefix))
	app.Get(adaptertest.MePath, h.RequireLogin, func(c fiber.Ctx) error {
		s, ok := oauth20fiber.UserFrom(c)
		if !ok {
			return fiber.NewError(fiber.StatusInternalServerError, "no user in the locals")
		}
		return c.JSON(adaptertest.MeOf(s))
	})
	done := make(chan error, 1)
	go func() { done <- app.Listener(ln, fiber.ListenConfig{DisableStartupMessage: true}) }()
	t.Cleanup(func() {
		if err := app.Shutdown(); err != nil {
			t.Errorf("shutdown: %v", err)
		}
		if err := <-done; err != nil {
			t.Errorf("listener: %v", err)
		}
	})
}

func TestSharedTable(t *testing.T) {
	t.Parallel()
	adaptertest.Run(t, serve)
}
