package providers

import (
	"context"

	"github.com/go-oauth20/oauth20/core"
	"github.com/go-oauth20/oauth20/internal/jsonmap"
)

// Login with Amazon endpoints, as Amazon's documentation gives them.
const (
	amazonAuthURL    = "https://www.amazon.com/ap/oa"
	amazonTokenURL   = "https://api.amazon.com/auth/o2/token"
	amazonProfileURL = "https://api.amazon.com/user/profile"
)

// Amazon returns a provider for "Login with Amazon" (authorization code
// grant). With a clientSecret of "" the provider is a public client
// (a browser-based app): client_id in the body, PKCE only. It reports
// configuration problems (an empty client id, a bad redirect URL), joined,
// each wrapping core.ErrInvalidConfig; it does no network I/O.
//
// Documentation:
// https://developer.amazon.com/docs/login-with-amazon/authorization-code-grant.html
// and https://developer.amazon.com/docs/login-with-amazon/obtain-customer-profile.html
//
// Quirks handled here:
//
//   - The scope parameter is required; the default is profile (name,
//     email and user_id). profile:user_id and postal_code are the other
//     scopes, space-separated.
//   - PKCE S256 is sent on every login: Amazon requires it for
//     browser-based apps and recommends it for all, beside the secret.
//     Without code_challenge_method Amazon would assume plain; it is always
//     sent.
//   - Credentials go in the body (client_secret_post), as Amazon's examples
//     do.
//   - Access tokens ("Atza|...") live an hour; a refresh returns a new
//     access token and a new refresh token ("Atzr|..."). token_type is
//     always "bearer".
//   - Token errors are RFC 6749 JSON: 400 invalid_grant for a used or
//     expired code, 401 invalid_client for wrong credentials.
//   - Amazon documents no revocation endpoint for Login with Amazon.
//   - The user comes from GET https://api.amazon.com/user/profile with the
//     Bearer token: user_id ("amzn1.account...", the same for all apps of
//     one developer) becomes the ID, name the Name, email the Email.
//     Amazon does not say whether the address is verified, so EmailVerified
//     stays false.
//
// Options: those every constructor takes (see Option).
//
// The returned provider is immutable and safe for concurrent use.
func Amazon(clientID, clientSecret string, opts ...Option) (*core.Provider, error) {
	return collect(opts).build(clientID, clientSecret, spec{
		name: "amazon", display: "Amazon", scopes: []string{"profile"},
		endpoints: core.Endpoints{AuthURL: amazonAuthURL, TokenURL: amazonTokenURL, UserInfoURL: amazonProfileURL},
		method:    publicOr(clientSecret, core.AuthSecretPost), fetchUser: amazonFetchUser,
		userFields: amazonUserFields,
	})
}

// amazonUserFields are the members of Amazon's profile answer that hold
// personal data (postal_code with the postal_code scope).
var amazonUserFields = core.UserFields{
	ID: "user_id", Name: "name", Email: "email",
	Personal: []string{"postal_code"},
}

func amazonFetchUser(ctx context.Context, r core.UserRequest) (*core.User, error) {
	fields, err := r.Client.Resource(ctx, core.ResourceRequest{URL: amazonProfileURL, Token: r.Token})
	if err != nil {
		return nil, err
	}
	return &core.User{
		ID:    jsonmap.String(fields, "user_id"),
		Name:  jsonmap.String(fields, "name"),
		Email: jsonmap.String(fields, "email"),
		Raw:   fields,
	}, nil
}
