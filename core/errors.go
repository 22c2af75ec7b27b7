package core

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/go-oauth20/oauth20/internal/httpx"
	"github.com/go-oauth20/oauth20/internal/urls"
)

// ErrorCode is an OAuth 2.0 error code as carried in the "error" member of a
// token-endpoint response or the "error" parameter of an authorization
// redirect.
type ErrorCode string

// Error codes of RFC 6749 §4.1.2.1 (authorization response) and §5.2 (token
// response), RFC 6750 §3.1 (bearer resource requests), RFC 7009 §2.2.1
// (revocation), RFC 8628 §3.5 (device authorization grant) and RFC 9449
// (DPoP).
const (
	CodeInvalidRequest          ErrorCode = "invalid_request"
	CodeUnauthorizedClient      ErrorCode = "unauthorized_client"
	CodeAccessDenied            ErrorCode = "access_denied"
	CodeUnsupportedResponseType ErrorCode = "unsupported_response_type"
	CodeInvalidScope            ErrorCode = "invalid_scope"
	CodeServerError             ErrorCode = "server_error"
	CodeTemporarilyUnavailable  ErrorCode = "temporarily_unavailable"
	CodeInvalidClient           ErrorCode = "invalid_client"
	CodeInvalidGrant            ErrorCode = "invalid_grant"
	CodeUnsupportedGrantType    ErrorCode = "unsupported_grant_type"
	CodeInvalidToken            ErrorCode = "invalid_token"
	CodeInsufficientScope       ErrorCode = "insufficient_scope"
	CodeUnsupportedTokenType    ErrorCode = "unsupported_token_type"
	CodeAuthorizationPending    ErrorCode = "authorization_pending"
	CodeSlowDown                ErrorCode = "slow_down"
	CodeExpiredToken            ErrorCode = "expired_token"
	// CodeInvalidDPoPProof and CodeUseDPoPNonce are RFC 9449's (§5, §8,
	// §12.2): a refused DPoP proof, and a server that wants its nonce in
	// the proof (the library retries once with it).
	CodeInvalidDPoPProof ErrorCode = "invalid_dpop_proof"
	CodeUseDPoPNonce     ErrorCode = "use_dpop_nonce"
	// CodeProviderError is used when a provider reports a failure in a shape
	// of its own (WeChat's errcode, QQ's ret, Slack's ok:false) that does not
	// map onto a standard code. The provider's own code is in Error.ProviderCode.
	CodeProviderError ErrorCode = "provider_error"
)

// Sentinels for errors.Is: each is its ErrorCode, which implements error,
// and an *Error matches the sentinel of its Code:
//
//	if errors.Is(err, core.ErrInvalidGrant) { ... start a new login ... }
//
// They are constants, so no code can change what they match.
const (
	ErrInvalidRequest          = CodeInvalidRequest
	ErrUnauthorizedClient      = CodeUnauthorizedClient
	ErrAccessDenied            = CodeAccessDenied
	ErrUnsupportedResponseType = CodeUnsupportedResponseType
	ErrInvalidScope            = CodeInvalidScope
	ErrServerError             = CodeServerError
	ErrTemporarilyUnavailable  = CodeTemporarilyUnavailable
	ErrInvalidClient           = CodeInvalidClient
	ErrInvalidGrant            = CodeInvalidGrant
	ErrUnsupportedGrantType    = CodeUnsupportedGrantType
	ErrInvalidToken            = CodeInvalidToken
	ErrInsufficientScope       = CodeInsufficientScope
	ErrUnsupportedTokenType    = CodeUnsupportedTokenType
	ErrAuthorizationPending    = CodeAuthorizationPending
	ErrSlowDown                = CodeSlowDown
	ErrExpiredToken            = CodeExpiredToken
	ErrInvalidDPoPProof        = CodeInvalidDPoPProof
	ErrUseDPoPNonce            = CodeUseDPoPNonce
	ErrProviderError           = CodeProviderError
)

// Error implements error, so that a code can be the target of errors.Is.
func (c ErrorCode) Error() string { return "oauth20: " + string(c) }

// Error is an OAuth 2.0 protocol error reported by a provider, from any
// endpoint or from the authorization redirect. Description and URI are the
// provider's words and are not escaped: escape them before rendering.
type Error struct {
	// Code is the RFC error code, or CodeProviderError.
	Code ErrorCode
	// Description is error_description (or errmsg, msg, ...).
	Description string
	// URI is error_uri.
	URI string
	// ProviderCode is the provider's own code when it has one (WeChat's
	// 40029, QQ's 100019, DingTalk's "InvalidAuthentication"), else "".
	ProviderCode string
	// StatusCode is the HTTP status of the response; 0 for a redirect.
	StatusCode int
	// Endpoint names the operation that failed: "token", "revocation",
	// "introspection", "device_authorization", "userinfo", "authorization".
	Endpoint string
	// RetryAfter is the server's Retry-After hint, when it sent one.
	RetryAfter time.Duration
}

// Error implements error. It never includes a secret: providers do not echo
// them in error members, and request data is never copied into an Error.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("oauth20: ")
	if e.Endpoint != "" {
		b.WriteString(e.Endpoint)
		b.WriteString(": ")
	}
	b.WriteString(string(e.Code))
	if e.ProviderCode != "" {
		b.WriteString(" (provider code ")
		b.WriteString(strconv.Quote(e.ProviderCode))
		b.WriteString(")")
	}
	if e.Description != "" {
		b.WriteString(": ")
		b.WriteString(strconv.Quote(truncate(e.Description, 300)))
	}
	if e.StatusCode != 0 {
		fmt.Fprintf(&b, " [HTTP %d]", e.StatusCode)
	}
	return b.String()
}

// Is reports whether target is the ErrorCode of e (or an *Error with the
// same Code), so that errors.Is(err, core.ErrInvalidGrant) works for any
// invalid_grant error.
func (e *Error) Is(target error) bool {
	switch t := target.(type) {
	case ErrorCode:
		return t == e.Code
	case *Error:
		return t.Code == e.Code
	}
	return false
}

// ErrInvalidConfig is wrapped by every configuration error. Configuration
// errors are reported all at once with errors.Join.
var ErrInvalidConfig = errors.New("oauth20: invalid configuration")

// configError wraps ErrInvalidConfig with a description of one problem.
func configError(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalidConfig}, args...)...)
}

// Transport and decoding failures. They are wrapped with detail and %w, so
// errors.Is(err, core.ErrTransport) reports any failure to talk to the
// provider, and errors.As reaches the underlying net error.
var (
	// ErrTransport: the request could not be sent or the answer not read
	// (DNS, TCP, TLS, timeout, context cancelled).
	ErrTransport = httpx.ErrTransport
	// ErrResponseTooLarge: the body was larger than DefaultMaxResponseBytes.
	ErrResponseTooLarge = httpx.ErrResponseTooLarge
	// ErrMalformedResponse: the body could not be decoded in the provider's
	// dialect (HTML error page, broken JSON, wrong types).
	ErrMalformedResponse = errors.New("oauth20: malformed response")
	// ErrUnexpectedStatus: a non-2xx status without a recognisable error body.
	ErrUnexpectedStatus = errors.New("oauth20: unexpected HTTP status")
	// ErrMissingAccessToken: a success response without an access token.
	ErrMissingAccessToken = errors.New("oauth20: response has no access_token")
	// ErrUnsupportedTokenTypeLocal: the token type is not Bearer (RFC 6749
	// §7.1: a client must not use a token whose type it does not understand).
	ErrUnsupportedTokenTypeLocal = errors.New("oauth20: unsupported token_type")
	// ErrInvalidExpiry: expires_in is negative, absurd or not a number.
	ErrInvalidExpiry = errors.New("oauth20: invalid expires_in")
	// ErrInsecureEndpoint: an endpoint is not https and not loopback.
	ErrInsecureEndpoint = urls.ErrInsecure
	// ErrNoEndpoint: the operation needs an endpoint the provider lacks.
	ErrNoEndpoint = errors.New("oauth20: provider has no endpoint for this operation")
	// ErrDeviceCodeExpired: device polling ran past expires_in.
	ErrDeviceCodeExpired = errors.New("oauth20: device code expired before the user approved")
	// ErrNoRefreshToken: a refresh was needed but there is no refresh token.
	// It also matches ErrLoginAgain.
	ErrNoRefreshToken = errors.New("oauth20: no refresh token")
	// ErrLoginAgain is matched by every refresh failure that means the
	// user must log in again because the refresh token is no longer valid
	// (expired, revoked, rotated out, or absent): invalid_grant from any
	// provider, the provider codes that mean the same (GitHub's
	// bad_refresh_token, WeChat's 40030, …), and the other shapes a
	// provider's Dialect.RefreshTokenRejected recognises. A malformed
	// request, a bad client or a provider outage does not match it.
	//
	//	if errors.Is(err, core.ErrLoginAgain) { // send the user to the login page }
	ErrLoginAgain = errors.New("oauth20: the user must log in again")
)

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

func quote(s string) string { return strconv.Quote(truncate(s, 200)) }
