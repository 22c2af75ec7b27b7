package oidctest

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
)

var errMalformed = errors.New("oidctest: malformed credentials")

// oauthError is an error the server answers with: an OAuth error code
// (RFC 6749 §4.1.2.1, §5.2; RFC 6750 §3.1) and the HTTP status that goes
// with it.
type oauthError struct {
	status      int
	code        string
	description string
	// basic asks for a WWW-Authenticate: Basic challenge, which RFC 6749
	// §5.2 requires when the client tried the Authorization header.
	basic bool
}

func newError(status int, code, description string) *oauthError {
	return &oauthError{status: status, code: code, description: description}
}

func errInvalidRequest(description string) *oauthError {
	return newError(http.StatusBadRequest, "invalid_request", description)
}

func errInvalidGrant(description string) *oauthError {
	return newError(http.StatusBadRequest, "invalid_grant", description)
}

func errInvalidClient(basic bool, description string) *oauthError {
	e := newError(http.StatusUnauthorized, "invalid_client", description)
	e.basic = basic
	return e
}

// writeJSON writes v as a JSON response that no cache may keep.
func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "oidctest: encoding response", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	h.Set("Pragma", "no-cache")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// writeError writes e in the JSON shape of RFC 6749 §5.2.
func writeError(w http.ResponseWriter, e *oauthError) {
	if e.basic {
		w.Header().Set("WWW-Authenticate", `Basic realm="oidctest"`)
	}
	body := map[string]string{"error": e.code}
	if e.description != "" {
		body["error_description"] = e.description
	}
	writeJSON(w, e.status, body)
}

// writeBearerError answers a protected-resource request as RFC 6750 §3
// describes: a WWW-Authenticate: Bearer challenge carrying the error code
// (none when the request had no credentials at all) and a JSON body.
func writeBearerError(w http.ResponseWriter, e *oauthError) {
	challenge := `Bearer realm="oidctest"`
	if e.code != "" {
		challenge += fmt.Sprintf(`, error=%q`, e.code)
		if e.description != "" {
			challenge += fmt.Sprintf(`, error_description=%q`, strings.ReplaceAll(e.description, `"`, "'"))
		}
	}
	w.Header().Set("WWW-Authenticate", challenge)
	if e.code == "" {
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(e.status)
		return
	}
	writeJSON(w, e.status, map[string]string{"error": e.code, "error_description": e.description})
}

// writePage answers a browser-facing request that cannot be redirected back
// to the client (unknown client, unregistered redirect URI): RFC 6749
// §4.1.2.1 forbids the redirect, so the user agent gets a plain page.
func writePage(w http.ResponseWriter, status int, code, description string) {
	h := w.Header()
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = fmt.Fprintf(w, "%s: %s\n", code, description)
}
