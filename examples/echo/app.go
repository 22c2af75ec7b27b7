package main

import (
	"time"

	"github.com/go-oauth20/oauth20/adapters/oauth20echo"
	"github.com/go-oauth20/oauth20/examples/internal/demoapp"
	"github.com/labstack/echo/v5"
)

// App is the demo web application on Echo v5.
type App struct {
	// Echo serves the pages and the login routes.
	Echo  *echo.Echo
	setup *demoapp.Setup
	login *oauth20echo.Handler
}

// NewApp starts the development test provider (on loopback addresses) and
// builds the application. Close it when done.
func NewApp(cfg demoapp.Config) (*App, error) {
	setup, err := demoapp.New(cfg)
	if err != nil {
		return nil, err
	}
	h, err := oauth20echo.New(oauth20echo.Config{Auth: setup.Auth})
	if err != nil {
		setup.Close()
		return nil, err
	}
	a := &App{setup: setup, login: h, Echo: echo.New()}
	h.Register(a.Echo.Group(demoapp.Prefix))
	a.Echo.GET("/", a.home)
	a.Echo.GET("/profile", a.profile, h.RequireLogin)
	a.Echo.RouteNotFound("/*", func(c *echo.Context) error {
		return write(c, demoapp.NotFound(c.Request().Header.Get("Accept")))
	})
	return a, nil
}

// Close stops the development test provider.
func (a *App) Close() { a.setup.Close() }

// Provider returns the development test provider's issuer, "" when it is
// off.
func (a *App) Provider() string { return a.setup.Issuer() }

// home shows the login buttons or, after login, the user.
func (a *App) home(c *echo.Context) error {
	s, _, err := a.login.Session(c)
	if err != nil { // a server-side session and the Store unavailable
		return oauth20echo.WriteProblem(c, err)
	}
	return a.render(c, a.setup.View("Echo", s, c.QueryParam("return_to"), time.Now()))
}

// profile is a protected page: RequireLogin put the user in the context.
func (a *App) profile(c *echo.Context) error {
	s, _ := oauth20echo.UserFrom(c)
	v := a.setup.View("Echo", s, "", time.Now())
	v.Protected = true
	return a.render(c, v)
}

func (a *App) render(c *echo.Context, v demoapp.View) error {
	return write(c, demoapp.Render(v))
}

// write answers with a.
func write(c *echo.Context, a demoapp.Answer) error {
	for k, v := range a.Header {
		c.Response().Header()[k] = v
	}
	return c.Blob(a.Status, a.Header.Get("Content-Type"), a.Body)
}
