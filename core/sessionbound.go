package core

import (
	"context"
	"errors"
	"net/http"
	"time"
)

// bindToToken sets when sess, bound to its token (UntilTokenExpiry), ends
// and starts to be renewed: at the token's expiry, within sess.limit, and
// after three quarters of the token's remaining life. A token without a
// lifetime leaves the session to its limit.
func (a *Auth) bindToToken(sess *Session, t *Token) {
	sess.expires = sess.limit
	sess.renewAt = time.Time{}
	if t == nil || t.Expiry.IsZero() {
		return
	}
	if t.Expiry.Before(sess.expires) {
		sess.expires = t.Expiry
	}
	now := a.cfg.clock.Now()
	sess.renewAt = now.Add(sess.expires.Sub(now) * 3 / 4)
}

// renewBound renews the token of s, a session bound to its token, when it
// is due and can be: RequireLogin calls it. It returns the session to go
// on with and the cookie to set (zero for none). A failed renewal is
// logged and leaves s as it is, valid until its token expires: the user
// is sent to log in again then, not now.
func (a *Auth) renewBound(ctx context.Context, s *Session) (*Session, http.Cookie) {
	now := a.cfg.clock.Now()
	if !a.cfg.untilTokenExpiry || s.limit.IsZero() || s.renewAt.IsZero() || now.Before(s.renewAt) ||
		s.Token == nil || s.Token.RefreshToken == "" || !s.expires.Before(s.limit) {
		return s, http.Cookie{}
	}
	t, c, err := a.sessionToken(ctx, s, s.Token.Expiry.Sub(now)+time.Second)
	if err != nil {
		level := "warn"
		if errors.Is(err, ErrLoginAgain) {
			level = "info"
		}
		a.logRenewal(ctx, level, s.Provider, err)
		return s, http.Cookie{}
	}
	renewed := *s
	renewed.refreshed(t, nil)
	a.bindToToken(&renewed, t)
	if a.cfg.serverSessions {
		// The Store has the renewed session; the cookie, which holds its
		// sealed ID, gets the new end.
		c = a.sessionCookie(a.sealer.seal([]byte(s.ID), "session-id:"+a.sessionCookieName()), renewed.expires)
	}
	return &renewed, c
}

// logRenewal logs a renewal that failed, without a secret.
func (a *Auth) logRenewal(ctx context.Context, level, provider string, err error) {
	msg := "oauth20: the session's token could not be renewed; the session ends with it"
	if level == "info" {
		a.cfg.logger.InfoContext(ctx, msg, "provider", provider, "error", err)
		return
	}
	a.cfg.logger.WarnContext(ctx, msg, "provider", provider, "error", err)
}
