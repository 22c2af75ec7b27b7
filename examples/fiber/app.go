package main

import (
	"context"
	"net"
	"strings"
	"time"

	"github.com/go-oauth20/oauth20/adapters/oauth20fiber"
	"github.com/go-oauth20/oauth20/examples/internal/demoapp"
	"github.com/gofiber/fiber/v3"
)

// App is the demo web application on Fiber v3.
type App struct {
	// Fiber serves the pages and the login routes.
	Fiber *fiber.App
	setup *demoapp.Setup
	login *oauth20fiber.Handler
}

// NewApp starts the development test provider (on loopback addresses) and
// builds the application. Close it when done (Shutdown does it for a
// served app).
func NewApp(cfg demoapp.Config) (*App, error) {
	setup, err := demoapp.New(cfg)
	if err != nil {
		return nil, err
	}
	h, err := oauth20fiber.New(oauth20fiber.Config{Auth: setup.Auth})
	if err != nil {
		setup.Close()
		return nil, err
	}
	a := &App{setup: setup, login: h, Fiber: fiber.New()}
	h.Register(a.Fiber.Group(demoapp.Prefix))
	a.Fiber.Get("/", a.home)
	a.Fiber.Get("/profile", h.RequireLogin, a.profile)
	a.Fiber.Use(func(c fiber.Ctx) error { // after every route: what none matched
		return send(c, demoapp.NotFound(c.Get(fiber.HeaderAccept)))
	})
	return a, nil
}

// Close stops the development test provider.
func (a *App) Close() { a.setup.Close() }

// Provider returns the development test provider's issuer, "" when it is
// off.
func (a *App) Provider() string { return a.setup.Issuer() }

// Serve serves on ln until Shutdown.
func (a *App) Serve(ln net.Listener) error {
	return a.Fiber.Listener(ln, fiber.ListenConfig{DisableStartupMessage: true})
}

// Shutdown stops serving and closes the application.
func (a *App) Shutdown(ctx context.Context) error {
	defer a.Close()
	return a.Fiber.ShutdownWithContext(ctx)
}

func (a *App) home(c fiber.Ctx) error {
	s, _, err := a.login.Session(c)
	if err != nil { // a server-side session and the Store unavailable
		return oauth20fiber.WriteProblem(c, err)
	}
	return a.render(c, a.setup.View("Fiber", s, c.Query("return_to"), time.Now()))
}

func (a *App) profile(c fiber.Ctx) error {
	s, _ := oauth20fiber.UserFrom(c)
	v := a.setup.View("Fiber", s, "", time.Now())
	v.Protected = true
	return a.render(c, v)
}

func (a *App) render(c fiber.Ctx, v demoapp.View) error {
	return send(c, demoapp.Render(v))
}

// send answers with a.
func send(c fiber.Ctx, a demoapp.Answer) error {
	for k, v := range a.Header {
		c.Set(k, strings.Join(v, ", "))
	}
	return c.Status(a.Status).Send(a.Body)
}

// Compile-time check that App is a demo server.
var _ demoapp.Server = (*App)(nil)
