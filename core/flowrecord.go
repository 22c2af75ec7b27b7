package core

import (
	"encoding/json"
	"slices"
	"strconv"
)

// The flow record is encoded on every login and decoded on every callback,
// and encoding/json's reflection was the largest part of Begin after the
// cryptography. It is written here by hand, byte for byte what json.Marshal
// writes, and read back on the fast path of jsonobject.go. A record only
// the library wrote travels sealed, so anything unusual in it (a character
// that JSON escapes, a record of another version) is simply left to
// encoding/json both ways; FuzzFlowRecord holds the two to the same result.

// marshal returns the record as json.Marshal would.
func (r *flowRecord) marshal() []byte { return r.appendJSON(nil) }

// appendJSON appends the record to b as json.Marshal would write it.
func (r *flowRecord) appendJSON(b []byte) []byte {
	for _, s := range [...]string{r.State, r.Verifier, r.Nonce, r.Provider, r.RedirectURI, r.ReturnTo, r.Issuer, r.AppState} {
		if !plainJSON(s) {
			j, _ := json.Marshal(*r) // a record of strings and integers always encodes
			return append(b, j...)
		}
	}
	// 112 bytes hold the names, quotes and numbers.
	b = slices.Grow(b, 128+len(r.State)+len(r.Verifier)+len(r.Nonce)+len(r.Provider)+len(r.RedirectURI)+len(r.ReturnTo)+len(r.Issuer)+len(r.AppState))
	str := func(key, v string) {
		b = append(b, key...)
		b = append(b, v...)
		b = append(b, '"')
	}
	str(`{"s":"`, r.State)
	if r.Verifier != "" {
		str(`,"v":"`, r.Verifier)
	}
	if r.Nonce != "" {
		str(`,"n":"`, r.Nonce)
	}
	str(`,"p":"`, r.Provider)
	str(`,"r":"`, r.RedirectURI)
	str(`,"t":"`, r.ReturnTo)
	if r.Issuer != "" {
		str(`,"i":"`, r.Issuer)
	}
	if r.MaxAge != 0 {
		b = strconv.AppendInt(append(b, `,"m":`...), r.MaxAge, 10)
	}
	if r.MaxAgeSet {
		b = append(b, `,"ms":true`...)
	}
	b = strconv.AppendInt(append(b, `,"c":`...), r.Created, 10)
	if r.AppState != "" {
		str(`,"a":"`, r.AppState)
	}
	if r.TokenOnly {
		b = append(b, `,"o":true`...)
	}
	return append(b, '}')
}

// plainJSON reports whether encoding/json writes s between quotes as it
// is: printable ASCII other than the quote, the backslash and the HTML
// characters it escapes.
func plainJSON(s string) bool {
	for i := 0; i < len(s); i++ {
		if !plainJSONByte[s[i]] {
			return false
		}
	}
	return true
}

var plainJSONByte = func() (t [256]bool) {
	for c := 0x20; c < 0x7f; c++ {
		t[c] = c != '"' && c != '\\' && c != '<' && c != '>' && c != '&'
	}
	return t
}()

// unmarshal sets r from b as json.Unmarshal would.
func (r *flowRecord) unmarshal(b []byte) error {
	var rec flowRecord
	ok := fastMembers(string(b), func(key string, d *objectDecoder) bool {
		var ok bool
		switch key {
		case "s":
			rec.State, ok = d.str()
		case "v":
			rec.Verifier, ok = d.str()
		case "n":
			rec.Nonce, ok = d.str()
		case "p":
			rec.Provider, ok = d.str()
		case "r":
			rec.RedirectURI, ok = d.str()
		case "t":
			rec.ReturnTo, ok = d.str()
		case "i":
			rec.Issuer, ok = d.str()
		case "m":
			rec.MaxAge, ok = d.int64()
		case "ms":
			rec.MaxAgeSet, ok = d.bool()
		case "c":
			rec.Created, ok = d.int64()
		case "a":
			rec.AppState, ok = d.str()
		case "o":
			rec.TokenOnly, ok = d.bool()
		}
		return ok
	})
	if ok {
		*r = rec
		return nil
	}
	var slow flowRecord
	if err := json.Unmarshal(b, &slow); err != nil {
		return err
	}
	*r = slow
	return nil
}
