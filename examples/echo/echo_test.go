package main

import (
	"net/http"
	"testing"

	"github.com/go-oauth20/oauth20/examples/internal/demotest"
)

// TestEchoEndToEnd runs the Echo demo on a random port and drives a login
// and a logout through it with a cookie jar.
func TestEchoEndToEnd(t *testing.T) {
	t.Parallel()
	demotest.RunHandler(t, NewApp, func(a *App) http.Handler { return a.Echo })
}
