package oidctest

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// tokenResponse is the successful token response of RFC 6749 §5.1 and
// OpenID Connect Core §3.1.3.3.
type tokenResponse struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int64  `json:"expires_in"`
	RefreshToken string `json:"refresh_token,omitempty"`
	Scope        string `json:"scope,omitempty"`
	IDToken      string `json:"id_token,omitempty"`
}

// token is the token endpoint (RFC 6749 §3.2). It authenticates the client
// by its registered method, then serves the authorization_code,
// refresh_token and client_credentials grants.
func (s *Server) token(w http.ResponseWriter, r *http.Request, _ *ErrorResponse) {
	if e := checkFormRequest(r); e != nil {
		writeError(w, e)
		return
	}
	form := r.PostForm
	client, e := s.authenticateClient(r, form)
	if e != nil {
		writeError(w, e)
		return
	}
	var resp *tokenResponse
	switch gt := form.Get("grant_type"); gt {
	case "authorization_code":
		resp, e = s.exchangeCode(client, form)
	case "refresh_token":
		resp, e = s.refreshGrant(client, form)
	case "client_credentials":
		resp, e = s.clientCredentials(client, form)
	case "":
		e = errInvalidRequest("grant_type is required")
	default:
		e = newError(http.StatusBadRequest, "unsupported_grant_type", "grant_type "+gt+" is not supported")
	}
	if e != nil {
		writeError(w, e)
		return
	}
	writeJSON(w, http.StatusOK, resp)
}

// checkFormRequest checks what RFC 6749 §3.2 asks of every request to the
// token endpoint, and of RFC 7009 and RFC 7662 requests too: a POST with a
// form-encoded body in which no parameter is repeated.
func checkFormRequest(r *http.Request) *oauthError {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/x-www-form-urlencoded" {
		return errInvalidRequest("the body must be application/x-www-form-urlencoded")
	}
	for _, k := range sortedKeys(r.PostForm) {
		if len(r.PostForm[k]) > 1 {
			return errInvalidRequest("parameter " + k + " is repeated")
		}
	}
	return nil
}

// exchangeCode serves grant_type=authorization_code (RFC 6749 §4.1.3,
// RFC 7636 §4.6).
func (s *Server) exchangeCode(client Client, form url.Values) (*tokenResponse, *oauthError) {
	raw := form.Get("code")
	if raw == "" {
		return nil, errInvalidRequest("code is required")
	}
	now := s.now()
	s.mu.Lock()
	code, ok := s.store.codes[raw]
	switch {
	case !ok:
		s.mu.Unlock()
		return nil, errInvalidGrant("unknown code")
	case code.used:
		// RFC 6749 §4.1.2: a replayed code revokes what it was exchanged for.
		code.grant.revoked = true
		s.mu.Unlock()
		return nil, errInvalidGrant("code was already used")
	}
	code.used = true // single use, whatever the outcome below
	s.mu.Unlock()

	switch {
	case !now.Before(code.expires):
		return nil, errInvalidGrant("code expired")
	case code.grant.clientID != client.ID:
		return nil, errInvalidGrant("code was issued to another client")
	case form.Get("redirect_uri") != code.redirectURI:
		return nil, errInvalidGrant("redirect_uri differs from the authorization request")
	}
	verifier := form.Get("code_verifier")
	switch {
	case code.challenge == "" && verifier != "":
		// RFC 9700 §4.8.2: a verifier without a challenge is a downgrade.
		return nil, errInvalidGrant("code_verifier sent but no code_challenge was")
	case code.challenge == "":
	case verifier == "":
		return nil, errInvalidGrant("code_verifier is required")
	case !codeVerifier.MatchString(verifier):
		return nil, errInvalidGrant("malformed code_verifier")
	default:
		sum := sha256.Sum256([]byte(verifier))
		want := base64.RawURLEncoding.EncodeToString(sum[:])
		if subtle.ConstantTimeCompare([]byte(want), []byte(code.challenge)) != 1 {
			return nil, errInvalidGrant("code_verifier does not match code_challenge")
		}
	}
	return s.issue(code.grant, code.grant.scope, code.grant.scope, true)
}

// refreshGrant serves grant_type=refresh_token (RFC 6749 §6) with rotation:
// the refresh token is single use and a new one is returned; reusing an old
// one revokes the whole grant (RFC 9700 §4.14.2).
func (s *Server) refreshGrant(client Client, form url.Values) (*tokenResponse, *oauthError) {
	raw := form.Get("refresh_token")
	if raw == "" {
		return nil, errInvalidRequest("refresh_token is required")
	}
	now := s.now()
	s.mu.Lock()
	rt, ok := s.store.refresh[raw]
	switch {
	case !ok:
		s.mu.Unlock()
		return nil, errInvalidGrant("unknown refresh token")
	case rt.grant.clientID != client.ID:
		s.mu.Unlock()
		return nil, errInvalidGrant("refresh token was issued to another client")
	case rt.used:
		rt.grant.revoked = true
		s.mu.Unlock()
		return nil, errInvalidGrant("refresh token was already used")
	case !rt.active(now):
		s.mu.Unlock()
		return nil, errInvalidGrant("refresh token is expired or revoked")
	}
	scope := rt.scope
	if req := form.Get("scope"); req != "" {
		scope = splitScope(req)
		for _, sc := range scope {
			if !hasScope(rt.scope, sc) {
				s.mu.Unlock()
				return nil, newError(http.StatusBadRequest, "invalid_scope", "scope exceeds the original grant")
			}
		}
	}
	rt.used = true
	s.mu.Unlock()
	// The new refresh token keeps the original scope (RFC 6749 §6); only
	// the access token is narrowed. No nonce on refresh (Core §12.2).
	return s.issue(rt.grant, scope, rt.scope, false)
}

// clientCredentials serves grant_type=client_credentials (RFC 6749 §4.4),
// for confidential clients only. It issues an access token alone.
func (s *Server) clientCredentials(client Client, form url.Values) (*tokenResponse, *oauthError) {
	if client.public() {
		return nil, newError(http.StatusBadRequest, "unauthorized_client", "public clients cannot use client_credentials")
	}
	g := &grant{clientID: client.ID, scope: splitScope(form.Get("scope")), authTime: s.now()}
	return s.issue(g, g.scope, nil, false)
}

// issue creates an access token for scope, a refresh token for
// refreshScope unless it is nil, and an ID token when the grant has a user
// and scope includes openid (or Config.ImplicitOpenID is set).
func (s *Server) issue(g *grant, scope, refreshScope []string, withNonce bool) (*tokenResponse, *oauthError) {
	withRefresh := refreshScope != nil
	now := s.now()
	resp := &tokenResponse{
		AccessToken: randomString(),
		TokenType:   "Bearer",
		ExpiresIn:   int64(s.cfg.AccessTokenTTL / time.Second),
		Scope:       strings.Join(scope, " "),
	}
	if withRefresh {
		resp.RefreshToken = randomString()
	}
	if g.user != nil && (hasScope(scope, "openid") || s.cfg.ImplicitOpenID) {
		f := s.Faults()
		idt, err := s.idToken(g, resp.AccessToken, withNonce, now, &f)
		if err != nil {
			return nil, newError(http.StatusInternalServerError, "server_error", "signing the ID token failed")
		}
		resp.IDToken = idt
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if g.revoked {
		// Revoked meanwhile (a concurrent replay): issue nothing.
		return nil, errInvalidGrant("grant was revoked")
	}
	s.store.access[resp.AccessToken] = &accessToken{
		grant: g, scope: scope, issued: now, expires: now.Add(s.cfg.AccessTokenTTL),
	}
	if withRefresh {
		s.store.refresh[resp.RefreshToken] = &refreshToken{
			grant: g, scope: refreshScope, issued: now, expires: now.Add(s.cfg.RefreshTokenTTL),
		}
	}
	s.store.sweep(now)
	return resp, nil
}
