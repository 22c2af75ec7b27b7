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
// OpenID providers), exchange, refresh, revocation and user. Input holds
// their arguments: code, refresh_token, scopes, token, token_type_hint,
// access_token, token_fields, callback and params (extra authorization or
// token parameters).
//
// A request states its method; its URL without query; its auth, one of
// "client_secret_basic", "client_secret_post", "none" (the default: no
// Authorization header), "private_key_jwt", "client_secret_jwt",
// {"basic": [user, password]} or {"bearer": token}; the headers that matter
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
// id_token, scope, expires_in in seconds after the clock, and selected raw
// members; absent fields must be empty), user (the core.User fields and
// selected raw members) or error: code (errors.Is against the core
// sentinel of that code, then provider_code and status compared), or is,
// naming a core sentinel: transport, response_too_large,
// malformed_response, unexpected_status, missing_access_token,
// unsupported_token_type, invalid_expiry, no_endpoint, no_refresh_token,
// no_user_id, no_id_token. An empty expect on a revocation means success.
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
// cassette's values are bound to the values given. {{*}} matches any
// non-empty value, in requests only (signed client assertions). A
// placeholder that is not bound, malformed or a wildcard outside a request
// is an error when the cassette is loaded. Messages show bound values as
// their placeholders, so diffs read "{{code_verifier}}" rather than a
// random string.
//
// # Recording a provider of your own
//
//  1. Say which members of the provider's answers hold personal data
//     (core.ProviderSpec.UserFields: the ones FetchUser maps and the others
//     the provider documents) and, in its core.Dialect, the headers and
//     fields that carry tokens or credentials under names of its own
//     (TokenHeaders, SecretFields). The standard names (RFC 6749, the
//     OpenID Connect claims) need no declaring.
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
//     header or parameter of an unknown name that may hold a secret) gives
//     an error wrapping ErrUnclassified that names the call, and no
//     cassette; declare the name and call Cassette again.
//     Complete replays the cassette against the provider built with fake
//     credentials and writes what it returns as the expectations. Review
//     them, save the cassette with WriteFile under testdata/<provider>/,
//     and add error scenarios by hand (copy an interaction, change the
//     answer). What no request shows is not in the recording: extra
//     authorization parameters, a user fetch's callback parameters, a
//     signed ID token for the user scenario.
//  5. Run it in a test with Run.
//
// Example_recordAndCheck does all of this against an in-process provider.
//
// # Limits
//
// ID-token verification is not driven yet: an OpenID provider's user
// scenario runs without a verified ID token. The format leaves room for
// it: the JWKS and discovery documents go in shared, and an "id_token"
// operation can be added without changing the rest.
package conformance
