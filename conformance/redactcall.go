package conformance

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"sort"
	"strings"

	"github.com/go-oauth20/oauth20/core"
)

// keptResponseHeaders are written; others (dates, request ids, rate
// limits) are left out.
var keptResponseHeaders = []string{"Content-Type", "Location", "Retry-After", "Www-Authenticate", "Link", "Set-Cookie"}

// hint returns the kind of token a revocation request names in its
// token_type_hint (an access token when it names none).
func (s *scenarioRedactor) hint(c *call) secretKind {
	for k, vs := range c.params() {
		if s.r.names.hint[k] && len(vs) > 0 && vs[0] == core.HintRefreshToken {
			return kindRefresh
		}
	}
	return kindAccess
}

// interaction redacts one call into the cassette's form.
func (s *scenarioRedactor) interaction(c *call) Interaction {
	s.revoked = s.hint(c)
	rq := Request{Method: c.method, URL: s.text("", endpointOf(c.url), false)}
	for _, k := range sortedKeys(c.url.Query()) {
		if rq.Query == nil {
			rq.Query = map[string]string{}
		}
		rq.Query[k] = s.param(k, strings.Join(c.url.Query()[k], ","), "query parameter")
	}
	rq.Headers = s.requestHeaders(c.header)
	var extra string
	rq.Auth, extra = s.auth(c.header.Get("Authorization"))
	if extra != "" {
		if rq.Headers == nil {
			rq.Headers = map[string]string{}
		}
		rq.Headers["Authorization"] = extra
	}
	s.requestBody(c, &rq)
	rs := Response{Status: c.status}
	for _, k := range keptResponseHeaders {
		for _, v := range c.respHeader.Values(k) {
			if rs.Headers == nil {
				rs.Headers = HeaderValues{}
			}
			switch k {
			case "Content-Type", "Retry-After":
			case "Set-Cookie":
				v = s.text("", redactCookie(v), false)
			case "Location":
				v = s.location(v)
			default:
				v = s.text("", v, false)
			}
			rs.Headers[k] = append(rs.Headers[k], v)
		}
	}
	if len(c.respBody) > 0 {
		rs.JSON, rs.Body = s.answerBody(c.respBody)
	}
	return Interaction{Request: rq, Response: rs}
}

// param redacts one request parameter (query, form field); where names
// its place for messages.
func (s *scenarioRedactor) param(name, v, where string) string {
	s.where = where
	return s.str(name, v, s.classOf(name, class{}, true), true)
}

// requestHeaders redacts the request's headers: the ones that carry the
// access token or a declared secret become placeholders, the public ones
// and the dialect's own are written as they are (known values replaced),
// and any other header must not look like it holds a secret.
func (s *scenarioRedactor) requestHeaders(h http.Header) map[string]string {
	var out map[string]string
	for _, k := range sortedKeys(h) {
		ck := http.CanonicalHeaderKey(k)
		v := strings.Join(h[k], ", ")
		if skippedRequestHeaders[ck] && !s.r.names.public[ck] {
			continue
		}
		if out == nil {
			out = map[string]string{}
		}
		switch kind := s.r.names.headers[ck]; {
		case kind != notSecret:
			out[k] = s.secret(ck, v, kind, true)
		case s.r.names.public[ck]:
			out[k] = s.text("", v, false)
		default:
			s.where = "header"
			out[k] = s.text(ck, v, true)
		}
	}
	return out
}

// auth turns the Authorization header into the cassette's auth, or, for a
// scheme the cassette cannot state, into a redacted header value (extra).
func (s *scenarioRedactor) auth(authz string) (a Auth, extra string) {
	if authz == "" {
		return Auth{}, ""
	}
	scheme, cred, _ := strings.Cut(authz, " ")
	cred = strings.TrimSpace(cred)
	switch {
	case strings.EqualFold(scheme, "basic"):
		dec, err := base64.StdEncoding.DecodeString(cred)
		if err != nil {
			s.problem("its Authorization header is Basic but does not decode")
			return Auth{Method: AuthBasic, Username: s.secret("", cred, kindOther, true)}, ""
		}
		u, p, _ := strings.Cut(string(dec), ":")
		uu, err1 := url.QueryUnescape(u)
		pu, err2 := url.QueryUnescape(p)
		if err1 == nil && err2 == nil && s.r.global[uu] == "{{client_id}}" && s.r.global[pu] == "{{client_secret}}" &&
			u == url.QueryEscape(uu) && p == url.QueryEscape(pu) {
			return Auth{Method: string(core.AuthSecretBasic)}, ""
		}
		return Auth{Method: AuthBasic, Username: s.secret("", u, kindClientID, true), Password: s.secret("", p, kindClientSecret, true)}, ""
	case strings.EqualFold(scheme, "bearer"):
		return Auth{Method: AuthBearer, Token: s.secret("", cred, kindAccess, true)}, ""
	case strings.EqualFold(scheme, "oauth"):
		// Yandex's scheme, which the cassette states as {"oauth": token}.
		return Auth{Method: AuthOAuth, Token: s.secret("", cred, kindAccess, true)}, ""
	}
	// OAuth2, token, DPoP...: the credential is the access token.
	return Auth{}, scheme + " " + s.secret("", cred, kindAccess, true)
}

// requestBody redacts the request's body into Form, JSON or Body.
func (s *scenarioRedactor) requestBody(c *call, rq *Request) {
	ct := mediaType(c.header.Get("Content-Type"))
	pb := parseBody(c.body)
	switch pb.kind {
	case bodyEmpty:
		if len(c.body) > 0 {
			t := string(c.body)
			rq.Body = &t
		}
	case bodyForm:
		pairs := s.formPairs(pb.form, true)
		if ct != "application/x-www-form-urlencoded" {
			t := writeForm(pairs)
			rq.Body = &t
			return
		}
		rq.Form = map[string]string{}
		for _, p := range pairs {
			if old, ok := rq.Form[p.key]; ok {
				p.value = old + "," + p.value
			}
			rq.Form[p.key] = p.value
		}
	case bodyJSON:
		s.where = "JSON member"
		t := orderedJSONText(s.tree(pb.tree, "", class{}, true))
		if ct == "application/json" {
			rq.JSON = json.RawMessage(t)
		} else {
			rq.Body = &t
		}
	case bodyJWT:
		t := s.secret("", pb.text, kindOther, true)
		rq.Body = &t
	default:
		s.problem("its request body is neither JSON, a form nor a JWT (%s); it is not written", describeKind(ct))
	}
}

// formPairs redacts a form's pairs.
func (s *scenarioRedactor) formPairs(pairs []formPair, request bool) []formPair {
	out := make([]formPair, len(pairs))
	for i, p := range pairs {
		if request {
			out[i] = formPair{p.key, s.param(p.key, p.value, "form field")}
		} else {
			out[i] = formPair{p.key, s.str(p.key, p.value, s.classOf(p.key, class{}, false), false)}
		}
	}
	return out
}

// answerBody redacts an answer: inline JSON when it is JSON, text
// otherwise (JSONP, form, a JWT). An answer the recorder cannot read is not
// written.
func (s *scenarioRedactor) answerBody(b []byte) (json.RawMessage, *string) {
	pb := parseBody(b)
	var t string
	switch pb.kind {
	case bodyEmpty:
		t = string(b)
	case bodyJSON:
		return json.RawMessage(orderedJSONText(s.tree(pb.tree, "", class{}, false))), nil
	case bodyJSONP:
		t = pb.prefix + orderedJSONText(s.tree(pb.tree, "", class{}, false)) + pb.suffix
	case bodyForm:
		t = writeForm(s.formPairs(pb.form, false))
	case bodyJWT:
		t = s.secret("", pb.text, kindIDToken, false)
	case bodyLine:
		// Known values are replaced; what is left has no name to say what
		// it is, so it must not look like a secret or an identifier.
		t = s.text("", string(b), false)
		if mayHoldSecret(t) {
			s.problem("its answer is a line of text that may hold a secret or an identifier (%d bytes); it is not written", len(b))
			return nil, nil
		}
	default:
		s.problem("its answer is neither JSON, JSONP, a form, a JWT nor a short line of text (%d bytes); it is not written", len(b))
		return nil, nil
	}
	return nil, &t
}

func describeKind(ct string) string {
	if ct == "" {
		return "no content type"
	}
	return ct
}

// location redacts a Location header: its query and fragment parameters
// like a request's.
func (s *scenarioRedactor) location(v string) string {
	u, err := url.Parse(v)
	if err != nil {
		return s.text("", v, false)
	}
	q := u.Query()
	for k, vs := range q {
		for i := range vs {
			vs[i] = s.param(k, vs[i], "Location parameter")
		}
	}
	out := s.text("", endpointOf(u), false)
	if len(q) > 0 {
		out += "?" + encodeKeepingPlaceholders(q)
	}
	if u.Fragment != "" {
		if f, err := url.ParseQuery(u.Fragment); err == nil && strings.Contains(u.Fragment, "=") {
			for k, vs := range f {
				for i := range vs {
					vs[i] = s.param(k, vs[i], "Location fragment parameter")
				}
			}
			out += "#" + encodeKeepingPlaceholders(f)
		} else {
			out += "#" + s.text("", u.Fragment, false)
		}
	}
	return out
}

func encodeKeepingPlaceholders(v url.Values) string {
	keys := make([]string, 0, len(v))
	for k := range v {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var pairs []formPair
	for _, k := range keys {
		for _, x := range v[k] {
			pairs = append(pairs, formPair{k, x})
		}
	}
	return writeForm(pairs)
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

// authorizationURL redacts a recorded authorization URL.
func (s *scenarioRedactor) authorizationURL(u *url.URL) *AuthorizationURL {
	a := &AuthorizationURL{URL: s.text("", endpointOf(u), false), Query: map[string]string{}}
	q := u.Query()
	for _, k := range sortedKeys(q) {
		a.Query[k] = s.param(k, strings.Join(q[k], ","), "authorization parameter")
	}
	if u.Fragment != "" {
		s.where = "authorization URL"
		a.Fragment = s.text("fragment", u.Fragment, true)
	}
	return a
}
