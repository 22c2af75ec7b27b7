package main

import (
	"context"
	"net"
	"testing"

	"github.com/go-oauth20/oauth20/examples/internal/demoapp"
	"github.com/go-oauth20/oauth20/examples/internal/demotest"
)

// TestFiberEndToEnd runs the Fiber demo on a random port and drives a
// login and a logout through it with a cookie jar.
func TestFiberEndToEnd(t *testing.T) {
	t.Parallel()
	demotest.Run(t, func(t *testing.T, ln net.Listener, cfg demoapp.Config) string {
		app, err := NewApp(cfg)
		if err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- app.Serve(ln) }()
		t.Cleanup(func() { // Shutdown closes the app
			if err := app.Shutdown(context.Background()); err != nil {
				t.Error(err)
			}
			if err := <-done; err != nil {
				t.Error(err)
			}
		})
		return app.Provider()
	})
}
