package providers

import (
	"context"
	"fmt"

	"github.com/go-oauth20/oauth20/core"
	"github.com/go-oauth20/oauth20/internal/jsonmap"
)

// weiboURL is the host of Weibo's OAuth and API endpoints.
const weiboURL = "https://api.weibo.com"

// Weibo returns a provider for Sina Weibo login (新浪微博, 网站接入). clientID
// is the App Key, clientSecret the App Secret. It reports configuration
// problems (an empty client id or secret, a bad redirect URL), joined, each
// wrapping core.ErrInvalidConfig; it does no network I/O.
//
// Documentation: https://open.weibo.com/wiki/授权机制说明 (OAuth 2.0) and
// https://open.weibo.com/wiki/2/users/show
//
// Quirks handled here:
//
//   - No scope by default (the basic profile needs none); scopes given with
//     WithScopes are comma-separated.
//   - Credentials go in the body of a form POST (client_secret_post). No
//     PKCE: Weibo does not support it, the login relies on state.
//   - The token answer has no token_type; Bearer is assumed. It carries uid
//     (a string), which the user fetch needs, expires_in (a number) and the
//     deprecated remind_in (a string, ignored). Web apps get no refresh
//     token.
//   - Errors are HTTP 4xx with RFC-style "error" plus Weibo's numeric
//     error_code: {"error":"invalid_grant","error_code":21325,...}; the RFC
//     code is Code and the number the ProviderCode.
//   - Revocation is POST /oauth2/revokeoauth2 with the access token alone
//     (no client credentials, no hint), answered {"result":"true"}.
//   - The user comes from GET /2/users/show.json?access_token=AT&uid=UID.
//     Weibo takes the token as a query parameter or in its own header
//     ("Authorization: OAuth2 <token>", not Bearer); the query is used (the
//     library never logs query strings). Weibo ids exceed 2^53: the ID is
//     idstr, or id formatted exactly from the JSON number when idstr is
//     absent. screen_name is the Name, avatar_large (or profile_image_url)
//     the AvatarURL. Weibo gives no email address without a special
//     permission, so Email is always empty. The uid comes from the login's
//     token answer (its uid member, kept in Token.UserID, so that a stored
//     token fetches the user too); a token without it cannot fetch the
//     user.
//
// Options: those every constructor takes (see Option; WithAuthParam for
// forcelogin=true, for example).
//
// The returned provider is immutable and safe for concurrent use.
func Weibo(clientID, clientSecret string, opts ...Option) (*core.Provider, error) {
	return collect(opts).build(clientID, clientSecret, spec{
		name: "weibo", display: "Weibo",
		endpoints: core.Endpoints{
			AuthURL:       weiboURL + "/oauth2/authorize",
			TokenURL:      weiboURL + "/oauth2/access_token",
			RevocationURL: weiboURL + "/oauth2/revokeoauth2",
			UserInfoURL:   weiboURL + "/2/users/show.json",
		},
		method: core.AuthSecretPost, dialect: weiboDialect, pkce: core.PKCEUnsupported,
		fetchUser:  weiboFetchUser,
		userFields: weiboUserFields,
	})
}

// weiboUserFields are the members of Weibo's users/show answer (and the
// token answer's uid) that hold personal data; status is the user's
// latest post.
var weiboUserFields = core.UserFields{
	ID: "idstr", Name: "screen_name", AvatarURL: "avatar_large",
	Personal: []string{"profile_image_url", "avatar_hd", "profile_url", "domain", "weihao", "description",
		"province", "city", "status"},
}

var weiboDialect = &core.Dialect{
	ScopeSeparator:   ",",
	UserIDMember:     "uid",
	DefaultTokenType: "Bearer",
	ErrorDetectors:   []errorDetector{detectWithCode("error_code")},
	EditRequest:      weiboEditRequest,
}

// weiboEditRequest sends the access token alone to the revocation
// endpoint.
func weiboEditRequest(r *core.Request) error {
	if r.Op != core.OpRevoke {
		return nil
	}
	tok := r.Params.Get("token")
	r.Params = &core.Params{}
	r.Params.Set("access_token", tok)
	return nil
}

func weiboFetchUser(ctx context.Context, r core.UserRequest) (*core.User, error) {
	uid := tokenUserID(r.Token, "uid")
	if uid == "" {
		return nil, fmt.Errorf("providers: weibo: the token has no uid (neither the uid member nor a UserID), so the user cannot be fetched")
	}
	// The token goes in the query, the first of the two ways Weibo
	// documents; the other, "Authorization: OAuth2 <token>", cannot be
	// expressed in a conformance cassette yet.
	q := &core.Params{}
	q.Set("access_token", r.Token.AccessToken)
	q.Set("uid", uid)
	fields, err := r.Client.Resource(ctx, core.ResourceRequest{URL: r.Client.Endpoints().UserInfoURL, Token: r.Token, NoBearer: true, Query: q})
	if err != nil {
		return nil, err
	}
	id := jsonmap.String(fields, "idstr")
	if id == "" {
		id = jsonmap.String(fields, "id")
	}
	avatar := jsonmap.String(fields, "avatar_large")
	if avatar == "" {
		avatar = jsonmap.String(fields, "profile_image_url")
	}
	return &core.User{
		ID:        id,
		Name:      jsonmap.String(fields, "screen_name"),
		AvatarURL: avatar,
		Raw:       fields,
	}, nil
}
