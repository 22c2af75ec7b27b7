// Package core is the protocol half of oauth20: a hand-written OAuth 2.0
// client for one authorization server, with every provider's wire quirks
// expressed as data on one request pipeline.
//
// # Quickstart
//
//	client, err := core.NewClient(core.Config{
//		ClientID: "id", ClientSecret: "secret",
//		Endpoints:   core.Endpoints{AuthURL: "https://as.example/authorize", TokenURL: "https://as.example/token"},
//		RedirectURL: "https://app.example/callback",
//		Scopes:      []string{"openid", "email"},
//	})
//	verifier := core.GenerateVerifier()
//	url := client.AuthCodeURL(state, core.WithPKCE(verifier))
//	// ... the user comes back with ?code=...&state=...
//	tok, err := client.Exchange(ctx, code, core.WithVerifier(verifier))
//
// Most applications do not call the Client directly: the login flow (state,
// PKCE, nonce, sealed cookie, ID-token verification, user fetch) is built on
// it, and providers come ready-made from package providers.
//
// # What it implements
//
//   - RFC 6749: authorization URL (§4.1.1), code exchange (§4.1.3), refresh
//     (§6), client credentials (§4.4), error responses (§4.1.2.1, §5.2).
//   - RFC 7636 PKCE with S256 only; the method is always sent.
//   - RFC 6749 §2.3.1 client_secret_basic (form-urlencoded before base64),
//     client_secret_post, none, and RFC 7523 private_key_jwt and
//     client_secret_jwt assertions (aud is the issuer identifier).
//   - RFC 7009 revocation, RFC 7662 introspection, RFC 8628 device
//     authorization with polling (interval, slow_down, expiry).
//   - RFC 6750 §3 WWW-Authenticate errors on 401 answers.
//
// # Dialects
//
// A Dialect describes how a provider departs from RFC 6749 on the wire:
// parameter names (appid/secret, clientId), scope separator, URL fragment
// (#wechat_redirect), parameter order, GET or JSON token requests, form,
// JSONP or enveloped answers, camelCase token members, string expires_in,
// and errors inside HTTP 200 answers (error, errcode/errmsg, code/msg,
// ok:false). The zero Dialect is RFC 6749. Small hooks (EditRequest,
// EditToken) cover what data cannot, but the HTTP call is always the
// library's own.
//
// expires_in is accepted as a JSON number (fractions allowed) or a string of
// digits; 0 means the provider gave no lifetime; negative values and values
// over ten years are rejected with ErrInvalidExpiry.
//
// # Errors
//
// Protocol errors are *Error with a typed ErrorCode (errors.Is(err,
// core.ErrInvalidGrant) works for any invalid_grant); other non-2xx answers
// are *StatusError wrapping ErrUnexpectedStatus; network failures wrap
// ErrTransport; undecodable answers wrap ErrMalformedResponse; configuration
// problems are joined and each wraps ErrInvalidConfig. No error string and
// no log line ever contains a client secret, code, verifier or token: URLs
// are logged without their query, bodies are described, not quoted, and a
// provider's description that echoes a secret of the request is scrubbed.
//
// # HTTP
//
// All calls go through one resty client (NewHTTPClient): a 10 s timeout, no
// redirects followed, a 1 MiB body cap, no retries (a code is single use).
// Endpoints must be https unless the host is loopback, or
// Config.InsecureAllowHTTP is set.
package core
