package core

import (
	"net/http"
)

// The operations a Request can make, in Request.Op, StatusError.Op and
// Error.Endpoint.
const (
	OpExchange          = "exchange"             // authorization_code grant
	OpRefresh           = "refresh"              // refresh_token grant
	OpClientCredentials = "client_credentials"   // client_credentials grant
	OpDeviceToken       = "device_token"         // device_code grant (one poll)
	OpDeviceAuth        = "device_authorization" // RFC 8628 §3.1
	OpRevoke            = "revocation"           // RFC 7009
	OpIntrospect        = "introspection"        // RFC 7662
	OpUserInfo          = "userinfo"             // a resource request with the access token
	OpPAR               = "pushed_authorization" // RFC 9126 pushed authorization request
)

// Format is how request parameters are sent or how an answer is encoded.
type Format int

// Formats. The zero value is the default of each place it is used in.
const (
	// FormatDefault is application/x-www-form-urlencoded for a request
	// body and JSON for an answer.
	FormatDefault Format = iota
	// FormatForm is application/x-www-form-urlencoded (RFC 6749; for
	// answers, QQ without fmt=json and GitHub without Accept).
	FormatForm
	// FormatJSON is a JSON object: of strings when sent; for answers the
	// Content-Type is not trusted either way (providers send JSON as
	// text/plain or text/html), and a body that is not a JSON object is
	// ErrMalformedResponse.
	FormatJSON
	// FormatQuery sends the parameters in the URL query (with GET: WeChat,
	// QQ). Requests only.
	FormatQuery
	// FormatJSONP is a JSON object wrapped as callback( {...} ); (QQ's
	// /oauth2.0/me). Answers only.
	FormatJSONP
	// FormatAuto is JSON, JSONP or form-encoded, whichever the body is.
	// Answers only.
	FormatAuto
)

// Request is one outgoing call to a provider, after the library has filled
// the standard parameters and before the dialect and client authentication
// have been applied. A Dialect's EditRequest hook may change anything in it.
type Request struct {
	// Op is one of the Op constants.
	Op     string
	Method string
	URL    string
	Header http.Header
	Params *Params
	Format Format
	// Clock is the client's clock, for hooks that sign something (Apple's
	// client secret).
	Clock Clock
}

// Dialect is everything in which a provider departs from RFC 6749 on the
// wire. The zero value is RFC 6749 itself: form POST, standard names, JSON
// answers, errors in an "error" member. A provider states its quirks as data
// plus small hooks; the HTTP call itself is always the library's.
//
// A Dialect must not be modified once a Client uses it.
type Dialect struct {
	// Name identifies the dialect in errors and logs.
	Name string

	// ParamNames renames standard parameters on the wire, for example
	// {"client_id": "appid", "client_secret": "secret"} for WeChat or
	// {"grant_type": "grantType"} for DingTalk. It applies to the token,
	// revocation, introspection and device requests and to the
	// authorization URL.
	ParamNames map[string]string

	// ScopeSeparator joins scopes; default " " (WeChat: ",").
	ScopeSeparator string
	// AuthURLFragment is appended to the authorization URL as a fragment
	// (WeChat: "wechat_redirect").
	AuthURLFragment string
	// AuthParamOrder puts these authorization URL parameters first, in this
	// order (wire names). Others follow in the order they were set.
	AuthParamOrder []string

	// TokenMethod is the HTTP method of token requests; default POST. With
	// GET, parameters go in the query.
	TokenMethod string
	// TokenFormat is the body format of token requests; default form.
	TokenFormat Format
	// TokenParamOrder puts these token request parameters first, in this
	// order (wire names), after client authentication has added its own.
	TokenParamOrder []string
	// Response is the format of token-endpoint answers; default JSON.
	Response Format

	// TokenFields maps the standard token member names to the provider's
	// ("access_token" → "accessToken"). Missing entries keep the standard
	// name.
	TokenFields map[string]string
	// Envelope, when set, names the member that holds the token fields
	// ({"code":0,"data":{...}} → "data"). Error detectors see the whole body.
	Envelope string
	// UserIDMember names the member of the token answer (inside Envelope)
	// that holds the provider's id of the user, for providers whose user
	// call needs it beside the access token (WeChat's "openid", Weibo's
	// "uid"). Its value, a string or a number, fills Token.UserID, which
	// is kept when the token is stored. Empty means the answer names no
	// user; EditToken may still set Token.UserID from a nested member.
	UserIDMember string
	// DefaultTokenType is assumed when the answer has no token_type. Empty
	// means token_type is required (RFC 6749 §5.1); providers that omit it
	// set "Bearer".
	DefaultTokenType string

	// ErrorDetectors look at each decoded answer (body is nil when it was
	// empty or undecodable) and report the provider's error, or nil. They
	// run in order on every answer, whatever its status, so that providers
	// answering HTTP 200 with an error body are caught; the first non-nil
	// result is the error. Nil means the RFC 6749 §5.2 detector alone
	// (providers.DetectRFC6749, which a list of its own can include);
	// providers.CodeDetector builds one for errcode/errmsg envelopes.
	ErrorDetectors []func(status int, body map[string]any) *Error

	// RevocationErrorsIn2xx runs the error detectors on 2xx revocation
	// answers too, for providers that report a failed revocation with HTTP
	// 200 (Slack's {"ok":false}, Naver's {"error":...}). By default a 2xx
	// answer is success whatever its body says (RFC 7009 §2.2).
	RevocationErrorsIn2xx bool

	// RefreshTokenRejected, when set, reports whether a refresh error other
	// than invalid_grant means the refresh token is no longer valid, for
	// providers that say so with another code (X answers invalid_request
	// for a refresh token it no longer accepts). Such errors then match
	// ErrLoginAgain.
	RefreshTokenRejected func(e *Error) bool

	// RevokesAccessTokensOnly says the revocation endpoint takes access
	// tokens only (GitHub, Naver, Kakao, LINE): logout then revokes the
	// access token and never sends a refresh token there.
	RevokesAccessTokensOnly bool

	// Headers are added to every request to the provider (GitHub's
	// Accept: application/json).
	Headers map[string]string

	// TokenHeaders names the request headers other than Authorization in
	// which the provider takes the access token (DingTalk's
	// x-acs-dingtalk-access-token). The client does not read it (a user
	// fetch sets such headers itself); tools that keep the provider's
	// traffic, such as the recorder of package conformance, redact them.
	TokenHeaders []string
	// TokenParams names the request parameters other than access_token in
	// which the provider takes the access token (Alipay's auth_token). Like
	// TokenHeaders, the client does not read it (a user fetch sets such
	// parameters itself); tools that keep the provider's traffic redact
	// them.
	TokenParams []string
	// SecretFields names the request parameters, answer members and
	// request headers that carry a credential or a token beyond those the
	// standard names, ParamNames and TokenFields give (WeCom's corpsecret
	// and user_ticket, Facebook's appsecret_proof). The client does not read
	// it; tools that keep the provider's traffic redact them.
	SecretFields []string

	// EditRequest, when set, is called last before a request is sent (after
	// client authentication and renaming), to change anything the fields
	// above cannot express.
	EditRequest func(r *Request) error
	// EditToken, when set, is called with a decoded token and the fields it
	// came from, to fill provider-specific parts (WeChat's openid).
	EditToken func(t *Token, fields map[string]any) error

	// CheckResponse, when set, sees every answer of every call as it came,
	// before anything decodes or judges it, with the request as it was sent
	// (after EditRequest). A non-nil error refuses the answer and is
	// returned as it is; it should wrap ErrMalformedResponse. It is for
	// providers that sign their answers over their exact text (Alipay),
	// which a decoded body no longer holds.
	CheckResponse func(r *Request, status int, body []byte) error
}

// rfc6749 is the default dialect.
var rfc6749 = &Dialect{Name: "rfc6749"}

func (d *Dialect) paramName(std string) string {
	if n, ok := d.ParamNames[std]; ok {
		return n
	}
	return std
}

func (d *Dialect) tokenField(std string) string {
	if n, ok := d.TokenFields[std]; ok {
		return n
	}
	return std
}

func (d *Dialect) scopeSeparator() string {
	if d.ScopeSeparator == "" {
		return " "
	}
	return d.ScopeSeparator
}

func (d *Dialect) detectors() []errorDetector {
	if d.ErrorDetectors == nil {
		return defaultDetectors
	}
	return d.ErrorDetectors
}

var defaultDetectors = []errorDetector{detectRFC6749}
