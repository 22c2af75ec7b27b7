// Package oidctest is a real OpenID provider that runs in-process on an
// [net/http/httptest] server, for tests and demos. It speaks the protocol
// on the wire like a production provider (discovery, authorization code
// flow with PKCE, signed ID tokens, userinfo, JWKS with key rotation,
// revocation, introspection and RP-initiated logout) and has knobs that make
// it misbehave on purpose, so a relying party can be tested against both.
//
// There is no login page and no consent screen: the authorization endpoint
// checks the request and redirects straight back to the client with a code
// for the current user. A browser, or an http.Client with a cookie jar that
// follows redirects, goes from the client's login URL to its callback in one
// round trip.
//
// # Use in a test
//
// New starts a server for the test and closes it when the test ends:
//
//	func TestLogin(t *testing.T) {
//		op := oidctest.New(t, oidctest.WithClients(oidctest.Client{
//			ID:           "my-app",
//			Secret:       "my-secret",
//			RedirectURIs: []string{app.URL + "/callback"},
//		}))
//		// Configure the code under test with op.Issuer() (discovery) or
//		// op.URL(oidctest.TokenEndpoint) and friends, then drive a login.
//	}
//
// Without options there is one confidential client, DefaultClientID with
// DefaultClientSecret and no redirect URI; add one with RegisterClient.
// Logins authenticate as DefaultUser until SetUser names another user;
// grants issued before keep their user.
//
// The server generates its own signing keys (RS256 unless Config.Algorithm
// says otherwise; ES256 keys are much faster to make, which adds up over
// many tests).
//
// # Use outside a test
//
// Start takes a Config and returns a server that the caller must Close. Set
// Config.Addr for a fixed address, such as a demo's provider at
// "127.0.0.1:9000"; the issuer is then "http://127.0.0.1:9000".
//
// # Endpoints
//
// Every endpoint lives below the issuer at the path of its Endpoint
// constant, and URL returns its address:
//
//   - DiscoveryEndpoint: the metadata of OpenID Connect Discovery 1.0 and
//     RFC 8414, advertising code_challenge_methods_supported [S256] and
//     authorization_response_iss_parameter_supported (RFC 9207).
//   - AuthorizeEndpoint: checks client_id, the exact redirect_uri,
//     response_type=code, the openid scope and PKCE (S256 only; required
//     for public clients), then answers with code, state and iss by
//     redirect (response_mode=query) or auto-submitting form
//     (response_mode=form_post). Errors about the client or the redirect
//     URI get an error page, never a redirect (RFC 6749 §4.1.2.1).
//   - TokenEndpoint: authorization_code (redirect_uri and code_verifier
//     checked; codes are single use, short lived, and a replay revokes
//     their tokens), refresh_token (rotated on every use; reuse revokes the
//     grant) and client_credentials. The client must authenticate with its
//     registered AuthMethod and only that one. Errors follow RFC 6749 §5.2.
//   - UserInfoEndpoint: the access token only in an Authorization: Bearer
//     header (RFC 6750 §2.1); claims released by scope.
//   - JWKSEndpoint: the public keys, each with its kid.
//   - RevocationEndpoint (RFC 7009) and IntrospectionEndpoint (RFC 7662).
//   - EndSessionEndpoint: OpenID Connect RP-Initiated Logout, checking
//     id_token_hint and post_logout_redirect_uri and echoing state.
//
// ID tokens carry iss, sub, aud, azp, exp, iat, auth_time, nonce, at_hash
// (with the hash of the signing algorithm) and sid, and the kid of the key
// that signed them.
//
// # A provider's shape
//
// By default the server is a textbook provider at its own loopback address.
// Config can give it the shape of a real one instead, so that a client
// written for that provider is tested as it will meet it:
//
//   - Issuer names the provider's own issuer (with a trailing slash, a path,
//     an https host), and Endpoints moves endpoints below it or onto other
//     hosts (Google's token endpoint is on oauth2.googleapis.com). The
//     server plays those hosts: Transport and HTTPClient send their requests
//     to it.
//   - TokenIssuer puts another iss in ID tokens than the metadata names
//     (Microsoft's {tenantid} template, Google's issuer without a scheme).
//   - Metadata changes or removes members of the discovery document; the
//     server follows what it then says about the RFC 9207 iss parameter.
//   - Algorithm may be an HMAC algorithm keyed with the client secret
//     (LINE); Client.VerifySecret checks a client secret that is not a fixed
//     string (Apple's signed JWT); ImplicitOpenID issues ID tokens without
//     the openid scope (Apple); Handlers serve a provider's own APIs beside
//     the OpenID ones (LINE's profile), with UserFor to check their access
//     tokens; Sign signs tokens of the test's own making with the server's
//     key.
//
// # Faults
//
// Faults holds knobs that break one thing each: the ID token's signature,
// key, algorithm, issuer, audience, nonce, expiry or at_hash; the iss of
// the authorization response; the issuer in discovery; the userinfo
// subject; an error response from any endpoint (a JSON OAuth error or a raw
// body such as an HTML error page, for every request or a counted few); and
// a delay per endpoint. Set them at any time with SetFaults or UpdateFaults:
//
//	op.UpdateFaults(func(f *oidctest.Faults) { f.WrongNonce = true })
//
// # Keys and time
//
// RotateKey adds a signing key and makes it current while the old keys stay
// published; RemoveKey withdraws one, ReplaceKey rotates without overlap,
// and ReplaceKeyKeepKID puts a new key under the current kid (a provider
// restarted with fresh keys under the same names). Config.Now (WithClock) sets the clock that every issued and
// checked time uses, so a test can expire codes and tokens without waiting.
//
// # Assertions on requests
//
// Count and Counts tell how many requests each endpoint received, and
// Requests returns them (method, query, form body, headers) so a test can
// assert exactly what its client sent.
//
// All methods of Server are safe for concurrent use.
package oidctest
