// Command fiber is the oauth20 demo on Fiber v3. Run it from the
// repository root with
//
//	go run ./examples/fiber
//
// and open http://127.0.0.1:8000. See examples/demo for the environment.
package main

import "github.com/go-oauth20/oauth20/examples/internal/demoapp"

func main() {
	demoapp.Main("Fiber", func(cfg demoapp.Config) (demoapp.Server, error) {
		return NewApp(cfg)
	})
}
