// Package oauth20http binds the oauth20 login flow to net/http: handlers
// for /{provider}/login, /{provider}/callback and /{provider}/logout, and a
// middleware that protects routes.
package oauth20http
