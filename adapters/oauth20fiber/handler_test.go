package oauth20fiber_test

import (
	"net"
	"net/url"
	"testing"

	"github.com/go-oauth20/oauth20/adapters/oauth20fiber"
	"github.com/go-oauth20/oauth20/conformance/adaptertest"
	"github.com/go-oauth20/oauth20/core"
	"github.com/gofiber/fiber/v3"
)

// serve runs a Fiber app with the adapter on the table's listener.
func serve(t *testing.T, ln net.Listener, env adaptertest.Env) {
	var h *oauth20fiber.Handler
	h, err := oauth20fiber.New(oauth20fiber.Config{Auth: env.Auth,
		LoginOptions: func(c fiber.Ctx) core.BeginOptions {
			q := url.Values{}
			for k, v := range c.Queries() {
				q.Set(k, v)
			}
			return env.LoginOptions(q)
		},
		OnSuccess: func(c fiber.Ctx, res *core.Result) error {
			if status, body, ok := env.OnSuccess(res); ok {
				c.Set(fiber.HeaderContentType, "application/json")
				return c.Status(status).Send(body)
			}
			return h.StartSession(c, res)
		}})
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
