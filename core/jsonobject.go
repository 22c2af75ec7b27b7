package core

import (
	"encoding/json"
	"strconv"
	"unicode/utf8"
)

// This file decodes the JSON objects that providers answer with, by hand,
// because the token answer is decoded on every exchange and refresh and
// encoding/json takes half of an exchange's own time there: a json.Decoder
// copies the body into a buffer of its own, scans it twice and allocates
// every key and value apart. Here the body is copied once into a string and
// every key, string and number is a slice of it.
//
// The result is exactly what encoding/json gives for
// Decoder.UseNumber().Decode(&m) with m a map[string]any: numbers as
// json.Number holding the literal, the last of duplicate members kept,
// empty objects and arrays as empty non-nil values, null as a nil member.
// The fast path takes only what it can decode with certainty: strings
// without escapes and of valid UTF-8, nesting up to maxFastDepth, nothing
// after the object. Anything else, malformed input included, makes
// fastObject report false, and the caller decodes with encoding/json, which
// then gives the same result or the error. FuzzFastObject holds the two to
// the same answers.

// maxFastDepth bounds the nesting of objects and arrays on the fast path.
const maxFastDepth = 32

// fastObject decodes b, which must be one JSON object with nothing around
// it, or reports false.
func fastObject(b []byte) (map[string]any, bool) {
	d := objectDecoder{s: string(b)}
	if len(d.s) == 0 || d.s[0] != '{' {
		return nil, false
	}
	m, ok := d.object(0)
	if !ok || d.i != len(d.s) {
		return nil, false
	}
	return m, true
}

// fastMembers walks the members of the JSON object s (nothing around it)
// on the fast path's terms, calling member for each with d positioned at
// the value, which member must consume (with d.str, d.int64 or d.bool). It
// reports false as soon as member does, or when s is beyond the fast path.
func fastMembers(s string, member func(key string, d *objectDecoder) bool) bool {
	d := &objectDecoder{s: s}
	if len(s) == 0 || s[0] != '{' {
		return false
	}
	d.i++
	d.space()
	if d.i < len(d.s) && d.s[d.i] == '}' {
		d.i++
		return d.i == len(d.s)
	}
	for {
		d.space()
		key, ok := d.str()
		if !ok {
			return false
		}
		d.space()
		if d.i >= len(d.s) || d.s[d.i] != ':' {
			return false
		}
		d.i++
		d.space()
		if !member(key, d) {
			return false
		}
		d.space()
		if d.i >= len(d.s) {
			return false
		}
		switch d.s[d.i] {
		case ',':
			d.i++
		case '}':
			d.i++
			return d.i == len(d.s)
		default:
			return false
		}
	}
}

// int64 reads an integer without fraction or exponent that fits an int64.
func (d *objectDecoder) int64() (int64, bool) {
	n, ok := d.number()
	if !ok {
		return 0, false
	}
	v, err := strconv.ParseInt(string(n), 10, 64)
	return v, err == nil
}

// bool reads true or false.
func (d *objectDecoder) bool() (bool, bool) {
	if d.i < len(d.s) && d.s[d.i] == 't' {
		return true, d.literal("true")
	}
	return false, d.literal("false")
}

type objectDecoder struct {
	s string
	i int
}

func (d *objectDecoder) space() {
	for d.i < len(d.s) {
		switch d.s[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

// object decodes the object at d.i, which is '{'.
func (d *objectDecoder) object(depth int) (map[string]any, bool) {
	if depth >= maxFastDepth {
		return nil, false
	}
	d.i++
	m := map[string]any{}
	d.space()
	if d.i < len(d.s) && d.s[d.i] == '}' {
		d.i++
		return m, true
	}
	for {
		d.space()
		key, ok := d.str()
		if !ok {
			return nil, false
		}
		d.space()
		if d.i >= len(d.s) || d.s[d.i] != ':' {
			return nil, false
		}
		d.i++
		d.space()
		v, ok := d.value(depth)
		if !ok {
			return nil, false
		}
		m[key] = v
		d.space()
		if d.i >= len(d.s) {
			return nil, false
		}
		switch d.s[d.i] {
		case ',':
			d.i++
		case '}':
			d.i++
			return m, true
		default:
			return nil, false
		}
	}
}

// array decodes the array at d.i, which is '['.
func (d *objectDecoder) array(depth int) ([]any, bool) {
	if depth >= maxFastDepth {
		return nil, false
	}
	d.i++
	a := []any{}
	d.space()
	if d.i < len(d.s) && d.s[d.i] == ']' {
		d.i++
		return a, true
	}
	for {
		d.space()
		v, ok := d.value(depth)
		if !ok {
			return nil, false
		}
		a = append(a, v)
		d.space()
		if d.i >= len(d.s) {
			return nil, false
		}
		switch d.s[d.i] {
		case ',':
			d.i++
		case ']':
			d.i++
			return a, true
		default:
			return nil, false
		}
	}
}

// value decodes the value at d.i; depth is that of its container.
func (d *objectDecoder) value(depth int) (any, bool) {
	if d.i >= len(d.s) {
		return nil, false
	}
	switch c := d.s[d.i]; {
	case c == '"':
		s, ok := d.str()
		return s, ok
	case c == '{':
		m, ok := d.object(depth + 1)
		if !ok {
			return nil, false
		}
		return m, true
	case c == '[':
		a, ok := d.array(depth + 1)
		if !ok {
			return nil, false
		}
		return a, true
	case c == 't':
		return true, d.literal("true")
	case c == 'f':
		return false, d.literal("false")
	case c == 'n':
		return nil, d.literal("null")
	case c == '-' || c >= '0' && c <= '9':
		n, ok := d.number()
		return n, ok
	}
	return nil, false
}

func (d *objectDecoder) literal(word string) bool {
	if len(d.s)-d.i < len(word) || d.s[d.i:d.i+len(word)] != word {
		return false
	}
	d.i += len(word)
	return true
}

// str decodes the string at d.i: no escapes, no control characters, valid
// UTF-8 (encoding/json would replace invalid bytes).
func (d *objectDecoder) str() (string, bool) {
	if d.i >= len(d.s) || d.s[d.i] != '"' {
		return "", false
	}
	start, ascii := d.i+1, true
	for j := start; j < len(d.s); j++ {
		switch c := d.s[j]; {
		case c == '"':
			s := d.s[start:j]
			if !ascii && !utf8.ValidString(s) {
				return "", false
			}
			d.i = j + 1
			return s, true
		case c == '\\' || c < 0x20:
			return "", false
		case c >= utf8.RuneSelf:
			ascii = false
		}
	}
	return "", false
}

// number reads a number as RFC 8259 §6 spells it.
func (d *objectDecoder) number() (json.Number, bool) {
	s, i := d.s, d.i
	digits := func() bool {
		start := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		return i > start
	}
	if i < len(s) && s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case !digits():
		return "", false
	}
	if i < len(s) && s[i] == '.' {
		i++
		if !digits() {
			return "", false
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if !digits() {
			return "", false
		}
	}
	n := json.Number(s[d.i:i])
	d.i = i
	return n, true
}
