// Command echo is the oauth20 demo on Echo v5. Run it from the repository
// root with
//
//	go run ./examples/echo
//
// and open http://127.0.0.1:8000. See examples/demo for the environment.
package main

import "github.com/go-oauth20/oauth20/examples/internal/demoapp"

func main() {
	demoapp.Main("Echo", func(cfg demoapp.Config) (demoapp.Server, error) {
		a, err := NewApp(cfg)
		if err != nil {
			return nil, err
		}
		return demoapp.HTTPServer(a.Echo, a.Close), nil
	})
}
