package core

import "net/http"

// Cookie describes a cookie to set, as plain data so that any framework can
// write it: Begin, Complete, SessionCookie and Logout return one. MaxAge < 0
// deletes the cookie.
type Cookie struct {
	Name     string
	Value    string
	Path     string
	MaxAge   int
	Secure   bool
	HttpOnly bool
	// SameSite is http.SameSiteLaxMode unless a provider's form_post
	// callback needs http.SameSiteNoneMode.
	SameSite http.SameSite
}

// HTTPCookie converts c for net/http.
func (c Cookie) HTTPCookie() *http.Cookie {
	return &http.Cookie{Name: c.Name, Value: c.Value, Path: c.Path, MaxAge: c.MaxAge,
		Secure: c.Secure, HttpOnly: c.HttpOnly, SameSite: c.SameSite}
}
