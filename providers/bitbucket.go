package providers

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/go-oauth20/oauth20/core"
	"github.com/go-oauth20/oauth20/internal/jsonmap"
)

// Bitbucket Cloud endpoints.
const (
	bitbucketWebURL = "https://bitbucket.org"
	bitbucketAPIURL = "https://api.bitbucket.org/2.0"
)

// Bitbucket returns a provider for "Sign in with Bitbucket" (Bitbucket
// Cloud OAuth 2.0 consumers). It reports configuration problems joined,
// each wrapping core.ErrInvalidConfig; it does no network I/O.
//
// Documentation:
// https://developer.atlassian.com/cloud/bitbucket/oauth-2/
//
// Quirks handled here:
//
//   - Scopes are configured on the OAuth consumer, so by default no scope
//     parameter is sent (WithScopes adds one).
//   - Client credentials go in an HTTP Basic header (client_secret_basic),
//     for the code exchange and refresh alike.
//   - The token answer names the granted scopes "scopes" (plural,
//     space-separated), read as Token.Scope, and has a "state" member whose
//     value is the grant type ("authorization_code"), not the login's
//     state; it is left in Token.Raw and means nothing.
//   - No PKCE (not documented for Bitbucket Cloud consumers); state alone
//     protects the callback. No revocation endpoint. Refresh uses the
//     ordinary refresh_token grant.
//   - Errors are RFC 6749 JSON with 400.
//   - The user comes from GET /2.0/user: uuid (with its braces) is the ID,
//     username (or nickname) the Username, display_name the Name,
//     links.avatar.href the AvatarURL. The email comes from GET
//     /2.0/user/emails (scope email): the entry that is primary and
//     confirmed, with EmailVerified true; without one, or when the scope
//     was not granted (403), Email stays empty.
//
// Options: those every constructor takes (see Option). The returned
// provider is immutable and safe for concurrent use.
func Bitbucket(clientID, clientSecret string, opts ...Option) (*core.Provider, error) {
	return collect(opts).build(clientID, clientSecret, spec{
		name: "bitbucket", display: "Bitbucket",
		endpoints: core.Endpoints{
			AuthURL:     bitbucketWebURL + "/site/oauth2/authorize",
			TokenURL:    bitbucketWebURL + "/site/oauth2/access_token",
			UserInfoURL: bitbucketAPIURL + "/user",
		},
		method: core.AuthSecretBasic, dialect: bitbucketDialect, pkce: core.PKCEUnsupported,
		fetchUser:  bitbucketUser,
		userFields: bitbucketUserFields,
	})
}

// bitbucketUserFields are the members of Bitbucket's user and email answers
// that hold personal data; links holds the account's URLs (avatar, profile).
var bitbucketUserFields = core.UserFields{
	ID: "uuid", Username: "username", Name: "display_name", AvatarURL: "href",
	Personal: []string{"account_id", "nickname", "links"},
}

var bitbucketDialect = &core.Dialect{
	TokenFields: map[string]string{"scope": "scopes"},
}

func bitbucketUser(ctx context.Context, r core.UserRequest) (*core.User, error) {
	fields, err := r.Client.Resource(ctx, core.ResourceRequest{URL: bitbucketAPIURL + "/user", Token: r.Token})
	if err != nil {
		return nil, err
	}
	u := &core.User{
		ID:       jsonmap.String(fields, "uuid"),
		Username: stringMember(fields, "username"),
		Name:     stringMember(fields, "display_name"),
		Raw:      fields,
	}
	if u.Username == "" {
		u.Username = stringMember(fields, "nickname")
	}
	u.AvatarURL = stringMember(jsonmap.Object(jsonmap.Object(fields, "links"), "avatar"), "href")
	emails, err := r.Client.Resource(ctx, core.ResourceRequest{URL: bitbucketAPIURL + "/user/emails", Token: r.Token})
	var se *core.StatusError
	var pe *core.Error
	switch {
	case errors.As(err, &se) && se.Status == http.StatusForbidden,
		errors.As(err, &pe) && pe.StatusCode == http.StatusForbidden:
		return u, nil
	case err != nil:
		return nil, fmt.Errorf("providers: bitbucket: user emails: %w", err)
	}
	values, _ := emails["values"].([]any)
	for _, v := range values {
		e, _ := v.(map[string]any)
		if b, _ := e["is_primary"].(bool); !b {
			continue
		}
		if b, _ := e["is_confirmed"].(bool); b && stringMember(e, "email") != "" {
			u.Email, u.EmailVerified = stringMember(e, "email"), true
			break
		}
	}
	u.Raw["emails"] = values
	return u, nil
}
