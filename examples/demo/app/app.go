// Package app is the net/http demo application, importable so that the
// end-to-end tests drive the demo itself.
package app

import (
	"net/http"
	"time"

	"github.com/go-oauth20/oauth20/adapters/oauth20http"
	"github.com/go-oauth20/oauth20/conformance/oidctest"
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

// New starts the development test provider (on loopback addresses) and
// builds the application. Close it when done.
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
	mux.HandleFunc("/", notFound)
	a.Handler = mux
	return a, nil
}

// Close stops the development test provider.
func (a *App) Close() { a.setup.Close() }

// Provider returns the development test provider's issuer, "" when it is
// off.
func (a *App) Provider() string { return a.setup.Issuer() }

// TestProvider returns the development test provider, nil when it is off.
func (a *App) TestProvider() *oidctest.Server { return a.setup.Provider }

// home shows the login buttons or, after login, the user.
func (a *App) home(w http.ResponseWriter, r *http.Request) {
	s, _, err := a.login.Session(r)
	if err != nil { // a server-side session and the Store unavailable
		oauth20http.WriteProblem(w, r, err)
		return
	}
	a.render(w, a.setup.View("net/http", s, r.URL.Query().Get("return_to"), time.Now()))
}

// profile is a protected page: RequireLogin put the user in the context.
func (a *App) profile(w http.ResponseWriter, r *http.Request) {
	s, _ := core.UserFrom(r.Context())
	v := a.setup.View("net/http", s, "", time.Now())
	v.Protected = true
	a.render(w, v)
}

func (a *App) render(w http.ResponseWriter, v demoapp.View) {
	demoapp.Render(v).WriteHTTP(w)
}

// notFound answers any other path.
func notFound(w http.ResponseWriter, r *http.Request) {
	demoapp.NotFound(r.Header.Get("Accept")).WriteHTTP(w)
}
