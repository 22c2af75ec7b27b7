// Package corehook gives the module's other packages access to parts of
// package core that are not public API. Package core sets each variable at
// initialisation; the comment on each gives its dynamic type, which callers
// assert (core cannot be imported here without an import cycle).
package corehook

var (
	// ProviderSpec is a func(*core.Provider) core.ProviderSpec returning a
	// copy of the provider's description.
	ProviderSpec any
	// ProviderWithRuntime is a func(p *core.Provider, hc *http.Client,
	// clock core.Clock, log *slog.Logger) *core.Provider returning a copy of
	// p bound to another HTTP client, clock and logger (nil keeps p's),
	// with a discovery cache of its own.
	ProviderWithRuntime any
	// ProviderVerifier is a func(ctx context.Context, p *core.Provider)
	// (core.IDTokenVerifier, error) returning the provider's ID-token
	// verifier, running discovery first; nil for plain OAuth providers.
	ProviderVerifier any
	// ProviderPKCE is a func(p *core.Provider, c *core.Client) bool
	// reporting whether a login with p through c (p's client, after
	// discovery) sends a PKCE challenge.
	ProviderPKCE any
	// DetectRFC6749 is a func(status int, body map[string]any) *core.Error,
	// the default error detector of a core.Dialect.
	DetectRFC6749 any
	// CodeDetector is a func(codeKey, msgKey string, codes
	// map[string]core.ErrorCode) func(int, map[string]any) *core.Error.
	CodeDetector any
	// BuilderFAPI2 is a func(b *core.Builder) *core.Builder that turns on
	// the FAPI 2.0 mode of b and returns it (package fapi).
	BuilderFAPI2 any
)
