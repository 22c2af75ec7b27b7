package conformance

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"regexp"
	"strings"
	"unicode/utf8"
)

// This file reads and writes the bodies a Recorder redacts. It is written
// by hand rather than with encoding/json's maps because a redacted answer
// should read like the provider's own: members keep their order, numbers
// their spelling, and a form or JSONP answer its shape.

// bodyKind is what a recorded body turned out to be.
type bodyKind int

const (
	bodyEmpty bodyKind = iota
	bodyJSON
	bodyJSONP
	bodyForm
	bodyJWT
	// bodyLine is one short line of plain text ("Unauthorized", a bare
	// JSON null): an answer may be one when nothing in it may hold a
	// secret or an identifier (see answerBody).
	bodyLine
	// bodyOpaque is anything else (HTML, longer text, binary): the
	// recorder cannot tell what it holds.
	bodyOpaque
)

// maxLine is the longest answer the recorder takes as a line of text.
// Longer text may be a page that holds a person's name, which nothing in
// it would say is personal.
const maxLine = 120

// parsedBody is a body split into what the recorder redacts.
type parsedBody struct {
	kind bodyKind
	// tree is the JSON value of bodyJSON and bodyJSONP.
	tree any
	// prefix and suffix wrap a JSONP body's JSON ("callback( " and " );").
	prefix, suffix string
	// form holds the pairs of bodyForm, in order.
	form []formPair
	// text is the trimmed body of bodyJWT.
	text string
}

type formPair struct{ key, value string }

// parseBody tells what b is, whatever its Content-Type says: providers send
// JSON as text/plain or text/html.
func parseBody(b []byte) parsedBody {
	t := bytes.TrimSpace(b)
	switch {
	case len(t) == 0:
		return parsedBody{kind: bodyEmpty}
	case t[0] == '{' || t[0] == '[':
		if v, err := parseOrderedJSON(t); err == nil {
			return parsedBody{kind: bodyJSON, tree: v}
		}
		return parsedBody{kind: bodyOpaque}
	case isJWT(string(t)):
		return parsedBody{kind: bodyJWT, text: string(t)}
	}
	if p, ok := parseJSONP(t); ok {
		return p
	}
	if f, ok := parseForm(string(t)); ok {
		return parsedBody{kind: bodyForm, form: f}
	}
	if isLine(t) {
		return parsedBody{kind: bodyLine, text: string(t)}
	}
	return parsedBody{kind: bodyOpaque}
}

// isLine reports whether t is one short line of printable text without
// markup.
func isLine(t []byte) bool {
	if len(t) > maxLine || !utf8.Valid(t) || bytes.ContainsAny(t, "<>{}") {
		return false
	}
	for _, r := range string(t) {
		if r < ' ' || r == 0x7f {
			return false
		}
	}
	return true
}

var jsonpName = regexp.MustCompile(`^[A-Za-z_$][A-Za-z0-9_$.]*$`)

// parseJSONP reads name( {...} ); as QQ sends it.
func parseJSONP(b []byte) (parsedBody, bool) {
	open, end := bytes.IndexByte(b, '('), bytes.LastIndexByte(b, ')')
	if open < 0 || end < open || !jsonpName.Match(bytes.TrimSpace(b[:open])) {
		return parsedBody{}, false
	}
	if rest := bytes.TrimSpace(b[end+1:]); len(rest) > 1 || len(rest) == 1 && rest[0] != ';' {
		return parsedBody{}, false
	}
	inner := bytes.TrimSpace(b[open+1 : end])
	if len(inner) == 0 || inner[0] != '{' {
		return parsedBody{}, false
	}
	v, err := parseOrderedJSON(inner)
	if err != nil {
		return parsedBody{}, false
	}
	start := bytes.Index(b, inner)
	return parsedBody{kind: bodyJSONP, tree: v, prefix: string(b[:start]), suffix: string(b[start+len(inner):])}, true
}

var formKey = regexp.MustCompile(`^[A-Za-z0-9_.\-\[\]]+$`)

// parseForm reads an application/x-www-form-urlencoded body strictly: every
// pair has '=' and a key that looks like a parameter name, so that a line
// of plain text is not taken for a form of one odd key.
func parseForm(s string) ([]formPair, bool) {
	if !utf8.ValidString(s) || strings.ContainsAny(s, "<>{}\n\r\t ") {
		return nil, false
	}
	var out []formPair
	for _, part := range strings.Split(s, "&") {
		k, v, ok := strings.Cut(part, "=")
		if !ok {
			return nil, false
		}
		ku, err1 := url.QueryUnescape(k)
		vu, err2 := url.QueryUnescape(v)
		if err1 != nil || err2 != nil || !formKey.MatchString(ku) {
			return nil, false
		}
		out = append(out, formPair{ku, vu})
	}
	return out, len(out) > 0
}

// writeForm encodes pairs, leaving placeholders unescaped so that the
// replay can put its values in.
func writeForm(pairs []formPair) string {
	var b strings.Builder
	for i, p := range pairs {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(escapeAroundPlaceholders(p.key))
		b.WriteByte('=')
		b.WriteString(escapeAroundPlaceholders(p.value))
	}
	return b.String()
}

func escapeAroundPlaceholders(s string) string {
	var b strings.Builder
	for {
		i := strings.Index(s, "{{")
		j := strings.Index(s[max(i, 0):], "}}")
		if i < 0 || j < 0 {
			b.WriteString(url.QueryEscape(s))
			return b.String()
		}
		j += i + 2
		b.WriteString(url.QueryEscape(s[:i]))
		b.WriteString(s[i:j])
		s = s[j:]
	}
}

// jsonObject is a JSON object with its members in order.
type jsonObject struct {
	keys []string
	vals []any
}

// parseOrderedJSON decodes one JSON value: objects as *jsonObject, arrays
// as []any, numbers as json.Number.
func parseOrderedJSON(b []byte) (any, error) {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	v, err := readJSONValue(d)
	if err != nil {
		return nil, err
	}
	if _, err := d.Token(); err != io.EOF {
		return nil, fmt.Errorf("trailing data after the JSON value")
	}
	return v, nil
}

func readJSONValue(d *json.Decoder) (any, error) {
	t, err := d.Token()
	if err != nil {
		return nil, err
	}
	switch x := t.(type) {
	case json.Delim:
		switch x {
		case '{':
			o := &jsonObject{}
			for d.More() {
				k, err := d.Token()
				if err != nil {
					return nil, err
				}
				v, err := readJSONValue(d)
				if err != nil {
					return nil, err
				}
				o.keys = append(o.keys, k.(string))
				o.vals = append(o.vals, v)
			}
			if _, err := d.Token(); err != nil {
				return nil, err
			}
			return o, nil
		case '[':
			a := []any{}
			for d.More() {
				v, err := readJSONValue(d)
				if err != nil {
					return nil, err
				}
				a = append(a, v)
			}
			if _, err := d.Token(); err != nil {
				return nil, err
			}
			return a, nil
		}
		return nil, fmt.Errorf("unexpected %v", x)
	}
	return t, nil
}

// writeOrderedJSON encodes a value read by parseOrderedJSON, compactly.
func writeOrderedJSON(b *bytes.Buffer, v any) {
	switch x := v.(type) {
	case *jsonObject:
		b.WriteByte('{')
		for i, k := range x.keys {
			if i > 0 {
				b.WriteByte(',')
			}
			writeJSONString(b, k)
			b.WriteByte(':')
			writeOrderedJSON(b, x.vals[i])
		}
		b.WriteByte('}')
	case []any:
		b.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				b.WriteByte(',')
			}
			writeOrderedJSON(b, e)
		}
		b.WriteByte(']')
	case string:
		writeJSONString(b, x)
	case json.Number:
		b.WriteString(x.String())
	case bool:
		if x {
			b.WriteString("true")
		} else {
			b.WriteString("false")
		}
	default:
		b.WriteString("null")
	}
}

func writeJSONString(b *bytes.Buffer, s string) {
	e := json.NewEncoder(b)
	e.SetEscapeHTML(false)
	_ = e.Encode(s)
	b.Truncate(b.Len() - 1) // Encode's newline
}

func orderedJSONText(v any) string {
	var b bytes.Buffer
	writeOrderedJSON(&b, v)
	return b.String()
}

var jwtShape = regexp.MustCompile(`^[A-Za-z0-9_-]{4,}(\.[A-Za-z0-9_-]*){2,4}$`)

// isJWT reports whether s is a JWS or JWE in compact form: three or five
// base64url parts, the first a JSON header naming its algorithm.
func isJWT(s string) bool {
	if !jwtShape.MatchString(s) {
		return false
	}
	if n := strings.Count(s, "."); n != 2 && n != 4 {
		return false
	}
	head, _, _ := strings.Cut(s, ".")
	raw, err := base64.RawURLEncoding.DecodeString(head)
	if err != nil {
		return false
	}
	var h map[string]any
	if json.Unmarshal(raw, &h) != nil {
		return false
	}
	_, ok := h["alg"]
	return ok
}
