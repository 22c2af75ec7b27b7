package conformance

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// minRedacted is the shortest value the recorder replaces inside longer
// text: shorter ones would mangle unrelated words. A member or parameter
// known to be secret or personal is replaced whatever its length.
const minRedacted = 4

// redactor holds what one recording replaces in every scenario: the
// client's credentials, the values named in the cassette's values
// (personal data, secrets of shared calls, ID tokens), and what the
// recording taught it about every secret and personal value.
type redactor struct {
	names *fieldNames
	// secrets maps every secret value seen anywhere to its kind, so that it
	// is replaced wherever it shows up, under any name.
	secrets map[string]secretKind
	// personal holds every personal string value seen anywhere (value to
	// member name); numbers maps personal numbers to invented ones.
	personal      map[string]string
	personalOrder []string
	numbers       map[string]string
	// answers holds every string of every answer, to tell a secret that
	// only requests carry (a wildcard will do) from one the provider sends
	// (the replay must send it back).
	answers []string
	// global maps values replaced alike in every scenario to their
	// placeholders; values are the cassette's values.
	global map[string]string
	values map[string]string
	n      int
	// hosts holds the hosts the recording called: configuration that every
	// URL of the cassette holds, never replaced as personal data (a
	// Shopify shop's myshopify_domain is the host of its endpoints).
	hosts map[string]bool
}

func newRedactor(names *fieldNames, clientID, clientSecret, redirectURL string) *redactor {
	r := &redactor{names: names, secrets: map[string]secretKind{}, personal: map[string]string{},
		numbers: map[string]string{}, global: map[string]string{}, values: map[string]string{}, hosts: map[string]bool{}}
	for v, p := range map[string]string{clientID: "{{client_id}}", clientSecret: "{{client_secret}}", redirectURL: "{{redirect_uri}}"} {
		if v != "" {
			r.global[v] = p
		}
	}
	if clientSecret != "" {
		r.secrets[clientSecret] = kindClientSecret
	}
	return r
}

// inAnswers reports whether v shows up in an answer.
func (r *redactor) inAnswers(v string) bool {
	for _, a := range r.answers {
		if strings.Contains(a, v) {
			return true
		}
	}
	return false
}

// named binds v to a cassette value of its own, invented by fake, under a
// placeholder named after name.
func (r *redactor) named(v, name string, fake func(n int) string) string {
	if p, ok := r.global[v]; ok {
		return p
	}
	r.n++
	n := r.freeName(placeholderFor(name))
	r.values[n] = fake(r.n)
	r.global[v] = "{{" + n + "}}"
	return r.global[v]
}

var notName = regexp.MustCompile(`[^a-z0-9_]+`)

// placeholderFor turns a member name into a placeholder name.
func placeholderFor(key string) string {
	n := strings.Trim(notName.ReplaceAllString(strings.ToLower(key), "_"), "_")
	if n == "" || n[0] < 'a' || n[0] > 'z' {
		n = "user_" + n
	}
	if len(n) > 50 {
		n = n[:50]
	}
	return n
}

// freeName returns name, or name_2, name_3, ... when it is taken or bound
// by the replay itself.
func (r *redactor) freeName(name string) string {
	cand := name
	for i := 2; ; i++ {
		if _, taken := r.values[cand]; !taken && !isBuiltin(cand) {
			return cand
		}
		cand = fmt.Sprintf("%s_%d", name, i)
	}
}

// invented is fake data of the same shape as v: an address for an
// address, a URL for a URL, digits for digits.
func invented(key, v string, n int) string {
	switch {
	case strings.Contains(v, "@"):
		return fmt.Sprintf("person%d@example.com", n)
	case strings.HasPrefix(v, "http://") || strings.HasPrefix(v, "https://"):
		return fmt.Sprintf("https://example.com/person%d/%s", n, placeholderFor(key))
	case isDigits(v):
		return fakeDigits(len(v), n)
	}
	return fmt.Sprintf("person%d-%s", n, placeholderFor(key))
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// fakeDigits is an invented number of at least width digits: 9, zeros, n.
func fakeDigits(width, n int) string {
	s := fmt.Sprint(n)
	if width <= len(s)+1 {
		return "9" + s
	}
	return "9" + strings.Repeat("0", width-len(s)-1) + s
}

// class is what a member's name (or an enclosing member's) says of its
// value.
type class struct {
	secret   secretKind
	personal bool
}

// scenarioRedactor redacts the calls of one scenario: it binds the
// scenario's secrets to the placeholders the replay generates per scenario
// ({{code}}, {{access_token}}, ...), the others to cassette values. It
// runs twice over the calls: the first pass binds, the second writes, so
// that a value bound late is replaced early too. The recorder also runs one
// in learning mode over the whole recording first, to find every secret
// and personal value.
type scenarioRedactor struct {
	r        *redactor
	learning bool
	// shared is set for the shared interactions: their secrets become
	// cassette values, the same in every scenario.
	shared bool
	// op is the operation of the scenario, "" for the shared
	// interactions and while learning.
	op    Op
	final bool
	bound map[string]string
	taken map[string]bool
	// sent holds the placeholder of the first secret of each kind the
	// scenario's requests carry: the operation's input.
	sent map[secretKind]string
	// seen holds the strings visited, for the search for known secrets
	// under unknown names.
	seen []string
	// where names the part of the request being redacted, for messages.
	where string
	// revoked is the kind of the token a revocation carries (its hint).
	revoked  secretKind
	call     string
	problems []string
}

func (r *redactor) scenario() *scenarioRedactor {
	return &scenarioRedactor{r: r, bound: map[string]string{}, taken: map[string]bool{}, sent: map[secretKind]string{},
		revoked: kindAccess}
}

func (r *redactor) learner() *scenarioRedactor {
	s := r.scenario()
	s.learning = true
	return s
}

// problem notes something the recorder cannot redact, in the final pass.
func (s *scenarioRedactor) problem(format string, args ...any) {
	if s.final {
		s.problems = append(s.problems, s.call+": "+fmt.Sprintf(format, args...))
	}
}

// secret returns the placeholder of a secret value of kind k found under
// name ("" when it has none); request says whether it was found in a
// request.
func (s *scenarioRedactor) secret(name, v string, k secretKind, request bool) string {
	if v == "" {
		return v
	}
	revoking := k == kindRevoked
	if k == kindRevoked {
		k = s.revoked
	}
	if k == kindState && request && !s.learning && s.op != "" && s.op != OpAuthorizationURL && s.op != OpExchange {
		// A state the client makes up for a call whose state the replay
		// does not give (VK ID's refreshes): any value will do. An answer
		// that echoes it gets the scenario's {{state}}.
		return Wildcard
	}
	if s.learning {
		if _, known := s.r.secrets[v]; !known || s.r.secrets[v] == kindOther {
			s.r.secrets[v] = k
		}
		return v
	}
	if p, ok := s.bound[v]; ok {
		return p
	}
	p, global := s.r.global[v]
	if global && !revoking {
		return p
	}
	if !global {
		p = s.bind(name, v, k)
	}
	if request {
		// The input names what the request sent; for a revocation also a
		// token an earlier scenario bound (the refresh token a refresh
		// rotated in, revoked next).
		if _, ok := s.sent[k]; !ok {
			s.sent[k] = p
		}
	}
	return p
}

func (s *scenarioRedactor) bind(name, v string, k secretKind) string {
	wildcardOK := !s.r.inAnswers(v)
	switch k {
	case kindClientID:
		return s.text("", v, false)
	case kindIDToken:
		if wildcardOK {
			return Wildcard
		}
		return s.r.named(v, "id_token", func(n int) string { return fmt.Sprintf("recorded.id-token.%d", n) })
	case kindClientSecret, kindOther:
		if wildcardOK {
			return Wildcard
		}
		if name == "" || isBuiltin(placeholderFor(name)) {
			name = "secret"
		}
		return s.r.named(v, name, func(n int) string { return fmt.Sprintf("recorded-secret-%d", n) })
	}
	std := k.standard()
	if !s.shared && !s.taken[std] {
		s.taken[std] = true
		s.bound[v] = "{{" + std + "}}"
		return s.bound[v]
	}
	return s.r.named(v, std, func(n int) string { return fmt.Sprintf("recorded-%s-%d", strings.ReplaceAll(std, "_", "-"), n) })
}

// personal returns the placeholder of a personal value found under name.
func (s *scenarioRedactor) personal(name, v string) string {
	if v == "" || s.r.hosts[strings.ToLower(v)] {
		return v
	}
	if k, ok := s.r.secrets[v]; ok {
		return s.secret(name, v, k, false)
	}
	if s.learning {
		if _, ok := s.r.personal[v]; !ok {
			s.r.personal[v] = name
			s.r.personalOrder = append(s.r.personalOrder, v)
		}
		return v
	}
	return s.r.named(v, name, func(n int) string { return invented(name, v, n) })
}

// bindPersonal gives every personal value learned a cassette value, before
// any scenario is written, so that a value is replaced in a scenario that
// only holds it under a name that does not say it is personal.
func (r *redactor) bindPersonal() {
	for _, v := range r.personalOrder {
		if _, secret := r.secrets[v]; secret {
			continue
		}
		name := r.personal[v]
		r.named(v, name, func(n int) string { return invented(name, v, n) })
	}
}

// number redacts a JSON number: invented when personal (or known to be),
// kept otherwise.
func (s *scenarioRedactor) number(n json.Number, personal bool) json.Number {
	v := n.String()
	if f, ok := s.r.numbers[v]; ok && (personal || len(v) >= minRedacted) {
		return json.Number(f)
	}
	if !personal {
		return n
	}
	f := fakeDigits(len(v), 1000000+len(s.r.numbers)+1)
	s.r.numbers[v] = f
	if s.learning {
		return n
	}
	return json.Number(f)
}

// text replaces, inside an unnamed string, every value known to be secret
// or personal; in a request, what is left must not look like a secret.
func (s *scenarioRedactor) text(name, v string, request bool) string {
	if s.learning || v == "" {
		return v
	}
	s.seen = append(s.seen, v)
	if len(v) >= minRedacted {
		if p, ok := s.bound[v]; ok {
			return p
		}
		if p, ok := s.r.global[v]; ok {
			return p
		}
	}
	out := s.apply(v)
	if request && name != "" && mayHoldSecret(out) {
		s.problem("%s %q may hold a secret or an identifier; declare its name (core.Dialect.SecretFields, core.ProviderSpec.UserFields, or the Recorder's SecretFields or PersonalFields)", s.where, name)
	}
	return out
}

// str redacts a string found under name.
func (s *scenarioRedactor) str(name, v string, c class, request bool) string {
	switch {
	case v == "":
		return v
	case c.secret != notSecret:
		return s.secret(name, v, c.secret, request)
	case c.personal && (!request || requestPersonal[name]):
		return s.personal(name, v)
	case c.personal:
		// A request parameter of a personal name holds a personal value
		// the answers gave (Weibo's uid), or something else (QQ's
		// unionid=1 asks for the union id).
		if _, ok := s.r.personal[v]; ok && !s.learning {
			return s.personal(name, v)
		}
		if f, ok := s.r.numbers[v]; ok && !s.learning {
			return f
		}
	}
	if k, ok := s.r.secrets[v]; ok && !s.learning {
		return s.secret(name, v, k, request)
	}
	if isJWT(v) {
		return s.secret(name, v, kindIDToken, request)
	}
	if t := strings.TrimSpace(v); len(t) > 1 && (t[0] == '{' || t[0] == '[') {
		if tree, err := parseOrderedJSON([]byte(t)); err == nil {
			return orderedJSONText(s.tree(tree, name, class{}, request))
		}
	}
	return s.text(name, v, request)
}

// requestPersonal are the request parameters that always hold personal
// data, whether or not an answer holds it too.
var requestPersonal = map[string]bool{"login_hint": true}

// classOf is the class of the member name inside a value of class outer.
func (s *scenarioRedactor) classOf(name string, outer class, request bool) class {
	if outer.secret != notSecret {
		return outer
	}
	c := class{secret: s.r.names.secretKind(name, request), personal: outer.personal || s.r.names.isPersonal(name)}
	if c.secret == kindRevoked && !request {
		c.secret = notSecret
	}
	return c
}

// tree redacts a JSON value found under name.
func (s *scenarioRedactor) tree(v any, name string, c class, request bool) any {
	switch x := v.(type) {
	case *jsonObject:
		out := &jsonObject{keys: x.keys, vals: make([]any, len(x.vals))}
		for i, k := range x.keys {
			out.vals[i] = s.tree(x.vals[i], k, s.classOf(k, c, request), request)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = s.tree(e, name, c, request)
		}
		return out
	case string:
		return s.str(name, x, c, request)
	case json.Number:
		return s.number(x, c.personal)
	}
	return v
}

// apply replaces every bound, global and personal value inside str, longest
// first, where it stands alone (not inside a longer run of letters and
// digits).
func (s *scenarioRedactor) apply(str string) string {
	type pair struct{ value, repl string }
	var all []pair
	for v, p := range s.bound {
		all = append(all, pair{v, p})
	}
	for v, p := range s.r.global {
		if _, ok := s.bound[v]; !ok {
			all = append(all, pair{v, p})
		}
	}
	sort.Slice(all, func(i, j int) bool {
		if len(all[i].value) != len(all[j].value) {
			return len(all[i].value) > len(all[j].value)
		}
		return all[i].value < all[j].value
	})
	for _, p := range all {
		if len(p.value) >= minRedacted {
			str = replaceWord(str, p.value, p.repl)
		}
	}
	for _, v := range sortedKeys(s.r.numbers) {
		if len(v) >= minRedacted {
			str = replaceWord(str, v, s.r.numbers[v])
		}
	}
	return str
}

// replaceWord replaces old where it stands alone: not preceded or
// followed by a letter or digit.
func replaceWord(s, old, repl string) string {
	var b strings.Builder
	for {
		i := strings.Index(s, old)
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		before := i > 0 && isAlnum(s[i-1]) && isAlnum(old[0])
		after := i+len(old) < len(s) && isAlnum(s[i+len(old)]) && isAlnum(old[len(old)-1])
		b.WriteString(s[:i])
		if before || after {
			b.WriteString(old)
		} else {
			b.WriteString(repl)
		}
		s = s[i+len(old):]
	}
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

var placeholderText = regexp.MustCompile(`\{\{[a-z0-9_*]+\}\}`)

// mayHoldSecret reports whether a request value the recorder knows nothing
// about looks like it could hold a token, a signature or an identifier: an
// address, or a run of sixteen or more letters, digits, '-' and '_' with a
// digit or both cases among them. Placeholders do not count.
func mayHoldSecret(v string) bool {
	v = placeholderText.ReplaceAllString(v, " ")
	if strings.Contains(v, "@") {
		return true
	}
	run, digit, upper, lower := 0, false, false, false
	check := func() bool { return run >= 16 && (digit || upper && lower) }
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case c >= '0' && c <= '9':
			digit = true
		case c >= 'A' && c <= 'Z':
			upper = true
		case c >= 'a' && c <= 'z':
			lower = true
		case c == '-' || c == '_':
		default:
			if check() {
				return true
			}
			run, digit, upper, lower = 0, false, false, false
			continue
		}
		run++
	}
	return check()
}

// catchUp binds every known secret that the scenario's strings hold under
// a name that did not say so.
func (s *scenarioRedactor) catchUp() {
	vals := make([]string, 0, len(s.r.secrets))
	for v := range s.r.secrets {
		if len(v) >= minRedacted {
			vals = append(vals, v)
		}
	}
	sort.Slice(vals, func(i, j int) bool {
		if len(vals[i]) != len(vals[j]) {
			return len(vals[i]) > len(vals[j])
		}
		return vals[i] < vals[j]
	})
	for _, v := range vals {
		if _, ok := s.bound[v]; ok {
			continue
		}
		if _, ok := s.r.global[v]; ok {
			continue
		}
		for _, str := range s.seen {
			if strings.Contains(str, v) {
				s.secret("", v, s.r.secrets[v], false)
				break
			}
		}
	}
}
