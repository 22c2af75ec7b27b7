package core

import (
	"context"
	"errors"
	"net/http"
)

// Logout ends the session found in the request's cookies (looked up by
// name) and returns the URL to send the browser to and the cookie that
// deletes the session, at the provider the session was made with; without
// a session only the cookie is cleared and the browser goes to the
// after-logout path. A session kept in the Store (ServerSessions) is
// deleted from it; when the Store fails, the cookie is deleted all the same
// and the failure is logged at Error: the stored session is then reachable
// only through a copy of the cookie, until its lifetime ends or
// RevokeSessions ends it. With kept tokens they are revoked next where the
// provider has a revocation endpoint; failures are logged at Warn, not
// returned, since the local session ends regardless. The URL is the
// provider's end-session URL (OpenID Connect RP-Initiated Logout 1.0 §2,
// with client_id, and id_token_hint and post_logout_redirect_uri when the
// session has the ID token, which OpenID sessions keep) when it has one,
// else the Auth's AfterLogout path.
func (a *Auth) Logout(ctx context.Context, cookies func(name string) (string, bool)) (string, http.Cookie) {
	clear := a.clearSessionCookie()
	s, ok, err := a.Session(ctx, cookies)
	if err != nil {
		a.cfg.logger.ErrorContext(ctx, "oauth20: logout: the session could not be read", "error", err)
	}
	if a.cfg.serverSessions {
		a.deleteStoredSession(ctx, cookies)
	}
	if !ok {
		// Without a session there is nothing to end at the provider: a
		// cross-site request (which carries no SameSite=Lax cookie) must
		// not bounce the browser to the provider's logout.
		return a.cfg.afterLogout, clear
	}
	provider, tok, idTokenHint := s.Provider, s.Token, s.IDToken
	p, ok := a.byName[provider]
	if !ok {
		return a.cfg.afterLogout, clear
	}
	client, err := p.Client(ctx)
	if err != nil {
		a.cfg.logger.WarnContext(ctx, "oauth20: logout: provider metadata unavailable", "provider", provider, "error", err)
		return a.cfg.afterLogout, clear
	}
	if err := revokeTokens(ctx, client, tok); err != nil {
		a.cfg.logger.WarnContext(ctx, "oauth20: logout: revocation at the provider failed", "provider", provider, "error", err)
	}
	ep := client.cfg.Endpoints.EndSessionURL
	if ep == "" {
		return a.cfg.afterLogout, clear
	}
	q := &Params{}
	q.setIfNotEmpty("id_token_hint", idTokenHint)
	q.setIfNotEmpty("post_logout_redirect_uri", a.cfg.postLogoutRedirectURL)
	q.Set("client_id", client.cfg.ClientID)
	return appendQuery(ep, q), clear
}

// deleteStoredSession deletes the server-side session named by the session
// cookie, whether or not it could be read.
func (a *Auth) deleteStoredSession(ctx context.Context, cookies func(name string) (string, bool)) {
	if cookies == nil {
		return
	}
	v, ok := cookies(a.sessionCookieName())
	if !ok {
		return
	}
	id, ok := a.sessionID(v)
	if !ok {
		return
	}
	if err := a.cfg.store.Delete(ctx, sessionKey(id)); err != nil {
		a.cfg.logger.ErrorContext(ctx, "oauth20: logout: the stored session could not be deleted; it ends with its lifetime", "error", err)
	}
}

// revokeTokens revokes tok at the client's revocation endpoint when it has
// one: the refresh token first (which usually ends the grant), unless the
// endpoint takes access tokens only, then the access token.
func revokeTokens(ctx context.Context, client *Client, tok *Token) error {
	if tok == nil || client.cfg.Endpoints.RevocationURL == "" {
		return nil
	}
	var errs []error
	if tok.RefreshToken != "" && !client.dialect.RevokesAccessTokensOnly {
		if err := client.Revoke(ctx, tok.RefreshToken, HintRefreshToken); err != nil {
			errs = append(errs, err)
		}
	}
	if tok.AccessToken != "" {
		if err := client.Revoke(ctx, tok.AccessToken, HintAccessToken); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
