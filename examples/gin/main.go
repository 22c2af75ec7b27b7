// Command gin is the oauth20 demo on Gin. Run it from the repository root
// with
//
//	go run ./examples/gin
//
// and open http://127.0.0.1:8000. See examples/demo for the environment.
package main

import (
	"github.com/gin-gonic/gin"
	"github.com/go-oauth20/oauth20/examples/internal/demoapp"
)

func main() {
	// Gin's debug mode lists every route at start; the demo prints only
	// its address.
	gin.SetMode(gin.ReleaseMode)
	demoapp.Main("Gin", func(cfg demoapp.Config) (demoapp.Server, error) {
		a, err := NewApp(cfg)
		if err != nil {
			return nil, err
		}
		return demoapp.HTTPServer(a.Engine, a.Close), nil
	})
}
