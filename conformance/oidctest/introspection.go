package oidctest

import (
	"net/http"
	"strings"
)

// introspect is the introspection endpoint (RFC 7662). Only confidential
// clients may call it (§2.1 requires the caller to be authorized); they may
// introspect any token. An unknown, expired or revoked token is reported as
// {"active": false} and nothing else (§2.2).
func (s *Server) introspect(w http.ResponseWriter, r *http.Request, _ *ErrorResponse) {
	if e := checkFormRequest(r); e != nil {
		writeError(w, e)
		return
	}
	client, e := s.authenticateClient(r, r.PostForm)
	if e != nil {
		writeError(w, e)
		return
	}
	if client.public() {
		writeError(w, errInvalidClient(false, "public clients may not introspect tokens"))
		return
	}
	raw := r.PostForm.Get("token")
	if raw == "" {
		writeError(w, errInvalidRequest("token is required"))
		return
	}

	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	var (
		g        *grant
		scope    []string
		iat, exp int64
		typ      string
	)
	if at, ok := s.store.access[raw]; ok && at.active(now) {
		g, scope, iat, exp, typ = at.grant, at.scope, at.issued.Unix(), at.expires.Unix(), "Bearer"
	} else if rt, ok := s.store.refresh[raw]; ok && rt.active(now) {
		g, scope, iat, exp, typ = rt.grant, rt.scope, rt.issued.Unix(), rt.expires.Unix(), "refresh_token"
	}
	if g == nil {
		writeJSON(w, http.StatusOK, map[string]any{"active": false})
		return
	}
	resp := map[string]any{
		"active":     true,
		"scope":      strings.Join(scope, " "),
		"client_id":  g.clientID,
		"token_type": typ,
		"exp":        exp,
		"iat":        iat,
		"iss":        s.issuer,
		"aud":        g.clientID,
	}
	if g.user != nil {
		resp["sub"] = g.user.Subject
		resp["sid"] = g.sid
		if g.user.PreferredUsername != "" {
			resp["username"] = g.user.PreferredUsername
		}
	}
	writeJSON(w, http.StatusOK, resp)
}
