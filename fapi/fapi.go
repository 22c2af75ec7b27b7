// Package fapi puts a login flow under the FAPI 2.0 Security Profile
// (OpenID Foundation, FAPI 2.0 Security Profile, final): the profile that
// open-banking and other high-value APIs require of their clients.
//
// A provider runs under the profile with providers.WithFAPI2 (or
// core.ProviderSpec.FAPI2): every login is then pushed (PAR, RFC 9126)
// with PKCE S256, the client authenticates with private_key_jwt (an ECDSA
// P-256 or Ed25519 key, so ES256 or EdDSA), access tokens are DPoP-bound
// (RFC 9449; this library has no mutual TLS), the authorization response
// must carry iss (RFC 9207), and ID tokens are accepted only when signed
// with PS256, ES256 or EdDSA. [Apply] makes the whole Auth a FAPI 2.0
// client: Build then refuses any provider that does not run under the
// profile, and cookies without Secure.
//
//	key, _ := dpop.GenerateKey(dpop.ES256)
//	auth, err := fapi.Apply(core.New()).
//		SealingKeys(sealingKey).
//		BaseURL("https://app.example/auth").
//		Provider(providers.OIDC("bank", issuer, clientID, "",
//			providers.WithPrivateKey(clientKey, kid),
//			providers.WithDPoP(key),
//			providers.WithFAPI2())).
//		Build()
//
// # Why a function and not a Builder method
//
// The mode is a switch on the Builder that only this package turns on,
// through the module's internal hooks: package core keeps its exported
// surface small, and the profile's rules (which change with the profile's
// versions) live beside their documentation here and in core's checks.
package fapi

import (
	"github.com/go-oauth20/oauth20/core"
	"github.com/go-oauth20/oauth20/internal/corehook"
)

// Apply turns on the FAPI 2.0 mode of b and returns b, for chaining. Build
// then reports, with every other problem, each provider that does not run
// under the profile (core.ProviderSpec.FAPI2, providers.WithFAPI2) and
// InsecureCookies; each provider's own contradictions with the profile are
// reported when it is built. Apply does not change the providers.
func Apply(b *core.Builder) *core.Builder {
	return corehook.BuilderFAPI2.(func(*core.Builder) *core.Builder)(b)
}
