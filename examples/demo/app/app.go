// Package app is the net/http demo application, importable so that the
// end-to-end tests drive the demo itself.
package app

import (
	"net/http"
	"time"

	"github.com/go-oauth20/oauth20/adapters/oauth20http"
	"github.com/go-oauth20/oauth20/core"
	"github.com/go-oauth20/oauth20/examples/internal/demoapp"
)

// App is the demo web application on net/http.
type App struct {
	// Handler serves the pages and the login routes.
	Handler http.Handler
	setup   *demoapp.Setup
	login   *oauth20http.Handler
}

// New starts the in-process provider and builds the application. Close
// it when done.
func New(cfg demoapp.Config) (*App, error) {
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
	mux := http.NewServeMux()
	h.Mount(mux, demoapp.Prefix)
	mux.HandleFunc("GET /{$}", a.home)
	mux.Handle("GET /profile", h.RequireLogin(http.HandlerFunc(a.profile)))
	a.Handler = mux
	return a, nil
}

// Close stops the in-process provider.
func (a *App) Close() { a.setup.Close() }

// Provider returns the in-process provider's issuer.
func (a *App) Provider() string { return a.setup.Provider.Issuer() }

// home shows the login buttons or, after login, the user.
func (a *App) home(w http.ResponseWriter, r *http.Request) {
	s, _, err := a.login.Session(r)
	if err != nil { // a server-side session and the Store unavailable
		oauth20http.WriteProblem(w, r, err)
		return
	}
	a.render(w, demoapp.NewView("net/http", a.setup.Auth, s, r.URL.Query().Get("return_to"), time.Now()))
}

// profile is a protected page: RequireLogin put the user in the context.
func (a *App) profile(w http.ResponseWriter, r *http.Request) {
	s, _ := core.UserFrom(r.Context())
	a.render(w, demoapp.NewView("net/http, protected page", a.setup.Auth, s, "", time.Now()))
}

func (a *App) render(w http.ResponseWriter, v demoapp.View) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_ = demoapp.Render(w, v)
}
