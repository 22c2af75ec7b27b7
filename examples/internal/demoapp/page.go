package demoapp

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/go-oauth20/oauth20/core"
)

// Button is one login button.
type Button struct {
	// Name is the provider's name, as in its routes.
	Name string
	// Label is the provider's display name.
	Label string
	// URL is the provider's login route, with the page to come back to.
	URL string
	// Dev marks the development test provider.
	Dev bool
}

// Initial is the letter on the button's round mark.
func (b Button) Initial() string { return initials(b.Label, 1) }

// Expiry describes when the access token expires.
type Expiry struct {
	// Time is the expiry as the page writes it, "" when the provider gave
	// no lifetime.
	Time string
	// DateTime is the expiry in RFC 3339, for the <time> element.
	DateTime string
	// Note says how far it is ("in 59m59s", "expired 3s ago"), or that
	// there is no expiry.
	Note string
}

// View is what the page shows: the login buttons, or the user's card.
type View struct {
	// Framework names the web framework the demo runs on.
	Framework string
	// Protected marks the protected page.
	Protected bool
	Buttons   []Button
	// DevProvider is true when the development test provider is on: the
	// page then says so in a warning above everything else.
	DevProvider      bool
	DevProviderLabel string
	// User is the visitor's session, nil when not logged in.
	User *core.Session
	// ProviderName is the display name of the user's provider.
	ProviderName string
	// DevLogin is true when the user logged in with the development test
	// provider.
	DevLogin bool
	// Initials are the letters of the user's avatar.
	Initials string
	// Expiry is when the access token expires.
	Expiry Expiry
	// Claims are the verified claims of the login's ID token; ClaimsNote
	// says why there are none.
	Claims     []Claim
	ClaimsNote string
	// LogoutURL is the provider's logout route, for a POST.
	LogoutURL string
}

// View builds the page for a visitor: sess is their session, nil when not
// logged in; returnTo is where a login should come back to.
func (s *Setup) View(framework string, sess *core.Session, returnTo string, now time.Time) View {
	v := View{Framework: framework, User: sess, DevProvider: s.Provider != nil, DevProviderLabel: devProviderLabel}
	if sess == nil {
		q := ""
		// The login route keeps only a safe local path; anything else is
		// not worth a link.
		if strings.HasPrefix(returnTo, "/") && !strings.HasPrefix(returnTo, "//") {
			q = "?" + url.Values{"return_to": {returnTo}}.Encode()
		}
		for _, p := range s.Auth.Providers() {
			v.Buttons = append(v.Buttons, Button{Name: p.Name(), Label: p.DisplayName(),
				URL: Prefix + "/" + p.Name() + "/login" + q, Dev: s.isDev(p.Name())})
		}
		return v
	}
	v.ProviderName = sess.Provider
	for _, p := range s.Auth.Providers() {
		if p.Name() == sess.Provider {
			v.ProviderName = p.DisplayName()
		}
	}
	v.DevLogin = s.isDev(sess.Provider)
	v.Initials = initials(firstOf(sess.Name, sess.Username, sess.UserID), 2)
	v.LogoutURL = Prefix + "/" + sess.Provider + "/logout"
	switch {
	case sess.Expiry.IsZero():
		v.Expiry.Note = "no expiry given by the provider"
	default:
		v.Expiry = Expiry{Time: sess.Expiry.UTC().Format(timeLayout), DateTime: sess.Expiry.UTC().Format(time.RFC3339),
			Note: relative(sess.Expiry, now)}
		if !sess.Expiry.After(now) {
			v.Expiry.Note = "expired " + v.Expiry.Note
		}
	}
	v.Claims, v.ClaimsNote = idTokenClaims(sess.IDToken, now)
	return v
}

// isDev reports whether provider is the development test provider.
func (s *Setup) isDev(provider string) bool { return s.Provider != nil && provider == DevProviderName }

// firstOf returns the first non-empty string.
func firstOf(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

// initials returns the first letters of up to n words of name, upper case.
func initials(name string, n int) string {
	var b strings.Builder
	for _, w := range strings.Fields(name) {
		if n == 0 {
			break
		}
		r, _ := utf8.DecodeRuneInString(w)
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(unicode.ToUpper(r))
			n--
		}
	}
	if b.Len() == 0 {
		return "?"
	}
	return b.String()
}

// stylesheet is the demo's whole stylesheet, served inline in each page.
//
//go:embed style.css
var stylesheet string

//go:embed page.html
var pageHTML string

var page = template.Must(template.New("page").Funcs(template.FuncMap{
	"join":       strings.Join,
	"stylesheet": func() template.CSS { return template.CSS(stylesheet) },
}).Parse(pageHTML))

// contentSecurityPolicy allows the inline stylesheet by its hash and
// nothing else: no script, no image, no font, no frame, no framing by
// another page (frame-ancestors, with X-Frame-Options for older browsers),
// no <base>. form-action is left out on purpose: logout is a form whose
// answer redirects to the provider's end-session endpoint, and browsers
// apply form-action to that redirect too.
var contentSecurityPolicy = "default-src 'none'; style-src 'sha256-" + styleHash() + "'; base-uri 'none'; frame-ancestors 'none'"

func styleHash() string {
	sum := sha256.Sum256([]byte(stylesheet))
	return base64.StdEncoding.EncodeToString(sum[:])
}

// Answer is a whole HTTP answer, for any framework to send.
type Answer struct {
	// Status is the HTTP status.
	Status int
	// Header holds the headers to send, Content-Type among them.
	Header http.Header
	Body   []byte
}

// WriteHTTP sends the answer with net/http.
func (a Answer) WriteHTTP(w http.ResponseWriter) {
	for k, v := range a.Header {
		w.Header()[k] = v
	}
	w.WriteHeader(a.Status)
	_, _ = w.Write(a.Body)
}

// Render returns the page of v (status 200) with the headers to send, as
// core.Problem.Render does for the library's error pages and with the same
// protections: nosniff, no-store, no framing, and a Content-Security-Policy
// that allows only the page's own inline stylesheet.
func Render(v View) Answer {
	var b bytes.Buffer
	if err := page.Execute(&b, v); err != nil {
		// The template is fixed and a View holds only strings: this is a
		// programming error, which the tests of every kind of page rule out.
		panic("demoapp: page: " + err.Error())
	}
	return Answer{Status: http.StatusOK, Body: b.Bytes(), Header: http.Header{
		"Content-Type":            {"text/html; charset=utf-8"},
		"Cache-Control":           {"no-store"},
		"X-Content-Type-Options":  {"nosniff"},
		"X-Frame-Options":         {"DENY"},
		"Content-Security-Policy": {contentSecurityPolicy},
	}}
}

// NotFound returns the demo's answer to an unknown path, for a request
// with the given Accept header: the library's problem page
// (core.Problem.Render) for a browser, so that it looks like the login's
// error pages, and a problem document for any other client.
func NotFound(accept string) Answer {
	p := core.Problem{Type: "about:blank", Title: "Page not found", Status: http.StatusNotFound,
		Detail: "There is no page at this address."}
	h, body := p.Render(accept)
	return Answer{Status: p.Status, Header: h, Body: body}
}
