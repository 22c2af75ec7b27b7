package providers

import (
	"context"
	"fmt"

	"github.com/go-oauth20/oauth20/core"
	"github.com/go-oauth20/oauth20/internal/jsonmap"
)

// Feishu hosts: the accounts host serves the authorization page, the open
// host the token and user APIs.
const (
	feishuAccountsURL = "https://accounts.feishu.cn"
	feishuOpenURL     = "https://open.feishu.cn"
)

// feishuTokenCodes maps the numeric codes of Feishu's token endpoint, as
// its documentation lists them for the code exchange and the refresh, onto
// RFC codes.
var feishuTokenCodes = map[string]core.ErrorCode{
	"20001": core.CodeInvalidRequest,         // a required parameter is missing
	"20002": core.CodeInvalidClient,          // the client secret is invalid
	"20003": core.CodeInvalidGrant,           // the code is not found
	"20004": core.CodeInvalidGrant,           // the code has expired
	"20008": core.CodeInvalidGrant,           // the user does not exist
	"20009": core.CodeUnauthorizedClient,     // the app is not installed
	"20010": core.CodeAccessDenied,           // the user may not use the app
	"20024": core.CodeInvalidGrant,           // code or refresh token of another client
	"20026": core.CodeInvalidGrant,           // the refresh token is invalid
	"20036": core.CodeUnsupportedGrantType,   // grant_type not supported
	"20037": core.CodeInvalidGrant,           // the refresh token has expired
	"20048": core.CodeInvalidClient,          // the app does not exist
	"20049": core.CodeInvalidGrant,           // PKCE verification failed
	"20050": core.CodeServerError,            // server error (HTTP 500)
	"20063": core.CodeInvalidRequest,         // malformed request
	"20064": core.CodeInvalidGrant,           // the refresh token has been revoked
	"20065": core.CodeInvalidGrant,           // the code has been used
	"20066": core.CodeInvalidGrant,           // the user's status is invalid
	"20067": core.CodeInvalidScope,           // duplicate scopes
	"20068": core.CodeInvalidScope,           // scopes the user did not grant
	"20069": core.CodeUnauthorizedClient,     // the app is not enabled
	"20070": core.CodeInvalidRequest,         // Basic and a body secret together
	"20071": core.CodeInvalidGrant,           // redirect_uri does not match
	"20072": core.CodeTemporarilyUnavailable, // HTTP 503
	"20073": core.CodeInvalidGrant,           // the refresh token has been used
	"20074": core.CodeUnauthorizedClient,     // refreshing is switched off for the app
}

// feishuUserCodes maps the user API's codes (HTTP 200, code != 0).
var feishuUserCodes = map[string]core.ErrorCode{
	"20001":    core.CodeInvalidRequest,
	"20005":    core.CodeInvalidToken,
	"99991663": core.CodeInvalidToken,
	"99991668": core.CodeInvalidToken,
	"99991677": core.CodeInvalidToken,
	"20050":    core.CodeServerError,
}

// Feishu returns a provider for Feishu (飞书) web login with the current
// OAuth 2.0 endpoints. It reports configuration problems, joined, each
// wrapping core.ErrInvalidConfig; it does no network I/O.
//
// Documentation:
// https://open.feishu.cn/document/authentication-management/access-token/obtain-oauth-code
// and https://open.feishu.cn/document/authentication-management/access-token/get-user-access-token
//
// Quirks handled here:
//
//   - The authorization page is
//     https://accounts.feishu.cn/open-apis/authen/v1/authorize (not the
//     deprecated passport.feishu.cn pages the seed used). Scopes are
//     space-separated; none is requested by default (the basic profile
//     needs none). Add "offline_access" with WithScopes to get a refresh
//     token, and contact:user.email:readonly for the email.
//   - PKCE S256 is always sent: Feishu's default method is plain.
//   - The token request is a POST of a JSON body to
//     https://open.feishu.cn/open-apis/authen/v2/oauth/token with
//     grant_type, client_id, client_secret, code, redirect_uri and
//     code_verifier. The credentials are in the body only: Feishu rejects a
//     Basic header together with a body secret (error 20070).
//   - The token answer is flat JSON with "code": 0 and the RFC members.
//     Errors come with HTTP 400/500/503 as
//     {"code":20003,"error":"invalid_grant","error_description":"..."}.
//     Feishu documents the numbers, not the error string of each, so the
//     number decides the Code and is the ProviderCode: a code that is not
//     found (20003), expired (20004) or used (20065), and a refresh token
//     that is invalid (20026), expired (20037), revoked (20064) or used
//     (20073) are invalid_grant; 20002 and 20048 invalid_client; 20072
//     temporarily_unavailable. For a number the tables do not list, the
//     error member decides.
//   - Refresh is the same endpoint with grant_type=refresh_token (not the
//     authorization page, which the seed pointed its refresh at); refresh
//     tokens are single use and rotate.
//   - No revocation endpoint (Feishu has a logout API only) and no OpenID
//     Connect.
//   - The user is GET https://open.feishu.cn/open-apis/authen/v1/user_info
//     with a Bearer token, answered in a {code, msg, data} envelope; errors
//     come with HTTP 200 and a non-zero code (20005: invalid token). ID is
//     open_id (per app), UnionID union_id (per developer: link accounts
//     across apps with it), Name name, AvatarURL avatar_url. Email is email,
//     else enterprise_email; Feishu says both are entered by administrators
//     and unverified, so EmailVerified is always false.
//
// Options: those every constructor takes (see Option). There is no
// WithBaseURL: use Lark for larksuite.com.
//
// The returned provider is immutable and safe for concurrent use.
func Feishu(clientID, clientSecret string, opts ...Option) (*core.Provider, error) {
	return feishuProvider("feishu", "Feishu", feishuAccountsURL, feishuOpenURL, clientID, clientSecret, opts)
}

// Lark returns a provider for Lark, Feishu's international edition: the
// same protocol as Feishu (see Feishu) on accounts.larksuite.com and
// open.larksuite.com. Its default name is "lark".
func Lark(clientID, clientSecret string, opts ...Option) (*core.Provider, error) {
	return feishuProvider("lark", "Lark", "https://accounts.larksuite.com", "https://open.larksuite.com", clientID, clientSecret, opts)
}

func feishuProvider(name, display, accounts, open, clientID, clientSecret string, opts []Option) (*core.Provider, error) {
	return collect(opts).build(clientID, clientSecret, spec{
		name: name, display: display,
		endpoints: core.Endpoints{
			AuthURL:     accounts + "/open-apis/authen/v1/authorize",
			TokenURL:    open + "/open-apis/authen/v2/oauth/token",
			UserInfoURL: open + "/open-apis/authen/v1/user_info",
		},
		method: core.AuthSecretPost, dialect: feishuDialect, fetchUser: feishuUser,
		userFields: feishuUserFields,
	})
}

// feishuUserFields are the members of Feishu's and Lark's user_info answer
// that hold personal data.
var feishuUserFields = core.UserFields{
	ID: "open_id", UnionID: "union_id", Name: "name", AvatarURL: "avatar_url", Email: "email",
	Personal: []string{"en_name", "avatar_thumb", "avatar_middle", "avatar_big", "user_id", "enterprise_email",
		"mobile", "employee_no", "tenant_key"},
}

// feishuDialect sends token requests as JSON and reads Feishu's errors.
var feishuDialect = &core.Dialect{
	Name:           "feishu",
	TokenFormat:    core.FormatJSON,
	ErrorDetectors: []errorDetector{feishuTokenError},
}

// feishuTokenError reads {"code":N,"error":"...","error_description":"..."}.
// Feishu's number decides the Code when its documentation lists it (it
// documents no error string per number); for another number the RFC error
// member decides, and without one the answer is a provider error. The
// number is the ProviderCode.
func feishuTokenError(status int, body map[string]any) *core.Error {
	e := DetectRFC6749(status, body)
	code := jsonmap.String(body, "code")
	if code == "" || code == "0" {
		return e
	}
	if e == nil {
		e = &core.Error{Code: core.CodeProviderError, StatusCode: status, Description: jsonmap.String(body, "error_description")}
		if e.Description == "" {
			e.Description = jsonmap.String(body, "msg")
		}
	}
	e.ProviderCode = code
	if std, ok := feishuTokenCodes[code]; ok {
		e.Code = std
	}
	return e
}

var feishuUserDetectors = []errorDetector{CodeDetector("code", "msg", feishuUserCodes)}

func feishuUser(ctx context.Context, r core.UserRequest) (*core.User, error) {
	body, err := r.Client.Resource(ctx, core.ResourceRequest{
		URL: r.Client.Endpoints().UserInfoURL, Token: r.Token, Detectors: feishuUserDetectors,
	})
	if err != nil {
		return nil, err
	}
	data := jsonmap.Object(body, "data")
	if data == nil {
		return nil, fmt.Errorf("providers: feishu: %w: user_info has no data", core.ErrMalformedResponse)
	}
	email := jsonmap.String(data, "email")
	if email == "" {
		email = jsonmap.String(data, "enterprise_email")
	}
	return &core.User{
		ID:        jsonmap.String(data, "open_id"),
		UnionID:   jsonmap.String(data, "union_id"),
		Name:      jsonmap.String(data, "name"),
		AvatarURL: jsonmap.String(data, "avatar_url"),
		Email:     email,
		Raw:       data,
	}, nil
}
