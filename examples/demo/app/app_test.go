package app

import (
	"net/http"
	"testing"

	"github.com/go-oauth20/oauth20/examples/internal/demotest"
)

// TestDemoEndToEnd runs the demo on a random port and drives a login and
// a logout through it with a cookie jar.
func TestDemoEndToEnd(t *testing.T) {
	t.Parallel()
	demotest.RunHandler(t, New, func(a *App) http.Handler { return a.Handler })
}
