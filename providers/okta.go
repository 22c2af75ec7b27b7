package providers

import (
	"errors"
	"fmt"
	"net/url"

	"github.com/go-oauth20/oauth20/core"
)

// Okta returns an OpenID provider for an Okta organisation. domain is the
// Okta domain ("dev-123456.okta.com" or a custom domain; a URL with a
// scheme is accepted too). authServer chooses the authorization server:
//
//   - "" is the org authorization server: issuer https://{domain},
//     endpoints under /oauth2/v1/. Its access tokens are meant for Okta's
//     own APIs; use it to sign people in when you call no API of yours.
//   - any other value is a custom authorization server, such as "default"
//     (created with every organisation) or an id like "aus1a2b3c4": issuer
//     https://{domain}/oauth2/{authServer}, endpoints under
//     /oauth2/{authServer}/v1/. Use it when your own APIs take the access
//     tokens (API Access Management).
//
// The two issue ID tokens with different issuers, so the choice must match
// the application's configuration in Okta.
//
// Documentation:
// https://developer.okta.com/docs/concepts/auth-servers/
//
// Quirks handled here: everything comes from the discovery document
// (client_secret_basic by default, PKCE S256, revocation at .../v1/revoke).
// Refresh tokens need the offline_access scope (add it with WithScopes)
// and the refresh grant enabled on the application; a refresh answers with
// a new ID token, verified like the login's. UserInfo's updated_at is a
// number; it refuses an access token with 401, an empty body and the error
// in the Bearer challenge (invalid_token). Without an ID token (outside a
// login), the user comes from UserInfo alone.
//
// Default scopes: openid, profile, email. Options as for OIDC (the
// organisation is domain: there is no WithBaseURL); the default name is
// "okta". The returned provider is immutable and safe for
// concurrent use; it does no network I/O until first used.
func Okta(domain, authServer, clientID, clientSecret string, opts ...Option) (*core.Provider, error) {
	var errs []error
	base, err := hostURL("okta", domain)
	if err != nil {
		errs = append(errs, err)
	}
	issuer := base
	if authServer != "" {
		if authServer != url.PathEscape(authServer) {
			errs = append(errs, fmt.Errorf("%w: okta: authorization server %q must be an id such as \"default\"", core.ErrInvalidConfig, authServer))
		}
		issuer = base + "/oauth2/" + authServer
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return newOIDC(oidcParams{spec: spec{name: "okta", display: "Okta", issuer: issuer, accepts: optFormPost}},
		clientID, clientSecret, opts)
}
