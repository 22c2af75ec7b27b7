// Command demo is the oauth20 demo on net/http. Run it from the repository
// root with
//
//	go run ./examples/demo
//
// and open http://127.0.0.1:8000. It needs no credentials: a development
// test provider, run in the demo's process and only on loopback addresses,
// is the first login button. Every built-in provider whose credentials are
// in the environment (GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET, ...; see
// examples/internal/demoapp) is added.
package main

import (
	"github.com/go-oauth20/oauth20/examples/demo/app"
	"github.com/go-oauth20/oauth20/examples/internal/demoapp"
)

func main() {
	demoapp.Main("net/http", func(cfg demoapp.Config) (demoapp.Server, error) {
		a, err := app.New(cfg)
		if err != nil {
			return nil, err
		}
		return demoapp.HTTPServer(a.Handler, a.Close), nil
	})
}
