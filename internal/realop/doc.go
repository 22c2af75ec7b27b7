// Package realop runs a real, independent OpenID provider for end-to-end
// tests: panva's oidc-provider (npm package oidc-provider, pinned to 9.13.3
// in node/package.json and node/package-lock.json), configured by
// node/server.mjs on 127.0.0.1 with a random free port.
//
// # Starting it
//
// A test calls [Start]. Start finds Node.js and npm, runs `npm ci` in the
// node folder once when node_modules is missing or stale (guarded by a file
// lock, so test binaries of several packages can race safely), starts
// `node server.mjs`, waits for its READY line and its discovery document, and
// registers a cleanup that stops it. The provider's output is written to the
// test log when the test fails.
//
// Without Node.js the test is skipped with a clear message, unless the
// environment has OAUTH20_E2E=1 (CI sets it): then the test fails instead.
//
// # The provider
//
// Three fixed clients, all with the redirect URIs of [Options]:
//
//	realop-basic   secret realop-basic-secret  client_secret_basic  code, refresh, client_credentials, device_code
//	realop-post    secret realop-post-secret   client_secret_post   code, refresh, client_credentials
//	realop-public  no secret                   none (PKCE required) code, refresh, device_code
//
// Seven feature clients, each registered for one feature beyond plain OpenID
// Connect (secrets are the client id + "-secret"):
//
//	realop-par     client_secret_basic  pushed authorization requests required
//	realop-jar     private_key_jwt      signed request objects required (ES256)
//	realop-dpop    client_secret_basic  DPoP-bound access tokens required
//	realop-jarm    client_secret_basic  signed authorization responses (ES256)
//	realop-jwe     client_secret_basic  ID tokens encrypted (RSA-OAEP-256, A256GCM); UserInfo signed
//	                                    (ES256), then encrypted (ECDH-ES+A128KW, A128GCM)
//	realop-jwe-ec  client_secret_basic  ID tokens encrypted (ECDH-ES+A256KW, A128GCM)
//	realop-fapi    private_key_jwt      the FAPI 2.0 profile: PAR, PKCE, DPoP, ES256 ID tokens
//
// Their keys are made anew at every start; the private halves are in
// [Server.ClientKeys]. [Options.RequirePAR] makes every client push.
//
// Scopes: openid, profile, email, offline_access, api:read, api:write.
// Features: devInteractions (built-in login and consent pages that accept any
// login and password), introspection, revocation, client credentials, device
// flow, RP-initiated logout, userinfo and resource indicators; pushed
// authorization requests, request objects, DPoP (a server nonce is required
// in every proof, at the token endpoint and at userinfo alike), JWT response
// modes, encryption, signed UserInfo, and the FAPI 2.0 profile for
// realop-fapi. None of them changes what the three plain clients see unless
// they use it. Any login signs in; the claims of a login are those of
// opuser.Account (package internal/opuser), which mirrors account() in
// node/server.mjs.
//
// Access tokens requested without a resource parameter are opaque and good
// at the userinfo endpoint. With resource=[Server.APIResource] (for example in
// a client-credentials request) they are JWTs with that audience.
//
// # Behaviour of oidc-provider 9 that tests must know
//
//   - Refresh tokens: offline_access is silently dropped unless the
//     authorization request also has prompt=consent; send both.
//   - ID tokens carry only sub (and the protocol claims) when an access token
//     is issued too; profile and email claims come from userinfo. Set
//     [Options.FullIDTokenClaims] to put them in the ID token as well.
//   - The device authorization response has no interval (RFC 8628 clients
//     then wait 5 s between polls) and the token endpoint never answers
//     slow_down.
//   - It runs on Node.js 20 with an "Unsupported runtime" warning on stderr,
//     which is harmless.
//
// # Playing the user
//
// [Server.Authorize] drives the sign-in and consent pages with a
// [net/http.Client] and returns the redirect back to the application;
// [Server.AuthorizePost] returns the form that response_mode=form_post (and
// form_post.jwt) posts to it.
// [Server.ApproveDevice] enters a device flow user code and approves it,
// and [Server.Logout] confirms an RP-initiated logout.
package realop
