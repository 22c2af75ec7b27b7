// Package oauth20fiber binds the oauth20 login flow to Fiber v3.
package oauth20fiber
