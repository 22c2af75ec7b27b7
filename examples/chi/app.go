package main

import (
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-oauth20/oauth20/adapters/oauth20chi"
	"github.com/go-oauth20/oauth20/adapters/oauth20http"
	"github.com/go-oauth20/oauth20/core"
	"github.com/go-oauth20/oauth20/examples/internal/demoapp"
)

// App is the demo web application on chi.
type App struct {
	// Handler serves the pages and the login routes.
	Handler http.Handler
	setup   *demoapp.Setup
	login   *oauth20http.Handler
}

// NewApp starts the development test provider (on loopback addresses) and
// builds the application. Close it when done.
func NewApp(cfg demoapp.Config) (*App, error) {
	setup, err := demoapp.New(cfg)
	if err != nil {
		return nil, err
	}
	h, err := oauth20http.New(oauth20http.Config{Auth: setup.Auth})
	if err != nil {
		setup.Close()
		return nil, err
	}
	a := &App{setup: setup, login: h}
	r := chi.NewRouter()
	r.Mount(demoapp.Prefix, oauth20chi.Routes(h))
	r.Get("/", a.home)
	r.With(h.RequireLogin).Get("/profile", a.profile)
	r.NotFound(func(w http.ResponseWriter, r *http.Request) {
		demoapp.NotFound(r.Header.Get("Accept")).WriteHTTP(w)
	})
	a.Handler = r
	return a, nil
}

// Close stops the development test provider.
func (a *App) Close() { a.setup.Close() }

// Provider returns the development test provider's issuer, "" when it is
// off.
func (a *App) Provider() string { return a.setup.Issuer() }

func (a *App) home(w http.ResponseWriter, r *http.Request) {
	s, _, err := a.login.Session(r)
	if err != nil { // a server-side session and the Store unavailable
		oauth20http.WriteProblem(w, r, err)
		return
	}
	a.render(w, a.setup.View("chi", s, r.URL.Query().Get("return_to"), time.Now()))
}

func (a *App) profile(w http.ResponseWriter, r *http.Request) {
	s, _ := core.UserFrom(r.Context())
	v := a.setup.View("chi", s, "", time.Now())
	v.Protected = true
	a.render(w, v)
}

func (a *App) render(w http.ResponseWriter, v demoapp.View) {
	demoapp.Render(v).WriteHTTP(w)
}
