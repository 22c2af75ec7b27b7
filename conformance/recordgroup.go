package conformance

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"

	"github.com/go-oauth20/oauth20/core"
	"github.com/go-oauth20/oauth20/internal/corehook"
)

// This file splits a recording into scenarios: it tells what each call
// that no Recorder.Begin marked is, from the provider's endpoints and
// names.

// callKind is where a call goes in the cassette.
type callKind int

const (
	inScenario callKind = iota
	inShared
	unclassified
)

// callGroup is the calls of one scenario.
type callGroup struct {
	name  string
	op    Op
	calls []*call
}

// has reports whether g already holds a call to the same endpoint with
// the same method: a user fetch that repeats one has started again.
func (g *callGroup) has(c *call) bool {
	for _, o := range g.calls {
		if o.method == c.method && endpointOf(o.url) == endpointOf(c.url) {
			return true
		}
	}
	return false
}

// group splits the calls into scenarios, shared interactions and calls it
// cannot place. A call marked by Recorder.Begin goes into its scenario,
// unless it is a shared one (discovery, JWKS, the client's own token: the
// replay fetches those again in every scenario) or was made while an
// authorization URL was built (which sends no request of its own).
func group(calls []*call, classify func(*call) (Op, callKind)) (groups []*callGroup, shared, unknown []*call) {
	var last *callGroup
	for _, c := range calls {
		op, kind := classify(c)
		if c.mark != nil && c.mark.op != OpAuthorizationURL && kind != inShared {
			if last == nil || last.name != c.mark.name {
				last = &callGroup{name: c.mark.name, op: c.mark.op}
				groups = append(groups, last)
			}
			last.calls = append(last.calls, c)
			continue
		}
		switch kind {
		case inShared:
			shared = append(shared, c)
			continue
		case unclassified:
			unknown = append(unknown, c)
			continue
		}
		if op == OpUser && last != nil && last.op == OpUser && last.name == "" && !last.has(c) {
			last.calls = append(last.calls, c)
			continue
		}
		last = &callGroup{op: op}
		groups = append(groups, last)
		last.calls = append(last.calls, c)
	}
	return groups, shared, unknown
}

// endpointSet holds the provider's endpoints that tell calls apart, as
// URLs without query: the static ones and those of every discovery
// document in the recording.
type endpointSet struct {
	token, revocation, jwks map[string]bool
}

func endpointsOf(spec core.ProviderSpec, calls []*call) endpointSet {
	e := endpointSet{token: map[string]bool{}, revocation: map[string]bool{}, jwks: map[string]bool{}}
	add := func(m map[string]bool, raw string) {
		if u, err := url.Parse(raw); err == nil && raw != "" {
			m[endpointOf(u)] = true
		}
	}
	ep := spec.Client.Endpoints
	add(e.token, ep.TokenURL)
	add(e.revocation, ep.RevocationURL)
	add(e.jwks, ep.JWKSURL)
	for _, c := range calls {
		var doc struct {
			Issuer     string `json:"issuer"`
			Token      string `json:"token_endpoint"`
			Revocation string `json:"revocation_endpoint"`
			JWKS       string `json:"jwks_uri"`
		}
		if json.Unmarshal(c.respBody, &doc) == nil && doc.Issuer != "" {
			add(e.token, doc.Token)
			add(e.revocation, doc.Revocation)
			add(e.jwks, doc.JWKS)
		}
	}
	return e
}

// classify tells what an unmarked call is: an operation's call, a shared
// one (the client's credentials alone, or a public document), or neither.
func (red *redactor) classify(c *call, eps endpointSet) (Op, callKind) {
	names := red.names
	p := c.params()
	has := func(k secretKind) bool {
		for name, vs := range p {
			if names.request[name] == k && len(vs) > 0 && vs[0] != "" {
				return true
			}
		}
		return false
	}
	for name, vs := range p {
		if names.isGrant(name) && len(vs) > 0 {
			switch vs[0] {
			case "authorization_code":
				return OpExchange, inScenario
			case "refresh_token":
				return OpRefresh, inScenario
			}
		}
	}
	ep := endpointOf(c.url)
	if eps.revocation[ep] {
		return OpRevocation, inScenario
	}
	if eps.token[ep] {
		switch {
		case has(kindRefresh):
			return OpRefresh, inScenario
		case has(kindCode):
			return OpExchange, inScenario
		}
	}
	if c.method == http.MethodDelete || has(kindRevoked) || strings.Contains(strings.ToLower(c.url.Path), "revo") {
		return OpRevocation, inScenario
	}
	scheme, cred, _ := strings.Cut(c.header.Get("Authorization"), " ")
	tokenHeader := false
	for k := range c.header {
		tokenHeader = tokenHeader || names.headers[http.CanonicalHeaderKey(k)] == kindAccess
	}
	if cred != "" && !strings.EqualFold(scheme, "basic") || tokenHeader || has(kindAccess) || red.carries(c, kindAccess) {
		return OpUser, inScenario
	}
	if has(kindClientSecret) || has(kindOther) || strings.EqualFold(scheme, "basic") || red.carries(c, kindClientSecret) {
		return "", inShared
	}
	if c.method == http.MethodGet && c.header.Get("Authorization") == "" &&
		(strings.Contains(c.url.Path, "/.well-known/") || eps.jwks[ep] || isPublicDocument(c.respBody)) {
		return "", inShared
	}
	return "", unclassified
}

// carries reports whether the call's request holds, anywhere, a secret of
// kind k that the recording taught the recorder: the access token in a
// header of the provider's own, the client secret in a parameter of an
// unknown name.
func (red *redactor) carries(c *call, k secretKind) bool {
	var texts []string
	for _, vs := range c.params() {
		texts = append(texts, vs...)
	}
	for _, vs := range c.header {
		texts = append(texts, vs...)
	}
	texts = append(texts, c.url.Path)
	for v, kind := range red.secrets {
		if kind != k || len(v) < minRedacted {
			continue
		}
		for _, t := range texts {
			if strings.Contains(t, v) {
				return true
			}
		}
	}
	return false
}

// isPublicDocument reports whether an answer is a discovery document or a
// JWKS.
func isPublicDocument(body []byte) bool {
	var doc map[string]json.RawMessage
	if json.Unmarshal(body, &doc) != nil {
		return false
	}
	_, issuer := doc["issuer"]
	_, keys := doc["keys"]
	return issuer || keys
}

// autoName names a scenario after its operation and, for token calls and
// revocations, whether the provider answered with an error (as the
// provider's dialect detects one).
func (red *redactor) autoName(g *callGroup, spec core.ProviderSpec) string {
	name := string(g.op)
	if g.op != OpExchange && g.op != OpRefresh && g.op != OpRevocation {
		return name
	}
	last := g.calls[len(g.calls)-1]
	failed := last.status >= 400
	if obj := answerObject(last.respBody, ""); obj != nil && !failed {
		var m map[string]any
		if decodeJSON([]byte(orderedJSONText(obj)), &m) == nil {
			detectors := []func(int, map[string]any) *core.Error{corehook.DetectRFC6749.(func(int, map[string]any) *core.Error)}
			if d := spec.Client.Dialect; d != nil && d.ErrorDetectors != nil {
				detectors = d.ErrorDetectors
			}
			for _, det := range detectors {
				if det(last.status, m) != nil {
					failed = true
					break
				}
			}
		}
	}
	switch {
	case failed:
		return name + "_error"
	case g.op == OpExchange:
		return name + "_success"
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
