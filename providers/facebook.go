package providers

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"

	"github.com/go-oauth20/oauth20/core"
	"github.com/go-oauth20/oauth20/internal/jsonmap"
)

// facebookVersion pins the Graph API version of every call.
const facebookVersion = "v22.0"

// Facebook endpoints.
const (
	facebookWebURL   = "https://www.facebook.com/" + facebookVersion
	facebookGraphURL = "https://graph.facebook.com/" + facebookVersion
)

// facebookUserFields are the profile fields asked of /me.
const facebookUserFields = "id,name,email,first_name,last_name,picture.type(large)"

// Facebook returns a provider for Facebook Login (Meta) with the manually
// built web flow. It reports configuration problems joined, each wrapping
// core.ErrInvalidConfig; it does no network I/O.
//
// Documentation:
// https://developers.facebook.com/docs/facebook-login/guides/advanced/manual-flow
//
// Quirks handled here:
//
//   - Every URL pins Graph API version v22.0.
//   - Scopes are comma-separated (email,public_profile).
//   - The code exchange is a form POST to /oauth/access_token with the
//     credentials in the body (the documented GET with the secret in the
//     query is avoided so the secret never lands in a URL).
//   - Errors are a JSON object under "error" ({"message","type","code",
//     "error_subcode","fbtrace_id"}), with HTTP 400: the numeric code
//     becomes ProviderCode and the message the description; code 100 of
//     type OAuthException (a bad or reused code, a redirect_uri mismatch)
//     is invalid_request.
//   - No refresh token: web tokens last about two months; a refresh is
//     refused by Facebook. No PKCE in this flow (documented only for the
//     OIDC variant, still marked as testing); state protects the callback.
//   - Revocation is not RFC 7009: DELETE /me/permissions with the access
//     token (sent as a Bearer header, not in the URL), answered
//     {"success":true}. It removes the app's authorisation, so every
//     token of the user for the app stops working.
//   - The user comes from GET /me?fields=id,name,email,first_name,
//     last_name,picture.type(large) with appsecret_proof (HMAC-SHA256 of
//     the access token keyed by the app secret), so apps with "Require App
//     Secret" work. id is the app-scoped id (a string). email is absent
//     for phone-only accounts or when not granted; Facebook does not say
//     whether it is verified, so EmailVerified stays false. The avatar is
//     picture.data.url.
//
// Default scopes: email, public_profile. Options: those every constructor
// takes (see Option). The returned provider is immutable and safe for
// concurrent use.
func Facebook(clientID, clientSecret string, opts ...Option) (*core.Provider, error) {
	fb := &facebook{secret: clientSecret}
	return collect(opts).build(clientID, clientSecret, spec{
		name: "facebook", display: "Facebook", scopes: []string{"email", "public_profile"},
		endpoints: core.Endpoints{
			AuthURL:       facebookWebURL + "/dialog/oauth",
			TokenURL:      facebookGraphURL + "/oauth/access_token",
			RevocationURL: facebookGraphURL + "/me/permissions",
			UserInfoURL:   facebookGraphURL + "/me",
		},
		method: core.AuthSecretPost, dialect: facebookDialect, pkce: core.PKCEUnsupported,
		fetchUser:  fb.fetchUser,
		userFields: facebookPersonalFields,
	})
}

// facebookPersonalFields are the members of Facebook's /me answer that hold
// personal data; picture holds the avatar URL (picture.data.url).
var facebookPersonalFields = core.UserFields{
	ID: "id", Email: "email", Name: "name", AvatarURL: "url",
	Personal: []string{"first_name", "last_name", "picture"},
}

var facebookDialect = &core.Dialect{
	ScopeSeparator: ",",
	EditRequest:    facebookEditRequest,
	// appsecret_proof is an HMAC of the token keyed by the app secret.
	SecretFields: []string{"appsecret_proof"},
}

// facebookEditRequest turns core's RFC 7009 revocation into DELETE
// /me/permissions authenticated by the token being revoked.
func facebookEditRequest(r *core.Request) error {
	if r.Op != core.OpRevoke {
		return nil
	}
	token := r.Params.Get("token")
	r.Method = http.MethodDelete
	r.Format = core.FormatQuery
	r.Params = &core.Params{}
	r.Header.Del("Authorization")
	r.Header.Set("Authorization", "Bearer "+token)
	return nil
}

type facebook struct {
	secret string
}

func (f *facebook) fetchUser(ctx context.Context, r core.UserRequest) (*core.User, error) {
	q := &core.Params{}
	q.Set("fields", facebookUserFields)
	if f.secret != "" {
		m := hmac.New(sha256.New, []byte(f.secret))
		m.Write([]byte(r.Token.AccessToken))
		q.Set("appsecret_proof", hex.EncodeToString(m.Sum(nil)))
	}
	fields, err := r.Client.Resource(ctx, core.ResourceRequest{URL: facebookGraphURL + "/me", Token: r.Token, Query: q})
	if err != nil {
		return nil, err
	}
	return &core.User{
		ID:        jsonmap.String(fields, "id"),
		Email:     stringMember(fields, "email"),
		Name:      stringMember(fields, "name"),
		AvatarURL: stringMember(jsonmap.Object(jsonmap.Object(fields, "picture"), "data"), "url"),
		Raw:       fields,
	}, nil
}
