package providers

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/go-oauth20/oauth20/core"
)

// Keycloak returns an OpenID provider for one realm of a Keycloak server.
// baseURL is the server's root ("https://sso.example.com"; for Keycloak
// before version 17, which serves under /auth, "https://sso.example.com/auth");
// the issuer is the realm URL {baseURL}/realms/{realm}, and everything else
// comes from its discovery document, as with OIDC.
//
// Documentation:
// https://www.keycloak.org/docs/latest/securing_apps/#_oidc
//
// Quirks handled here:
//
//   - The issuer is the realm URL, without a trailing slash; the realm name
//     is path-escaped.
//   - Client authentication follows the discovery document
//     (client_secret_basic when offered, which every Keycloak release does).
//   - Token answers carry refresh_expires_in, not-before-policy and (older
//     releases) session_state; they are kept in Token.Raw.
//   - Refresh tokens are issued by default and rotate; revocation is at
//     .../protocol/openid-connect/revoke (RFC 7009).
//   - Errors are RFC 6749 JSON with 400 or 401; a wrong client secret is
//     unauthorized_client in older releases and invalid_client in newer
//     ones. UserInfo refuses an access token with 401 and the error in the
//     WWW-Authenticate challenge, without a body since 19.0.2: it is
//     invalid_token.
//   - ID tokens carry typ "ID", azp (the client id) and at_hash; a refresh
//     answers with a new one, verified like the login's.
//   - Without an ID token (outside a login), the user comes from UserInfo
//     alone.
//
// Default scopes: openid, profile, email. Options as for OIDC (the server
// is baseURL: there is no WithBaseURL); the default name is "keycloak". The
// returned provider is immutable and safe for concurrent use; it does no
// network I/O until first used.
func Keycloak(baseURL, realm, clientID, clientSecret string, opts ...Option) (*core.Provider, error) {
	var errs []error
	base, err := checkBaseURL("keycloak", "base URL", baseURL, "")
	if err != nil {
		errs = append(errs, err)
	}
	if strings.TrimSpace(realm) == "" {
		errs = append(errs, fmt.Errorf("%w: keycloak: realm is empty", core.ErrInvalidConfig))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return newOIDC(oidcParams{spec: spec{name: "keycloak", display: "Keycloak",
		issuer: base + "/realms/" + url.PathEscape(realm), accepts: optFormPost,
		userFields: keycloakUserFields,
	}}, clientID, clientSecret, opts)
}

// keycloakUserFields are the members of Keycloak's answers beyond the
// standard claims that identify the user: session_state and sid name the
// user's session at the server.
var keycloakUserFields = core.UserFields{Personal: []string{"session_state", "sid"}}
