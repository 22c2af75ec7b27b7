package conformance

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"

	"github.com/go-oauth20/oauth20/core"
)

// minRedacted is the shortest value the recorder replaces: shorter ones
// would mangle unrelated text. Secrets are never that short.
const minRedacted = 4

// pair replaces value by repl wherever it appears.
type pair struct{ value, repl string }

// redactor holds what a recording replaces in every scenario: the client
// credentials and the personal data.
type redactor struct {
	pairs    []pair
	numbers  []pair
	values   map[string]string
	personal map[string]bool
	n        int
}

func newRedactor(id, secret, redirect string, fields []string) *redactor {
	r := &redactor{values: map[string]string{}, personal: map[string]bool{}}
	for _, f := range fields {
		r.personal[f] = true
	}
	r.pairs = addPair(r.pairs, secret, "{{client_secret}}")
	r.pairs = addPair(r.pairs, redirect, "{{redirect_uri}}")
	r.pairs = addPair(r.pairs, id, "{{client_id}}")
	return r
}

func addPair(ps []pair, v, repl string) []pair {
	if len(v) < minRedacted {
		return ps
	}
	for _, p := range ps {
		if p.value == v {
			return ps
		}
	}
	return append(ps, pair{v, repl})
}

// learnPersonal finds personal values in a JSON answer.
func (r *redactor) learnPersonal(body []byte) {
	var v any
	if decodeJSON(body, &v) != nil {
		return
	}
	r.walk(v)
}

func (r *redactor) walk(v any) {
	switch x := v.(type) {
	case map[string]any:
		for _, k := range sortedKeys(x) {
			if r.personal[k] {
				r.personal1(k, x[k])
			}
			r.walk(x[k])
		}
	case []any:
		for _, e := range x {
			r.walk(e)
		}
	}
}

func (r *redactor) personal1(key string, v any) {
	switch x := v.(type) {
	case string:
		if len(x) < minRedacted {
			return
		}
		for _, p := range r.pairs {
			if p.value == x {
				return
			}
		}
		r.n++
		name := r.freeName(placeholderFor(key))
		r.values[name] = invented(key, x, r.n)
		r.pairs = append(r.pairs, pair{x, "{{" + name + "}}"})
	case json.Number:
		s := x.String()
		for _, p := range r.numbers {
			if p.value == s {
				return
			}
		}
		if len(s) >= minRedacted {
			r.numbers = append(r.numbers, pair{s, fmt.Sprintf("%d", 1000000+len(r.numbers)+1)})
		}
	}
}

var notName = regexp.MustCompile(`[^a-z0-9_]+`)

// placeholderFor turns a JSON member name into a placeholder name.
func placeholderFor(key string) string {
	n := strings.Trim(notName.ReplaceAllString(strings.ToLower(key), "_"), "_")
	if n == "" || n[0] < 'a' || n[0] > 'z' {
		n = "user_" + n
	}
	return n
}

// freeName returns name, or name_2, name_3, ... when it is taken.
func (r *redactor) freeName(name string) string {
	if isBuiltin(name) {
		name = "user_" + name
	}
	cand := name
	for i := 2; ; i++ {
		if _, taken := r.values[cand]; !taken {
			return cand
		}
		cand = fmt.Sprintf("%s_%d", name, i)
	}
}

// invented is fake data of the same shape as v.
func invented(key, v string, n int) string {
	switch {
	case strings.Contains(v, "@"):
		return fmt.Sprintf("person%d@example.com", n)
	case strings.HasPrefix(v, "http://") || strings.HasPrefix(v, "https://"):
		return fmt.Sprintf("https://example.com/person%d/%s", n, placeholderFor(key))
	}
	return fmt.Sprintf("person%d-%s", n, placeholderFor(key))
}

// scenarioRedactor adds one scenario's secrets to the redactor's.
type scenarioRedactor struct {
	r     *redactor
	pairs []pair
}

func (r *redactor) scenario() *scenarioRedactor { return &scenarioRedactor{r: r} }

func (s *scenarioRedactor) add(v, repl string) { s.pairs = addPair(s.pairs, v, repl) }

func (s *scenarioRedactor) has(repl string) bool {
	for _, p := range s.pairs {
		if p.repl == repl {
			return true
		}
	}
	return false
}

// bind maps a token value to the standard placeholder, or to a cassette
// value of its own when the standard one already stands for another value.
func (s *scenarioRedactor) bind(v, std string) {
	if len(v) < minRedacted {
		return
	}
	for _, p := range s.pairs {
		if p.value == v {
			return
		}
	}
	if !s.has("{{" + std + "}}") {
		s.add(v, "{{"+std+"}}")
		return
	}
	s.r.n++
	name := s.r.freeName(std + "_2")
	s.r.values[name] = fmt.Sprintf("recorded-%s-%d", strings.ReplaceAll(std, "_", "-"), s.r.n)
	s.add(v, "{{"+name+"}}")
}

// apply redacts a string.
func (s *scenarioRedactor) apply(str string) string {
	all := append(append([]pair(nil), s.pairs...), s.r.pairs...)
	sort.SliceStable(all, func(i, j int) bool { return len(all[i].value) > len(all[j].value) })
	for _, p := range all {
		str = strings.ReplaceAll(str, p.value, p.repl)
		if esc := strings.ReplaceAll(p.value, "/", `\/`); esc != p.value {
			str = strings.ReplaceAll(str, esc, p.repl)
		}
	}
	for _, p := range s.r.numbers {
		str = replaceNumber(str, p.value, p.repl)
	}
	return str
}

// replaceNumber replaces digits that stand alone (not inside a longer run
// of letters or digits).
func replaceNumber(s, old, repl string) string {
	var b strings.Builder
	for {
		i := strings.Index(s, old)
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		before := i > 0 && isAlnum(s[i-1])
		after := i+len(old) < len(s) && isAlnum(s[i+len(old)])
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

// learn finds the scenario's secrets (codes, PKCE values, tokens) by the
// names of the parameters and answer members that carry them, and sets the
// inputs the replay needs.
func (s *scenarioRedactor) learn(g *callGroup, in *Input) {
	for _, c := range g.calls {
		p := c.params()
		for _, n := range []string{"code", "code_verifier", "state", "nonce", "code_challenge"} {
			s.add(p.Get(n), "{{"+n+"}}")
		}
		s.add(p.Get("client_assertion"), Wildcard)
		s.bind(p.Get("refresh_token"), "refresh_token")
		s.bind(p.Get("access_token"), "access_token")
		if t := p.Get("token"); t != "" {
			if h := p.Get("token_type_hint"); h != "" {
				in.TokenTypeHint = h
			}
			if in.TokenTypeHint == core.HintRefreshToken {
				s.bind(t, "refresh_token")
				in.Token = "{{refresh_token}}"
			} else {
				s.bind(t, "access_token")
			}
		}
		if authz := c.header.Get("Authorization"); len(authz) > 7 && strings.EqualFold(authz[:7], "bearer ") {
			s.bind(authz[7:], "access_token")
		}
		answer, _ := bodyFields(mediaType(c.respHeader.Get("Content-Type")), c.respBody)
		s.bind(answer.Get("access_token"), "access_token")
		s.bind(answer.Get("refresh_token"), "refresh_token")
		if id := answer.Get("id_token"); len(id) >= minRedacted {
			s.r.n++
			name := s.r.freeName("id_token")
			s.r.values[name] = fmt.Sprintf("recorded.id-token.%d", s.r.n)
			s.add(id, "{{"+name+"}}")
		}
	}
}

// skippedRequestHeaders are not recorded: the transport sets them, or the
// auth and body fields describe them, or they hold cookies.
var skippedRequestHeaders = map[string]bool{
	"User-Agent": true, "Cookie": true, "Content-Type": true, "Content-Length": true,
	"Accept-Encoding": true, "Authorization": true, "Connection": true, "Host": true,
}

// keptResponseHeaders are recorded; others (dates, request ids, rate
// limits) are left out.
var keptResponseHeaders = []string{"Content-Type", "Location", "Retry-After", "Www-Authenticate", "Link", "Set-Cookie"}

// interaction redacts one call.
func (s *scenarioRedactor) interaction(c *call) Interaction {
	rq := Request{Method: c.method, URL: s.apply(endpointOf(c.url))}
	for k, vs := range c.url.Query() {
		if rq.Query == nil {
			rq.Query = map[string]string{}
		}
		rq.Query[s.apply(k)] = s.apply(strings.Join(vs, ","))
	}
	for k, vs := range c.header {
		if skippedRequestHeaders[http.CanonicalHeaderKey(k)] {
			continue
		}
		if rq.Headers == nil {
			rq.Headers = map[string]string{}
		}
		rq.Headers[k] = s.apply(strings.Join(vs, ", "))
	}
	ct := mediaType(c.header.Get("Content-Type"))
	switch {
	case len(c.body) == 0:
	case ct == "application/x-www-form-urlencoded":
		if f, err := url.ParseQuery(string(c.body)); err == nil {
			rq.Form = map[string]string{}
			for k, vs := range f {
				rq.Form[s.apply(k)] = s.apply(strings.Join(vs, ","))
			}
			break
		}
		fallthrough
	default:
		rq.JSON, rq.Body = s.body(c.body)
	}
	rq.Auth = s.auth(c)
	rs := Response{Status: c.status}
	for _, k := range keptResponseHeaders {
		vs := c.respHeader.Values(k)
		if len(vs) == 0 {
			continue
		}
		if rs.Headers == nil {
			rs.Headers = HeaderValues{}
		}
		for _, v := range vs {
			if k == "Set-Cookie" {
				v = redactCookie(v)
			}
			rs.Headers[k] = append(rs.Headers[k], s.apply(v))
		}
	}
	if len(c.respBody) > 0 {
		rs.JSON, rs.Body = s.body(c.respBody)
	}
	return Interaction{Request: rq, Response: rs}
}

// body redacts a body: inline JSON when it is JSON, text otherwise.
func (s *scenarioRedactor) body(b []byte) (json.RawMessage, *string) {
	text := s.apply(string(b))
	var v any
	if t := strings.TrimSpace(text); (strings.HasPrefix(t, "{") || strings.HasPrefix(t, "[")) && decodeJSON([]byte(t), &v) == nil {
		return json.RawMessage(t), nil
	}
	return nil, &text
}

// auth describes the call's authentication as the cassette states it.
func (s *scenarioRedactor) auth(c *call) Auth {
	authz := c.header.Get("Authorization")
	scheme, cred, _ := strings.Cut(authz, " ")
	switch {
	case strings.EqualFold(scheme, "basic"):
		dec, err := base64.StdEncoding.DecodeString(cred)
		if err != nil {
			return Auth{Method: AuthBasic, Username: s.apply(cred)}
		}
		u, p, _ := strings.Cut(string(dec), ":")
		uu, _ := url.QueryUnescape(u)
		pu, _ := url.QueryUnescape(p)
		if s.apply(uu) == "{{client_id}}" && s.apply(pu) == "{{client_secret}}" && u == url.QueryEscape(uu) && p == url.QueryEscape(pu) {
			return Auth{Method: string(core.AuthSecretBasic)}
		}
		return Auth{Method: AuthBasic, Username: s.apply(u), Password: s.apply(p)}
	case strings.EqualFold(scheme, "bearer"):
		return Auth{Method: AuthBearer, Token: s.apply(cred)}
	}
	p := c.params()
	switch {
	case p.Has("client_secret"):
		return Auth{Method: string(core.AuthSecretPost)}
	case p.Has("client_assertion"):
		return Auth{Method: string(core.AuthPrivateKeyJWT)}
	}
	return Auth{}
}

// redactCookie keeps a Set-Cookie's name and attributes, not its value.
func redactCookie(v string) string {
	nv, attrs, _ := strings.Cut(v, ";")
	name, _, _ := strings.Cut(nv, "=")
	out := strings.TrimSpace(name) + "=redacted"
	if attrs != "" {
		out += ";" + attrs
	}
	return out
}

// authorizationScenario redacts a recorded authorization URL.
func (r *redactor) authorizationScenario(raw string) (*Scenario, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("conformance: recorder: the authorization URL is not an absolute URL")
	}
	s := r.scenario()
	q := u.Query()
	for _, n := range []string{"state", "nonce", "code_challenge"} {
		s.add(q.Get(n), "{{"+n+"}}")
	}
	a := &AuthorizationURL{URL: s.apply(endpointOf(u)), Query: map[string]string{}, Fragment: s.apply(u.Fragment)}
	for k, vs := range q {
		a.Query[s.apply(k)] = s.apply(strings.Join(vs, ","))
	}
	return &Scenario{Op: OpAuthorizationURL, Authorization: a}, nil
}
