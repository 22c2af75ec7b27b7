package providers

import "github.com/go-oauth20/oauth20/core"

// Builtin is one provider shipped by this package, for tooling that must
// cover them all: package conformance runs every Builtin against the
// cassette recorded for it and fails when one has none.
type Builtin struct {
	// Name is the provider's default name, also the name of its cassette
	// directory (conformance/testdata/<Name>).
	Name string
	// New builds the provider with the given credentials and options.
	New func(clientID, clientSecret string, opts ...Option) (*core.Provider, error)
}

// Builtins returns every provider this package ships, in a stable order.
// A new provider file must add itself here, so that the conformance suite
// asks for its cassette.
func Builtins() []Builtin {
	all := []Builtin{
		{Name: "github", New: GitHub},
		// For conformance: the generic provider against the fixture issuer
		// of its cassette.
		{Name: "oidc", New: func(id, secret string, opts ...Option) (*core.Provider, error) {
			return OIDC("oidc", "https://idp.example.com", id, secret, opts...)
		}},
	}
	all = append(all, seedBuiltins()...)
	all = append(all, intlBuiltins()...)
	return append(all, moreBuiltins()...)
}
