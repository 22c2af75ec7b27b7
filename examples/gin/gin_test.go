package main

import (
	"net/http"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/go-oauth20/oauth20/examples/internal/demotest"
)

func init() { gin.SetMode(gin.TestMode) }

// TestGinEndToEnd runs the Gin demo on a random port and drives a login and
// a logout through it with a cookie jar.
func TestGinEndToEnd(t *testing.T) {
	t.Parallel()
	demotest.RunHandler(t, NewApp, func(a *App) http.Handler { return a.Engine })
}
