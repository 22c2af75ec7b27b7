package main

import (
	"bytes"
	"net/http"
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

// NewApp starts the in-process provider and builds the application. Close
// it when done.
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
	return a, nil
}

// Close stops the in-process provider.
func (a *App) Close() { a.setup.Close() }

// Provider returns the in-process provider's issuer.
func (a *App) Provider() string { return a.setup.Provider.Issuer() }

// home shows the login buttons or, after login, the user.
func (a *App) home(c *gin.Context) {
	s, _, err := a.login.Session(c)
	if err != nil { // a server-side session and the Store unavailable
		oauth20gin.WriteProblem(c, err)
		return
	}
	a.render(c, demoapp.NewView("Gin", a.setup.Auth, s, c.Query("return_to"), time.Now()))
}

// profile is a protected page: RequireLogin put the user in the context.
func (a *App) profile(c *gin.Context) {
	s, _ := oauth20gin.UserFrom(c)
	a.render(c, demoapp.NewView("Gin, protected page", a.setup.Auth, s, "", time.Now()))
}

func (a *App) render(c *gin.Context, v demoapp.View) {
	var buf bytes.Buffer
	if err := demoapp.Render(&buf, v); err != nil {
		_ = c.AbortWithError(http.StatusInternalServerError, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.Data(http.StatusOK, "text/html; charset=utf-8", buf.Bytes())
}
