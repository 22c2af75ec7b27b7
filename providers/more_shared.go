package providers

import (
	"github.com/go-oauth20/oauth20/core"
	"github.com/go-oauth20/oauth20/internal/jsonmap"
)

// moreBuiltins lists the providers of this group (X, Twitch, Spotify,
// Reddit, Naver, Kakao, LINE, Weibo) for Builtins.
func moreBuiltins() []Builtin {
	return []Builtin{
		{Name: "x", New: X},
		{Name: "twitch", New: Twitch},
		{Name: "spotify", New: Spotify},
		{Name: "reddit", New: moreRedditForConformance},
		{Name: "naver", New: Naver},
		{Name: "kakao", New: Kakao},
		{Name: "line", New: LINE},
		{Name: "weibo", New: Weibo},
	}
}

// moreConformanceUserAgent is the fixed User-Agent the Reddit builtin is
// built with, for the conformance suite only; real applications pass their
// own to Reddit.
const moreConformanceUserAgent = "web:oauth20-conformance:v1.0 (by /u/oauth20-conformance)"

// moreRedditForConformance builds Reddit with moreConformanceUserAgent so
// that it fits the Builtin signature. It exists for the conformance suite.
func moreRedditForConformance(clientID, clientSecret string, opts ...Option) (*core.Provider, error) {
	return Reddit(clientID, clientSecret, moreConformanceUserAgent, opts...)
}

// moreDetectWithCode is DetectRFC6749 for providers that put a code of
// their own beside the RFC "error" member (Kakao's error_code "KOE320",
// Weibo's error_code 21325): that code becomes the error's ProviderCode,
// while Code stays the RFC code.
func moreDetectWithCode(key string) core.ErrorDetector {
	return func(status int, body map[string]any) *core.Error {
		e := core.DetectRFC6749(status, body)
		if e == nil {
			return nil
		}
		if pc := jsonmap.String(body, key); pc != "" {
			e.ProviderCode = pc
		}
		return e
	}
}
