// Package jsonmap reads members of decoded JSON objects (numbers as
// json.Number) the way providers' answers need: a string member may come as
// a number, a boolean as the string "true".
package jsonmap

import (
	"encoding/json"
	"strconv"
	"strings"
)

// String returns the member key of m as a string: strings as they are,
// numbers in their JSON spelling, booleans as "true"/"false"; "" otherwise.
func String(m map[string]any, key string) string {
	switch v := m[key].(type) {
	case string:
		return v
	case json.Number:
		return v.String()
	case bool:
		return strconv.FormatBool(v)
	}
	return ""
}

// Bool returns the member key of m as a boolean: see BoolValue.
func Bool(m map[string]any, key string) bool { return BoolValue(m[key]) }

// BoolValue reads a boolean given as a JSON boolean or, as some providers
// send it (Apple's email_verified, Weibo's isRealName), as the string
// "true" in any case. Anything else is false: a provider's claim is never
// read as true unless it says so.
func BoolValue(v any) bool {
	switch b := v.(type) {
	case bool:
		return b
	case string:
		return strings.EqualFold(strings.TrimSpace(b), "true")
	}
	return false
}

// Object returns the member key of m when it is an object, else nil.
func Object(m map[string]any, key string) map[string]any {
	o, _ := m[key].(map[string]any)
	return o
}
