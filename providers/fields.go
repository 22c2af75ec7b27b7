package providers

import (
	"github.com/go-oauth20/oauth20/core"
	"github.com/go-oauth20/oauth20/internal/jsonmap"
)

// This file holds the small readers and builders of answer members and
// query parameters that several provider files use.

// stringMember returns a string member, "" for anything else (a LinkedIn
// locale object, a JSON null, a number). core.String, by contrast, also
// formats numbers and booleans.
func stringMember(m map[string]any, key string) string {
	s, _ := m[key].(string)
	return s
}

// tokenUserID returns the user's id that t carries for a user call that
// needs it beside the access token: the member of the token answer, or,
// for a token that was stored and so lost its Raw, t.UserID, which the
// client filled from that same member (core.Dialect.UserIDMember).
func tokenUserID(t *core.Token, member string) string {
	if t == nil {
		return ""
	}
	if id := jsonmap.String(t.Raw, member); id != "" {
		return id
	}
	return t.UserID
}

// query builds ordered query parameters from key, value pairs.
func query(kv ...string) *core.Params {
	p := &core.Params{}
	for i := 0; i+1 < len(kv); i += 2 {
		p.Set(kv[i], kv[i+1])
	}
	return p
}

// mergeMissing copies the members of src into dst that dst does not have.
func mergeMissing(dst, src map[string]any) map[string]any {
	if dst == nil {
		dst = map[string]any{}
	}
	for k, v := range src {
		if _, ok := dst[k]; !ok {
			dst[k] = v
		}
	}
	return dst
}

// detectWithCode is DetectRFC6749 for providers that put a code of
// their own beside the RFC "error" member (Kakao's error_code "KOE320",
// Weibo's error_code 21325): that code becomes the error's ProviderCode,
// while Code stays the RFC code.
func detectWithCode(key string) errorDetector {
	return func(status int, body map[string]any) *core.Error {
		e := DetectRFC6749(status, body)
		if e == nil {
			return nil
		}
		if pc := jsonmap.String(body, key); pc != "" {
			e.ProviderCode = pc
		}
		return e
	}
}

// detectRFC6749Codes is DetectRFC6749 for providers that put codes of their
// own in the RFC "error" member (Yahoo's "INVALID_REFRESH_TOKEN"): a code
// listed in codes becomes that RFC code, and the provider's spelling stays
// in ProviderCode.
func detectRFC6749Codes(codes map[string]core.ErrorCode) errorDetector {
	return func(status int, body map[string]any) *core.Error {
		e := DetectRFC6749(status, body)
		if e == nil {
			return nil
		}
		if std, ok := codes[e.ProviderCode]; ok {
			e.Code = std
		}
		return e
	}
}
