package providers

import (
	"context"
	"fmt"

	"github.com/go-oauth20/oauth20/core"
	"github.com/go-oauth20/oauth20/internal/jsonmap"
)

// Naver endpoints.
const (
	naverAuthURL  = "https://nid.naver.com/oauth2.0/authorize"
	naverTokenURL = "https://nid.naver.com/oauth2.0/token"
	naverMeURL    = "https://openapi.naver.com/v1/nid/me"
)

// Naver returns a provider for "Log in with Naver" (네이버 로그인). It
// reports configuration problems (an empty client id or secret, a bad
// redirect URL), joined, each wrapping core.ErrInvalidConfig; it does no
// network I/O.
//
// Documentation: https://developers.naver.com/docs/login/api/api.md
//
// Quirks handled here:
//
//   - No scope parameter: the data an app receives is chosen in the Naver
//     developer console, so no scope is sent by default (WithScopes adds
//     one if you must).
//   - Credentials go in the body (client_secret_post) of a form POST. Naver
//     documents GET with everything in the query as well; POST keeps the
//     secret out of URLs. The exchange does not send state: Naver lists it
//     for the token call, but it is not checked there in practice [L].
//   - PKCE is not supported and not sent; the login relies on state.
//   - expires_in is a string ("3600"); it is read as a number of seconds.
//   - Token errors come back with HTTP 200 and an "error" member
//     ({"error":"invalid_request","error_description":"no valid data in
//     session"} for an unknown or used code); they are errors all the same,
//     with Naver's code kept (Naver says invalid_request where RFC 6749
//     would say invalid_grant).
//   - A refresh answer carries no new refresh token; the one used is kept.
//   - Revocation is not RFC 7009 but the token endpoint with
//     grant_type=delete, client_id, client_secret, access_token and
//     service_provider=NAVER. Only access tokens can be revoked; the hint is
//     ignored. Naver reports revocation failures with HTTP 200, so the
//     dialect has the error detectors judge 2xx revocation answers too.
//   - The user comes from GET https://openapi.naver.com/v1/nid/me, wrapped
//     as {"resultcode":"00","message":"success","response":{...}}; a
//     resultcode other than "00" is an error ("024", authentication failed,
//     maps to invalid_token). response.id (a string) becomes the ID, name
//     (or nickname when there is no name) the Name, profile_image the
//     AvatarURL, email the Email. Naver does not say the address is
//     verified, so EmailVerified stays false.
//
// Options: those every constructor takes (see Option; WithAuthParam for
// auth_type=reprompt, for example).
//
// The returned provider is immutable and safe for concurrent use.
func Naver(clientID, clientSecret string, opts ...Option) (*core.Provider, error) {
	return collect(opts).build(clientID, clientSecret, spec{
		name: "naver", display: "Naver",
		endpoints: core.Endpoints{
			AuthURL: naverAuthURL, TokenURL: naverTokenURL, RevocationURL: naverTokenURL, UserInfoURL: naverMeURL,
		},
		method: core.AuthSecretPost, dialect: naverDialect, pkce: core.PKCEUnsupported,
		fetchUser:  naverFetchUser,
		userFields: naverUserFields,
	})
}

// naverUserFields are the members of Naver's /v1/nid/me answer (inside
// response) that hold personal data.
var naverUserFields = core.UserFields{
	ID: "id", Name: "name", AvatarURL: "profile_image", Email: "email",
	Personal: []string{"nickname", "gender", "age", "birthday", "birthyear", "mobile", "mobile_e164"},
}

var naverDialect = &core.Dialect{
	ErrorDetectors:          []errorDetector{DetectRFC6749, naverDetectResult},
	RevocationErrorsIn2xx:   true,
	RevokesAccessTokensOnly: true,
	EditRequest:             naverEditRequest,
}

// naverResultCodes maps resultcode values of the Open API onto RFC codes.
var naverResultCodes = map[string]core.ErrorCode{
	"024": core.CodeInvalidToken, // authentication failed
	"028": core.CodeInvalidToken, // no OAuth header
	"403": core.CodeInsufficientScope,
	"500": core.CodeServerError,
}

// naverDetectResult reads the Open API's {"resultcode":"024","message":...};
// "00" is success.
func naverDetectResult(status int, body map[string]any) *core.Error {
	rc := jsonmap.String(body, "resultcode")
	if rc == "" || rc == "00" {
		return nil
	}
	e := &core.Error{Code: core.CodeProviderError, ProviderCode: rc, Description: jsonmap.String(body, "message"), StatusCode: status}
	if c, ok := naverResultCodes[rc]; ok {
		e.Code = c
	}
	return e
}

// naverEditRequest turns core's RFC 7009 revocation request into Naver's
// grant_type=delete token request.
func naverEditRequest(r *core.Request) error {
	if r.Op != core.OpRevoke {
		return nil
	}
	p := &core.Params{}
	p.Set("grant_type", "delete")
	p.Set("client_id", r.Params.Get("client_id"))
	p.Set("client_secret", r.Params.Get("client_secret"))
	p.Set("access_token", r.Params.Get("token"))
	p.Set("service_provider", "NAVER")
	r.Params = p
	return nil
}

func naverFetchUser(ctx context.Context, r core.UserRequest) (*core.User, error) {
	fields, err := r.Client.Resource(ctx, core.ResourceRequest{URL: naverMeURL, Token: r.Token})
	if err != nil {
		return nil, err
	}
	resp := jsonmap.Object(fields, "response")
	if resp == nil {
		return nil, fmt.Errorf("providers: naver: %w: /v1/nid/me has no response member", core.ErrMalformedResponse)
	}
	name := jsonmap.String(resp, "name")
	if name == "" {
		name = jsonmap.String(resp, "nickname")
	}
	return &core.User{
		ID:        jsonmap.String(resp, "id"),
		Name:      name,
		Email:     jsonmap.String(resp, "email"),
		AvatarURL: jsonmap.String(resp, "profile_image"),
		Raw:       fields,
	}, nil
}
