package core

import (
	"net/url"
	"strings"
)

// safeReturnTo reports whether p is a path on this site that a redirect may
// safely go to after login: it starts with a single "/", has no scheme, no
// host, no backslash, no control character, and none of these appear once
// percent-decoding is undone either. "//evil.example", "/\evil",
// "/%2F/evil", "https://evil", "/%0d%0aLocation:" and "javascript:..." are
// all refused (RFC 9700 §4.11.1: no open redirectors).
func safeReturnTo(p string) bool {
	if len(p) > 2048 {
		return false
	}
	if !safePath(p) {
		return false
	}
	dec, err := url.PathUnescape(p)
	if err != nil || !safePath(dec) {
		return false
	}
	u, err := url.Parse(p)
	return err == nil && u.Scheme == "" && u.Host == "" && u.User == nil && u.Opaque == ""
}

func safePath(p string) bool {
	if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") {
		return false
	}
	for i := 0; i < len(p); i++ {
		c := p[i]
		if c < 0x20 || c == 0x7f || c == '\\' {
			return false
		}
	}
	return true
}
