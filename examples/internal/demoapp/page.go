package demoapp

import (
	"html/template"
	"io"
	"net/url"
	"strings"
	"time"

	"github.com/go-oauth20/oauth20/core"
)

// Button is one login button.
type Button struct {
	Label string
	URL   string
}

// View is what the page shows: the login buttons, or the user's card.
type View struct {
	Framework string
	Buttons   []Button
	User      *core.Session
	// ProviderName is the display name of the user's provider.
	ProviderName string
	// Expiry describes when the access token expires.
	Expiry    string
	LogoutURL string
}

// NewView builds the page for a visitor: s is their session, nil when not
// logged in; returnTo is where a login should come back to.
func NewView(framework string, auth *core.Auth, s *core.Session, returnTo string, now time.Time) View {
	v := View{Framework: framework, User: s}
	if s == nil {
		q := ""
		// The login route keeps only a safe local path; anything else is
		// not worth a link.
		if strings.HasPrefix(returnTo, "/") && !strings.HasPrefix(returnTo, "//") {
			q = "?" + url.Values{"return_to": {returnTo}}.Encode()
		}
		for _, p := range auth.Providers() {
			v.Buttons = append(v.Buttons, Button{Label: p.DisplayName(), URL: Prefix + "/" + p.Name() + "/login" + q})
		}
		return v
	}
	v.ProviderName = s.Provider
	for _, p := range auth.Providers() {
		if p.Name() == s.Provider {
			v.ProviderName = p.DisplayName()
		}
	}
	v.LogoutURL = Prefix + "/" + s.Provider + "/logout"
	switch {
	case s.Expiry.IsZero():
		v.Expiry = "no expiry given by the provider"
	case s.Expiry.After(now):
		v.Expiry = s.Expiry.Format(time.RFC3339) + " (in " + s.Expiry.Sub(now).Round(time.Second).String() + ")"
	default:
		v.Expiry = s.Expiry.Format(time.RFC3339) + " (expired)"
	}
	return v
}

var page = template.Must(template.New("page").Funcs(template.FuncMap{"join": strings.Join}).Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>oauth20 demo</title>
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem}
a.button,button{display:inline-block;margin:.3rem 0;padding:.5rem 1rem;border:1px solid #888;border-radius:.4rem;background:#f4f4f4;color:#000;text-decoration:none;font:inherit;cursor:pointer}
dl{display:grid;grid-template-columns:max-content auto;gap:.3rem 1rem}dt{font-weight:bold}img{width:4rem;border-radius:50%}</style>
</head><body>
<h1>oauth20 demo <small>({{.Framework}})</small></h1>
{{with .User}}
<section id="user">
<h2>Logged in with {{$.ProviderName}}</h2>
<dl>
<dt>ID</dt><dd>{{.UserID}}</dd>
{{with .Name}}<dt>Name</dt><dd>{{.}}</dd>{{end}}
{{with .Username}}<dt>Username</dt><dd>{{.}}</dd>{{end}}
{{with .Email}}<dt>Email</dt><dd>{{.}}{{if $.User.EmailVerified}} (verified){{end}}</dd>{{end}}
<dt>Token expiry</dt><dd>{{$.Expiry}}</dd>
<dt>Scopes</dt><dd>{{with .Scopes}}{{join . " "}}{{else}}(as requested){{end}}</dd>
</dl>
<p><a href="/profile">Protected page</a></p>
<form method="post" action="{{$.LogoutURL}}"><button type="submit">Log out</button></form>
</section>
{{else}}
<section id="login">
<p>Log in with:</p>
{{range .Buttons}}<p><a class="button" href="{{.URL}}">{{.Label}}</a></p>
{{end}}
<p><a href="/profile">Protected page</a> (needs a login)</p>
</section>
{{end}}
</body></html>
`))

// Render writes the page.
func Render(w io.Writer, v View) error { return page.Execute(w, v) }
