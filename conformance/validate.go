package conformance

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"sort"
	"strings"

	"github.com/go-oauth20/oauth20/core"
	"github.com/go-oauth20/oauth20/oidc"
)

var (
	scenarioName = regexp.MustCompile(`^[a-z0-9][a-z0-9_.-]{0,99}$`)
	methodName   = regexp.MustCompile(`^[A-Z]{3,10}$`)
)

// Validate reports every problem of a cassette built in memory (Parse,
// Load and LoadDir validate already), joined, each a *CassetteError.
func (c *Cassette) Validate() error { return c.validate("", true) }

// validator collects the problems of one cassette.
type validator struct {
	file string
	c    *Cassette
	// bound is where placeholders, keys and ID tokens are looked up: c,
	// or every file of a directory (LoadDir) when c is one of them.
	bound  *Cassette
	errs   []error
	seen   map[string]bool
	prefix string
	// inIDToken is set while an ID token's own text is checked: it may not
	// name another ID token.
	inIDToken bool
}

func (v *validator) bad(where, format string, args ...any) {
	if v.prefix != "" {
		if where == "" {
			where = v.prefix
		} else {
			where = v.prefix + ": " + where
		}
	}
	v.errs = append(v.errs, &CassetteError{File: v.file, Where: where, Reason: fmt.Sprintf(format, args...)})
}

// text checks the placeholders of one string of the cassette: well formed,
// bound, and the wildcard only where a request is described.
func (v *validator) text(where, s string, request bool) {
	err := scanPlaceholders(s, func(name string) error {
		switch {
		case name == "*" && !request:
			return fmt.Errorf("the wildcard %s only matches request values; an answer or expectation needs a known value", Wildcard)
		case name == "*", isBuiltin(name):
			return nil
		}
		if _, ok := v.bound.IDTokens[name]; ok {
			if v.inIDToken {
				return fmt.Errorf("placeholder {{%s}} is an ID token: an ID token cannot hold another", name)
			}
			return nil
		}
		if _, ok := v.bound.Values[name]; !ok {
			return fmt.Errorf("placeholder {{%s}} is never bound (not built in, not in values or id_tokens)", name)
		}
		return nil
	})
	if err != nil {
		v.bad(where, "%v", err)
	}
}

func (v *validator) texts(where string, m map[string]string, request bool) {
	for _, k := range sortedKeys(m) {
		v.text(where+"."+k, k, request)
		v.text(where+"."+k, m[k], request)
	}
}

// validate checks c on its own.
func (c *Cassette) validate(file string, requireExpect bool) error {
	return c.validateIn(file, requireExpect, c)
}

// validateIn checks c, one file of a directory, where bound holds the
// values, keys and ID tokens of every file, which c may use.
func (c *Cassette) validateIn(file string, requireExpect bool, bound *Cassette) error {
	v := &validator{file: file, c: c, bound: bound, seen: map[string]bool{}}
	if c.Provider == "" {
		v.bad("", "provider is empty")
	}
	for _, k := range sortedKeys(c.Values) {
		switch {
		case !placeholderName.MatchString(k):
			v.bad("values", "name %q: use lowercase letters, digits and '_'", k)
		case isBuiltin(k):
			v.bad("values", "name %q is bound by the replay and cannot be redefined", k)
		case strings.Contains(c.Values[k], "{{"):
			v.bad("values."+k, "a value cannot hold a placeholder")
		}
	}
	v.idTokens()
	for i := range c.Shared {
		v.interaction(fmt.Sprintf("shared[%d]", i), &c.Shared[i])
	}
	if len(c.Scenarios) == 0 {
		v.bad("", "no scenarios")
	}
	for i := range c.Scenarios {
		v.scenario(i, &c.Scenarios[i], requireExpect)
	}
	return errors.Join(v.errs...)
}

func (v *validator) scenario(i int, s *Scenario, requireExpect bool) {
	v.prefix = fmt.Sprintf("scenarios[%d]", i)
	defer func() { v.prefix = "" }()
	if !scenarioName.MatchString(s.Name) {
		v.bad("name", "%q: use lowercase letters, digits, '_', '-' and '.' (it names a subtest)", s.Name)
	} else {
		v.prefix = fmt.Sprintf("scenario %q", s.Name)
		if v.seen[s.Name] {
			v.bad("name", "the name is used twice")
		}
		v.seen[s.Name] = true
	}
	in := s.Input
	for _, f := range []string{in.Code, in.RefreshToken, in.Token, in.TokenTypeHint, in.AccessToken, in.Nonce} {
		v.text("input", f, false)
	}
	if strings.Contains(in.IDToken, "{{") {
		name := strings.TrimSuffix(strings.TrimPrefix(in.IDToken, "{{"), "}}")
		if _, ok := v.bound.IDTokens[name]; !ok || in.IDToken != "{{"+name+"}}" {
			v.bad("input.id_token", "%q: give one of the cassette's id_tokens as its placeholder, or a token verbatim", truncate(in.IDToken, 40))
		}
	}
	if in.IDToken != "" && s.Op != OpUser {
		v.bad("input.id_token", "only a user scenario takes one (an exchange or refresh gets its ID token from the answer)")
	}
	for _, sc := range in.Scopes {
		v.text("input.scopes", sc, false)
	}
	v.texts("input.token_fields", in.TokenFields, false)
	v.texts("input.callback", in.Callback, false)
	v.texts("input.params", in.Params, false)
	for j := range s.Interactions {
		v.interaction(fmt.Sprintf("interactions[%d]", j), &s.Interactions[j])
	}
	switch s.Op {
	case OpAuthorizationURL:
		if s.Authorization == nil {
			v.bad("authorization", "missing: an authorization_url scenario states the expected URL")
		} else {
			v.url("authorization.url", s.Authorization.URL)
			v.texts("authorization.query", s.Authorization.Query, true)
			v.text("authorization.fragment", s.Authorization.Fragment, true)
		}
		if len(s.Interactions) > 0 || s.Expect != nil {
			v.bad("", "an authorization_url scenario has no interactions and no expect")
		}
		return
	case OpExchange, OpRefresh, OpRevocation, OpUser:
	case "":
		v.bad("op", "missing")
		return
	default:
		v.bad("op", "unknown operation %q (want authorization_url, exchange, refresh, revocation or user)", s.Op)
		return
	}
	if s.Authorization != nil {
		v.bad("authorization", "only authorization_url scenarios have one")
	}
	v.expect(s, requireExpect)
}

func (v *validator) expect(s *Scenario, requireExpect bool) {
	e := s.Expect
	if e == nil {
		if requireExpect && s.Op != OpRevocation {
			v.bad("expect", "missing: say what the operation must return (token, user or error)")
		}
		return
	}
	n := 0
	for _, set := range []bool{e.Token != nil, e.User != nil, e.Error != nil} {
		if set {
			n++
		}
	}
	switch {
	case n > 1:
		v.bad("expect", "give one of token, user and error")
	case e.Token != nil && s.Op != OpExchange && s.Op != OpRefresh:
		v.bad("expect.token", "a %s returns no token", s.Op)
	case e.User != nil && s.Op != OpUser:
		v.bad("expect.user", "a %s returns no user", s.Op)
	case n == 0 && s.Op != OpRevocation:
		v.bad("expect", "empty: say what the operation must return (token, user or error)")
	}
	if t := e.Token; t != nil {
		for _, f := range []string{t.AccessToken, t.TokenType, t.RefreshToken, t.IDToken, t.Scope} {
			v.text("expect.token", f, false)
		}
		if t.AccessToken == "" {
			v.bad("expect.token.access_token", "missing")
		}
		for k, raw := range t.Raw {
			v.text("expect.token.raw."+k, string(raw), false)
		}
		for k, raw := range t.IDTokenClaims {
			v.text("expect.token.id_token_claims."+k, string(raw), false)
		}
	}
	if u := e.User; u != nil {
		for _, f := range []string{u.ID, u.Email, u.Name, u.Username, u.AvatarURL, u.UnionID} {
			v.text("expect.user", f, false)
		}
		if u.ID == "" {
			v.bad("expect.user.id", "missing")
		}
		for k, raw := range u.Raw {
			v.text("expect.user.raw."+k, string(raw), false)
		}
	}
	if er := e.Error; er != nil {
		v.text("expect.error.description", er.Description, false)
		switch {
		case er.Code == "" && er.Is == "":
			v.bad("expect.error", "give code (an OAuth error code) or is (a core sentinel)")
		case er.Code != "" && er.Is != "":
			v.bad("expect.error", "give code or is, not both")
		case er.Is != "" && sentinels[er.Is] == nil:
			v.bad("expect.error.is", "unknown sentinel %q (want one of %s)", er.Is, strings.Join(sortedKeys(sentinels), ", "))
		case er.Is != "" && er.ProviderCode != "":
			v.bad("expect.error.provider_code", "only protocol errors (code) have one")
		}
		if er.Status != 0 && (er.Status < 100 || er.Status > 599) {
			v.bad("expect.error.status", "%d is not an HTTP status", er.Status)
		}
	}
}

func (v *validator) interaction(where string, in *Interaction) {
	rq, rs := &in.Request, &in.Response
	if !methodName.MatchString(rq.Method) {
		v.bad(where+".request.method", "%q: want an HTTP method in capitals", rq.Method)
	}
	v.url(where+".request.url", rq.URL)
	for _, s := range rq.Auth.strings() {
		v.text(where+".request.auth", s, true)
	}
	v.texts(where+".request.headers", rq.Headers, true)
	v.texts(where+".request.query", rq.Query, true)
	v.texts(where+".request.form", rq.Form, true)
	bodies := 0
	if rq.Form != nil {
		bodies++
	}
	if rq.JSON != nil {
		bodies++
		v.text(where+".request.json", string(rq.JSON), true)
	}
	if rq.Body != nil {
		bodies++
		v.text(where+".request.body", *rq.Body, true)
	}
	if bodies > 1 {
		v.bad(where+".request", "give one of form, json and body")
	}
	switch {
	case rs.Status == 0:
		v.bad(where+".response", "no status")
	case rs.Status < 100 || rs.Status > 599:
		v.bad(where+".response.status", "%d is not an HTTP status", rs.Status)
	}
	if rs.Body != nil && rs.JSON != nil {
		v.bad(where+".response", "give body or json, not both")
	}
	for _, k := range rs.JWKS {
		if _, ok := v.bound.Keys[k]; !ok {
			v.bad(where+".response.jwks", "key %q is not among the cassette's keys", k)
		}
	}
	if len(rs.JWKS) > 0 && rs.Body != nil {
		v.bad(where+".response", "jwks goes with json (its keys array) or alone, not with body")
	}
	for _, k := range sortedKeys(rs.Headers) {
		for _, h := range rs.Headers[k] {
			v.text(where+".response.headers."+k, h, false)
		}
	}
	if rs.JSON != nil {
		v.text(where+".response.json", string(rs.JSON), false)
	}
	if rs.Body != nil {
		v.text(where+".response.body", *rs.Body, false)
	}
}

// idTokens checks the cassette's keys and ID tokens.
func (v *validator) idTokens() {
	keys := map[string]*testKey{}
	for _, name := range sortedKeys(v.bound.Keys) {
		_, own := v.c.Keys[name]
		if own && !placeholderName.MatchString(name) {
			v.bad("keys", "name %q: use lowercase letters, digits and '_'", name)
		}
		k, err := parseKey(v.bound.Keys[name])
		switch {
		case err == nil:
			keys[name] = k
		case own:
			v.bad("keys."+name, "%v", err)
		}
	}
	for _, name := range sortedKeys(v.c.IDTokens) {
		where := "id_tokens." + name
		switch _, isValue := v.bound.Values[name]; {
		case !placeholderName.MatchString(name):
			v.bad("id_tokens", "name %q: use lowercase letters, digits and '_' (it names a placeholder)", name)
		case isBuiltin(name):
			v.bad("id_tokens", "name %q is bound by the replay and cannot be redefined", name)
		case isValue:
			v.bad("id_tokens", "name %q is also in values", name)
		}
		t := v.c.IDTokens[name]
		for _, p := range t.check(keys) {
			v.bad(where, "%s", p)
		}
		v.inIDToken = true
		v.text(where+".secret", t.Secret, false)
		v.text(where+".claims", string(t.Claims), false)
		for _, k := range sortedKeys(t.Header) {
			v.text(where+".header."+k, string(t.Header[k]), false)
		}
		v.texts(where+".hashes", t.Hashes, false)
		v.inIDToken = false
	}
}

// url checks an endpoint: absolute http(s), no query or fragment.
func (v *validator) url(where, raw string) {
	v.text(where, raw, true)
	u, err := url.Parse(raw)
	switch {
	case raw == "":
		v.bad(where, "missing")
	case err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http"):
		v.bad(where, "%q is not an absolute http(s) URL", truncate(raw, 80))
	case u.RawQuery != "" || u.ForceQuery:
		v.bad(where, "%q has a query: list its parameters in query", truncate(raw, 80))
	case u.Fragment != "":
		v.bad(where, "%q has a fragment", truncate(raw, 80))
	}
}

// sentinels are the core errors an ErrorExpectation may name with is.
var sentinels = map[string]error{
	"transport":              core.ErrTransport,
	"response_too_large":     core.ErrResponseTooLarge,
	"malformed_response":     core.ErrMalformedResponse,
	"unexpected_status":      core.ErrUnexpectedStatus,
	"missing_access_token":   core.ErrMissingAccessToken,
	"unsupported_token_type": core.ErrUnsupportedTokenTypeLocal,
	"invalid_expiry":         core.ErrInvalidExpiry,
	"no_endpoint":            core.ErrNoEndpoint,
	"no_refresh_token":       core.ErrNoRefreshToken,
	"no_user_id":             core.ErrNoUserID,
	"no_id_token":            core.ErrNoIDToken,
	"invalid_callback":       core.ErrInvalidCallback,
	// ID-token and UserInfo checks of package oidc.
	"bad_signature":             oidc.ErrBadSignature,
	"unknown_key":               oidc.ErrUnknownKey,
	"issuer_mismatch":           oidc.ErrIssuerMismatch,
	"audience_mismatch":         oidc.ErrAudienceMismatch,
	"token_expired":             oidc.ErrTokenExpired,
	"nonce_mismatch":            oidc.ErrNonceMismatch,
	"userinfo_subject_mismatch": oidc.ErrUserInfoSubjectMismatch,
	"malformed_token":           oidc.ErrMalformedToken,
	"unsupported_algorithm":     oidc.ErrUnsupportedAlgorithm,
	"key_not_usable":            oidc.ErrKeyNotUsable,
	"authorized_party_mismatch": oidc.ErrAuthorizedPartyMismatch,
	"issued_in_future":          oidc.ErrIssuedInFuture,
	"token_not_yet_valid":       oidc.ErrTokenNotYetValid,
	"missing_claim":             oidc.ErrMissingClaim,
	"invalid_subject":           oidc.ErrInvalidSubject,
	"at_hash_mismatch":          oidc.ErrAtHashMismatch,
	"refresh_mismatch":          oidc.ErrRefreshMismatch,
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
