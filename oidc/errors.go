package oidc

import "errors"

// Sentinel errors, one per check. Every error returned by this package that
// reports a failed check wraps exactly the sentinel of that check (and, for a
// missing claim, ErrMissingClaim as well), with detail, so callers can test
// for it with errors.Is:
//
//	if errors.Is(err, oidc.ErrTokenExpired) { ... start a new login ... }
//
// Error strings never contain a token, a secret, a code or a nonce.
var (
	// ErrMalformedToken: the token is not a compact JWS of at most
	// MaxTokenSize bytes with a JSON object header and payload, a claim has
	// the wrong JSON type (for example exp given as a string), or a name
	// appears twice (also when two names differ only in case).
	ErrMalformedToken = errors.New("oidc: malformed token")
	// ErrUnsupportedAlgorithm: the header's alg is not in the verifier's
	// allow-list (this includes "none" in every spelling).
	ErrUnsupportedAlgorithm = errors.New("oidc: unsupported signing algorithm")
	// ErrUnsupportedHeader: the header carries "crit"; no extension is
	// understood, so RFC 7515 §4.1.11 requires rejecting it.
	ErrUnsupportedHeader = errors.New("oidc: unsupported critical header")
	// ErrWrongTokenType: the typ header or the claims show another kind of
	// JWT (an access token as an ID token, an ID token as a logout token).
	ErrWrongTokenType = errors.New("oidc: wrong token type")
	// ErrUnknownKey: no key of the issuer's JWK Set matches the token's kid
	// (after the one refresh the kid is entitled to), no key fits a token
	// without kid, or the JWK Set could not be had: its fetch failed, the
	// caller's ctx ended while waiting for it, or too many callers already
	// wait for it (VerifierConfig.MaxKeyWaiters).
	ErrUnknownKey = errors.New("oidc: unknown signing key")
	// ErrKeyNotUsable: the key named by kid exists but may not verify this
	// token: it is an encryption key (use "enc" or key_ops without
	// "verify"), its type or alg does not fit the token's alg, or it is too
	// weak (RSA below 2048 bits).
	ErrKeyNotUsable = errors.New("oidc: key not usable for verification")
	// ErrBadSignature: the signature does not verify.
	ErrBadSignature = errors.New("oidc: bad signature")
	// ErrIssuerMismatch: iss differs from the expected issuer, or discovery
	// metadata names another issuer than the one requested.
	ErrIssuerMismatch = errors.New("oidc: issuer mismatch")
	// ErrAudienceMismatch: aud does not contain the client id, contains an
	// audience the client does not trust, or is multi-valued on an HMAC
	// token.
	ErrAudienceMismatch = errors.New("oidc: audience mismatch")
	// ErrAuthorizedPartyMismatch: azp is present and differs from the client
	// id, or aud has several values and azp is missing.
	ErrAuthorizedPartyMismatch = errors.New("oidc: authorized party mismatch")
	// ErrTokenExpired: the current time is past exp plus the clock skew.
	ErrTokenExpired = errors.New("oidc: token expired")
	// ErrIssuedInFuture: iat lies further in the future than the clock skew.
	ErrIssuedInFuture = errors.New("oidc: token issued in the future")
	// ErrTokenTooOld: iat is older than the configured MaxTokenAge.
	ErrTokenTooOld = errors.New("oidc: token too old")
	// ErrTokenNotYetValid: nbf lies further in the future than the skew.
	ErrTokenNotYetValid = errors.New("oidc: token not yet valid")
	// ErrMissingClaim: a required claim is absent. It is wrapped together
	// with the sentinel of the check that needed the claim.
	ErrMissingClaim = errors.New("oidc: missing required claim")
	// ErrInvalidSubject: sub is empty, longer than 255 characters or not
	// printable ASCII.
	ErrInvalidSubject = errors.New("oidc: invalid subject")
	// ErrNonceMismatch: a nonce was sent and the token's nonce is missing or
	// different; or a logout token carries a nonce.
	ErrNonceMismatch = errors.New("oidc: nonce mismatch")
	// ErrAtHashMismatch: at_hash does not match the access token, or is
	// missing when required.
	ErrAtHashMismatch = errors.New("oidc: at_hash mismatch")
	// ErrCHashMismatch: c_hash does not match the authorization code, or is
	// missing when a code was given.
	ErrCHashMismatch = errors.New("oidc: c_hash mismatch")
	// ErrAuthTimeTooOld: max_age was sent and auth_time is too old.
	ErrAuthTimeTooOld = errors.New("oidc: authentication too old")
	// ErrAuthTimeMissing: max_age was sent and the ID token has no
	// auth_time, which OpenID Connect Core §3.1.2.1 requires. It is wrapped
	// together with ErrMissingClaim. Some providers omit auth_time all the
	// same (Dex, dexidp/dex#1052): a new login does not help there; leave
	// max_age unset for such a provider.
	ErrAuthTimeMissing = errors.New("oidc: no auth_time although max_age was requested")
	// ErrACRMismatch: the token's acr is not one of the acceptable values.
	ErrACRMismatch = errors.New("oidc: acr not acceptable")
	// ErrRefreshMismatch: an ID token from a refresh differs from the
	// original in iss, sub, aud, azp, auth_time or nonce (OpenID Connect
	// Core §12.2).
	ErrRefreshMismatch = errors.New("oidc: refreshed ID token does not match the original")
	// ErrInvalidLogoutToken: a logout token lacks the back-channel logout
	// event, or has neither sub nor sid.
	ErrInvalidLogoutToken = errors.New("oidc: invalid logout token")
	// ErrUserInfoSubjectMismatch: the UserInfo sub is missing or differs
	// from the ID token's sub; nothing from that response may be used.
	ErrUserInfoSubjectMismatch = errors.New("oidc: userinfo subject mismatch")
	// ErrUserInfoNotSigned: a signed UserInfo response was required and a
	// plain JSON one arrived.
	ErrUserInfoNotSigned = errors.New("oidc: userinfo response not signed")
	// ErrEndpointNotAllowed: a discovery document names an endpoint on a
	// loopback, private, link-local, unspecified or otherwise special
	// address (or localhost) while the issuer is not on such a host, or a
	// host outside WithEndpointHosts.
	ErrEndpointNotAllowed = errors.New("oidc: endpoint host not allowed")
	// ErrDecryption: an encrypted token (JWE) could not be decrypted: no
	// decryption key is configured, none fits its alg and kid, or none
	// opens it.
	ErrDecryption = errors.New("oidc: cannot decrypt")
	// ErrNotEncrypted: the client registered encryption (an ID token,
	// UserInfo answer or authorization response encrypted to it) and the
	// provider sent it signed only, or in the clear (OpenID Connect Core
	// §3.1.3.7 step 1).
	ErrNotEncrypted = errors.New("oidc: not encrypted although encryption was registered")
	// ErrVerifierClosed: the verifier was closed and the key it needs is
	// not cached.
	ErrVerifierClosed = errors.New("oidc: verifier closed")
)
