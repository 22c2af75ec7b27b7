package oidctest

import (
	"errors"
	"net/http"
	"net/url"
	"slices"

	"github.com/golang-jwt/jwt/v5"
)

// endSession is the end-session endpoint (OpenID Connect RP-Initiated
// Logout 1.0 §2, §3). id_token_hint must be an ID token this server signed
// with a published key (an expired one is fine); it names the client and
// the session. post_logout_redirect_uri must be registered for that client,
// or for client_id when no hint is sent; state is echoed to it. The session
// of the hint ends: its grant's tokens are revoked. Without a redirect the
// user agent gets a plain "signed out" page.
func (s *Server) endSession(w http.ResponseWriter, r *http.Request, _ *ErrorResponse) {
	q := r.Form
	for _, k := range sortedKeys(q) {
		if len(q[k]) > 1 {
			writePage(w, http.StatusBadRequest, "invalid_request", "parameter "+k+" is repeated")
			return
		}
	}
	clientID, sid := q.Get("client_id"), ""
	if hint := q.Get("id_token_hint"); hint != "" {
		aud, hintSID, err := s.parseIDTokenHint(hint)
		if err != nil {
			writePage(w, http.StatusBadRequest, "invalid_request", "id_token_hint was not issued by this provider")
			return
		}
		if clientID != "" && clientID != aud {
			writePage(w, http.StatusBadRequest, "invalid_request", "client_id differs from the id_token_hint audience")
			return
		}
		clientID, sid = aud, hintSID
	}
	target := q.Get("post_logout_redirect_uri")
	if target != "" {
		c, ok := s.lookupClient(clientID)
		if !ok {
			writePage(w, http.StatusBadRequest, "invalid_request", "post_logout_redirect_uri needs a known client (id_token_hint or client_id)")
			return
		}
		if !slices.Contains(c.PostLogoutRedirectURIs, target) {
			writePage(w, http.StatusBadRequest, "invalid_request", "post_logout_redirect_uri is not registered for this client")
			return
		}
	}

	if sid != "" {
		s.mu.Lock()
		if g, ok := s.store.sessions[sid]; ok {
			g.revoked = true
			delete(s.store.sessions, sid)
		}
		s.mu.Unlock()
	}

	w.Header().Set("Cache-Control", "no-store")
	if target == "" {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("You are signed out.\n"))
		return
	}
	u, err := url.Parse(target)
	if err != nil {
		writePage(w, http.StatusInternalServerError, "server_error", "unusable post_logout_redirect_uri")
		return
	}
	if state := q.Get("state"); state != "" {
		v := u.Query()
		v.Set("state", state)
		u.RawQuery = v.Encode()
	}
	w.Header().Set("Location", u.String())
	w.WriteHeader(http.StatusFound)
}

var errHint = errors.New("oidctest: bad id_token_hint")

// parseIDTokenHint checks the signature and issuer of an ID token this
// server issued and returns its single audience and its sid. Expiry is not
// checked: a hint may be an expired ID token.
func (s *Server) parseIDTokenHint(raw string) (aud, sid string, err error) {
	claims := jwt.MapClaims{}
	_, err = jwt.ParseWithClaims(raw, claims, func(t *jwt.Token) (any, error) {
		if algorithms[s.cfg.Algorithm].hmac {
			// MACed with the secret of the client it was issued to.
			auds, err := t.Claims.GetAudience()
			if err != nil || len(auds) != 1 {
				return nil, errHint
			}
			c, ok := s.lookupClient(auds[0])
			if !ok || c.Secret == "" {
				return nil, errHint
			}
			return []byte(c.Secret), nil
		}
		kid, _ := t.Header["kid"].(string)
		s.mu.Lock()
		defer s.mu.Unlock()
		k := s.keys.find(kid)
		if k == nil || k.jwk == nil {
			return nil, errHint
		}
		return k.private.Public(), nil
	}, jwt.WithValidMethods([]string{s.cfg.Algorithm}), jwt.WithoutClaimsValidation())
	if err != nil {
		return "", "", errHint
	}
	if iss, _ := claims["iss"].(string); iss != s.tokenIssuer() {
		return "", "", errHint
	}
	auds, err := claims.GetAudience()
	if err != nil || len(auds) != 1 {
		return "", "", errHint
	}
	sid, _ = claims["sid"].(string)
	return auds[0], sid, nil
}
