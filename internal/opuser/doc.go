// Package opuser is the user whom the harnesses of real OpenID providers
// sign in for end-to-end tests: internal/realop (oidc-provider) and
// internal/hydra (Ory Hydra). It holds what both need of that user, so that
// the two harnesses cannot drift apart:
//
//   - Account, the claims a login gets: the same login has the same claims
//     at both providers, and a test compares what it received with them;
//   - Browser and Fetch, the browser in which a harness walks the
//     provider's pages for the user, one hop at a time, and SameOrigin,
//     which tells whether a hop is still at the provider.
//
// How a walk goes (which forms are filled, where it stops) is each
// harness's own: the providers' pages differ. Nothing here is meant for
// production code.
package opuser
