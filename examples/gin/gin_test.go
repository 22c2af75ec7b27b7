package main

import (
	"net"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/go-oauth20/oauth20/examples/internal/demoapp"
	"github.com/go-oauth20/oauth20/examples/internal/demotest"
)

func init() { gin.SetMode(gin.TestMode) }

// TestGinEndToEnd runs the Gin demo on a random port and drives a login and
// a logout through it with a cookie jar.
func TestGinEndToEnd(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	app, err := NewApp(demoapp.Config{BaseURL: base, Getenv: func(string) string { return "" }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(app.Close)
	srv := &httptest.Server{Listener: ln, Config: &http.Server{Handler: app.Engine}}
	srv.Start()
	t.Cleanup(srv.Close)
	demotest.Drive(t, base, app.Provider())
}
