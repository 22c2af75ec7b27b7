package providers

import (
	"github.com/go-oauth20/oauth20/core"
	"github.com/go-oauth20/oauth20/internal/corehook"
)

// errorDetector is the type of a core.Dialect's error detectors: it looks
// at a decoded answer (nil when the body was empty or undecodable) and
// reports the provider's error, or nil; it runs for every status.
type errorDetector = func(status int, body map[string]any) *core.Error

// DetectRFC6749 is the error detector a core.Dialect uses when it names
// none: it finds RFC 6749 §5.2 errors, an "error" member that is a string,
// or a number (some providers send numeric codes there, QQ among them), on
// every status, so that an HTTP 200 answer with an error member is an
// error (GitHub answers 200 {"error":"bad_verification_code"}). Provider
// codes outside the RFC's list keep their spelling in ProviderCode and map
// to a standard Code where the meaning is clear. A dialect with detectors
// of its own lists it among them when the provider also answers that way.
func DetectRFC6749(status int, body map[string]any) *core.Error {
	return corehook.DetectRFC6749.(func(int, map[string]any) *core.Error)(status, body)
}

// CodeDetector builds a errorDetector for providers that put a numeric or
// string status code in a member of every answer, with 0 (or ok) meaning
// success: WeChat's {"errcode":40029,"errmsg":"invalid code"}, Feishu's
// {"code":99991663,"msg":"..."}, QQ's {"ret":-1,"msg":"..."}. codeKey names
// the code member, msgKey the message member; codes maps provider codes onto
// RFC codes (unmapped ones become CodeProviderError). Absent or zero codes
// are not errors.
func CodeDetector(codeKey, msgKey string, codes map[string]core.ErrorCode) errorDetector {
	return corehook.CodeDetector.(func(string, string, map[string]core.ErrorCode) func(int, map[string]any) *core.Error)(codeKey, msgKey, codes)
}
