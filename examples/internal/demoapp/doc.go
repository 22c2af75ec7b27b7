// Package demoapp is what the three demo applications (net/http, chi and
// Fiber) share: their configuration, the login providers (an in-process
// OpenID provider by default, GitHub, Google and any OpenID issuer when
// their credentials are in the environment) and the page.
//
// # Environment
//
//	GITHUB_CLIENT_ID, GITHUB_CLIENT_SECRET   adds "Log in with GitHub"
//	GOOGLE_CLIENT_ID, GOOGLE_CLIENT_SECRET   adds "Log in with Google"
//	OIDC_ISSUER, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET (OIDC_NAME)
//	                                         adds any OpenID provider
//	OAUTH20_SEALING_KEY                      32+ bytes; random per start when unset
//
// Register {base}/auth/{name}/callback as the redirect URI with each
// provider, e.g. http://127.0.0.1:8000/auth/github/callback.
package demoapp
