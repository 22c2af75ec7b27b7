package conformance

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/go-oauth20/oauth20/core"
	"github.com/go-oauth20/oauth20/internal/coreaccess"
)

// ErrUnclassified is wrapped by the error of Recorder.Cassette when the
// recording holds something the recorder cannot classify, so cannot
// redact: a call it cannot tie to an operation, a body it cannot read, or
// a request header or parameter of an unknown name that may hold a secret.
var ErrUnclassified = errors.New("conformance: recorder: the recording holds calls it cannot redact")

// Recorder is an http.RoundTripper that sends requests to the real
// provider and keeps a copy of each request and answer, to be turned into
// a cassette with Cassette. Make it the transport of the HTTP client of the
// Auth (or provider) you log in with once:
//
//	rec := &conformance.Recorder{}
//	p, err := providers.GitHub(id, secret, providers.WithHTTPClient(&http.Client{Transport: rec}))
//	// log in with p, then:
//	cassette, err := rec.Cassette(p)
//
// Set the fields before the first request. A Recorder is safe for
// concurrent use. What it keeps in memory holds real secrets; the cassette
// it writes does not (see Cassette).
type Recorder struct {
	// Transport sends the requests; nil means http.DefaultTransport.
	Transport http.RoundTripper
	// PersonalFields names further members and parameters whose values are
	// personal data, beyond the standard ones and the provider's
	// core.ProviderSpec.UserFields (same matching rules).
	PersonalFields []string
	// SecretFields names further parameters, members and request headers
	// that carry a credential, beyond the standard ones and the provider's
	// Dialect (core.Dialect.SecretFields).
	SecretFields []string
	// Clock dates the recording (the cassette's clock); nil means the
	// system clock.
	Clock core.Clock

	mu       sync.Mutex
	started  time.Time
	authURLs []string
	calls    []*call
	mark     *mark
}

type mark struct {
	name string
	op   Op
}

// call is one recorded exchange, with real values.
type call struct {
	mark       *mark
	method     string
	url        *url.URL
	header     http.Header
	body       []byte
	status     int
	respHeader http.Header
	respBody   []byte
}

// RoundTrip sends req with Transport and records it and its answer. The
// answer's body is read in full and handed on unchanged.
func (r *Recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		var err error
		body, err = io.ReadAll(req.Body)
		_ = req.Body.Close()
		if err != nil {
			return nil, fmt.Errorf("conformance: recorder: reading the request body: %w", err)
		}
	}
	out := req.Clone(req.Context())
	out.Body = io.NopCloser(bytes.NewReader(body))
	out.ContentLength = int64(len(body))
	t := r.Transport
	if t == nil {
		t = http.DefaultTransport
	}
	resp, err := t.RoundTrip(out)
	if err != nil {
		return nil, err
	}
	rbody, err := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if err != nil {
		return nil, fmt.Errorf("conformance: recorder: reading the answer: %w", err)
	}
	resp.Body = io.NopCloser(bytes.NewReader(rbody))
	u := *req.URL
	r.mu.Lock()
	defer r.mu.Unlock()
	r.start()
	r.calls = append(r.calls, &call{mark: r.mark, method: req.Method, url: &u, header: req.Header.Clone(), body: body,
		status: resp.StatusCode, respHeader: resp.Header.Clone(), respBody: rbody})
	return resp, nil
}

func (r *Recorder) start() {
	if r.started.IsZero() {
		now := time.Now()
		if r.Clock != nil {
			now = r.Clock.Now()
		}
		r.started = now.UTC().Truncate(time.Second)
	}
}

// AuthorizationURL records the authorization URL the user was sent to
// (Auth.Begin's redirect), which no HTTP request carries.
func (r *Recorder) AuthorizationURL(u string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.start()
	r.authURLs = append(r.authURLs, u)
}

// Begin puts the requests that follow into a scenario of this name and
// operation, until the next Begin; End returns to automatic grouping.
// Without Begin, requests are grouped by what they are: a code exchange
// (grant type authorization_code, or a code sent to the token endpoint), a
// refresh, a revocation (the revocation endpoint, DELETE, a token
// parameter or "revo" in the path), a user fetch (requests carrying the
// access token in a row, until one repeats); requests with the client's
// credentials alone (WeCom's corp token) and public documents (discovery,
// JWKS) become shared interactions.
func (r *Recorder) Begin(name string, op Op) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.mark = &mark{name: name, op: op}
}

// End ends the scenario started by Begin.
func (r *Recorder) End() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.mark = nil
}

// Cassette turns what was recorded of provider p (the provider, built
// with the real credentials, whose HTTP client used the Recorder) into a
// cassette named after it, with every secret and personal value replaced.
//
// What it replaces is driven by what p declares about its fields, on top
// of the standard names:
//
//   - Secrets become placeholders: the client credentials ({{client_id}},
//     {{client_secret}}, {{redirect_uri}}), state, nonce and PKCE values,
//     codes, access and refresh tokens ({{code}}, {{access_token}},
//     {{refresh_token}}, or a value of their own in the cassette's values
//     when a scenario holds two), wherever they show up: in URLs, query,
//     headers, form, JSON at any depth, JSONP and form-encoded answers. They
//     are found by name (the standard names, the names p's Dialect gives
//     them in ParamNames, TokenFields, TokenHeaders, TokenParams and
//     SecretFields, and the Recorder's SecretFields) and, once known, by
//     value under any name. A secret that only requests carry and that the
//     replay cannot know (a signed client assertion, Apple's client secret,
//     Facebook's appsecret_proof) becomes the wildcard {{*}}, and so does a
//     state that a request other than the exchange carries (one the client
//     makes up, as for VK ID's refreshes).
//   - A JWT anywhere (an ID token, a signed UserInfo answer) is replaced
//     whole: a placeholder bound in values to a made-up value. Its claims
//     are personal and its signature would not survive their redaction, so
//     none of it is kept; an OpenID provider's cassette gets signed ID
//     tokens of its own by hand.
//   - Personal data, found by name (the OpenID Connect standard claims,
//     common names such as id, login, avatar_url, openid, unionid, and
//     p's core.ProviderSpec.UserFields and the Recorder's PersonalFields),
//     becomes a placeholder bound in values to invented data of the same
//     shape (an address, a URL, digits), the same in every scenario;
//     personal numbers become invented numbers. A value that is the host
//     of a call the recording made (Shopify's myshopify_domain) is the
//     provider's configuration, which every URL holds, and is kept.
//   - Cookies become "redacted". Request headers are kept except
//     User-Agent (unless the Dialect sets it), Cookie, Content-Type,
//     Content-Length, Accept-Encoding and Authorization (which becomes the
//     auth field: Basic, Bearer or Yandex's OAuth scheme); answers keep
//     Content-Type, Location, Retry-After, WWW-Authenticate, Link and
//     Set-Cookie.
//
// It fails closed: a recording holding something the recorder cannot
// classify gives no cassette but an error wrapping ErrUnclassified that
// names each such call (by number, method and redacted URL) and what is
// wrong with it: a call it cannot tie to an operation or to a shared
// document, a request body that is not empty, JSON, a form or a JWT, an
// answer that is none of those nor JSONP nor one short line of text
// ("Unauthorized", a bare null), or a request header, parameter or JSON
// member of a name it does not know, or a line of text answered, whose
// value may hold a secret or an identifier (a run of sixteen or more
// letters, digits, '-' and '_' with a digit or both cases among them, or
// an '@'). Declare the name in the provider's spec
// or the Recorder's fields and call Cassette again; the recording is kept.
//
// The scenarios have no expect blocks yet: fill them with Complete and
// review the result before committing it.
func (r *Recorder) Cassette(p *core.Provider) (*Cassette, error) {
	if p == nil {
		return nil, errors.New("conformance: recorder: Cassette needs the provider that was recorded")
	}
	spec := coreaccess.Spec(p)
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.calls) == 0 && len(r.authURLs) == 0 {
		return nil, fmt.Errorf("conformance: recorder: nothing was recorded")
	}
	names := newFieldNames(spec, r.PersonalFields, r.SecretFields)
	red := newRedactor(names, spec.Client.ClientID, spec.Client.ClientSecret, spec.Client.RedirectURL)
	authURLs := make([]*url.URL, len(r.authURLs))
	for i, raw := range r.authURLs {
		u, err := url.Parse(raw)
		if err != nil || u.Host == "" {
			return nil, fmt.Errorf("conformance: recorder: authorization URL %d is not an absolute URL", i+1)
		}
		authURLs[i] = u
	}
	for _, u := range authURLs {
		red.hosts[strings.ToLower(u.Host)] = true
	}
	for _, c := range r.calls {
		red.hosts[strings.ToLower(c.url.Host)] = true
	}
	red.learn(authURLs, r.calls)

	index := map[*call]int{}
	for i, c := range r.calls {
		index[c] = i + 1
	}
	eps := endpointsOf(spec, r.calls)
	groups, shared, unknown := group(r.calls, func(c *call) (Op, callKind) { return red.classify(c, eps) })
	var problems []string
	for _, c := range unknown {
		problems = append(problems, red.scenario().describe(c, index[c])+
			": the recorder cannot tell which operation it belongs to (not a token, revocation or user call of the provider, nor a public document)")
	}

	c := &Cassette{
		Provider:    p.Name(),
		Description: "Recorded with conformance.Recorder; secrets and personal data replaced.",
		Source:      "recorded: " + r.started.Format(time.DateOnly),
		Clock:       r.started,
	}
	sh := red.scenario()
	sh.shared = true
	c.Shared, problems = sh.write(shared, index, nil, problems)
	for i, u := range authURLs {
		s := red.scenario()
		var a *AuthorizationURL
		s.op = OpAuthorizationURL
		for pass := 0; pass < 2; pass++ {
			s.final = pass == 1
			if s.final {
				s.catchUp()
			}
			s.call = fmt.Sprintf("authorization URL %d", i+1)
			a = s.authorizationURL(u)
		}
		problems = append(problems, s.problems...)
		c.Scenarios = append(c.Scenarios, Scenario{Name: numbered(string(OpAuthorizationURL), i), Op: OpAuthorizationURL, Authorization: a})
	}
	counts := map[string]int{}
	var lastToken *call
	for _, g := range groups {
		s := red.scenario()
		s.op = g.op
		sc := Scenario{Name: g.name, Op: g.op}
		var fields map[string]string
		tokenCall := lastToken
		extra := func() {
			if g.op == OpUser && tokenCall != nil {
				fields = s.tokenFields(tokenCall)
			}
		}
		sc.Interactions, problems = s.write(g.calls, index, extra, problems)
		sc.Input = s.input(g, fields)
		if g.op == OpExchange || g.op == OpRefresh {
			if t := red.tokenAnswer(g.calls); t != nil {
				lastToken = t
			}
		}
		if sc.Name == "" {
			sc.Name = red.autoName(g, spec)
		}
		base := sc.Name
		sc.Name = numbered(base, counts[base])
		counts[base]++
		c.Scenarios = append(c.Scenarios, sc)
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("%w:\n%s", ErrUnclassified, strings.Join(problems, "\n"))
	}
	if len(red.values) > 0 {
		c.Values = red.values
	}
	if err := c.validate("", false); err != nil {
		return nil, fmt.Errorf("conformance: recorder: the recorded cassette does not validate: %w", err)
	}
	return c, nil
}

// learn runs over the whole recording once, before anything is written,
// to find every secret and personal value (so that each is replaced in
// every scenario, under whatever name it shows up there) and every string
// the provider answered.
func (red *redactor) learn(authURLs []*url.URL, calls []*call) {
	l := red.learner()
	for _, u := range authURLs {
		l.authorizationURL(u)
	}
	for _, c := range calls {
		l.interaction(c)
		red.answers = append(red.answers, string(c.respBody))
		for _, k := range keptResponseHeaders {
			red.answers = append(red.answers, c.respHeader.Values(k)...)
		}
		if pb := parseBody(c.respBody); pb.tree != nil {
			collectStrings(pb.tree, &red.answers)
		}
	}
	red.bindPersonal()
}

func collectStrings(v any, out *[]string) {
	switch x := v.(type) {
	case *jsonObject:
		for _, e := range x.vals {
			collectStrings(e, out)
		}
	case []any:
		for _, e := range x {
			collectStrings(e, out)
		}
	case string:
		*out = append(*out, x)
	}
}

// write redacts calls in two passes (bind, then write) and returns them
// with the problems found added to problems. extra runs in each pass,
// before the calls.
func (s *scenarioRedactor) write(calls []*call, index map[*call]int, extra func(), problems []string) ([]Interaction, []string) {
	var out []Interaction
	for pass := 0; pass < 2; pass++ {
		s.final = pass == 1
		if s.final {
			s.catchUp()
		}
		if extra != nil {
			extra()
		}
		out = out[:0]
		for _, c := range calls {
			s.call = s.describe(c, index[c])
			out = append(out, s.interaction(c))
		}
	}
	return out, append(problems, s.problems...)
}

// describe names a call for messages, with its URL redacted: the
// scenario's values replaced, and any other secret the recording holds, or
// path segment that may be one, masked.
func (s *scenarioRedactor) describe(c *call, n int) string {
	u := s.apply(endpointOf(c.url))
	for v := range s.r.secrets {
		if len(v) >= minRedacted {
			u = strings.ReplaceAll(u, v, "{{…}}")
		}
	}
	parts := strings.Split(u, "/")
	for i, p := range parts {
		if i > 2 && mayHoldSecret(p) {
			parts[i] = "{{…}}"
		}
	}
	return fmt.Sprintf("call %d (%s %s)", n, c.method, strings.Join(parts, "/"))
}

// input is the scenario's input: the placeholders of what its requests
// sent where they are not the defaults, and for a user fetch the members
// of the login's token answer.
func (s *scenarioRedactor) input(g *callGroup, fields map[string]string) Input {
	var in Input
	other := func(k secretKind, def string) string {
		if p := s.sent[k]; p != "" && p != def {
			return p
		}
		return ""
	}
	switch g.op {
	case OpExchange:
		in.Code = other(kindCode, "{{code}}")
	case OpRefresh:
		in.RefreshToken = other(kindRefresh, "{{refresh_token}}")
	case OpRevocation:
		kind := s.hint(g.calls[0])
		for k, vs := range g.calls[0].params() {
			if s.r.names.hint[k] && len(vs) > 0 {
				in.TokenTypeHint = vs[0]
			}
		}
		in.Token = other(kind, "{{access_token}}")
	case OpUser:
		in.AccessToken = other(kindAccess, "{{access_token}}")
		in.TokenFields = fields
	}
	return in
}

// tokenFields redacts the members of a token answer that a user fetch may
// read (WeChat's openid, Weibo's uid), leaving out the token's own.
func (s *scenarioRedactor) tokenFields(c *call) map[string]string {
	obj := answerObject(c.respBody, s.r.names.envelope)
	if obj == nil {
		return nil
	}
	out := map[string]string{}
	for i, k := range obj.keys {
		if s.r.names.tokenMembers[k] || strings.HasSuffix(k, "expires_in") {
			continue
		}
		cl := s.classOf(k, class{}, false)
		switch v := obj.vals[i].(type) {
		case string:
			out[k] = s.str(k, v, cl, false)
		case json.Number:
			out[k] = s.number(v, cl.personal).String()
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// answerObject is the object of a JSON, JSONP or form answer (inside the
// envelope when one is named), nil for anything else.
func answerObject(body []byte, envelope string) *jsonObject {
	pb := parseBody(body)
	var obj *jsonObject
	switch pb.kind {
	case bodyJSON, bodyJSONP:
		obj, _ = pb.tree.(*jsonObject)
	case bodyForm:
		obj = &jsonObject{}
		for _, p := range pb.form {
			obj.keys = append(obj.keys, p.key)
			obj.vals = append(obj.vals, p.value)
		}
	}
	if obj != nil && envelope != "" {
		for i, k := range obj.keys {
			if inner, ok := obj.vals[i].(*jsonObject); ok && k == envelope {
				return inner
			}
		}
	}
	return obj
}

// tokenAnswer returns the last call of calls whose answer holds an access
// token.
func (red *redactor) tokenAnswer(calls []*call) *call {
	for i := len(calls) - 1; i >= 0; i-- {
		obj := answerObject(calls[i].respBody, red.names.envelope)
		if obj == nil {
			continue
		}
		for j, k := range obj.keys {
			if s, ok := obj.vals[j].(string); ok && s != "" && red.names.answer[k] == kindAccess {
				return calls[i]
			}
		}
	}
	return nil
}

// WriteFile writes c as indented JSON.
func (c *Cassette) WriteFile(path string) error {
	b, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return fmt.Errorf("conformance: %w", err)
	}
	if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("conformance: %w", err)
	}
	return nil
}

func numbered(name string, n int) string {
	if n == 0 {
		return name
	}
	return fmt.Sprintf("%s_%d", name, n+1)
}
