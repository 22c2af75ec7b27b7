package conformance

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"github.com/jarcoal/httpmock"
)

// errNoInteraction is what the replay answers a request the cassette does
// not hold; the operation then fails with a transport error.
var errNoInteraction = errors.New("conformance: no recorded interaction for this request")

// player serves one scenario's interactions to the provider and notes
// every difference.
type player struct {
	b      *binder
	mu     sync.Mutex
	own    []Interaction
	used   []bool
	shared []Interaction
	diffs  []string
}

func newPlayer(b *binder, own, shared []Interaction) *player {
	return &player{b: b, own: own, used: make([]bool, len(own)), shared: shared}
}

// transport returns an httpmock transport whose only responder is the
// player: every request reaches it, none reaches the network.
func (p *player) transport() *httpmock.MockTransport {
	mt := httpmock.NewMockTransport()
	mt.RegisterNoResponder(p.respond)
	return mt
}

func (p *player) respond(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		var err error
		if body, err = io.ReadAll(req.Body); err != nil {
			return nil, err
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	line := req.Method + " " + endpointOf(req.URL)
	in := p.find(req)
	if in == nil {
		p.diffs = append(p.diffs, fmt.Sprintf("unexpected request %s; %s", p.b.unbind(line), p.expected()))
		return nil, errNoInteraction
	}
	for _, d := range compareRequest(&in.Request, req, body, p.b) {
		p.diffs = append(p.diffs, p.b.unbind(line)+": "+d)
	}
	return p.response(&in.Response, req), nil
}

// find returns the first unused own interaction with the request's method
// and URL, else a shared one.
func (p *player) find(req *http.Request) *Interaction {
	for i := range p.own {
		if !p.used[i] && p.same(&p.own[i].Request, req) {
			p.used[i] = true
			return &p.own[i]
		}
	}
	for i := range p.shared {
		if p.same(&p.shared[i].Request, req) {
			return &p.shared[i]
		}
	}
	return nil
}

func (p *player) same(want *Request, req *http.Request) bool {
	if want.Method != req.Method {
		return false
	}
	u, err := url.Parse(p.b.expand(want.URL))
	if err != nil {
		return false
	}
	return strings.EqualFold(u.Scheme, req.URL.Scheme) && strings.EqualFold(u.Host, req.URL.Host) &&
		cleanPath(u.Path) == cleanPath(req.URL.Path)
}

func cleanPath(p string) string {
	if p == "" {
		return "/"
	}
	return p
}

// expected describes the requests still awaited, for the message about an
// unexpected one.
func (p *player) expected() string {
	var left []string
	for i := range p.own {
		if !p.used[i] {
			left = append(left, p.own[i].Request.Method+" "+p.own[i].Request.URL)
		}
	}
	if len(left) == 0 {
		return "the scenario expects no further request"
	}
	return "the scenario still expects " + strings.Join(left, ", ")
}

// unused reports own interactions the provider never asked for.
func (p *player) unused() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []string
	for i := range p.own {
		if !p.used[i] {
			out = append(out, fmt.Sprintf("missing request %s %s (interactions[%d]): the provider never sent it",
				p.own[i].Request.Method, p.own[i].Request.URL, i))
		}
	}
	return out
}

func (p *player) problems() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.diffs...)
}

// response builds the recorded answer with placeholders bound.
func (p *player) response(r *Response, req *http.Request) *http.Response {
	var body []byte
	switch {
	case len(r.JWKS) > 0:
		body = p.jwks(r)
	case r.JSON != nil:
		body = p.b.expandJSON(r.JSON)
	case r.Body != nil:
		body = []byte(p.b.expand(*r.Body))
	}
	resp := httpmock.NewBytesResponse(r.Status, body)
	resp.Status = fmt.Sprintf("%d %s", r.Status, http.StatusText(r.Status))
	for k, vs := range r.Headers {
		for _, v := range vs {
			resp.Header.Add(k, p.b.expand(v))
		}
	}
	if (r.JSON != nil || len(r.JWKS) > 0) && resp.Header.Get("Content-Type") == "" {
		resp.Header.Set("Content-Type", "application/json")
	}
	resp.Request = req
	return resp
}

// jwks builds a JWK Set answer: the public JWKs of the keys r names,
// after the keys of its JSON body if it has one.
func (p *player) jwks(r *Response) []byte {
	set := map[string]any{}
	if r.JSON != nil {
		if err := decodeJSON(p.b.expandJSON(r.JSON), &set); err != nil || set == nil {
			p.diffs = append(p.diffs, "the cassette's JWKS answer is not a JSON object")
			set = map[string]any{}
		}
	}
	keys, _ := set["keys"].([]any)
	for _, name := range r.JWKS {
		keys = append(keys, p.b.jwks[name])
	}
	set["keys"] = keys
	out, err := json.Marshal(set)
	if err != nil {
		p.diffs = append(p.diffs, fmt.Sprintf("the JWKS answer does not encode: %v", err))
	}
	return out
}

// endpointOf is a URL without query, fragment and user info.
func endpointOf(u *url.URL) string {
	c := *u
	c.RawQuery, c.Fragment, c.User, c.ForceQuery = "", "", nil, false
	return c.String()
}
