package oidctest

import (
	"html/template"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
)

var (
	// s256Challenge matches BASE64URL(SHA256(verifier)) without padding.
	s256Challenge = regexp.MustCompile(`^[A-Za-z0-9_-]{43}$`)
	// codeVerifier is RFC 7636 §4.1's ABNF.
	codeVerifier = regexp.MustCompile(`^[A-Za-z0-9._~-]{43,128}$`)
)

// authzResponse is where and how the authorization response goes.
type authzResponse struct {
	redirectURI string
	formPost    bool
	state       string
}

// authorize is the authorization endpoint (RFC 6749 §4.1.1, OpenID Connect
// Core §3.1.2). There is no login page and no consent screen: a valid
// request is answered at once with a code for the current user.
func (s *Server) authorize(w http.ResponseWriter, r *http.Request, fault *ErrorResponse) {
	q := r.Form

	// Until client_id and redirect_uri are known good, errors must not be
	// redirected (RFC 6749 §4.1.2.1).
	if len(q["client_id"]) != 1 || q.Get("client_id") == "" {
		writePage(w, http.StatusBadRequest, "invalid_request", "exactly one client_id is required")
		return
	}
	client, ok := s.lookupClient(q.Get("client_id"))
	if !ok {
		writePage(w, http.StatusBadRequest, "invalid_client", "unknown client")
		return
	}
	redirectURI := q.Get("redirect_uri")
	if len(q["redirect_uri"]) != 1 || !slices.Contains(client.RedirectURIs, redirectURI) {
		writePage(w, http.StatusBadRequest, "invalid_request", "redirect_uri is not registered for this client")
		return
	}

	resp := authzResponse{redirectURI: redirectURI, state: q.Get("state")}
	switch q.Get("response_mode") {
	case "", "query":
	case "form_post":
		resp.formPost = true
	default:
		s.respond(w, resp, errorParams(errInvalidRequest("unsupported response_mode")))
		return
	}
	if e := s.checkAuthorizeRequest(q, client); e != nil {
		s.respond(w, resp, errorParams(e))
		return
	}
	if fault != nil {
		if fault.Body != "" {
			fault.write(w, AuthorizeEndpoint)
			return
		}
		s.respond(w, resp, errorParams(fault.oauth()))
		return
	}

	now := s.now()
	s.mu.Lock()
	user := s.user.clone()
	g := &grant{
		clientID: client.ID,
		user:     &user,
		scope:    splitScope(q.Get("scope")),
		nonce:    q.Get("nonce"),
		authTime: now,
		sid:      randomString(),
	}
	code := randomString()
	s.store.sessions[g.sid] = g
	s.store.codes[code] = &authCode{
		grant:       g,
		redirectURI: redirectURI,
		challenge:   q.Get("code_challenge"),
		expires:     now.Add(s.cfg.CodeTTL),
	}
	s.store.sweep(now)
	s.mu.Unlock()

	s.respond(w, resp, url.Values{"code": {code}})
}

// checkAuthorizeRequest checks everything but client_id and redirect_uri.
func (s *Server) checkAuthorizeRequest(q url.Values, client Client) *oauthError {
	for _, k := range sortedKeys(q) {
		if len(q[k]) > 1 {
			return errInvalidRequest("parameter " + k + " is repeated")
		}
	}
	if q.Has("request") {
		return newError(0, "request_not_supported", "request objects are not supported")
	}
	if q.Has("request_uri") {
		return newError(0, "request_uri_not_supported", "request_uri is not supported")
	}
	switch rt := q.Get("response_type"); rt {
	case "code":
	case "":
		return errInvalidRequest("response_type is required")
	default:
		return newError(0, "unsupported_response_type", "only response_type=code is supported")
	}
	if !s.cfg.ImplicitOpenID && !hasScope(splitScope(q.Get("scope")), "openid") {
		return newError(0, "invalid_scope", "scope must include openid")
	}
	challenge, method := q.Get("code_challenge"), q.Get("code_challenge_method")
	switch {
	case challenge == "" && method != "":
		return errInvalidRequest("code_challenge_method without code_challenge")
	case challenge != "" && method != "S256":
		// An absent method means "plain" (RFC 7636 §4.3), which is not
		// supported.
		return errInvalidRequest("code_challenge_method must be S256")
	case challenge != "" && !s256Challenge.MatchString(challenge):
		return errInvalidRequest("code_challenge is not a base64url SHA-256 hash")
	case challenge == "" && client.public():
		return errInvalidRequest("PKCE (code_challenge with S256) is required for public clients")
	}
	return nil
}

func sortedKeys(q url.Values) []string {
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func errorParams(e *oauthError) url.Values {
	v := url.Values{"error": {e.code}}
	if e.description != "" {
		v.Set("error_description", e.description)
	}
	return v
}

// respond sends an authorization response (success or error) back to the
// client with state and, per RFC 9207, iss; by redirect or, for
// response_mode=form_post, by an auto-submitting form.
func (s *Server) respond(w http.ResponseWriter, resp authzResponse, params url.Values) {
	if resp.state != "" {
		params.Set("state", resp.state)
	}
	f := s.Faults()
	switch {
	case f.OmitResponseIssuer:
	case f.WrongResponseIssuer:
		params.Set("iss", AttackerIssuer)
	case s.sendsResponseIssuer():
		params.Set("iss", s.issuer)
	}
	w.Header().Set("Cache-Control", "no-store")
	if resp.formPost {
		writeFormPost(w, resp.redirectURI, params)
		return
	}
	u, err := url.Parse(resp.redirectURI)
	if err != nil { // checked at registration; kept for safety
		writePage(w, http.StatusInternalServerError, "server_error", "unusable redirect_uri")
		return
	}
	q := u.Query() // keep the registered URI's own query (RFC 6749 §3.1.2)
	for k, vs := range params {
		q[k] = vs
	}
	u.RawQuery = q.Encode()
	w.Header().Set("Location", u.String())
	w.WriteHeader(http.StatusFound)
}

var formPostPage = template.Must(template.New("form_post").Parse(`<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Submitting the authorization response</title></head>
<body onload="document.forms[0].submit()">
<form method="post" action="{{.Action}}">
{{range .Fields}}<input type="hidden" name="{{.Name}}" value="{{.Value}}">
{{end}}<noscript><button type="submit">Continue</button></noscript>
</form>
</body></html>
`))

// writeFormPost writes the OAuth 2.0 Form Post Response Mode page: a form
// that the browser submits to the redirect URI as soon as it loads.
func writeFormPost(w http.ResponseWriter, action string, params url.Values) {
	type field struct{ Name, Value string }
	var fields []field
	for _, k := range sortedKeys(params) {
		fields = append(fields, field{k, params.Get(k)})
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = formPostPage.Execute(w, struct {
		Action string // html/template refuses unsafe schemes here
		Fields []field
	}{action, fields})
}
