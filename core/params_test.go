package core

import (
	"net/url"
	"strings"
	"testing"
)

// TestEscaping: the encoders escape exactly as url.QueryEscape does, a
// space as "+" in forms and "%20" in URLs.
func TestEscaping(t *testing.T) {
	t.Parallel()
	var all strings.Builder
	for c := 0; c < 256; c++ {
		all.WriteByte(byte(c))
	}
	for _, s := range []string{"", "plain", "a b+c&d=e", "https://rp.example/cb?x=1#f", "héllo ✓", "\x00\xff", all.String()} {
		p := &Params{}
		p.Set(s, s)
		form, query := url.QueryEscape(s), strings.ReplaceAll(url.QueryEscape(s), "+", "%20")
		if got := p.encode(); got != form+"="+form {
			t.Errorf("encode(%q) = %q", s, got)
		}
		if got := p.encodeQuery(); got != query+"="+query {
			t.Errorf("encodeQuery(%q) = %q", s, got)
		}
	}
	if got := appendQuery("https://op.example/a?x=1", &Params{keys: []string{"s"}, vals: []string{"a b"}}); got != "https://op.example/a?x=1&s=a%20b" {
		t.Errorf("appendQuery = %q", got)
	}
	if got := buildURL("https://op.example/a", &Params{keys: []string{"s"}, vals: []string{"1"}}, "wechat redirect"); got != "https://op.example/a?s=1#wechat%20redirect" {
		t.Errorf("buildURL = %q", got)
	}
}
