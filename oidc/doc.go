// Package oidc is the OpenID Connect side of oauth20: provider discovery,
// ID-token verification with the issuer's rotating keys, UserInfo, and
// logout. It is built on github.com/golang-jwt/jwt/v5 (parsing, signature
// algorithms) and github.com/MicahParks/keyfunc/v3 with jwkset (JWK parsing
// and key lookup), with its own key cache in front of them.
//
// # Quick start
//
//	md, err := oidc.Discover(ctx, "https://accounts.example.com")
//	if err != nil { ... }
//	v, err := md.NewVerifier(oidc.VerifierConfig{ClientID: clientID})
//	if err != nil { ... }
//	defer v.Close()
//	tok, err := v.Verify(ctx, rawIDToken, oidc.Expectations{Nonce: nonce, AccessToken: at})
//	if errors.Is(err, oidc.ErrNonceMismatch) { ... }
//	info, err := oidc.FetchUserInfo(ctx, nil, md.UserInfoEndpoint, at, tok.Subject)
//	user, err := oidc.NewUser(&tok.IDToken, info)
//
// A long-lived program keeps one Discovery per issuer (metadata reused for
// DefaultMetadataTTL) and one Verifier per client. NewVerifier and
// NewDiscovery do no network I/O; keys are fetched on first use. The
// *Verifier implements core.IDTokenVerifier.
//
// # Discovery
//
// Discover reads {issuer}/.well-known/openid-configuration (OpenID Connect
// Discovery 1.0 §4), falling back to the RFC 8414 location on 404. The
// document's issuer must equal the requested issuer byte for byte (no case
// folding, no trailing-slash repair); every endpoint must be https, or http
// on a loopback host. Unknown members are ignored; a member name given
// twice is rejected.
//
// # Endpoints the metadata may name
//
// The metadata document comes from the network, and the client then sends
// requests (with the client secret, codes and tokens) to the endpoints it
// names. A hostile or compromised issuer, or anyone who can change its
// document, could name http://127.0.0.1:6379/, http://localhost:2375/ or
// the cloud metadata service at 169.254.169.254 and make the application
// call services inside its own network (server-side request forgery). So
// an endpoint is refused with ErrEndpointNotAllowed when its host is a
// loopback (127.0.0.0/8, ::1, localhost, *.localhost), private (10/8,
// 172.16/12, 192.168/16, 100.64/10, fc00::/7), link-local (169.254/16,
// fe80::/10), unspecified (0.0.0.0/8, ::) or other special-purpose address,
// or an IPv4 address in a non-standard spelling (2130706433, 0x7f.1),
// unless the issuer itself is on that kind of host: a provider on loopback
// (oidctest, a local Keycloak) may name loopback endpoints, one on a
// private address private ones.
//
// The knobs:
//
//   - WithEndpointHosts lists the hosts endpoints may be on (besides the
//     issuer's own); every other host is refused, and a listed host is
//     accepted whatever its kind. It is the tighter choice for a known
//     provider whose endpoints live on several hosts.
//   - InsecureAllowHTTP lifts the https rule and the host rule, for tests.
//
// Only the spelling of the URL is judged: a DNS name that resolves to an
// internal address passes. Where that matters, give the HTTP clients
// (WithHTTPClient here, the *http.Client of the login flow) a dialer that
// refuses such addresses (net.Dialer.Control).
//
// # ID-token verification
//
// Verify implements OpenID Connect Core §3.1.3.7 and the JWT rules of
// RFC 7519 and RFC 8725, in this order: size (MaxTokenSize) and compact
// shape; the header (alg in the allow-list, no crit, typ absent or "JWT");
// the key; the signature; then the claims. Claims are read with exact, case-sensitive names and a payload
// with a duplicate name (also under case folding) is rejected, so neither
// {"Sub":...} nor a second "sub" can pass as the subject. A token whose
// signature fails is always reported as ErrBadSignature, never by its claim
// errors. Each failed check returns its own sentinel (ErrIssuerMismatch,
// ErrAudienceMismatch, ErrTokenExpired, ErrNonceMismatch, ...) wrapped with
// detail; error strings never contain the token, a nonce or a secret.
//
// # Signature algorithms
//
// The allow-list comes from configuration, never from the token (RFC 8725
// §3.1). It holds the asymmetric algorithms the provider advertises
// (RS256/384/512, PS256/384/512, ES256/384/512, EdDSA; VerifierConfig
// Algorithms, by default id_token_signing_alg_values_supported), narrowed
// to the client's registered id_token_signed_response_alg when
// RegisteredAlgorithm is set. "none" is never accepted. HS256/384/512,
// keyed with the client secret, are accepted only when listed in
// SymmetricAlgorithms (LINE's provider does so): an advertised HS256 and a
// client secret turn nothing on, so whoever learns the secret (it sits in
// the application's configuration, not in a key store of the provider)
// cannot sign an ID token or a logout token that passes. Back-channel logout tokens follow the same list. Signed
// UserInfo responses follow UserInfoAlgorithms (by default
// userinfo_signing_alg_values_supported, else the ID-token list),
// narrowed to RegisteredUserInfoAlgorithm (userinfo_signed_response_alg).
//
// Policies where the specification leaves a choice: aud may hold other
// audiences only if they are in TrustedAudiences, and azp is then required;
// iat more than the clock skew in the future is rejected; MaxTokenAge is
// off by default; at_hash is checked whenever present and an access token
// is given; sub must be 1 to 255 printable ASCII characters; an ID token
// returned by a refresh must keep iss, sub, aud, azp, auth_time and nonce.
// When max_age was sent, an ID token without auth_time is refused with
// ErrAuthTimeMissing (§3.1.2.1 requires the claim), whose message says so;
// providers known to omit it (Dex, dexidp/dex#1052) need max_age left
// unset.
//
// # Keys and rotation
//
// Keys come only from the issuer's jwks_uri, never from jku, jwk, x5u or
// x5c headers. Keys marked use "enc", or whose key_ops lack "verify", RSA
// keys under 2048 bits and keys whose type or alg does not fit the token's
// alg are never used. keyfunc's HTTP storage is replaced by a cache tuned
// for logins:
//
//   - a token with an unknown kid needs the answer of a JWK Set fetch that
//     started after the kid was found missing; every caller in that
//     position shares one fetch (a caller that joined an older fetch whose
//     answer lacks the kid waits for the next one);
//   - such fetches start at most once per KeyRefreshLimit (default 1 s), so
//     random kids cannot make us hammer the provider; a caller that the
//     limit puts off does not fail but waits for the next permitted fetch,
//     no longer than its ctx allows and only while fewer than
//     MaxKeyWaiters (default 1000) wait so (more fail at once with
//     ErrUnknownKey), so a real rotation during a flood of made-up kids
//     fails no caller and nobody waits much longer than the limit;
//   - a signature that fails with the cached key named by its kid counts
//     the same: the caller waits for such a fetch, and if the issuer now
//     publishes another key under that kid (a provider restarted with new
//     keys under the same names, go-oidc#243), the token is verified once
//     more; forged signatures thus cost the issuer at most one fetch per
//     limit, and are reported as ErrBadSignature;
//   - after a failed fetch, callers fail at once with its error until the
//     limit has passed;
//   - keys older than KeyRefreshInterval (default 1 h) are refreshed in the
//     background while still in use; Close ends that work.
//
// The waits run on the injected clock: VerifierConfig.After is the timer
// that goes with Now.
//
// A token without kid is verified with the single signing key that fits its
// alg; when several fit, up to MaxKeysWithoutKID (default 3) are tried, and
// with more it is rejected with ErrUnknownKey. Tokens without kid do not
// cause refreshes.
//
// # UserInfo and logout
//
// FetchUserInfo sends the access token only in the Authorization header,
// accepts JSON or, with a verifier, a signed application/jwt response
// (signature, iss and aud checked), and discards the response unless its
// sub equals the ID token's (§5.3.2). NewUser takes email and
// email_verified as a pair from one source (UserInfo when it has an email,
// else the ID token), so one source's email_verified never vouches for the
// other's address; only a JSON true counts as verified, or the string
// "true" with WithStringEmailVerified for providers that send strings
// (Apple). EndSessionURL builds the RP-initiated logout request;
// VerifyLogoutToken checks a back-channel logout token (events member, sub
// or sid, jti, no nonce, typ "logout+jwt" accepted). FetchUserInfo sends
// Bearer tokens only: a DPoP-bound token (RFC 9449) goes through
// core.Client.Resource, which adds the proof, and its answer through
// ParseUserInfo.
//
// # Signed authorization responses (JARM)
//
// VerifyAuthResponse checks the response JWT of a callback made with
// response_mode jwt, query.jwt or form_post.jwt (JWT Secured Authorization
// Response Mode): header, signature with the issuer's keys under its own
// allow-list (VerifierConfig.AuthResponseAlgorithms), iss, aud and exp, and
// only then returns the parameters it holds. core.Auth calls it for a
// provider whose spec sets JARM.
//
// # Encryption (JWE)
//
// An ID token, UserInfo answer or authorization response encrypted to the
// client (OpenID Connect Core §10.2, §5.3.2) is decrypted with
// VerifierConfig.DecryptionKeys by go-jose, then verified as a signed one
// with golang-jwt. Key management: RSA-OAEP, RSA-OAEP-256, ECDH-ES and
// ECDH-ES+A128KW/A192KW/A256KW; content: A128GCM, A192GCM, A256GCM and the
// CBC-HMAC ones. RSA1_5, PBES2 (and its p2c), keys derived from the client
// secret, compression (zip) and crit are refused, and the size is bounded
// before anything is decoded (MaxEncryptedSize). A registered encryption
// (IDTokenEncryption, UserInfoEncryption, AuthResponseEncryption) pins alg
// and enc and makes a signed-only answer an error (ErrNotEncrypted, OpenID
// Connect Core §3.1.3.7 step 1).
package oidc
