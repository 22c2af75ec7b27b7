package oidctest

import (
	"maps"
	"net/http"
	"time"
)

// Values that the fault knobs put in place of the right ones.
const (
	// AttackerIssuer is the issuer written by Faults.WrongIssuer,
	// Faults.WrongResponseIssuer and Faults.WrongDiscoveryIssuer.
	AttackerIssuer = "https://attacker.example"
	// OtherAudience is the audience written by Faults.WrongAudience.
	OtherAudience = "oidctest-other-client"
	// WrongNoncePrefix is prepended to the nonce by Faults.WrongNonce.
	WrongNoncePrefix = "wrong-"
)

// Faults are knobs that make the server misbehave in a chosen way, to test
// that a client notices. The zero value is a well-behaved server. Set them
// with Server.SetFaults; they apply to every request until changed, except
// an ErrorResponse with a Count.
type Faults struct {
	// ID token faults, applied to every ID token the token endpoint issues.

	// BadSignature corrupts the signature (the header and claims stay valid).
	BadSignature bool
	// UnpublishedKey signs with a key of the right algorithm whose kid is
	// never in the JWKS.
	UnpublishedKey bool
	// NoneAlgorithm issues an unsigned token with "alg":"none".
	NoneAlgorithm bool
	// WrongIssuer sets iss to AttackerIssuer.
	WrongIssuer bool
	// WrongAudience sets aud and azp to OtherAudience.
	WrongAudience bool
	// WrongNonce prefixes the nonce with WrongNoncePrefix.
	WrongNonce bool
	// OmitNonce leaves the nonce claim out even when one was sent.
	OmitNonce bool
	// ExpiredIDToken issues a token that expired ten minutes before now
	// (iat an ID-token lifetime earlier still).
	ExpiredIDToken bool
	// WrongAtHash computes at_hash over a different access token.
	WrongAtHash bool

	// Authorization response faults.

	// WrongResponseIssuer sends iss=AttackerIssuer in the authorization
	// response (RFC 9207).
	WrongResponseIssuer bool
	// OmitResponseIssuer leaves iss out of the authorization response,
	// although discovery advertises it.
	OmitResponseIssuer bool

	// WrongDiscoveryIssuer publishes AttackerIssuer as the issuer in the
	// discovery document.
	WrongDiscoveryIssuer bool

	// UserInfoSubject, when set, replaces sub in userinfo responses.
	UserInfoSubject string

	// Errors makes an endpoint answer with an error instead of its normal
	// response. At the authorization endpoint the error is sent back to the
	// client's redirect URI (after client_id and redirect_uri were checked)
	// unless the ErrorResponse has a Body.
	Errors map[Endpoint]ErrorResponse

	// Delays holds each endpoint's response for the given real time. A
	// delayed request ends early, without a response, when the client goes
	// away or the server closes.
	Delays map[Endpoint]time.Duration
}

// ErrorResponse is an error an endpoint answers with, see Faults.Errors.
type ErrorResponse struct {
	// Status is the HTTP status; zero means 400 (401 for invalid_client and
	// invalid_token). It is ignored for a redirect from the authorization
	// endpoint.
	Status int
	// Code is the OAuth error code, such as "invalid_grant" or
	// "access_denied". With a Body it is ignored.
	Code string
	// Description is sent as error_description.
	Description string
	// Body, when set, is written verbatim instead of a JSON error, with
	// ContentType (default "text/html; charset=utf-8"): an HTML error page
	// from a proxy, say.
	Body        string
	ContentType string
	// Count is how many requests fail before the endpoint recovers; zero
	// means every request fails.
	Count int
}

// status returns the HTTP status to send.
func (e ErrorResponse) status() int {
	switch {
	case e.Status != 0:
		return e.Status
	case e.Body == "" && (e.Code == "invalid_client" || e.Code == "invalid_token"):
		return http.StatusUnauthorized
	default:
		return http.StatusBadRequest
	}
}

func (e ErrorResponse) oauth() *oauthError {
	return newError(e.status(), e.Code, e.Description)
}

// write answers with e at any endpoint but the authorization endpoint.
func (e ErrorResponse) write(w http.ResponseWriter, ep Endpoint) {
	if e.Body != "" {
		ct := e.ContentType
		if ct == "" {
			ct = "text/html; charset=utf-8"
		}
		w.Header().Set("Content-Type", ct)
		w.WriteHeader(e.status())
		_, _ = w.Write([]byte(e.Body))
		return
	}
	if ep == UserInfoEndpoint {
		writeBearerError(w, e.oauth())
		return
	}
	writeError(w, e.oauth())
}

func (f Faults) clone() Faults {
	f.Errors = maps.Clone(f.Errors)
	f.Delays = maps.Clone(f.Delays)
	return f
}

// SetFaults replaces all fault knobs at once. It is safe to call while
// requests are served; a request already past a knob is not affected.
func (s *Server) SetFaults(f Faults) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = f.clone()
}

// UpdateFaults changes the fault knobs under the server's lock, so that
// concurrent updates do not overwrite each other:
//
//	srv.UpdateFaults(func(f *oidctest.Faults) { f.BadSignature = true })
func (s *Server) UpdateFaults(update func(*Faults)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.faults.clone()
	update(&f)
	s.faults = f.clone()
}

// Faults returns a copy of the current fault knobs. The Count of an
// ErrorResponse shows how many failures remain.
func (s *Server) Faults() Faults {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.faults.clone()
}

// ResetFaults turns every fault off.
func (s *Server) ResetFaults() { s.SetFaults(Faults{}) }

// takeFaultLocked returns the endpoint's error fault and delay for one
// request, using up one failure of a counted ErrorResponse. The caller holds
// s.mu.
func (s *Server) takeFaultLocked(ep Endpoint) (*ErrorResponse, time.Duration) {
	delay := s.faults.Delays[ep]
	e, ok := s.faults.Errors[ep]
	if !ok {
		return nil, delay
	}
	if e.Count > 0 {
		if e.Count == 1 {
			delete(s.faults.Errors, ep)
		} else {
			next := e
			next.Count--
			s.faults.Errors[ep] = next
		}
	}
	return &e, delay
}
