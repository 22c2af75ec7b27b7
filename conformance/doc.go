// Package conformance proves that a provider speaks its provider's exact
// dialect, by replaying recorded interactions (cassettes) through
// github.com/jarcoal/httpmock installed on the provider's own HTTP client.
// It checks both directions: the requests the library sends must match the
// recording exactly, and what the library makes of the answers (token,
// user, typed error) must match what the cassette says.
//
// Every built-in provider of package providers has a cassette under
// conformance/testdata/<provider>/, and TestConformance fails for one that
// has none. Users run the same suite on providers of their own.
//
// # Quickstart
//
//	func TestAcme(t *testing.T) {
//		c, err := conformance.LoadDir("testdata/acme")
//		if err != nil {
//			t.Fatal(err)
//		}
//		p := acmeProvider("test-client", "test-secret") // fake credentials
//		conformance.Run(t, p, c)
//	}
//
// Each scenario is a subtest: go test -run 'Acme/exchange_error'.
//
// # Cassettes
//
// A cassette is a JSON object; unknown fields are errors. LoadDir merges
// every *.json file of a directory.
//
//	{
//	  "provider": "github",
//	  "source": "https://docs.github.com/… § Web application flow", // where the shapes come from
//	  "clock": "2025-01-01T12:00:00Z",        // replay time; optional
//	  "values": {"rotated": "ghr_new"},       // placeholders of its own
//	  "shared": [ interactions ],             // usable by any scenario, any number of times
//	  "scenarios": [
//	    {"name": "authorization_url", "op": "authorization_url",
//	     "authorization": {"url": "https://github.com/login/oauth/authorize",
//	                       "query": {"client_id": "{{client_id}}", "state": "{{state}}", ...}}},
//	    {"name": "exchange_error", "op": "exchange",
//	     "input": {"code": "{{code}}"},      // optional; this is the default
//	     "interactions": [{
//	       "request": {"method": "POST", "url": "https://github.com/login/oauth/access_token",
//	                   "auth": "client_secret_post",
//	                   "headers": {"Accept": "application/json"},
//	                   "form": {"code": "{{code}}", "client_secret": "{{client_secret}}", ...}},
//	       "response": {"status": 200, "headers": {"Content-Type": "application/json"},
//	                    "json": {"error": "bad_verification_code"}}}],
//	     "expect": {"error": {"code": "invalid_grant", "provider_code": "bad_verification_code", "status": 200}}}
//	  ]
//	}
//
// Every scenario says where its shapes come from, in its "source" or the
// cassette's: "recorded: <date>" (a Recorder sets it), a documentation page
// with its section, another library's public code (repository and path), or
// "unverified: <why>". Check's Report counts the unverified scenarios, so a
// provider proven only by guesswork shows as such.
//
// Operations (op): authorization_url (no request; the URL built with the
// spec's AuthOptions, PKCE when the provider uses it and a nonce for
// OpenID providers that take one), exchange, refresh, revocation and
// user. Input holds their arguments: code, refresh_token, scopes, token,
// token_type_hint, access_token, token_fields, callback, id_token, nonce
// and params (extra authorization or token parameters). The callback is
// what a user fetch sees and, for a provider with a CheckCallback, what
// that check reads before an exchange.
//
// A request states its method; its URL without query; its auth, one of
// "client_secret_basic", "client_secret_post", "none" (the default: no
// Authorization header), "private_key_jwt", "client_secret_jwt",
// {"basic": [user, password]}, {"bearer": token} or {"oauth": token} (the
// "Authorization: OAuth" scheme of Yandex); the headers that matter
// (others are ignored); every query parameter; and its body as form, json
// (compared structurally) or body (text). A missing, different or extra
// parameter fails, an extra secret-bearing one (client_secret,
// access_token, code, ...) with a message saying so, and so does a
// request the scenario does not hold or one it holds but never sees.
// Requests are matched to the first unused interaction with their method
// and URL, so order does not matter.
//
// A response has a status (required), headers (a string or an array of
// strings each) and a body: body for text, verbatim (form-encoded, JSONP,
// HTML), or json for JSON written inline (whitespace is not kept;
// Content-Type defaults to application/json).
//
// An expect holds one of token (access_token, token_type, refresh_token,
// id_token, scope, user_id, expires_in in seconds after the clock, and
// selected raw members; absent fields must be empty), user (the core.User fields and
// selected raw members) or error: code (errors.Is against the core
// sentinel of that code, then provider_code and status compared), or is,
// naming a core sentinel: transport, response_too_large,
// malformed_response, unexpected_status, missing_access_token,
// unsupported_token_type, invalid_expiry, no_endpoint, no_refresh_token,
// no_user_id, no_id_token, invalid_callback (a callback the provider's
// CheckCallback refuses), or one of the ID-token checks (see Signed ID
// tokens). An empty expect on a revocation means success.
// Whatever the expectation, an error string that contains a secret
// (client secret, code, verifier, token) fails the scenario.
//
// # Placeholders
//
// {{name}} stands for a value that changes between runs, anywhere in a
// string. The replay binds, per scenario: client_id, client_secret and
// redirect_uri from the provider under test; state, nonce, code_verifier,
// code, access_token and refresh_token, generated (stable per scenario);
// code_challenge, the S256 challenge of code_verifier. Names in the
// cassette's values are bound to the values given, and the names of its
// id_tokens to the tokens signed for the scenario. {{*}} matches any
// non-empty value, in requests only (signed client assertions). A
// placeholder that is not bound, malformed or a wildcard outside a request
// is an error when the cassette is loaded. Messages show bound values as
// their placeholders, so diffs read "{{code_verifier}}" rather than a
// random string.
//
// # Signed ID tokens
//
// An OpenID provider's cassette carries real ID tokens, signed at replay
// time so that their nonce, at_hash and times fit each scenario. It holds
// test keys (private JWKs: fixtures, never a provider's keys) and describes
// each ID token by its claims; the JWKS answer serves the keys' public
// halves:
//
//	"keys": {"rsa": {"kty": "RSA", "kid": "test-1", "alg": "RS256", "n": "…", "e": "AQAB", "d": "…", …}},
//	"id_tokens": {
//	  "id_token": {"key": "rsa",
//	    "claims": {"iss": "https://accounts.google.com", "aud": "{{client_id}}",
//	               "sub": "110248495921238986420", "nonce": "{{nonce}}", "email_verified": true},
//	    "times": {"iat": 0, "exp": 3600},            // seconds after the replay clock
//	    "hashes": {"at_hash": "{{access_token}}"}},  // left half of the alg's hash
//	  "id_token_web": {"alg": "HS256", "secret": "{{client_secret}}", "claims": {…}, "times": {…}}
//	},
//	"shared": [{"request": {"method": "GET", "url": "https://www.googleapis.com/oauth2/v3/certs"},
//	            "response": {"status": 200, "jwks": ["rsa"]}}]
//
// A key is RSA (2048 bits or more), EC (P-256, P-384, P-521) or OKP
// (Ed25519); a token's alg defaults to its key's. HS256/384/512 tokens are
// signed with secret, usually the client secret (LINE's web logins), and
// alg "none" makes an unsigned token. header adds or replaces header
// members (typ is "JWT" and kid the key's unless replaced; null removes
// one), which lets a scenario forge a token: signed by a key the JWKS does
// not serve, under the kid of one it does. The claims' strings may use
// placeholders, but not other ID tokens.
//
// Each ID token is bound to the placeholder of its name ({{id_token}}) in
// answers, inputs and expectations. When a cassette has ID tokens, an
// exchange of an OpenID provider verifies the ID token of its answer with
// the provider's verifier, as a login does: the nonce of the scenario
// ({{nonce}}, when the provider sends one) and at_hash against the access
// token; a missing ID token is the no_id_token error. A refresh verifies
// the ID token of its answer itself (core.Client.Refresh). A user
// scenario takes input.id_token (a signed token's placeholder, or a token
// verbatim, such as a recorded one) and input.nonce, and verifies the
// token before fetching the user. The token expectation's
// id_token_claims compares claims of the verified token:
//
//	"expect": {"token": {…, "id_token": "{{id_token}}", "id_token_claims": {"sub": "110248495921238986420"}}}
//
// A token the verifier refuses is expected as an error naming the check:
// is bad_signature, unknown_key, key_not_usable, unsupported_algorithm,
// malformed_token, issuer_mismatch, audience_mismatch,
// authorized_party_mismatch, token_expired, issued_in_future,
// token_not_yet_valid, nonce_mismatch, at_hash_mismatch, invalid_subject,
// missing_claim, refresh_mismatch or userinfo_subject_mismatch. A key that
// does not parse, an ID token naming an unknown key or an alg its key
// cannot sign, and a placeholder naming no ID token are errors when the
// cassette is loaded. The files of a directory (LoadDir) share their
// values, keys and ID tokens.
//
// # Recording a provider of your own
//
//  1. Say which members of the provider's answers hold personal data
//     (core.ProviderSpec.UserFields: the ones FetchUser maps and the others
//     the provider documents) and, in its core.Dialect, the headers,
//     parameters and fields that carry tokens or credentials under names of
//     its own (TokenHeaders, TokenParams, SecretFields). The standard names
//     (RFC 6749, the OpenID Connect claims) need no declaring.
//  2. Build the provider with your real credentials and install a
//     Recorder as the transport of its HTTP client (core.Builder.HTTPClient or
//     providers.WithHTTPClient).
//  3. Log in once: pass the authorization URL to Recorder.AuthorizationURL,
//     exchange the code, fetch the user; refresh and revoke if the
//     provider supports them. Requests are grouped into scenarios by what
//     they are; Recorder.Begin names one explicitly.
//  4. Recorder.Cassette(provider) replaces the credentials, state, PKCE
//     values, codes, tokens, ID tokens (whole), cookies and personal data
//     by placeholders, wherever they are (URLs, query, headers, form, JSON
//     at any depth, JSONP). It fails closed: a call it cannot classify (an
//     endpoint it cannot tie to an operation, a body it cannot read, a
//     header or parameter of an unknown name that may hold a secret, an
//     answer in plain text longer than a line) gives an error wrapping
//     ErrUnclassified that names the call, and no cassette; declare the
//     name and call Cassette again.
//     Complete replays the cassette against the provider built with fake
//     credentials and writes what it returns as the expectations. Review
//     them, save the cassette with WriteFile under testdata/<provider>/,
//     and add error scenarios by hand (copy an interaction, change the
//     answer). What no request shows is not in the recording: extra
//     authorization parameters, the callback (a user fetch's, or the one a
//     provider's CheckCallback reads before an exchange), a signed ID token
//     for the user scenario.
//  5. Run it in a test with Run.
//
// Example_recordAndCheck does all of this against an in-process provider.
//
// # Limits
//
// A Recorder keeps a recorded login's ID token out of the cassette (it
// is a credential and carries personal data), so a recorded exchange is
// not verified; describe the provider's ID token under id_tokens instead,
// or pass a recorded one verbatim as a user scenario's input.id_token.
//
// The recorder does not see the callback, so the exchange of a provider
// with a CheckCallback (Shopify's signed callback, VK ID's device_id) needs
// its input.callback written by hand before Complete can replay it.
//
// Answers signed over their text (Alipay's gateway) no longer verify once
// their personal data is replaced, so Complete expects errors of them; and
// a time a request carries (Alipay's timestamp) is the moment of the call,
// which a replay at the cassette's clock sends again only when the login
// ran on a clock that stood still at the recording's start (the
// Recorder's Clock given to core.Builder.Clock as well). The Alipay
// cassette of this module is written by hand and signed with fake keys
// (internal/builtin).
package conformance
