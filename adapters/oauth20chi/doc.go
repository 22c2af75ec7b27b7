// Package oauth20chi mounts the oauth20 login flow on a chi.Router.
package oauth20chi
