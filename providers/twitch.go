package providers

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/go-oauth20/oauth20/core"
	"github.com/go-oauth20/oauth20/internal/jsonmap"
)

// Twitch endpoints.
const (
	twitchAuthURL   = "https://id.twitch.tv/oauth2/authorize"
	twitchTokenURL  = "https://id.twitch.tv/oauth2/token"
	twitchRevokeURL = "https://id.twitch.tv/oauth2/revoke"
	twitchUsersURL  = "https://api.twitch.tv/helix/users"
)

// Twitch returns a provider for "Log in with Twitch" (OAuth authorization
// code flow, plain OAuth 2.0; Twitch's OpenID flavour is reachable with
// OIDC("twitch", "https://id.twitch.tv/oauth2", ...)). It reports
// configuration problems (an empty client id or secret, a bad redirect
// URL), joined, each wrapping core.ErrInvalidConfig; it does no network I/O.
//
// Documentation:
// https://dev.twitch.tv/docs/authentication/getting-tokens-oauth/#authorization-code-grant-flow
//
// Quirks handled here:
//
//   - Credentials go in the body (client_secret_post); a client secret is
//     required.
//   - PKCE is not documented by Twitch, so none is sent; the login relies
//     on state.
//   - The token answer's scope is a JSON array (["user:read:email"]); it is
//     kept space-joined in Token.Scope. token_type is lowercase "bearer".
//   - Errors are not RFC 6749: HTTP 4xx with {"status":400,"message":"Invalid
//     authorization code"}. The message becomes the description and is
//     mapped: "Invalid authorization code" and "Invalid refresh token" to
//     invalid_grant, "invalid client", "invalid client secret" and "client
//     does not exist" (a revocation for an unknown client id, answered 404)
//     to invalid_client, "Invalid token" (revocation) to invalid_token;
//     other messages are provider_error. The API's {"error":"Unauthorized",
//     "status":401,"message":"Invalid OAuth token"} is read the same way.
//   - Refresh tokens exist and may rotate: store the new one.
//   - Revocation is POST /oauth2/revoke with client_id and token only (no
//     secret, no hint), answered 200 with an empty body; 400 "Invalid token"
//     when the client id is valid and the token is not, 404 "client does
//     not exist" when the client id is not.
//   - The user comes from GET https://api.twitch.tv/helix/users, which needs
//     the Client-Id header beside the Bearer token and answers
//     {"data":[{...}]}: id becomes the ID, login the Username, display_name
//     the Name, profile_image_url the AvatarURL. email is present only with
//     the user:read:email scope (a default here); Twitch documents it as the
//     user's verified address, so EmailVerified is true when it is there.
//
// Default scopes: user:read:email. Options: those every constructor takes
// (see Option; WithAuthParam for force_verify=true, for example).
//
// The returned provider is immutable and safe for concurrent use.
func Twitch(clientID, clientSecret string, opts ...Option) (*core.Provider, error) {
	return collect(opts).build(clientID, clientSecret, spec{
		name: "twitch", display: "Twitch", scopes: []string{"user:read:email"},
		endpoints: core.Endpoints{
			AuthURL: twitchAuthURL, TokenURL: twitchTokenURL, RevocationURL: twitchRevokeURL, UserInfoURL: twitchUsersURL,
		},
		method: core.AuthSecretPost, dialect: twitchDialect, pkce: core.PKCEUnsupported,
		userFields: twitchUserFields,
		fetchUser: func(ctx context.Context, r core.UserRequest) (*core.User, error) {
			return twitchFetchUser(ctx, r, clientID)
		},
	})
}

// twitchUserFields are the members of Twitch's /helix/users answer that
// hold personal data.
var twitchUserFields = core.UserFields{
	ID: "id", Username: "login", Name: "display_name", AvatarURL: "profile_image_url", Email: "email",
	Personal: []string{"offline_image_url", "description"},
}

var twitchDialect = &core.Dialect{
	ErrorDetectors: []errorDetector{twitchDetect, DetectRFC6749},
	EditRequest:    twitchEditRequest,
}

// twitchMessages maps Twitch's error messages (compared case-insensitively)
// onto RFC codes.
var twitchMessages = map[string]core.ErrorCode{
	"invalid authorization code": core.CodeInvalidGrant,
	"invalid refresh token":      core.CodeInvalidGrant,
	"invalid client":             core.CodeInvalidClient,
	"invalid client secret":      core.CodeInvalidClient,
	"client does not exist":      core.CodeInvalidClient,
	"invalid token":              core.CodeInvalidToken,
	"invalid oauth token":        core.CodeInvalidToken,
	"missing client id":          core.CodeInvalidRequest,
	"missing client secret":      core.CodeInvalidRequest,
	"invalid redirect uri":       core.CodeInvalidRequest,
}

// twitchDetect reads Twitch's {"status":400,"message":"..."} errors.
func twitchDetect(status int, body map[string]any) *core.Error {
	st := jsonmap.String(body, "status")
	if st == "" || st[0] < '4' || st[0] > '5' {
		return nil
	}
	msg := jsonmap.String(body, "message")
	e := &core.Error{Code: core.CodeProviderError, Description: msg, StatusCode: status}
	if c, ok := twitchMessages[strings.ToLower(strings.TrimSpace(msg))]; ok {
		e.Code = c
	}
	return e
}

// twitchEditRequest sends only client_id and token to the revocation
// endpoint: Twitch does not want the secret there.
func twitchEditRequest(r *core.Request) error {
	if r.Op == core.OpRevoke {
		r.Params.Del("client_secret")
		r.Params.Del("token_type_hint")
	}
	return nil
}

func twitchFetchUser(ctx context.Context, r core.UserRequest, clientID string) (*core.User, error) {
	fields, err := r.Client.Resource(ctx, core.ResourceRequest{
		URL: twitchUsersURL, Token: r.Token,
		Header: http.Header{"Client-Id": {clientID}},
	})
	if err != nil {
		return nil, err
	}
	list, _ := fields["data"].([]any)
	if len(list) == 0 {
		return nil, fmt.Errorf("providers: twitch: %w: helix/users returned no user", core.ErrMalformedResponse)
	}
	d, ok := list[0].(map[string]any)
	if !ok {
		return nil, fmt.Errorf("providers: twitch: %w: helix/users data[0] is not an object", core.ErrMalformedResponse)
	}
	u := &core.User{
		ID:        jsonmap.String(d, "id"),
		Username:  jsonmap.String(d, "login"),
		Name:      jsonmap.String(d, "display_name"),
		AvatarURL: jsonmap.String(d, "profile_image_url"),
		Raw:       fields,
	}
	if email := jsonmap.String(d, "email"); email != "" {
		u.Email, u.EmailVerified = email, true
	}
	return u, nil
}
