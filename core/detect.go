package core

import (
	"encoding/json"
	"strings"

	"github.com/go-oauth20/oauth20/internal/corehook"
	"github.com/go-oauth20/oauth20/internal/jsonmap"
)

// errorDetector is the type of a Dialect's error detectors.
type errorDetector = func(status int, body map[string]any) *Error

func init() {
	corehook.DetectRFC6749 = detectRFC6749
	corehook.CodeDetector = codeDetector
}

// detectRFC6749 finds RFC 6749 §5.2 errors: an "error" member, a string, or
// a number (some providers send numeric codes there, QQ among them). It runs
// on every status, so an HTTP 200 answer with an error member is an error
// (GitHub answers 200 {"error":"bad_verification_code"}). Provider codes
// outside the RFC's list keep their spelling in ProviderCode and map to a
// standard Code where the meaning is clear.
func detectRFC6749(status int, body map[string]any) *Error {
	raw, ok := body["error"]
	if !ok {
		return nil
	}
	e := &Error{StatusCode: status}
	switch v := raw.(type) {
	case string:
		if v == "" {
			return nil
		}
		e.Code = ErrorCode(v)
	case json.Number:
		e.Code = CodeProviderError
		e.ProviderCode = v.String()
		if v.String() == "0" {
			return nil
		}
	case map[string]any:
		// Facebook-style {"error": {"message", "type", "code"}}.
		e.Code = CodeProviderError
		e.ProviderCode = jsonmap.String(v, "code")
		e.Description = jsonmap.String(v, "message")
		if t := jsonmap.String(v, "type"); t == "OAuthException" && e.ProviderCode == "100" {
			e.Code = CodeInvalidRequest
		}
		return e
	default:
		return &Error{Code: CodeProviderError, StatusCode: status}
	}
	e.Description = jsonmap.String(body, "error_description")
	e.URI = jsonmap.String(body, "error_uri")
	if !knownCodes[e.Code] && e.Code != CodeProviderError {
		e.ProviderCode = string(e.Code)
		e.Code = mapProviderCode(e.ProviderCode)
	}
	return e
}

var knownCodes = map[ErrorCode]bool{
	CodeInvalidRequest: true, CodeUnauthorizedClient: true, CodeAccessDenied: true,
	CodeUnsupportedResponseType: true, CodeInvalidScope: true, CodeServerError: true,
	CodeTemporarilyUnavailable: true, CodeInvalidClient: true, CodeInvalidGrant: true,
	CodeUnsupportedGrantType: true, CodeInvalidToken: true, CodeInsufficientScope: true,
	CodeUnsupportedTokenType: true, CodeAuthorizationPending: true, CodeSlowDown: true,
	CodeInvalidDPoPProof: true, CodeUseDPoPNonce: true,
	CodeExpiredToken: true,
}

// mapProviderCode maps well-known non-standard spellings onto RFC codes.
func mapProviderCode(code string) ErrorCode {
	switch strings.ToLower(code) {
	case "bad_verification_code", "invalid_code", "code_expired", "bad_refresh_token":
		return CodeInvalidGrant
	case "incorrect_client_credentials", "invalid_client_id", "invalid_client_secret":
		return CodeInvalidClient
	case "redirect_uri_mismatch", "unverified_user_email":
		return CodeInvalidRequest
	}
	return CodeProviderError
}

// codeDetector is providers.CodeDetector: an errorDetector for providers
// that put a status code in a member of every answer, 0 meaning success.
func codeDetector(codeKey, msgKey string, codes map[string]ErrorCode) errorDetector {
	return func(status int, body map[string]any) *Error {
		c := jsonmap.String(body, codeKey)
		if c == "" || c == "0" {
			return nil
		}
		e := &Error{Code: CodeProviderError, ProviderCode: c, Description: jsonmap.String(body, msgKey), StatusCode: status}
		if std, ok := codes[c]; ok {
			e.Code = std
		}
		return e
	}
}
