package core

import (
	"errors"
	"fmt"
	"net/http"
)

// Reasons a callback is refused before the provider is asked anything.
// Each is wrapped in a *CallbackError with status 400.
var (
	// ErrUnknownProvider: the callback names a provider the Auth lacks.
	ErrUnknownProvider = errors.New("oauth20: unknown provider")
	// ErrFlowMissing: no flow cookie for this state (never started here,
	// already used, or cookies blocked).
	ErrFlowMissing = errors.New("oauth20: no login flow for this callback")
	// ErrFlowExpired: the flow cookie is older than the flow lifetime.
	ErrFlowExpired = errors.New("oauth20: login flow expired")
	// ErrFlowInvalid: the flow cookie was tampered with, sealed with an
	// unknown key, or belongs to another state.
	ErrFlowInvalid = errors.New("oauth20: login flow cookie is invalid")
	// ErrStateMismatch: the callback's state is missing or differs from the
	// flow's (RFC 6749 §10.12).
	ErrStateMismatch = errors.New("oauth20: state mismatch")
	// ErrProviderMismatch: the flow was started for another provider.
	ErrProviderMismatch = errors.New("oauth20: callback for another provider than the flow")
	// ErrAuthResponseIssuer: the RFC 9207 iss parameter is wrong, or
	// missing although the provider advertises it (mix-up defence).
	ErrAuthResponseIssuer = errors.New("oauth20: authorization response issuer mismatch")
	// ErrInvalidCallback: the callback has neither code nor error, or both,
	// or its provider's CheckCallback refused it.
	ErrInvalidCallback = errors.New("oauth20: invalid callback parameters")
	// ErrFlowUsed: a callback for this flow was already accepted; a replay
	// is refused before the provider is asked anything.
	ErrFlowUsed = errors.New("oauth20: this login was already completed")
	// ErrStoreUnavailable: the Store could not be reached; the callback is
	// refused (503) rather than accepted without its single-use check, and
	// so is a request with a server-side session (Session) rather than
	// answered without the session check.
	ErrStoreUnavailable = errors.New("oauth20: the store is unavailable")
)

// CallbackError is the error of every failed Complete: an HTTP status for
// the answer to the browser and the cause for errors.Is/As. Status is 400
// for a bad, expired, tampered, replayed or mismatched callback, 401 when
// the user denied access, and 502 when the provider failed (token error,
// bad ID token, user fetch failure). Its message never holds a secret.
type CallbackError struct {
	Status   int
	Provider string
	Err      error
	// Retry is where the user can start the login again (the provider's
	// login route, with the page the login was for), when known.
	Retry string
}

// Error implements error: the provider, the status and the cause.
func (e *CallbackError) Error() string {
	return fmt.Sprintf("oauth20: callback for %q failed (%d %s): %v", e.Provider, e.Status, http.StatusText(e.Status), e.Err)
}

// Unwrap returns the cause.
func (e *CallbackError) Unwrap() error { return e.Err }

func callbackErr(status int, provider string, err error) *CallbackError {
	return &CallbackError{Status: status, Provider: provider, Err: err}
}
