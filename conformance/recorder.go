package conformance

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/go-oauth20/oauth20/core"
)

// Recorder is an http.RoundTripper that sends requests to the real
// provider and keeps a copy of each request and answer, to be turned into
// a cassette with Cassette. Make it the transport of the HTTP client of the
// Auth (or provider) you log in with once:
//
//	rec := &conformance.Recorder{ClientID: id, ClientSecret: secret, RedirectURL: cb}
//	auth, err := core.New().HTTPClient(&http.Client{Transport: rec}). ... .Build()
//
// Set the fields before the first request. A Recorder is safe for
// concurrent use. What it keeps in memory holds real secrets; the cassette
// it writes does not (see Cassette).
type Recorder struct {
	// Transport sends the requests; nil means http.DefaultTransport.
	Transport http.RoundTripper
	// ClientID, ClientSecret and RedirectURL of the application used for
	// recording; they become {{client_id}}, {{client_secret}} and
	// {{redirect_uri}} wherever they appear.
	ClientID, ClientSecret, RedirectURL string
	// PersonalFields names the JSON members whose values are personal data,
	// at any depth; nil means DefaultPersonalFields.
	PersonalFields []string
	// Clock dates the recording (the cassette's clock); nil means the
	// system clock.
	Clock core.Clock

	mu       sync.Mutex
	started  time.Time
	authURLs []string
	calls    []*call
	mark     *mark
}

// DefaultPersonalFields are the JSON members a Recorder treats as personal
// data unless told otherwise.
var DefaultPersonalFields = []string{
	"id", "sub", "node_id", "user_id", "uid", "openid", "open_id", "unionid", "union_id",
	"email", "name", "given_name", "family_name", "middle_name", "nickname", "preferred_username",
	"login", "username", "display_name", "avatar_url", "picture", "profile", "website", "html_url",
	"url", "blog", "bio", "location", "company", "phone", "phone_number", "mobile", "birthdate",
	"street_address", "locality", "postal_code", "formatted", "twitter_username", "gravatar_id",
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
// (grant_type=authorization_code), a refresh, a revocation (DELETE, a
// token parameter or "revo" in the path), the user fetch (Bearer requests
// in a row); other requests (discovery, JWKS) become shared interactions.
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

// Cassette turns what was recorded into a cassette for provider, with
// every secret and personal value replaced: the client credentials, state,
// nonce, PKCE values, codes and tokens by placeholders; personal data
// (PersonalFields) by placeholders bound in Values to invented data, or by
// invented numbers; cookies by "redacted". Request headers are kept except
// User-Agent, Cookie, Content-Type, Content-Length, Accept-Encoding and
// Authorization (which becomes the auth field); answers keep Content-Type,
// Location, Retry-After, WWW-Authenticate, Link and Set-Cookie. The
// scenarios have no expect blocks yet: fill them with Complete and review
// the result before committing it.
func (r *Recorder) Cassette(provider string) (*Cassette, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.calls) == 0 && len(r.authURLs) == 0 {
		return nil, fmt.Errorf("conformance: recorder: nothing was recorded")
	}
	fields := r.PersonalFields
	if fields == nil {
		fields = DefaultPersonalFields
	}
	red := newRedactor(r.ClientID, r.ClientSecret, r.RedirectURL, fields)
	groups, shared := group(r.calls)
	for _, g := range groups {
		for _, c := range g.calls {
			red.learnPersonal(c.respBody)
		}
	}
	c := &Cassette{
		Provider:    provider,
		Description: "Recorded with conformance.Recorder; secrets and personal data replaced.",
		Source:      "recorded: " + r.started.Format(time.DateOnly),
		Clock:       r.started,
	}
	for i, u := range r.authURLs {
		s, err := red.authorizationScenario(u)
		if err != nil {
			return nil, err
		}
		s.Name = numbered(string(OpAuthorizationURL), i)
		c.Scenarios = append(c.Scenarios, *s)
	}
	global := red.scenario()
	for _, sc := range shared {
		c.Shared = append(c.Shared, global.interaction(sc))
	}
	counts := map[string]int{}
	for _, g := range groups {
		sr := red.scenario()
		s := Scenario{Name: g.name, Op: g.op}
		sr.learn(g, &s.Input)
		for _, call := range g.calls {
			s.Interactions = append(s.Interactions, sr.interaction(call))
		}
		if s.Name == "" {
			s.Name = autoName(g)
		}
		base := s.Name
		s.Name = numbered(base, counts[base])
		counts[base]++
		c.Scenarios = append(c.Scenarios, s)
	}
	c.Values = red.values
	if err := c.validate("", false); err != nil {
		return nil, fmt.Errorf("conformance: recorder: the recorded cassette does not validate: %w", err)
	}
	return c, nil
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

// callGroup is the calls of one scenario.
type callGroup struct {
	name  string
	op    Op
	calls []*call
}

// group splits the calls into scenarios and shared interactions.
func group(calls []*call) ([]*callGroup, []*call) {
	var groups []*callGroup
	var shared []*call
	var last *callGroup
	for _, c := range calls {
		if c.mark != nil {
			if last == nil || last.name != c.mark.name {
				last = &callGroup{name: c.mark.name, op: c.mark.op}
				groups = append(groups, last)
			}
			last.calls = append(last.calls, c)
			continue
		}
		op, ok := classify(c)
		if !ok {
			shared = append(shared, c)
			continue
		}
		if op == OpUser && last != nil && last.op == OpUser && last.name == "" {
			last.calls = append(last.calls, c)
			continue
		}
		last = &callGroup{op: op}
		groups = append(groups, last)
		last.calls = append(last.calls, c)
	}
	return groups, shared
}

// classify guesses the operation of an unmarked call.
func classify(c *call) (Op, bool) {
	p := c.params()
	switch p.Get("grant_type") {
	case "authorization_code":
		return OpExchange, true
	case "refresh_token":
		return OpRefresh, true
	}
	authz := c.header.Get("Authorization")
	bearer := len(authz) > 7 && strings.EqualFold(authz[:7], "bearer ")
	switch {
	case c.method == http.MethodDelete || p.Has("token") || strings.Contains(strings.ToLower(c.url.Path), "revo"):
		return OpRevocation, true
	case bearer || p.Has("access_token"):
		return OpUser, true
	}
	return "", false
}

// autoName names a scenario after its operation and, for exchanges and
// refreshes, whether the provider answered with an error.
func autoName(g *callGroup) string {
	name := string(g.op)
	if g.op == OpExchange || g.op == OpRefresh || g.op == OpRevocation {
		last := g.calls[len(g.calls)-1]
		var m map[string]any
		failed := last.status >= 400 || (json.Unmarshal(last.respBody, &m) == nil && (m["error"] != nil || m["errcode"] != nil))
		switch {
		case failed:
			name += "_error"
		case g.op == OpExchange:
			name += "_success"
		}
	}
	return name
}

// params returns the query and body parameters of a call.
func (c *call) params() url.Values {
	out := url.Values{}
	for k, v := range c.url.Query() {
		out[k] = append(out[k], v...)
	}
	if f, ok := bodyFields(mediaType(c.header.Get("Content-Type")), c.body); ok {
		for k, v := range f {
			out[k] = append(out[k], v...)
		}
	}
	return out
}
