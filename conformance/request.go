package conformance

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strings"
)

// secretFields are request parameters that carry a credential. An
// unexpected one is reported as such: it usually means the client
// authenticated twice, or put a token where the provider does not want it.
var secretFields = map[string]bool{
	"client_secret": true, "client_assertion": true, "code": true, "code_verifier": true,
	"access_token": true, "refresh_token": true, "token": true, "id_token": true,
	"password": true, "device_code": true, "secret": true, "appsecret": true, "clientSecret": true,
}

// compareRequest lists every difference between a request and what the
// interaction says it must look like.
func compareRequest(want *Request, req *http.Request, body []byte, b *binder) []string {
	var diffs []string
	add := func(format string, args ...any) { diffs = append(diffs, fmt.Sprintf(format, args...)) }
	for _, k := range sortedKeys(want.Headers) {
		w, got := b.expand(want.Headers[k]), req.Header.Values(k)
		switch {
		case len(got) == 0:
			add("header %s: missing, want %s", k, b.describe(w))
		case !match(w, strings.Join(got, ", ")):
			add("header %s: got %s, want %s", k, b.describe(strings.Join(got, ", ")), b.describe(w))
		}
	}
	diffs = append(diffs, want.Auth.check(req.Header.Get("Authorization"), b)...)
	q, err := url.ParseQuery(req.URL.RawQuery)
	if err != nil {
		add("query: does not parse: %v", err)
	}
	diffs = append(diffs, compareFields("query parameter", expandMap(want.Query, b), q, want.Auth, b)...)

	ct := mediaType(req.Header.Get("Content-Type"))
	got, gotOK := bodyFields(ct, body)
	switch {
	case want.Form != nil:
		if ct != "application/x-www-form-urlencoded" {
			add("body: content type %q, want a form (application/x-www-form-urlencoded)", ct)
		}
		if !gotOK {
			add("body: %s, want a form", describeBody(ct, body))
			break
		}
		diffs = append(diffs, compareFields("form field", expandMap(want.Form, b), got, want.Auth, b)...)
	case want.JSON != nil:
		var w any
		if err := decodeJSON(b.expandJSON(want.JSON), &w); err != nil {
			add("json: the cassette's value does not decode: %v", err)
			break
		}
		if ct != "application/json" {
			add("body: content type %q, want application/json", ct)
		}
		var g any
		if err := decodeJSON(body, &g); err != nil {
			add("body: %s, want JSON", describeBody(ct, body))
			break
		}
		diffs = append(diffs, compareJSON("json", w, g, want.Auth, b)...)
	case want.Body != nil:
		if w := b.expand(*want.Body); !match(w, string(body)) {
			add("body: got %s, want %s", b.describe(string(body)), b.describe(w))
		}
	case len(body) > 0:
		if gotOK {
			diffs = append(diffs, compareFields("body field", nil, got, want.Auth, b)...)
		} else {
			add("body: %s, want none", describeBody(ct, body))
		}
	}
	return diffs
}

// compareFields compares parameters: each wanted one present once with a
// matching value, none extra.
func compareFields(kind string, want map[string]string, got url.Values, auth Auth, b *binder) []string {
	var diffs []string
	for _, k := range sortedKeys(want) {
		gv, ok := got[k]
		switch {
		case !ok:
			diffs = append(diffs, fmt.Sprintf("%s %q: missing, want %s", kind, k, b.describe(want[k])))
		case len(gv) > 1:
			diffs = append(diffs, fmt.Sprintf("%s %q: sent %d times", kind, k, len(gv)))
		case !match(want[k], gv[0]):
			diffs = append(diffs, fmt.Sprintf("%s %q: got %s, want %s", kind, k, b.describe(gv[0]), b.describe(want[k])))
		}
	}
	for _, k := range sortedKeys(got) {
		if _, ok := want[k]; ok {
			continue
		}
		diffs = append(diffs, extraField(kind, k, strings.Join(got[k], ","), auth, b))
	}
	return diffs
}

func extraField(kind, k, v string, auth Auth, b *binder) string {
	if secretFields[k] {
		return fmt.Sprintf("%s %q: unexpected secret-bearing field (value %s; the cassette expects %s)", kind, k, b.describe(v), auth.describe())
	}
	return fmt.Sprintf("%s %q: unexpected (value %s)", kind, k, b.describe(v))
}

// compareJSON compares JSON values structurally; strings of want may hold
// the wildcard.
func compareJSON(path string, want, got any, auth Auth, b *binder) []string {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return []string{fmt.Sprintf("%s: got %s, want an object", path, jsonKind(got))}
		}
		var diffs []string
		for _, k := range sortedKeys(w) {
			gv, ok := g[k]
			if !ok {
				diffs = append(diffs, fmt.Sprintf("%s.%s: missing", path, k))
				continue
			}
			diffs = append(diffs, compareJSON(path+"."+k, w[k], gv, auth, b)...)
		}
		for _, k := range sortedKeys(g) {
			if _, ok := w[k]; !ok {
				text, _ := json.Marshal(g[k])
				diffs = append(diffs, extraField("json member", k, strings.Trim(string(text), `"`), auth, b))
			}
		}
		return diffs
	case []any:
		g, ok := got.([]any)
		if !ok {
			return []string{fmt.Sprintf("%s: got %s, want an array", path, jsonKind(got))}
		}
		if len(g) != len(w) {
			return []string{fmt.Sprintf("%s: got %d elements, want %d", path, len(g), len(w))}
		}
		var diffs []string
		for i := range w {
			diffs = append(diffs, compareJSON(fmt.Sprintf("%s[%d]", path, i), w[i], g[i], auth, b)...)
		}
		return diffs
	case string:
		if g, ok := got.(string); !ok || !match(w, g) {
			return []string{fmt.Sprintf("%s: got %s, want %s", path, describeJSON(got, b), b.describe(w))}
		}
	default:
		wt, _ := json.Marshal(want)
		gt, _ := json.Marshal(got)
		if !bytes.Equal(wt, gt) {
			return []string{fmt.Sprintf("%s: got %s, want %s", path, describeJSON(got, b), string(wt))}
		}
	}
	return nil
}

func describeJSON(v any, b *binder) string {
	if s, ok := v.(string); ok {
		return b.describe(s)
	}
	t, _ := json.Marshal(v)
	return truncate(string(t), 100)
}

func jsonKind(v any) string {
	switch v.(type) {
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case bool:
		return "a boolean"
	}
	return "null"
}

// bodyFields reads a form or JSON-object body as parameters.
func bodyFields(ct string, body []byte) (url.Values, bool) {
	if len(body) == 0 {
		return url.Values{}, true
	}
	if ct == "application/json" || bytes.HasPrefix(bytes.TrimSpace(body), []byte("{")) {
		var m map[string]any
		if decodeJSON(body, &m) != nil {
			return nil, false
		}
		out := url.Values{}
		for k, v := range m {
			if s, ok := v.(string); ok {
				out.Set(k, s)
			} else {
				t, _ := json.Marshal(v)
				out.Set(k, string(t))
			}
		}
		return out, true
	}
	v, err := url.ParseQuery(string(body))
	return v, err == nil
}

func describeBody(ct string, body []byte) string {
	if ct == "" {
		ct = "no content type"
	}
	return fmt.Sprintf("%d bytes (%s)", len(body), ct)
}

func mediaType(ct string) string {
	if ct == "" {
		return ""
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return ct
	}
	return mt
}

func expandMap(m map[string]string, b *binder) map[string]string {
	if m == nil {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[b.expand(k)] = b.expand(v)
	}
	return out
}

func decodeJSON(b []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	if err := d.Decode(v); err != nil {
		return err
	}
	if d.More() {
		return fmt.Errorf("trailing data after the JSON value")
	}
	return nil
}
