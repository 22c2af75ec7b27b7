package oidc

import (
	"bytes"
	"encoding/json"
	"errors"
	"unicode"
	"unicode/utf8"
)

// This file holds a small scanner for the top level of a JSON object. It
// exists for two reasons. First, encoding/json matches member names case
// insensitively and keeps the last of duplicate names, so {"sub":"a","Sub":"b"}
// would decode as sub "b"; RFC 7519 §4 requires unique claim names and we
// reject any two names that are equal under Unicode case folding, which also
// keeps a later decoding of the payload (IDToken.Claims) unambiguous.
// Second, the hot path of Verify reads the registered claims straight from
// the bytes instead of decoding into a map.
//
// The scanner expects syntactically valid JSON (callers run json.Valid or let
// encoding/json validate first) but stays bounds-checked on any input.

// maxMembers bounds the number of names in one object.
const maxMembers = 1000

var (
	errNotObject     = errors.New("not a JSON object")
	errDuplicateName = errors.New("duplicate member name")
	errTooManyNames  = errors.New("too many members")
	errSyntax        = errors.New("invalid JSON")
)

// jsonScanner walks a byte slice holding JSON.
type jsonScanner struct {
	b []byte
	i int
}

func (s *jsonScanner) skipSpace() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// str reads a JSON string starting at s.i and returns the offsets of its
// content (without the quotes) and whether the content is plain: printable
// ASCII without escapes, so that it equals its decoded value byte for byte.
func (s *jsonScanner) str() (start, end int, plain, ok bool) {
	if s.i >= len(s.b) || s.b[s.i] != '"' {
		return 0, 0, false, false
	}
	s.i++
	start = s.i
	plain = true
	for s.i < len(s.b) {
		c := s.b[s.i]
		switch {
		case c == '"':
			end = s.i
			s.i++
			return start, end, plain, true
		case c == '\\':
			plain = false
			s.i += 2
		case c < 0x20 || c >= 0x7f:
			plain = false
			s.i++
		default:
			s.i++
		}
	}
	return 0, 0, false, false
}

// value skips one JSON value and returns its offsets.
func (s *jsonScanner) value() (start, end int, ok bool) {
	if s.i >= len(s.b) {
		return 0, 0, false
	}
	start = s.i
	switch s.b[s.i] {
	case '"':
		if _, _, _, ok := s.str(); !ok {
			return 0, 0, false
		}
		return start, s.i, true
	case '{', '[':
		depth := 0
		for s.i < len(s.b) {
			switch s.b[s.i] {
			case '"':
				if _, _, _, ok := s.str(); !ok {
					return 0, 0, false
				}
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					s.i++
					return start, s.i, true
				}
			}
			s.i++
		}
		return 0, 0, false
	default:
		for s.i < len(s.b) {
			switch s.b[s.i] {
			case ',', '}', ']', ' ', '\t', '\n', '\r':
				return start, s.i, s.i > start
			}
			s.i++
		}
		return start, s.i, s.i > start
	}
}

// eachMember calls fn for every member of the JSON object in data with the
// member's decoded name and the offsets of its raw value. It fails if data
// is not one object, if two names are equal under Unicode case folding, or
// if there are more than maxMembers members. fn must not retain name.
func eachMember(data []byte, fn func(name []byte, vstart, vend int) error) error {
	s := jsonScanner{b: data}
	s.skipSpace()
	if s.i >= len(s.b) || s.b[s.i] != '{' {
		return errNotObject
	}
	s.i++
	var (
		hashBuf [32]uint64
		nameBuf [32][]byte
		hashes  = hashBuf[:0]
		names   = nameBuf[:0]
	)
	s.skipSpace()
	if s.i < len(s.b) && s.b[s.i] == '}' {
		s.i++
		return s.end()
	}
	for {
		s.skipSpace()
		ns, ne, plain, ok := s.str()
		if !ok {
			return errSyntax
		}
		name := data[ns:ne]
		if !plain {
			var dec string
			if err := json.Unmarshal(data[ns-1:ne+1], &dec); err != nil {
				return errSyntax
			}
			name = []byte(dec)
		}
		if len(hashes) == maxMembers {
			return errTooManyNames
		}
		h := foldHash(name)
		for k, other := range hashes {
			if other == h && bytes.EqualFold(names[k], name) {
				return errDuplicateName
			}
		}
		hashes = append(hashes, h)
		names = append(names, name)

		s.skipSpace()
		if s.i >= len(s.b) || s.b[s.i] != ':' {
			return errSyntax
		}
		s.i++
		s.skipSpace()
		vs, ve, ok := s.value()
		if !ok {
			return errSyntax
		}
		if err := fn(name, vs, ve); err != nil {
			return err
		}
		s.skipSpace()
		if s.i >= len(s.b) {
			return errSyntax
		}
		switch s.b[s.i] {
		case ',':
			s.i++
		case '}':
			s.i++
			return s.end()
		default:
			return errSyntax
		}
	}
}

func (s *jsonScanner) end() error {
	s.skipSpace()
	if s.i != len(s.b) {
		return errSyntax
	}
	return nil
}

// eachElement calls fn with the offsets of every element of the JSON array
// in data. ok is false if data is not an array.
func eachElement(data []byte, fn func(vstart, vend int) bool) (ok bool) {
	s := jsonScanner{b: data}
	s.skipSpace()
	if s.i >= len(s.b) || s.b[s.i] != '[' {
		return false
	}
	s.i++
	s.skipSpace()
	if s.i < len(s.b) && s.b[s.i] == ']' {
		return true
	}
	for {
		s.skipSpace()
		vs, ve, ok := s.value()
		if !ok || !fn(vs, ve) {
			return false
		}
		s.skipSpace()
		if s.i >= len(s.b) {
			return false
		}
		switch s.b[s.i] {
		case ',':
			s.i++
		case ']':
			return true
		default:
			return false
		}
	}
}

// foldHash hashes name after mapping every rune to the smallest rune of its
// case-folding orbit, so names equal under bytes.EqualFold hash alike.
func foldHash(name []byte) uint64 {
	const ( // FNV-1a, 64 bit
		offset = 14695981039346656037
		prime  = 1099511628211
	)
	h := uint64(offset)
	for i := 0; i < len(name); {
		c := name[i]
		if c < utf8.RuneSelf {
			if 'a' <= c && c <= 'z' {
				c -= 'a' - 'A'
			}
			h = (h ^ uint64(c)) * prime
			i++
			continue
		}
		r, size := utf8.DecodeRune(name[i:])
		i += size
		r = foldMin(r)
		h = (h ^ uint64(r)) * prime
	}
	return h
}

// foldMin returns the smallest rune equivalent to r under simple folding.
func foldMin(r rune) rune {
	m := r
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		if f < m {
			m = f
		}
	}
	return m
}

// checkUniqueMembers reports an error if data is not a single JSON object
// or has two member names equal under case folding.
func checkUniqueMembers(data []byte) error {
	if !json.Valid(data) {
		return errSyntax
	}
	return eachMember(data, func([]byte, int, int) error { return nil })
}
