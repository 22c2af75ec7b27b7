package main

import (
	"time"

	"github.com/gin-gonic/gin"
	"github.com/go-oauth20/oauth20/adapters/oauth20gin"
	"github.com/go-oauth20/oauth20/examples/internal/demoapp"
)

// App is the demo web application on Gin.
type App struct {
	// Engine serves the pages and the login routes.
	Engine *gin.Engine
	setup  *demoapp.Setup
	login  *oauth20gin.Handler
}

// NewApp starts the development test provider (on loopback addresses) and
// builds the application. Close it when done.
func NewApp(cfg demoapp.Config) (*App, error) {
	setup, err := demoapp.New(cfg)
	if err != nil {
		return nil, err
	}
	h, err := oauth20gin.New(oauth20gin.Config{Auth: setup.Auth})
	if err != nil {
		setup.Close()
		return nil, err
	}
	a := &App{setup: setup, login: h, Engine: gin.New()}
	a.Engine.Use(gin.Recovery())
	h.Register(a.Engine.Group(demoapp.Prefix))
	a.Engine.GET("/", a.home)
	a.Engine.GET("/profile", h.RequireLogin, a.profile)
	a.Engine.NoRoute(func(c *gin.Context) {
		write(c, demoapp.NotFound(c.GetHeader("Accept")))
	})
	return a, nil
}

// Close stops the development test provider.
func (a *App) Close() { a.setup.Close() }

// Provider returns the development test provider's issuer, "" when it is
// off.
func (a *App) Provider() string { return a.setup.Issuer() }

// home shows the login buttons or, after login, the user.
func (a *App) home(c *gin.Context) {
	s, _, err := a.login.Session(c)
	if err != nil { // a server-side session and the Store unavailable
		oauth20gin.WriteProblem(c, err)
		return
	}
	a.render(c, a.setup.View("Gin", s, c.Query("return_to"), time.Now()))
}

// profile is a protected page: RequireLogin put the user in the context.
func (a *App) profile(c *gin.Context) {
	s, _ := oauth20gin.UserFrom(c)
	v := a.setup.View("Gin", s, "", time.Now())
	v.Protected = true
	a.render(c, v)
}

func (a *App) render(c *gin.Context, v demoapp.View) {
	write(c, demoapp.Render(v))
}

// write answers with a.
func write(c *gin.Context, a demoapp.Answer) {
	for k, v := range a.Header {
		c.Writer.Header()[k] = v
	}
	c.Data(a.Status, a.Header.Get("Content-Type"), a.Body)
}
