package core

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"
)

// decodeBody decodes a provider's answer in the given format into an object
// whose numbers are json.Number. An empty body yields an empty object. It
// returns an error wrapping ErrMalformedResponse for anything else.
func decodeBody(format Format, body []byte) (map[string]any, error) {
	b := bytes.TrimSpace(body)
	if len(b) == 0 {
		return map[string]any{}, nil
	}
	switch format {
	case FormatJSON, FormatDefault:
		return decodeJSONObject(b)
	case FormatForm:
		return decodeForm(b)
	case FormatJSONP:
		return decodeJSONP(b)
	case FormatAuto:
		switch {
		case b[0] == '{':
			return decodeJSONObject(b)
		case bytes.HasPrefix(b, []byte("callback")) || bytes.IndexByte(b, '(') > 0 && bytes.IndexByte(b, '(') < bytes.IndexByte(b, '{'):
			return decodeJSONP(b)
		default:
			return decodeForm(b)
		}
	}
	return nil, fmt.Errorf("%w: unknown response format %d", ErrMalformedResponse, format)
}

func decodeJSONObject(b []byte) (map[string]any, error) {
	if b[0] != '{' {
		return nil, fmt.Errorf("%w: not a JSON object (%s)", ErrMalformedResponse, describeBody(b))
	}
	if m, ok := fastObject(b); ok {
		return m, nil
	}
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var m map[string]any
	if err := d.Decode(&m); err != nil {
		return nil, fmt.Errorf("%w: invalid JSON (%s)", ErrMalformedResponse, describeBody(b))
	}
	if d.More() {
		return nil, fmt.Errorf("%w: trailing data after JSON object", ErrMalformedResponse)
	}
	return m, nil
}

// decodeJSONP unwraps name( {...} ); around a JSON object.
func decodeJSONP(b []byte) (map[string]any, error) {
	open := bytes.IndexByte(b, '(')
	end := bytes.LastIndexByte(b, ')')
	if open < 0 || end < open {
		return nil, fmt.Errorf("%w: not JSONP (%s)", ErrMalformedResponse, describeBody(b))
	}
	name := string(bytes.TrimSpace(b[:open]))
	for _, r := range name {
		if !(r == '_' || r == '$' || r == '.' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return nil, fmt.Errorf("%w: not JSONP (%s)", ErrMalformedResponse, describeBody(b))
		}
	}
	if rest := bytes.TrimSpace(b[end+1:]); len(rest) > 1 || len(rest) == 1 && rest[0] != ';' {
		return nil, fmt.Errorf("%w: trailing data after JSONP", ErrMalformedResponse)
	}
	inner := bytes.TrimSpace(b[open+1 : end])
	if len(inner) == 0 {
		return nil, fmt.Errorf("%w: empty JSONP", ErrMalformedResponse)
	}
	return decodeJSONObject(inner)
}

func decodeForm(b []byte) (map[string]any, error) {
	if !utf8.Valid(b) || bytes.ContainsAny(b, "<>{}\n") {
		return nil, fmt.Errorf("%w: not form-encoded (%s)", ErrMalformedResponse, describeBody(b))
	}
	v, err := url.ParseQuery(string(b))
	if err != nil {
		return nil, fmt.Errorf("%w: not form-encoded (%s)", ErrMalformedResponse, describeBody(b))
	}
	m := make(map[string]any, len(v))
	for k, vs := range v {
		if len(vs) > 0 {
			m[k] = vs[0]
		}
	}
	return m, nil
}

// describeBody says what a body looks like without quoting it: bodies may
// hold tokens.
func describeBody(b []byte) string {
	kind := "text"
	switch {
	case !utf8.Valid(b):
		kind = "binary or invalid UTF-8"
	case bytes.HasPrefix(bytes.ToLower(b), []byte("<!doctype")) || bytes.HasPrefix(bytes.ToLower(b), []byte("<html")):
		kind = "HTML"
	case b[0] == '{' || b[0] == '[':
		kind = "JSON-like"
	}
	return fmt.Sprintf("%s, %d bytes", kind, len(b))
}

// seconds parses a duration in seconds given as a JSON number (integer or
// fraction) or a string of digits. ok is false when the member is absent.
func seconds(v any) (secs float64, ok bool, err error) {
	switch x := v.(type) {
	case nil:
		return 0, false, nil
	case json.Number:
		f, perr := strconv.ParseFloat(x.String(), 64)
		if perr != nil {
			return 0, true, fmt.Errorf("%w: %q is not a number", ErrInvalidExpiry, truncate(x.String(), 20))
		}
		secs = f
	case string:
		f, perr := strconv.ParseFloat(strings.TrimSpace(x), 64)
		if perr != nil || x == "" {
			return 0, true, fmt.Errorf("%w: %q is not a number", ErrInvalidExpiry, truncate(x, 20))
		}
		secs = f
	case float64:
		secs = x
	default:
		return 0, true, fmt.Errorf("%w: wrong JSON type", ErrInvalidExpiry)
	}
	if math.IsNaN(secs) || math.IsInf(secs, 0) {
		return 0, true, fmt.Errorf("%w: not finite", ErrInvalidExpiry)
	}
	return secs, true, nil
}
