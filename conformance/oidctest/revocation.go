package oidctest

import (
	"net/http"
)

// revoke is the revocation endpoint (RFC 7009). The client authenticates as
// at the token endpoint. Revoking a refresh token revokes its whole grant,
// access tokens included (§2.1 allows this); revoking an access token
// revokes that token alone. An unknown token is not an error (§2.2).
// token_type_hint is accepted and, as §2.1 allows, not needed.
func (s *Server) revoke(w http.ResponseWriter, r *http.Request, _ *ErrorResponse) {
	if e := checkFormRequest(r); e != nil {
		writeError(w, e)
		return
	}
	client, e := s.authenticateClient(r, r.PostForm)
	if e != nil {
		writeError(w, e)
		return
	}
	raw := r.PostForm.Get("token")
	if raw == "" {
		writeError(w, errInvalidRequest("token is required"))
		return
	}

	s.mu.Lock()
	var owner string
	var revoke func()
	if rt, ok := s.store.refresh[raw]; ok {
		owner, revoke = rt.grant.clientID, func() { rt.grant.revoked = true }
	} else if at, ok := s.store.access[raw]; ok {
		owner, revoke = at.grant.clientID, func() { at.revoked = true }
	}
	if revoke != nil && owner != client.ID {
		s.mu.Unlock()
		// §2.1: the token must have been issued to the requesting client.
		writeError(w, newError(http.StatusBadRequest, "unauthorized_client", "the token was issued to another client"))
		return
	}
	if revoke != nil {
		revoke()
	}
	s.mu.Unlock()

	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
}
