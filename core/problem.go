package core

import (
	"bytes"
	"encoding/json"
	"errors"
	"html/template"
	"mime"
	"net/http"
	"strconv"
	"strings"
)

// ProblemContentType is the media type of a problem document (RFC 9457).
const ProblemContentType = "application/problem+json"

// Problem describes a failed login for the people and programs that see
// it: an RFC 9457 problem document for API clients, or a small HTML page
// for browsers (Render). Detail is a short sentence for the user, never the
// error chain: the full cause, which may name hosts or addresses, goes to
// the Auth's log only. A Problem never holds a secret, code or token.
type Problem struct {
	// Type is a URN naming the kind of failure, such as
	// "urn:oauth20:flow-missing" (see ProblemOf).
	Type string `json:"type"`
	// Title is a short, fixed summary of the kind.
	Title string `json:"title"`
	// Status is the HTTP status.
	Status int `json:"status"`
	// Detail says what happened and what to do, for the user.
	Detail string `json:"detail,omitempty"`
	// Provider is the provider of the login, when known.
	Provider string `json:"provider,omitempty"`
	// Code is the OAuth error code the provider sent, such as
	// "access_denied", when there was one.
	Code string `json:"code,omitempty"`
	// Retry is where the user can start the login again: the provider's
	// login route with the page they came from, when known.
	Retry string `json:"retry,omitempty"`
}

// problemKind is one kind of failure: its sentinel, its type, its title
// and what the user is told.
type problemKind struct {
	err    error
	typ    string
	title  string
	detail string
}

// problemKinds maps the login's sentinel errors to a problem, most specific
// first.
var problemKinds = []problemKind{
	{ErrLoginRequired, "login-required", "Login required", "Sign in to see this page."},
	{ErrUnknownProvider, "unknown-provider", "Unknown login provider", "This way of signing in is not available."},
	{ErrFlowMissing, "flow-missing", "No login in progress", "This sign-in link has expired or was opened in another browser; try again."},
	{ErrFlowExpired, "flow-expired", "Login expired", "This sign-in link has expired; try again."},
	{ErrFlowInvalid, "flow-invalid", "Invalid login cookie", "This sign-in link is not valid; try again."},
	{ErrFlowUsed, "flow-used", "Login already completed", "This sign-in link was already used; try again."},
	{ErrStoreUnavailable, "unavailable", "Login temporarily unavailable", "Signing in is not possible right now; try again in a moment."},
	{ErrInvalidConfig, "configuration", "Login misconfigured", "Signing in is not set up correctly on this site."},
	{ErrStateMismatch, "state-mismatch", "State mismatch", "The answer of the sign-in provider does not belong to this sign-in; try again."},
	{ErrProviderMismatch, "provider-mismatch", "Login started with another provider", "The answer of the sign-in provider does not belong to this sign-in; try again."},
	{ErrAuthResponseIssuer, "issuer-mismatch", "Authorization response from the wrong issuer", "The answer of the sign-in provider does not belong to this sign-in; try again."},
	{ErrInvalidCallback, "invalid-callback", "Invalid callback", "The answer of the sign-in provider is not valid; try again."},
	{ErrAccessDenied, "access-denied", "Access denied", "Sign-in was cancelled."},
	{ErrInvalidGrant, "invalid-grant", "Authorization code refused", "This sign-in link has expired or was already used; try again."},
}

// providerKind is any other failure at or with the provider.
var providerKind = problemKind{typ: "provider-error", title: "Login provider failed",
	detail: "The sign-in provider could not complete the sign-in; try again later."}

// ProblemOf describes err as a problem. A *CallbackError (anywhere in the
// chain) gives its status, provider, retry link and a type for its cause,
// such as urn:oauth20:flow-missing, urn:oauth20:access-denied, or
// urn:oauth20:provider-error for any other failure at the provider. Any
// other error is a 500 with type urn:oauth20:internal. The detail is the
// kind's sentence for the user, not the error's message.
func ProblemOf(err error) Problem {
	var ce *CallbackError
	if !errors.As(err, &ce) {
		return Problem{Type: "urn:oauth20:internal", Title: "Login failed", Status: http.StatusInternalServerError,
			Detail: "The sign-in could not be completed."}
	}
	kind := providerKind
	for _, k := range problemKinds {
		if errors.Is(err, k.err) {
			kind = k
			break
		}
	}
	p := Problem{Type: "urn:oauth20:" + kind.typ, Title: kind.title, Status: ce.Status, Detail: kind.detail,
		Provider: ce.Provider, Retry: ce.Retry}
	if p.Status < 400 || p.Status > 599 {
		p.Status = http.StatusInternalServerError
	}
	var oe *Error
	if errors.As(err, &oe) {
		p.Code = string(oe.Code)
	}
	return p
}

// Render returns p as a browser or an API client should see it, chosen by
// the request's Accept header, with the headers to send along with
// p.Status: an HTML page (text/html) for a browser, which says what happened
// in the user's terms and links to Retry, with no internal detail and
// framing forbidden; an application/problem+json document otherwise. Both
// carry X-Content-Type-Options: nosniff and Cache-Control: no-store, and a
// 401 carries WWW-Authenticate (RFC 9110 §11.6.1): the login is a cookie
// session, so the challenge names the cookie scheme and, when known, where
// to sign in.
func (p Problem) Render(accept string) (http.Header, []byte) {
	h := http.Header{"X-Content-Type-Options": {"nosniff"}, "Cache-Control": {"no-store"}}
	if p.Status == http.StatusUnauthorized {
		c := `Cookie realm="oauth20"`
		if p.Retry != "" {
			c += `, form-action="` + strings.ReplaceAll(p.Retry, `"`, "%22") + `"`
		}
		h.Set("WWW-Authenticate", c)
	}
	if prefersHTML(accept) {
		var b bytes.Buffer
		_ = errorPage.Execute(&b, p) // a Problem always renders
		h.Set("Content-Type", "text/html; charset=utf-8")
		h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'")
		h.Set("X-Frame-Options", "DENY")
		return h, b.Bytes()
	}
	body, _ := json.Marshal(p) // a Problem always encodes
	h.Set("Content-Type", ProblemContentType)
	return h, append(body, '\n')
}

// prefersHTML reports whether an Accept header asks for HTML before any
// JSON: a browser's navigation does, an API client's request does not.
func prefersHTML(accept string) bool {
	best, bestQ := "", -1.0
	for _, part := range strings.Split(accept, ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		q := 1.0
		if v, ok := params["q"]; ok {
			q = parseQ(v)
		}
		switch mt {
		case "text/html", "application/xhtml+xml", "application/json", ProblemContentType:
			if q > bestQ {
				best, bestQ = mt, q
			}
		}
	}
	return best == "text/html" || best == "application/xhtml+xml"
}

// parseQ reads a quality value ("0.8"); anything unreadable is 0.
func parseQ(v string) float64 {
	q, err := strconv.ParseFloat(v, 64)
	if err != nil || q < 0 || q > 1 {
		return 0
	}
	return q
}

// errorPage is the page a browser sees for a failed login: no framework, no
// external asset, nothing but what the user needs.
var errorPage = template.Must(template.New("error").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;background:#f6f7f9;color:#1d2129;margin:0;display:grid;min-height:100vh;place-items:center}
main{background:#fff;border:1px solid #dde1e6;border-radius:12px;padding:2rem 2.5rem;max-width:28rem;box-shadow:0 1px 3px rgba(0,0,0,.06)}
h1{font-size:1.25rem;margin:0 0 .75rem}p{line-height:1.5;margin:0 0 1.25rem;color:#44494f}
a.button{display:inline-block;background:#1d4ed8;color:#fff;text-decoration:none;padding:.55rem 1.1rem;border-radius:8px}
small{display:block;margin-top:1.25rem;color:#8a9099}
</style></head>
<body><main>
<h1>{{.Title}}</h1>
<p>{{.Detail}}</p>
{{if .Retry}}<a class="button" href="{{.Retry}}">Try again</a>{{else}}<a class="button" href="/">Back to the site</a>{{end}}
<small>Error {{.Status}}{{with .Code}} · {{.}}{{end}}</small>
</main></body></html>
`))
