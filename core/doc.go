// Package core is oauth20's framework-neutral heart. It has two halves:
//
//   - The login flow, [Auth]: composed once with the fluent [Builder]
//     (core.New()…Build()) and called by every adapter — [Auth.Begin] on
//     the login route, [Auth.Complete] on the callback, [Auth.SessionCookie]
//     after a login, [Auth.RequireLogin] in middleware and [Auth.Logout].
//     State, PKCE, nonce, the RFC 9207 iss parameter and the ID token are
//     checked here, not left to the application.
//   - The protocol client, [Client]: a hand-written OAuth 2.0 client for one
//     authorization server, with every provider's wire quirks expressed as
//     data ([Dialect]) on one request pipeline. Use it directly for grants
//     outside a browser login (client credentials, device flow,
//     introspection) or when no adapter fits.
//
// Providers come ready-made from package providers; package oidc implements
// the ID-token verification that core calls through [IDTokenVerifier].
//
// # Quickstart
//
// Compose the providers once, then let an adapter (oauth20http, oauth20chi,
// oauth20fiber, oauth20gin, oauth20echo) serve the routes; the example of
// Auth shows the same login without any framework:
//
//	auth, err := core.New().
//		SealingKeys(key). // 32+ random bytes, the same on every replica
//		BaseURL("https://app.example/auth").
//		Provider(providers.GitHub(id, secret)).
//		Build()
//
// Without a framework, the two calls of a login are:
//
//	to, flowCookie, err := auth.Begin(ctx, "github", core.BeginOptions{ReturnTo: "/me"})
//	// set flowCookie, redirect the browser to `to`; on the callback:
//	res, clear, err := auth.Complete(ctx, "github", r.URL.Query(), lookupCookie)
//	// set clear whatever the outcome; res.User is the user, res.Token the token
//
// and the protocol client on its own:
//
//	client, err := core.NewClient(core.Config{
//		ClientID: "id", ClientSecret: "secret",
//		Endpoints:   core.Endpoints{AuthURL: "https://as.example/authorize", TokenURL: "https://as.example/token"},
//		RedirectURL: "https://app.example/callback",
//	})
//	verifier := core.GenerateVerifier()
//	url := client.AuthCodeURL(state, core.WithPKCE(verifier))
//	tok, err := client.Exchange(ctx, code, core.WithPKCE(verifier))
//
// # The login flow
//
// The flow keeps little on the server: the flow record (state, PKCE
// verifier, nonce, provider, redirect URI, return-to path, issuer, time) is
// sealed (AES-256-GCM) into one cookie per flow, and the session into
// another, so replicas need only the same sealing keys and a shared [Store]
// (package stores/oauth20redis), which marks each callback used, keeps a
// refresh single across replicas and, with [Builder.ServerSessions], holds
// the sessions (sealed) while the cookie holds a session ID. Every failed
// callback is a *[CallbackError] with the HTTP status to answer (400 for a
// bad, expired, tampered or replayed callback, 401 when the user denied
// access, 502 when the provider failed); [ProblemOf] turns any error into
// an RFC 9457 problem document without secrets.
//
// # What the protocol client implements
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
//   - RFC 9126 pushed authorization requests (ProviderSpec.PAR, or when
//     the metadata requires them) and RFC 9101 signed request objects
//     (ProviderSpec.RequestObject), on their own or pushed.
//   - RFC 9449 DPoP (Config.DPoPKey, package dpop): proofs on the grants,
//     revocation and resource requests, dpop_jkt, the server nonce, and
//     tokens of type DPoP that are never sent as Bearer.
//   - JWT Secured Authorization Responses (ProviderSpec.JARM) verified
//     before the callback is read.
//   - The FAPI 2.0 Security Profile (ProviderSpec.FAPI2; package fapi for
//     the Builder's mode).
//
// # Dialects
//
// A Dialect describes how a provider departs from RFC 6749 on the wire:
// parameter names (appid/secret, clientId), scope separator, URL fragment
// (#wechat_redirect), parameter order, GET or JSON token requests, form,
// JSONP or enveloped answers, camelCase token members, string expires_in,
// the member that names the user (WeChat's openid, into Token.UserID, which
// a stored token keeps so that its user can be fetched later) and errors
// inside HTTP 200 answers (error, errcode/errmsg, code/msg, ok:false). The
// zero Dialect is RFC 6749. Small hooks (EditRequest,
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
// The API takes a standard *http.Client (Builder.HTTPClient,
// Config.HTTPClient); whatever client is given, its transport and cookie
// jar are used, but no redirect is followed (a 3xx answer is an error:
// following it could carry a code or secret to another host), response
// bodies are capped at DefaultMaxResponseBytes, each request times out
// after DefaultTimeout unless the client has its own Timeout, and nothing is
// retried (a code is single use). Endpoints must be https unless the host is
// loopback, or Config.InsecureAllowHTTP is set.
package core
