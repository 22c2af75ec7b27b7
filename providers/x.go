package providers

import (
	"context"
	"fmt"
	"strings"

	"github.com/go-oauth20/oauth20/core"
	"github.com/go-oauth20/oauth20/internal/jsonmap"
)

// X endpoints (formerly Twitter). api.twitter.com still answers too.
const (
	xAuthURL   = "https://x.com/i/oauth2/authorize"
	xTokenURL  = "https://api.x.com/2/oauth2/token"
	xRevokeURL = "https://api.x.com/2/oauth2/revoke"
	xUserURL   = "https://api.x.com/2/users/me"
)

// X returns a provider for "Sign in with X" (formerly Twitter) with OAuth
// 2.0 Authorization Code and PKCE. It reports configuration problems (an
// empty client id, a bad redirect URL), joined, each wrapping
// core.ErrInvalidConfig; it does no network I/O.
//
// Documentation:
// https://docs.x.com/resources/fundamentals/authentication/oauth-2-0/authorization-code
//
// Quirks handled here:
//
//   - PKCE is mandatory at X: an S256 challenge is sent on every login and
//     the verifier with every exchange.
//   - A confidential client ("Web App" in the developer portal) must
//     authenticate with HTTP Basic; credentials in the body are refused.
//     With a clientSecret of "" the provider is a public client ("Native
//     App"): client_id in the body, no secret, PKCE only.
//   - Scopes are space-separated. The defaults, tweet.read and users.read,
//     are the least that GET /2/users/me needs. Add offline.access with
//     WithScopes to get a refresh token (refresh tokens rotate: store the
//     new one). Access tokens live two hours.
//   - Token errors are RFC 6749 JSON with HTTP 400; X answers a bad or
//     expired code with invalid_request, not invalid_grant, and a refresh
//     token it no longer accepts (expired, revoked, or rotated out) with
//     invalid_request "Value passed for the token was invalid.": such a
//     refresh error matches core.ErrLoginAgain.
//   - Revocation is RFC 7009 at /2/oauth2/revoke with the same client
//     authentication as the token endpoint, except that X refuses a
//     request without token_type_hint (invalid_request "Missing required
//     parameter [token_type_hint]."), which RFC 7009 makes optional: a
//     revocation without a hint is sent with token_type_hint=access_token.
//     Logout gives the hint of each token it revokes.
//   - The user comes from GET /2/users/me?user.fields=profile_image_url,
//     wrapped in a "data" member: id (a numeric string, kept as it is)
//     becomes the ID, username the Username, name the Name,
//     profile_image_url the AvatarURL. An answer without "data" (X then
//     sends an "errors" array) is an error.
//   - X gives no email address by default, so Email is always empty here.
//     (A confirmed_email field behind a users.email scope has been reported
//     but is not verified by us, so it is not requested.)
//
// Options: those every constructor takes (see Option).
//
// The returned provider is immutable and safe for concurrent use.
func X(clientID, clientSecret string, opts ...Option) (*core.Provider, error) {
	return collect(opts).build(clientID, clientSecret, spec{
		name: "x", display: "X", scopes: []string{"tweet.read", "users.read"},
		endpoints: core.Endpoints{AuthURL: xAuthURL, TokenURL: xTokenURL, RevocationURL: xRevokeURL, UserInfoURL: xUserURL},
		method:    publicOr(clientSecret, core.AuthSecretBasic), fetchUser: xFetchUser,
		userFields: xUserFields,
		dialect:    xDialect,
	})
}

// xUserFields are the members of X's /2/users/me answer that hold personal
// data.
var xUserFields = core.UserFields{
	ID: "id", Username: "username", Name: "name", AvatarURL: "profile_image_url",
	Personal: []string{"location", "description", "url"},
}

// xDialect is RFC 6749 with X's way of refusing a refresh token and its
// required revocation hint.
var xDialect = &core.Dialect{
	RefreshTokenRejected: func(e *core.Error) bool {
		return e.Code == core.CodeInvalidRequest && strings.Contains(strings.ToLower(e.Description), "token was invalid")
	},
	EditRequest: xEditRequest,
}

// xEditRequest gives a revocation without a hint the hint access_token.
func xEditRequest(r *core.Request) error {
	if r.Op == core.OpRevoke && r.Params.Get("token_type_hint") == "" {
		r.Params.Set("token_type_hint", core.HintAccessToken)
	}
	return nil
}

func xFetchUser(ctx context.Context, r core.UserRequest) (*core.User, error) {
	q := &core.Params{}
	q.Set("user.fields", "profile_image_url")
	fields, err := r.Client.Resource(ctx, core.ResourceRequest{URL: xUserURL, Token: r.Token, Query: q})
	if err != nil {
		return nil, err
	}
	data := jsonmap.Object(fields, "data")
	if data == nil {
		return nil, fmt.Errorf("providers: x: %w: /2/users/me has no data member", core.ErrMalformedResponse)
	}
	return &core.User{
		ID:        jsonmap.String(data, "id"),
		Username:  jsonmap.String(data, "username"),
		Name:      jsonmap.String(data, "name"),
		AvatarURL: jsonmap.String(data, "profile_image_url"),
		Raw:       fields,
	}, nil
}
