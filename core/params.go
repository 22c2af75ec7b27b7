package core

import (
	"net/url"
	"strings"
)

// Params is an ordered list of request parameters. Order matters to a few
// providers (WeChat checks the order of its authorization URL), so the
// library never sorts parameters; they go on the wire in the order they were
// set. The zero value is ready to use.
type Params struct {
	keys []string
	vals []string
}

// Set sets key to value, replacing an earlier value in place (keeping its
// position) or appending.
func (p *Params) Set(key, value string) {
	for i, k := range p.keys {
		if k == key {
			p.vals[i] = value
			return
		}
	}
	p.keys = append(p.keys, key)
	p.vals = append(p.vals, value)
}

// setIfNotEmpty sets key only when value is not empty.
func (p *Params) setIfNotEmpty(key, value string) {
	if value != "" {
		p.Set(key, value)
	}
}

// Get returns the value of key, or "".
func (p *Params) Get(key string) string {
	for i, k := range p.keys {
		if k == key {
			return p.vals[i]
		}
	}
	return ""
}

// has reports whether key is set.
func (p *Params) has(key string) bool {
	for _, k := range p.keys {
		if k == key {
			return true
		}
	}
	return false
}

// Del removes key.
func (p *Params) Del(key string) {
	for i, k := range p.keys {
		if k == key {
			p.keys = append(p.keys[:i], p.keys[i+1:]...)
			p.vals = append(p.vals[:i], p.vals[i+1:]...)
			return
		}
	}
}

// rename renames key to to, keeping its position and value.
func (p *Params) rename(key, to string) {
	for i, k := range p.keys {
		if k == key {
			p.keys[i] = to
			return
		}
	}
}

// size returns the number of parameters.
func (p *Params) size() int { return len(p.keys) }

// Each calls f for every parameter in order.
func (p *Params) Each(f func(key, value string)) {
	for i, k := range p.keys {
		f(k, p.vals[i])
	}
}

// names returns the parameter names in order.
func (p *Params) names() []string { return append([]string(nil), p.keys...) }

// clone returns an independent copy.
func (p *Params) clone() *Params {
	return &Params{keys: append([]string(nil), p.keys...), vals: append([]string(nil), p.vals...)}
}

// moveToFront reorders the parameters so that the given keys come first, in
// the given order; the others keep their relative order after them.
func (p *Params) moveToFront(order []string) {
	if len(order) == 0 {
		return
	}
	q := &Params{}
	for _, k := range order {
		if p.has(k) {
			q.Set(k, p.Get(k))
		}
	}
	for i, k := range p.keys {
		if !q.has(k) {
			q.Set(k, p.vals[i])
		}
	}
	*p = *q
}

// encode returns the parameters form-urlencoded, in order.
func (p *Params) encode() string {
	var b strings.Builder
	for i, k := range p.keys {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(url.QueryEscape(k))
		b.WriteByte('=')
		b.WriteString(url.QueryEscape(p.vals[i]))
	}
	return b.String()
}

// encodeQuery returns the parameters encoded for a URL query, in order:
// like encode, but a space is %20 rather than the form encoding's "+",
// which some providers (Apple) do not decode in URLs.
func (p *Params) encodeQuery() string {
	var b strings.Builder
	for i, k := range p.keys {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(queryEscape(k))
		b.WriteByte('=')
		b.WriteString(queryEscape(p.vals[i]))
	}
	return b.String()
}

// queryEscape escapes a query value: url.QueryEscape, with %20 for a space.
func queryEscape(s string) string {
	e := url.QueryEscape(s)
	if strings.IndexByte(e, '+') < 0 {
		return e
	}
	return strings.ReplaceAll(e, "+", "%20")
}
