package main

import (
	"net/http"
	"testing"

	"github.com/go-oauth20/oauth20/examples/internal/demotest"
)

// TestChiEndToEnd runs the chi demo on a random port and drives a login and
// a logout through it with a cookie jar.
func TestChiEndToEnd(t *testing.T) {
	t.Parallel()
	demotest.RunHandler(t, NewApp, func(a *App) http.Handler { return a.Handler })
}
