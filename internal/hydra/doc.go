// Package hydra runs Ory Hydra v2.3.0, a certified OpenID provider written
// in Go, as a second real, independent provider for end-to-end tests (the
// first is oidc-provider, in internal/realop). Hydra has no login pages of
// its own; the package brings a small login, consent and logout app that
// signs in whoever the test names and consents to everything.
//
// # Building
//
// Hydra is built from the module in the build folder (its own go.mod and
// go.sum, outside the root module and the workspace), which requires
// github.com/ory/hydra/v2 v2.3.0 as a tool and repeats the replace of
// github.com/gobuffalo/pop/v6 from Hydra's own go.mod (a replace in a
// dependency is ignored, so `go install ...@v2.3.0` does not build it).
// [Binary] runs
//
//	CGO_ENABLED=1 GOWORK=off GOFLAGS=-mod=readonly \
//	go build -tags sqlite,sqlite_omit_load_extension github.com/ory/hydra/v2
//
// in that folder (cgo and SQLite for the in-memory database) into
// os.UserCacheDir()/oauth20/hydra-v2.3.0-HASH/hydra, HASH naming the
// contents of build/go.mod, build/go.sum and the tags. The build holds a
// file lock there, so test binaries of several packages racing to build do
// it once; a failed build is reported with go build's output. A cold build
// (empty module and build caches, 2 cores) takes one to two minutes,
// downloads included; later starts find the binary and Hydra is ready in
// under a second. OAUTH20_HYDRA_BIN pointing at a hydra binary skips all
// this.
//
// Without the go command or a C compiler (go env CC), and with no binary
// built yet, the test is skipped with a clear message, unless the
// environment has OAUTH20_E2E=1 (CI sets it): then the test fails instead.
// To change the version, edit build/go.mod and run `GOWORK=off go mod tidy`
// in that folder.
//
// # Starting it
//
// A test calls [Start]; tests of a package can share one Hydra started by
// [New] in TestMain (see [SkipOrFail] and [Server.LogOnFailure]). It runs
// `hydra serve all --dev --sqa-opt-out -c hydra.yml` on 127.0.0.1 with two
// free ports, public (the issuer, http://127.0.0.1:PORT without a trailing
// slash) and admin ([Server.AdminURL]), waits for /health/ready on both,
// and stops Hydra in the test's cleanup, writing its output to the test log
// when the test failed. The configuration has dsn: memory (every start is
// empty: register clients each time), a random secrets.system, PKCE
// enforced for public clients, error responses with Hydra's hint and debug
// text (oauth2.expose_internal_errors), one PBKDF2 round for client
// secrets, scopes profile and email announced, and log level warn.
// [Options] sets the token strategy, lifetimes, accounts, log level and any
// other key of Hydra's configuration ([Options.Config]). Hydra gets a
// clean environment, since it reads its settings from environment
// variables too.
//
// # Clients and keys
//
// [Server.NewClient] (or [Server.CreateClient]) registers a client through
// POST /admin/clients: client_secret_basic (the default),
// client_secret_post, none, or private_key_jwt with the test's public JWKS;
// grant types, scopes (default "openid offline_access profile email"),
// audiences, redirect and post-logout redirect URIs (defaults from
// [Options]), userinfo_signed_response_alg, back- and front-channel logout
// URIs, a per-client access token strategy, and any other field through
// [ClientSpec.Extra]. [Server.RotateSigningKey] adds a key to
// hydra.openid.id-token; [Server.Introspect], [Server.RevokeLoginSession],
// [Server.RevokeSubjectSessions], [Server.RevokeConsent] and
// [Server.Admin] reach the rest of the admin API.
//
// # Users
//
// [Server.Authorize] follows an authorization request through Hydra and the
// app and returns the redirect back to the application. The user signed in
// is the login given to Authorize, else the request's login_hint, else
// [Options.DefaultLogin], else "tester"; the login [Deny] refuses (the
// application gets error=access_denied). Its claims are those of
// [Options.Accounts] for that subject, else opuser.Account of the login
// (package internal/opuser: the same claims as at the oidc-provider
// harness). The app accepts logins with
// remember: true, so Hydra keeps a login session in its cookie: a second
// Authorize with the same cookie jar signs in the same user again whatever
// the login (Hydra skips the login step; prompt=login asks again). Consent
// is never remembered; the app grants every requested scope and audience
// and puts the account's claims for the granted scopes into the session.
// [Server.Logout] follows an RP-initiated logout and accepts it.
//
// # Behaviour of Hydra v2.3.0 that tests must know
//
//   - No device flow: no device_authorization_endpoint, /oauth2/device/...
//     answers 404, and the device_code grant at the token endpoint answers
//     invalid_request. Registering a client with that grant type succeeds
//     all the same: Hydra does not check grant types.
//   - Introspection is on the admin port only, without client
//     authentication, and is not in the discovery document: use
//     [Endpoints].Introspection. Revocation is on the public port, with
//     client authentication. Discovery also offers PKCE "plain" and the
//     implicit and hybrid response types.
//   - Tokens: codes start with ory_ac_, refresh tokens with ory_rt_,
//     access tokens with ory_at_ (opaque, the default). With the jwt
//     strategy, access tokens are JWTs signed by a second key set,
//     hydra.jwt.access-token (its keys are in the same public JWKS), with
//     iss, sub, aud (the granted audiences), client_id, scp (an array),
//     ext, exp, iat, nbf and jti, and none of the user's claims. Hydra
//     generates that 4096-bit key when it first needs it, which takes up
//     to a second.
//   - ID tokens (RS256, 4096-bit key, typ JWT) carry iss, sub, aud (always
//     an array), exp, iat, auth_time, rat (when the request was made), nonce,
//     at_hash, jti, sid, acr ("0" from the app), amr (["pwd"]) and the
//     account's claims for the granted scopes, although an access token is
//     issued too (oidc-provider leaves them out then). A refreshed ID token keeps the nonce, auth_time
//     and sid of the login.
//   - Userinfo answers the same user claims plus iss, aud, iat, auth_time,
//     rat, acr and amr. With userinfo_signed_response_alg RS256 it answers
//     application/jwt, signed with the ID-token key, with iss, aud [client],
//     iat and jti but no exp.
//   - Refresh tokens rotate: each refresh returns a new one and revokes the
//     previous access token. Reusing a used refresh token answers
//     invalid_grant and revokes every token of that grant, the new ones
//     too (oauth2.grant.refresh_token.rotation_grace_period is 0).
//     Revoking a refresh token revokes its access token.
//   - A wrong code_verifier answers invalid_grant and burns the code.
//   - A client may request only the scopes registered with it; others
//     answer invalid_scope at the redirect. Access token audiences must be
//     requested with the audience parameter (space-separated) and be
//     registered in the client's audience list; others answer
//     invalid_request.
//   - private_key_jwt: Hydra accepts only its token endpoint URL as the
//     assertion's aud. The issuer, which RFC 7523 and OpenID Connect allow,
//     is refused with 401 invalid_client ("Claim 'audience' from
//     'client_assertion' must match the authorization server's token
//     endpoint"). A reused jti answers 400 jti_known, not invalid_client.
//   - RP-initiated logout (GET end_session_endpoint, /oauth2/sessions/logout):
//     post_logout_redirect_uri or state without id_token_hint is refused
//     with invalid_request (the browser lands on the app's /error, and
//     [Server.Logout] returns that error). With id_token_hint Hydra asks the
//     app, then redirects to post_logout_redirect_uri with state. With no
//     parameter it ends the browser's session and lands on the app's
//     signed-out page; without a session it goes there directly.
//   - Back-channel logout: after a logout (RP-initiated, or
//     [Server.RevokeLoginSession] by sid; not [Server.RevokeSubjectSessions])
//     Hydra POSTs logout_token to each client of that session with a
//     backchannel_logout_uri, asynchronously (wait for it) and with
//     retries. The logout token, signed with the current ID-token key, has
//     iss, aud [client_id], iat, jti, sid and events, always sid, and
//     neither sub nor exp: Back-Channel Logout 1.0 requires exp, so a
//     strict validator refuses Hydra's logout tokens.
//   - Key rotation: POST /admin/keys/hydra.openid.id-token adds a key
//     (generating a 4096-bit RSA key takes about a second); the newest key
//     signs from then on, and the older ones stay in the public JWKS.
//   - Client secrets must have at least 6 characters; client IDs may be
//     chosen. Hydra checks CSRF cookies across the redirects of a flow, so
//     the browser needs a cookie jar ([Server.Authorize] adds one when the
//     client has none); in --dev mode they are not Secure, so a Go cookie
//     jar sends them over http.
//   - response_mode=form_post is answered with a self-posting page, which
//     Authorize reports as an error.
package hydra
