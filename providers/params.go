package providers

import (
	"net/url"
	"slices"
	"strings"

	"github.com/go-oauth20/oauth20/core"
	"github.com/go-oauth20/oauth20/internal/jsonmap"
)

// reorderParams returns p with parameters renamed by rename (standard name
// → the provider's) and the names in first moved to the front in that
// order; the others keep their order after them. Dialect hooks use it where
// a provider wants other names or an order on one endpoint only.
func reorderParams(p *core.Params, rename map[string]string, first ...string) *core.Params {
	type kv struct{ k, v string }
	var all []kv
	p.Each(func(k, v string) {
		if n, ok := rename[k]; ok {
			k = n
		}
		all = append(all, kv{k, v})
	})
	out := &core.Params{}
	for _, name := range first {
		for _, e := range all {
			if e.k == name {
				out.Set(e.k, e.v)
			}
		}
	}
	for _, e := range all {
		if !slices.Contains(first, e.k) {
			out.Set(e.k, e.v)
		}
	}
	return out
}

// appendQuery adds p to the query of u, in order, spaces as %20.
func appendQuery(u string, p *core.Params) string {
	var b strings.Builder
	p.Each(func(k, v string) {
		if b.Len() > 0 {
			b.WriteByte('&')
		}
		b.WriteString(url.QueryEscape(k))
		b.WriteByte('=')
		b.WriteString(strings.ReplaceAll(url.QueryEscape(v), "+", "%20"))
	})
	if b.Len() == 0 {
		return u
	}
	sep := "?"
	if strings.Contains(u, "?") {
		sep = "&"
	}
	return u + sep + b.String()
}

// okFalseDetector detects Slack-style {"ok": false, "error": "invalid_code"}.
// The error member becomes the provider code, mapped through codes; a code
// that is already an RFC 6749 code is kept as it is.
func okFalseDetector(codes map[string]core.ErrorCode) errorDetector {
	return func(status int, body map[string]any) *core.Error {
		ok, present := body["ok"].(bool)
		if !present || ok {
			return nil
		}
		pc := jsonmap.String(body, "error")
		e := &core.Error{Code: core.CodeProviderError, ProviderCode: pc, StatusCode: status}
		if std, found := codes[pc]; found {
			e.Code = std
		} else if rfc := DetectRFC6749(status, map[string]any{"error": pc}); rfc != nil && rfc.ProviderCode == "" {
			e.Code = rfc.Code
		}
		return e
	}
}
