// Package coreaccess is the typed side of package corehook: the parts of a
// core.Provider that the module's packages (conformance, and tests) need
// but that are not public API.
package coreaccess

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/go-oauth20/oauth20/core"
	"github.com/go-oauth20/oauth20/internal/corehook"
)

// Spec returns a copy of p's description.
func Spec(p *core.Provider) core.ProviderSpec {
	return corehook.ProviderSpec.(func(*core.Provider) core.ProviderSpec)(p)
}

// WithRuntime returns a copy of p that sends its requests through hc
// (with the library's safety settings), uses clock and log; nil arguments
// keep p's. The copy has its own discovery cache.
func WithRuntime(p *core.Provider, hc *http.Client, clock core.Clock, log *slog.Logger) *core.Provider {
	return corehook.ProviderWithRuntime.(func(*core.Provider, *http.Client, core.Clock, *slog.Logger) *core.Provider)(p, hc, clock, log)
}

// Verifier returns p's ID-token verifier after discovery; nil for plain
// OAuth providers.
func Verifier(ctx context.Context, p *core.Provider) (core.IDTokenVerifier, error) {
	return corehook.ProviderVerifier.(func(context.Context, *core.Provider) (core.IDTokenVerifier, error))(ctx, p)
}

// PKCE reports whether a login with p through c, the client p returned,
// sends a PKCE challenge and verifier.
func PKCE(p *core.Provider, c *core.Client) bool {
	return corehook.ProviderPKCE.(func(*core.Provider, *core.Client) bool)(p, c)
}
