package conformance

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/go-oauth20/oauth20/core"
)

// Wildcard is the placeholder that matches any non-empty value in a
// request (a signed client assertion, a timestamp). It is not allowed in
// answers or expectations, where a value must be known.
const Wildcard = "{{*}}"

// Placeholders bound by the replay for every scenario. The credentials come
// from the provider under test; the generated values are fixed per scenario
// (derived from the provider and scenario names), so diffs are stable.
var (
	credentialPlaceholders = []string{"client_id", "client_secret", "redirect_uri"}
	generatedPlaceholders  = []string{"state", "nonce", "code_verifier", "code", "access_token", "refresh_token"}
	// derivedPlaceholders are computed from generated ones.
	derivedPlaceholders = []string{"code_challenge"}
)

// secretPlaceholders are the bound values that must never show in an error
// string the provider returns.
var secretPlaceholders = []string{"client_secret", "code", "code_verifier", "access_token", "refresh_token"}

var placeholderName = regexp.MustCompile(`^[a-z][a-z0-9_]{0,62}$`)

// isBuiltin reports whether name is bound by the replay itself.
func isBuiltin(name string) bool {
	for _, l := range [][]string{credentialPlaceholders, generatedPlaceholders, derivedPlaceholders} {
		for _, n := range l {
			if n == name {
				return true
			}
		}
	}
	return false
}

// scanPlaceholders calls f with the name of every placeholder in s ("*"
// for the wildcard) and reports a malformed one: "{{" without "}}", or a
// name that is not lowercase letters, digits and '_'.
func scanPlaceholders(s string, f func(name string) error) error {
	for {
		i := strings.Index(s, "{{")
		if i < 0 {
			return nil
		}
		rest := s[i+2:]
		j := strings.Index(rest, "}}")
		if j < 0 {
			return fmt.Errorf("unterminated placeholder in %q", truncate(s[i:], 40))
		}
		name := rest[:j]
		if name != "*" && !placeholderName.MatchString(name) {
			return fmt.Errorf("invalid placeholder %q (names are lowercase letters, digits and '_')", "{{"+truncate(name, 40)+"}}")
		}
		if err := f(name); err != nil {
			return err
		}
		s = rest[j+2:]
	}
}

// binder holds the values of one scenario's placeholders.
type binder struct {
	vals map[string]string
	// byLength lists names whose values are worth recognising in output,
	// longest value first.
	byLength []string
	// idTokens names the signed ID tokens among vals; jwks holds the
	// public JWKs of the cassette's keys, by name.
	idTokens []string
	jwks     map[string]json.RawMessage
}

// newBinder binds the credentials of spec, generated values for the
// scenario and the cassette's own values.
func newBinder(spec core.ProviderSpec, provider, scenario string, values map[string]string) *binder {
	b := &binder{vals: map[string]string{
		"client_id":     spec.Client.ClientID,
		"client_secret": spec.Client.ClientSecret,
		"redirect_uri":  spec.Client.RedirectURL,
	}}
	for _, n := range generatedPlaceholders {
		sum := sha256.Sum256([]byte(provider + "\x00" + scenario + "\x00" + n))
		b.vals[n] = base64.RawURLEncoding.EncodeToString(sum[:])
	}
	b.vals["code_challenge"] = s256Challenge(b.vals["code_verifier"])
	for k, v := range values {
		b.vals[k] = v
	}
	b.index()
	return b
}

// index lists the values worth recognising in output, longest first.
func (b *binder) index() {
	b.byLength = b.byLength[:0]
	for k, v := range b.vals {
		if len(v) >= 4 {
			b.byLength = append(b.byLength, k)
		}
	}
	sort.Slice(b.byLength, func(i, j int) bool {
		li, lj := len(b.vals[b.byLength[i]]), len(b.vals[b.byLength[j]])
		if li != lj {
			return li > lj
		}
		return b.byLength[i] < b.byLength[j]
	})
}

// get returns the value of a placeholder name.
func (b *binder) get(name string) string { return b.vals[name] }

// expand replaces every bound placeholder of s by its value; the wildcard
// stays. Cassettes are validated first, so every name is bound.
func (b *binder) expand(s string) string { return b.expandWith(s, func(v string) string { return v }) }

// expandJSON is expand for raw JSON text, where placeholders sit inside
// strings: values are escaped as JSON string contents.
func (b *binder) expandJSON(raw []byte) []byte {
	return []byte(b.expandWith(string(raw), func(v string) string {
		q, _ := json.Marshal(v)
		return string(q[1 : len(q)-1])
	}))
}

func (b *binder) expandWith(s string, esc func(string) string) string {
	if !strings.Contains(s, "{{") {
		return s
	}
	var out strings.Builder
	for {
		i := strings.Index(s, "{{")
		if i < 0 {
			out.WriteString(s)
			return out.String()
		}
		j := strings.Index(s[i+2:], "}}")
		if j < 0 {
			out.WriteString(s)
			return out.String()
		}
		name := s[i+2 : i+2+j]
		out.WriteString(s[:i])
		if v, ok := b.vals[name]; ok {
			out.WriteString(esc(v))
		} else {
			out.WriteString(s[i : i+4+j])
		}
		s = s[i+4+j:]
	}
}

// match reports whether got matches the pattern want (already expanded),
// where each wildcard stands for one or more characters.
func match(want, got string) bool {
	i := strings.Index(want, Wildcard)
	if i < 0 {
		return want == got
	}
	if !strings.HasPrefix(got, want[:i]) {
		return false
	}
	rest, tail := got[i:], want[i+len(Wildcard):]
	for k := 1; k <= len(rest); k++ {
		if match(tail, rest[k:]) {
			return true
		}
	}
	return false
}

// describe quotes s for a message, with every bound value worth
// recognising shown as its placeholder, so that diffs read
// "{{access_token}}" instead of a random string.
func (b *binder) describe(s string) string {
	return strconv.Quote(truncate(b.unbind(s), 200))
}

// unbind replaces bound values in s by their placeholders.
func (b *binder) unbind(s string) string {
	for _, n := range b.byLength {
		s = strings.ReplaceAll(s, b.vals[n], "{{"+n+"}}")
	}
	return s
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// s256Challenge is the PKCE S256 challenge of a verifier (RFC 7636 §4.2).
func s256Challenge(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}
