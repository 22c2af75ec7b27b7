package core

// Params is an ordered list of request parameters. Order matters to a few
// providers (WeChat checks the order of its authorization URL), so the
// library never sorts parameters; they go on the wire in the order they were
// set. The zero value is ready to use.
type Params struct {
	keys []string
	vals []string
	// req is the authorization request whose storage this is, when
	// authParams made it (see authURL).
	req *authRequest
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
	var buf [512]byte
	return string(p.appendTo(buf[:0], "+"))
}

// encodeQuery returns the parameters encoded for a URL query, in order:
// like encode, but a space is %20 rather than the form encoding's "+",
// which some providers (Apple) do not decode in URLs.
func (p *Params) encodeQuery() string {
	var buf [512]byte
	return string(p.appendTo(buf[:0], "%20"))
}

// The encoders below escape as url.QueryEscape does (everything but
// letters, digits and "-_.~"), appending to one buffer, which the callers
// keep on the stack, instead of allocating a string per key and value: the
// authorization URL and every token request are encoded this way.

// appendTo appends the encoded parameters to b, a space as space.
func (p *Params) appendTo(b []byte, space string) []byte {
	for i, k := range p.keys {
		if i > 0 {
			b = append(b, '&')
		}
		b = appendEscaped(b, k, space)
		b = append(b, '=')
		b = appendEscaped(b, p.vals[i], space)
	}
	return b
}

// unreserved holds the bytes that url.QueryEscape leaves as they are.
var unreserved = func() (t [256]bool) {
	for c := range t {
		t[c] = 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~'
	}
	return t
}()

func appendEscaped(b []byte, s string, space string) []byte {
	const hex = "0123456789ABCDEF"
	run := 0 // start of the current run of unreserved bytes
	for i := 0; i < len(s); i++ {
		c := s[i]
		if unreserved[c] {
			continue
		}
		b = append(b, s[run:i]...)
		run = i + 1
		if c == ' ' {
			b = append(b, space...)
			continue
		}
		b = append(b, '%', hex[c>>4], hex[c&15])
	}
	return append(b, s[run:]...)
}
