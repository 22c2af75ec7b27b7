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
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	app, err := NewApp(demoapp.Config{BaseURL: base, Getenv: func(string) string { return "" }})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- app.Serve(ln) }()
	t.Cleanup(func() {
		if err := app.Shutdown(context.Background()); err != nil {
			t.Error(err)
		}
		if err := <-done; err != nil {
			t.Error(err)
		}
	})
	demotest.Drive(t, base, app.Provider())
}
