package providers

import (
	"context"

	"github.com/go-oauth20/oauth20/core"
	"github.com/go-oauth20/oauth20/internal/jsonmap"
)

// Kakao endpoints: kauth for OAuth, kapi for the API.
const (
	kakaoAuthURL   = "https://kauth.kakao.com/oauth/authorize"
	kakaoTokenURL  = "https://kauth.kakao.com/oauth/token"
	kakaoLogoutURL = "https://kapi.kakao.com/v1/user/logout"
	kakaoMeURL     = "https://kapi.kakao.com/v2/user/me"
)

// Kakao returns a provider for Kakao Login (카카오 로그인) with the REST
// API. clientID is the app's REST API key; clientSecret is the "Client
// Secret" code, which must be enabled in the Kakao console (this provider
// sends no PKCE, so it needs a confidential client). It reports
// configuration problems (an empty client id or secret, a bad redirect
// URL), joined, each wrapping core.ErrInvalidConfig; it does no network
// I/O. Kakao also speaks OpenID Connect once enabled for the app:
// OIDC("kakao", "https://kauth.kakao.com", ...) uses that instead.
//
// Documentation:
// https://developers.kakao.com/docs/latest/en/kakaologin/rest-api
//
// Quirks handled here:
//
//   - No scope is sent by default: the consent items are configured in the
//     console, and asking for one that is not configured fails (KOE205).
//     With WithScopes, scopes are comma-separated
//     ("profile_nickname,account_email").
//   - Credentials go in the body (client_secret_post). PKCE support is not
//     documented in a form we could verify, so none is sent.
//   - Token errors are HTTP 4xx RFC 6749 JSON plus Kakao's own code:
//     {"error":"invalid_grant","error_description":"...","error_code":
//     "KOE320"}; the RFC code is Code and "KOE320" the ProviderCode. API
//     errors are {"msg":"...","code":-401}: code -401 (invalid or expired
//     token) maps to invalid_token, other codes are provider_error.
//   - A refresh answer carries a new refresh token only when the old one has
//     less than a month left; otherwise the one used is kept.
//   - Revocation uses the logout API, POST https://kapi.kakao.com/v1/user/
//     logout with the access token as Bearer, which expires the access and
//     refresh tokens of the session. Only an access token can be given. The
//     unlink API, which disconnects the user from the app for good, is
//     deliberately not used.
//   - The user comes from GET https://kapi.kakao.com/v2/user/me. id is an
//     int64 and becomes the ID in base 10 without rounding.
//     kakao_account.profile.nickname is the Name and profile_image_url the
//     AvatarURL (not when is_default_image says it is Kakao's placeholder).
//     kakao_account.email is the Email when is_email_valid is not false, and
//     EmailVerified is true only when is_email_verified is true.
//
// Options: those every constructor takes (see Option; WithAuthParam for
// prompt=login, for example).
//
// The returned provider is immutable and safe for concurrent use.
func Kakao(clientID, clientSecret string, opts ...Option) (*core.Provider, error) {
	return collect(opts).build(clientID, clientSecret, spec{
		name: "kakao", display: "Kakao",
		endpoints: core.Endpoints{
			AuthURL: kakaoAuthURL, TokenURL: kakaoTokenURL, RevocationURL: kakaoLogoutURL, UserInfoURL: kakaoMeURL,
		},
		method: core.AuthSecretPost, dialect: kakaoDialect, pkce: core.PKCEUnsupported,
		fetchUser:  kakaoFetchUser,
		userFields: kakaoUserFields,
	})
}

// kakaoUserFields are the members of Kakao's /v2/user/me answer that hold
// personal data: kakao_account and properties hold the profile, the
// contacts and the consented details (birthday, gender, age range).
var kakaoUserFields = core.UserFields{
	ID: "id", Name: "nickname", AvatarURL: "profile_image_url", Email: "email",
	Personal: []string{"kakao_account", "properties", "thumbnail_image_url", "connected_at"},
}

var kakaoDialect = &core.Dialect{
	ScopeSeparator: ",",
	ErrorDetectors: []errorDetector{
		detectWithCode("error_code"),
		CodeDetector("code", "msg", map[string]core.ErrorCode{"-401": core.CodeInvalidToken}),
	},
	EditRequest:             kakaoEditRequest,
	RevokesAccessTokensOnly: true,
}

// kakaoEditRequest turns core's RFC 7009 revocation request into a call of
// the logout API with the token as Bearer and no client credentials.
func kakaoEditRequest(r *core.Request) error {
	if r.Op != core.OpRevoke {
		return nil
	}
	tok := r.Params.Get("token")
	r.Params = &core.Params{}
	r.Header.Set("Authorization", "Bearer "+tok)
	return nil
}

func kakaoFetchUser(ctx context.Context, r core.UserRequest) (*core.User, error) {
	fields, err := r.Client.Resource(ctx, core.ResourceRequest{URL: kakaoMeURL, Token: r.Token})
	if err != nil {
		return nil, err
	}
	u := &core.User{ID: jsonmap.String(fields, "id"), Raw: fields}
	acct := jsonmap.Object(fields, "kakao_account")
	profile := jsonmap.Object(acct, "profile")
	props := jsonmap.Object(fields, "properties")
	u.Name = jsonmap.String(profile, "nickname")
	if u.Name == "" {
		u.Name = jsonmap.String(props, "nickname")
	}
	if !jsonmap.Bool(profile, "is_default_image") {
		u.AvatarURL = jsonmap.String(profile, "profile_image_url")
	}
	if email := jsonmap.String(acct, "email"); email != "" && jsonmap.String(acct, "is_email_valid") != "false" {
		u.Email = email
		u.EmailVerified = jsonmap.Bool(acct, "is_email_verified")
	}
	return u, nil
}
