package demoapp

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Claim is one claim of the ID token as the page shows it.
type Claim struct {
	// Name is the claim's name, such as "iss".
	Name string
	// Value is the claim's value as text: a time claim as a UTC time, a
	// list of strings joined with commas, anything else but a string as
	// JSON.
	Value string
	// Note explains the value: a time claim's distance from now.
	Note string
}

// timeClaims are the claims that hold a time (seconds since the epoch).
var timeClaims = []string{"exp", "iat", "nbf", "auth_time", "updated_at"}

// idTokenClaims returns the claims of the ID token of a session, sorted
// by name, or nil and why there are none.
//
// The claims were verified when the login completed: Auth.Complete checks
// the ID token's signature and claims (OpenID Connect Core §3.1.3.7) before
// the session is sealed, and a sealed session cannot be altered. Without
// KeepTokens (the demo does not set it) a session holds an ID token only
// when it was so verified. So reading the payload here, without checking
// the signature again, shows verified claims; it is no way to read an ID
// token that comes from anywhere else. The token itself is never shown:
// it is a credential.
func idTokenClaims(raw string, now time.Time) ([]Claim, string) {
	if raw == "" {
		return nil, "This provider does not issue ID tokens (it speaks OAuth 2.0, not OpenID Connect)."
	}
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		return nil, "The ID token is encrypted; its claims are not shown."
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return nil, "The ID token's claims cannot be read."
	}
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, "The ID token's claims cannot be read."
	}
	claims := make([]Claim, 0, len(m))
	for name, v := range m {
		c := Claim{Name: name, Value: claimValue(v)}
		if n, ok := v.(json.Number); ok && slices.Contains(timeClaims, name) {
			if sec, err := n.Int64(); err == nil {
				t := time.Unix(sec, 0).UTC()
				c.Value, c.Note = t.Format(timeLayout), relative(t, now)
			}
		}
		claims = append(claims, c)
	}
	slices.SortFunc(claims, func(a, b Claim) int { return strings.Compare(a.Name, b.Name) })
	return claims, ""
}

// claimValue renders one claim's value: strings as they are, lists of
// strings joined, anything else as compact JSON.
func claimValue(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case json.Number:
		return v.String()
	case []any:
		s := make([]string, 0, len(v))
		for _, e := range v {
			str, ok := e.(string)
			if !ok {
				return compactJSON(v)
			}
			s = append(s, str)
		}
		return strings.Join(s, ", ")
	default:
		return compactJSON(v)
	}
}

func compactJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// timeLayout is how the page writes times.
const timeLayout = "2006-01-02 15:04:05 UTC"

// relative says how far t is from now, in whole seconds.
func relative(t, now time.Time) string {
	d := t.Sub(now).Round(time.Second)
	switch {
	case d > 0:
		return "in " + d.String()
	case d < 0:
		return d.Abs().String() + " ago"
	default:
		return "now"
	}
}
