package oidctest

import (
	"net/http"
	"strings"
)

// userinfo is the UserInfo endpoint (OpenID Connect Core §5.3). It accepts
// the access token only in an "Authorization: Bearer" header (RFC 6750
// §2.1) and rejects it in the query or body, so a client that leaks tokens
// into URLs fails its tests. Claims are released by the token's scopes.
func (s *Server) userinfo(w http.ResponseWriter, r *http.Request, _ *ErrorResponse) {
	if r.URL.Query().Has("access_token") || r.PostForm.Has("access_token") {
		writeBearerError(w, errInvalidRequest("send the access token in the Authorization header"))
		return
	}
	h := r.Header.Get("Authorization")
	if h == "" {
		// No credentials at all: a bare challenge (RFC 6750 §3.1).
		writeBearerError(w, newError(http.StatusUnauthorized, "", ""))
		return
	}
	scheme, raw, _ := strings.Cut(h, " ")
	raw = strings.TrimSpace(raw)
	if !strings.EqualFold(scheme, "Bearer") || raw == "" {
		writeBearerError(w, errInvalidRequest("the Authorization header must use the Bearer scheme"))
		return
	}

	now := s.now()
	s.mu.Lock()
	at, ok := s.store.access[raw]
	active := ok && at.active(now)
	s.mu.Unlock()
	if !active {
		writeBearerError(w, newError(http.StatusUnauthorized, "invalid_token", "the access token is unknown, expired or revoked"))
		return
	}
	if at.grant.user == nil || !hasScope(at.scope, "openid") && !s.cfg.ImplicitOpenID {
		writeBearerError(w, newError(http.StatusForbidden, "insufficient_scope", "the access token lacks the openid scope"))
		return
	}
	claims := at.grant.user.claims(at.scope)
	if sub := s.Faults().UserInfoSubject; sub != "" {
		claims["sub"] = sub
	}
	writeJSON(w, http.StatusOK, claims)
}

// UserFor returns the user an access token was issued for, and whether the
// token is active (issued by this server, for a login, not expired nor
// revoked). Config.Handlers use it to answer as a provider's own API would.
func (s *Server) UserFor(accessToken string) (User, bool) {
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	at, ok := s.store.access[accessToken]
	if !ok || !at.active(now) || at.grant.user == nil {
		return User{}, false
	}
	return at.grant.user.clone(), true
}
