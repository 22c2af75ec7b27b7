package providers

import (
	"context"
	"net/http"
	"net/url"

	"github.com/go-oauth20/oauth20/core"
	"github.com/go-oauth20/oauth20/internal/jsonmap"
)

// Yandex ID endpoints.
const (
	yandexAuthURL  = "https://oauth.yandex.ru/authorize"
	yandexTokenURL = "https://oauth.yandex.ru/token"
	yandexInfoURL  = "https://login.yandex.ru/info"
	// yandexAvatarURL is completed with default_avatar_id and a size.
	yandexAvatarURL = "https://avatars.yandex.net/get-yapic/"
)

// Yandex returns a provider for "Log in with Yandex ID". It reports
// configuration problems (an empty client id or secret, a bad redirect
// URL), joined, each wrapping core.ErrInvalidConfig; it does no network
// I/O.
//
// Documentation: https://yandex.com/dev/id/doc/en/codes/code-url,
// https://yandex.com/dev/id/doc/en/tokens/refresh-client and
// https://yandex.ru/dev/id/doc/en/user-information
//
// Quirks handled here:
//
//   - The access rights are chosen when the app is registered, so no scope
//     is sent by default (WithScopes asks for space-separated rights).
//   - PKCE S256 is sent on every login: Yandex's page on the code flow
//     offers code_challenge and code_verifier for the authorization and
//     token requests of the same app that authenticates with its secret.
//   - The client authenticates with HTTP Basic (Yandex takes the
//     credentials in the body too).
//   - Tokens are long-lived (expires_in is a year); a refresh returns a new
//     refresh token, and the access token itself may come back unchanged.
//   - Token errors are RFC 6749 JSON ({"error":"invalid_grant",
//     "error_description":"Code has expired"}).
//   - Yandex documents revocation only for tokens issued to a device, so
//     this provider has none.
//   - The user comes from GET https://login.yandex.ru/info?format=json with
//     "Authorization: OAuth <token>" (Yandex's scheme, not Bearer): id
//     becomes the ID, login the Username, real_name (else display_name)
//     the Name, default_email the Email, and default_avatar_id, unless
//     is_avatar_empty, the AvatarURL (the islands-200 size). Yandex does
//     not say whether the address is verified, so EmailVerified stays
//     false. The fields present depend on the rights granted to the app.
//
// Options: those every constructor takes (see Option; WithAuthParam for
// force_confirm=yes, for example).
//
// The returned provider is immutable and safe for concurrent use.
func Yandex(clientID, clientSecret string, opts ...Option) (*core.Provider, error) {
	return collect(opts).build(clientID, clientSecret, spec{
		name: "yandex", display: "Yandex",
		endpoints: core.Endpoints{AuthURL: yandexAuthURL, TokenURL: yandexTokenURL, UserInfoURL: yandexInfoURL},
		method:    core.AuthSecretBasic, fetchUser: yandexFetchUser,
		userFields: yandexUserFields,
	})
}

// yandexUserFields are the members of Yandex's /info answer that hold
// personal data; which are present depends on the rights granted.
var yandexUserFields = core.UserFields{
	ID: "id", Username: "login", Name: "real_name", Email: "default_email", AvatarURL: "default_avatar_id",
	Personal: []string{"psuid", "first_name", "last_name", "sex", "birthday", "default_phone"},
}

func yandexFetchUser(ctx context.Context, r core.UserRequest) (*core.User, error) {
	fields, err := r.Client.Resource(ctx, core.ResourceRequest{
		URL: yandexInfoURL, Token: r.Token, NoBearer: true,
		Header: http.Header{"Authorization": {"OAuth " + r.Token.AccessToken}},
		Query:  query("format", "json"),
	})
	if err != nil {
		return nil, err
	}
	u := &core.User{
		ID:       jsonmap.String(fields, "id"),
		Username: jsonmap.String(fields, "login"),
		Name:     jsonmap.String(fields, "real_name"),
		Email:    jsonmap.String(fields, "default_email"),
		Raw:      fields,
	}
	if u.Name == "" {
		u.Name = jsonmap.String(fields, "display_name")
	}
	if id := jsonmap.String(fields, "default_avatar_id"); id != "" && !jsonmap.Bool(fields, "is_avatar_empty") {
		u.AvatarURL = yandexAvatarURL + url.PathEscape(id) + "/islands-200"
	}
	return u, nil
}
