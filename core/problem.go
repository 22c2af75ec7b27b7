package core

import (
	"errors"
	"net/http"
)

// ProblemContentType is the media type of a problem document (RFC 9457).
const ProblemContentType = "application/problem+json"

// Problem is an RFC 9457 problem document describing a failed login, for
// adapters to answer with. It never holds a secret, a code or a token:
// Detail is the message of the error's cause, which the library keeps free
// of them, and errors that are not login errors get a generic detail.
type Problem struct {
	// Type is a URN naming the kind of failure, such as
	// "urn:oauth20:flow-missing" (see ProblemOf).
	Type string `json:"type"`
	// Title is a short, fixed summary of the kind.
	Title string `json:"title"`
	// Status is the HTTP status.
	Status int `json:"status"`
	// Detail explains this occurrence.
	Detail string `json:"detail,omitempty"`
	// Provider is the provider of the login, when known.
	Provider string `json:"provider,omitempty"`
	// Code is the OAuth error code the provider sent, such as
	// "access_denied", when there was one.
	Code string `json:"code,omitempty"`
}

// problemKinds maps the login's sentinel errors to a problem type and
// title, most specific first.
var problemKinds = []struct {
	err   error
	typ   string
	title string
}{
	{ErrLoginRequired, "login-required", "Login required"},
	{ErrUnknownProvider, "unknown-provider", "Unknown login provider"},
	{ErrFlowMissing, "flow-missing", "No login in progress"},
	{ErrFlowExpired, "flow-expired", "Login expired"},
	{ErrFlowInvalid, "flow-invalid", "Invalid login cookie"},
	{ErrFlowUsed, "flow-used", "Login already completed"},
	{ErrStoreUnavailable, "unavailable", "Login temporarily unavailable"},
	{ErrInvalidConfig, "configuration", "Login misconfigured"},
	{ErrStateMismatch, "state-mismatch", "State mismatch"},
	{ErrProviderMismatch, "provider-mismatch", "Login started with another provider"},
	{ErrAuthResponseIssuer, "issuer-mismatch", "Authorization response from the wrong issuer"},
	{ErrInvalidCallback, "invalid-callback", "Invalid callback"},
	{ErrAccessDenied, "access-denied", "Access denied"},
	{ErrInvalidGrant, "invalid-grant", "Authorization code refused"},
}

// ProblemOf describes err as a problem. A *CallbackError (anywhere in the
// chain) gives its status, provider and a type for its cause, such as
// urn:oauth20:flow-missing, urn:oauth20:state-mismatch,
// urn:oauth20:access-denied, or urn:oauth20:provider-error for any other
// failure at the provider. Any other error is a 500 with type
// urn:oauth20:internal and a generic detail.
func ProblemOf(err error) Problem {
	var ce *CallbackError
	if !errors.As(err, &ce) {
		return Problem{Type: "urn:oauth20:internal", Title: "Login failed", Status: http.StatusInternalServerError,
			Detail: "the login could not be completed"}
	}
	p := Problem{Type: "urn:oauth20:provider-error", Title: "Login provider failed", Status: ce.Status, Provider: ce.Provider}
	if p.Status < 400 || p.Status > 599 {
		p.Status = http.StatusInternalServerError
	}
	if ce.Err != nil {
		p.Detail = ce.Err.Error()
	}
	for _, k := range problemKinds {
		if errors.Is(err, k.err) {
			p.Type, p.Title = "urn:oauth20:"+k.typ, k.title
			break
		}
	}
	var oe *Error
	if errors.As(err, &oe) {
		p.Code = string(oe.Code)
	}
	return p
}
