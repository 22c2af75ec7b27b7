// Package e2e holds the end-to-end tests of oauth20 against a real,
// independent OpenID provider (panva's oidc-provider, started by package
// internal/realop) and in a real browser (headless Chromium driven with
// chromedp). It has no code of its own besides its tests.
//
// # What runs
//
//   - adapters_test.go: a login through providers.OIDC and each adapter
//     (oauth20http, oauth20chi, oauth20fiber, oauth20gin, oauth20echo) for
//     each of the provider's clients (client_secret_basic,
//     client_secret_post, and a public client with PKCE), played by an HTTP
//     client with a cookie jar that fills in the provider's login and
//     consent pages; then the protected route, a silent second login, and
//     RP-initiated logout confirmed at the provider.
//   - tokens_test.go: what an application does with the tokens of a login,
//     through core.Auth and core.Client: userinfo, introspection, refresh
//     (with rotation for the public client), revocation, client credentials
//     and the device flow approved on the provider's device pages.
//   - par_test.go, dpop_test.go, jarm_test.go, jwe_test.go, fapi_test.go:
//     the protocol extensions against oidc-provider's feature clients —
//     pushed authorization requests (by choice, required for one client,
//     required by the provider), signed request objects alone and pushed,
//     DPoP-bound tokens with the server's nonce at the token endpoint and
//     at UserInfo, kept in a session, refreshed and revoked, JARM in the
//     jwt, query.jwt and form_post.jwt modes, ID tokens and UserInfo
//     encrypted to the client, and the FAPI 2.0 mode; with the
//     rejections (a response for another client or with a broken
//     signature, a token without its proof, a signed-only ID token where
//     encryption was registered).
//   - browser_test.go: Chromium logs in to the net/http demo against the
//     in-process provider (conformance/oidctest) and against oidc-provider,
//     sees the user on the page, finds no flow cookie left, and logs out.
//   - screenshots_test.go: Chromium shows the demo's home page, an error
//     page (a sign-in cancelled at the provider) and the signed-in page at a
//     laptop's and a phone's window size, the test checks what each shows
//     through the DOM and that the screenshots are PNGs of the window's size.
//     They are written to the test's temporary directory, or under
//     $OAUTH20_ARTIFACTS/screenshots/ when that is set (for CI to keep).
//
// # Requirements
//
// The oidc-provider tests need Node.js and npm (see internal/realop); the
// browser test needs Chromium (the Debian package chromium, found as
// chromium or chromium-browser in PATH, or at the path in
// OAUTH20_CHROMIUM). Without them the tests skip, unless OAUTH20_E2E=1:
// then they fail, so that CI cannot pass without running them.
//
//	OAUTH20_E2E=1 go test ./e2e/
package e2e
