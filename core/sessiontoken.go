package core

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// SessionToken returns a valid token of a session that keeps its tokens
// (KeepTokens): the session's own while it is not within
// DefaultRefreshMargin of its expiry, otherwise a refreshed one. The
// refresh is single across all replicas sharing the Store, as Refresh's
// is: the replica that takes the session's lock refreshes, the others wait
// for its result and read it; with a rotating refresh token, nobody uses
// the token that another replica used.
//
// The refreshed token is written back to the session. With ServerSessions
// it goes into the Store (the session is read again under the lock, so the
// refresh starts from its latest token, and a session ended meanwhile
// stays ended) and the returned http.Cookie is zero. Otherwise it is sealed into
// a new session cookie, returned, that the caller must set. s itself is
// not modified; Token.Raw is not kept in sessions (Token.UserID is, and a
// refresh keeps it).
//
// The error matches ErrLoginAgain when the user must log in again (the
// refresh token is absent, rejected or rotated out; the session ended
// while it was being refreshed), wraps ErrStoreUnavailable when the Store
// failed (nothing is written then), and wraps ErrInvalidConfig when the
// session keeps no tokens.
func (a *Auth) SessionToken(ctx context.Context, s *Session) (*Token, http.Cookie, error) {
	return a.sessionToken(ctx, s, DefaultRefreshMargin)
}

// sessionToken is SessionToken, refreshing a token that expires within
// margin.
func (a *Auth) sessionToken(ctx context.Context, s *Session, margin time.Duration) (*Token, http.Cookie, error) {
	if s == nil || s.Token == nil {
		return nil, http.Cookie{}, configError("the session keeps no token (Builder.KeepTokens)")
	}
	if !s.Token.expired(a.cfg.clock.Now(), margin) {
		return s.Token, http.Cookie{}, nil
	}
	p, ok := a.byName[s.Provider]
	if !ok {
		return nil, http.Cookie{}, fmt.Errorf("%w: %q", ErrUnknownProvider, s.Provider)
	}
	client, err := p.Client(ctx)
	if err != nil {
		return nil, http.Cookie{}, err
	}
	if a.cfg.serverSessions {
		if s.ID == "" {
			return nil, http.Cookie{}, errors.New("oauth20: SessionToken: the session was not read from the Store (it has no ID)")
		}
		t, err := a.refreshStoredSession(ctx, p, client, s.ID, margin)
		return t, http.Cookie{}, err
	}
	if s.Token.RefreshToken == "" {
		return nil, http.Cookie{}, loginAgainError{ErrNoRefreshToken}
	}
	previous, err := sessionIDToken(s.IDToken)
	if err != nil {
		return nil, http.Cookie{}, err
	}
	t, id, err := a.refreshByToken(ctx, p, client, s.Token, previous)
	if err != nil {
		return nil, http.Cookie{}, err
	}
	updated := *s
	updated.refreshed(t, id)
	switch {
	case a.cfg.untilTokenExpiry && !updated.limit.IsZero():
		a.bindToToken(&updated, t)
	case updated.expires.IsZero():
		updated.expires = a.cfg.clock.Now().Add(a.cfg.sessionLifetime)
	}
	value, err := a.sealSessionCookie(&updated)
	if err != nil {
		return nil, http.Cookie{}, err
	}
	return t, a.sessionCookie(value, updated.expires), nil
}

// refreshStoredSession refreshes the token of the server-side session id,
// once across replicas, and writes it back.
func (a *Auth) refreshStoredSession(ctx context.Context, p *Provider, client *Client, id string, margin time.Duration) (*Token, error) {
	var rec *storedSession
	t, _, err := a.refreshOnce(ctx, sharedRefresh{
		key: "session:" + id,
		current: func(ctx context.Context) (*Token, *IDToken, bool, error) {
			var err error
			if rec, err = a.loadSession(ctx, id); err != nil {
				return nil, nil, false, err
			}
			if rec == nil {
				return nil, nil, false, loginAgainError{ErrSessionEnded}
			}
			if t := rec.session.Token; t != nil && !t.expired(a.cfg.clock.Now(), margin) {
				return t, nil, true, nil
			}
			return nil, nil, false, nil
		},
		run: func(ctx context.Context) (*Token, *IDToken, error) {
			s := *rec.session
			if s.Token == nil || s.Token.RefreshToken == "" {
				return nil, nil, loginAgainError{ErrNoRefreshToken}
			}
			previous, err := sessionIDToken(s.IDToken)
			if err != nil {
				return nil, nil, err
			}
			t, idt, err := a.refreshAt(ctx, p, client, s.Token, previous)
			if err != nil {
				return nil, nil, err
			}
			s.refreshed(t, idt)
			if a.cfg.untilTokenExpiry && !s.limit.IsZero() {
				a.bindToToken(&s, t)
			}
			sealed, err := a.sealRecord(&s, rec.epoch)
			if err != nil {
				return nil, nil, err
			}
			swapped, err := a.cfg.store.CompareAndSwap(ctx, sessionKey(id), rec.raw, sealed, s.expires.Sub(a.cfg.clock.Now()))
			if err != nil {
				return nil, nil, storeErr(err)
			}
			if !swapped {
				return nil, nil, loginAgainError{ErrSessionEnded}
			}
			return t, idt, nil
		},
	})
	return t, err
}

// refreshed puts the result of a refresh into s.
func (s *Session) refreshed(t *Token, id *IDToken) {
	cp := *t
	cp.Raw, cp.IDToken = nil, ""
	s.Token = &cp
	s.Expiry = t.Expiry.UTC()
	if scopes := t.scopes(); len(scopes) > 0 {
		s.Scopes = scopes
	}
	if id != nil && id.Raw != "" {
		s.IDToken = id.Raw
	}
}

// sessionIDToken returns the claims of a session's ID token, to check a
// refreshed ID token against (OpenID Connect Core §12.2: iss, sub, aud,
// azp, auth_time and nonce must not change); nil when there is none. The
// token is not verified again: it was verified at login, has been sealed
// with the Auth's keys since, and may have expired meanwhile.
func sessionIDToken(raw string) (*IDToken, error) {
	if raw == "" {
		return nil, nil
	}
	bad := errors.New("oauth20: the session's ID token does not decode")
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		return nil, bad
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return nil, bad
	}
	var c struct {
		Iss      string          `json:"iss"`
		Sub      string          `json:"sub"`
		Aud      json.RawMessage `json:"aud"`
		Azp      string          `json:"azp"`
		AuthTime json.Number     `json:"auth_time"`
		Nonce    string          `json:"nonce"`
		Sid      string          `json:"sid"`
	}
	if err := json.Unmarshal(payload, &c); err != nil {
		return nil, bad
	}
	id := &IDToken{Issuer: c.Iss, Subject: c.Sub, AuthorizedParty: c.Azp, Nonce: c.Nonce, SessionID: c.Sid, Raw: raw, Payload: payload}
	var one string
	if json.Unmarshal(c.Aud, &one) == nil {
		id.Audience = []string{one}
	} else if len(c.Aud) > 0 && json.Unmarshal(c.Aud, &id.Audience) != nil {
		return nil, bad
	}
	if c.AuthTime != "" {
		if id.AuthTime, err = numericDate(string(c.AuthTime)); err != nil {
			return nil, bad
		}
	}
	return id, nil
}

// numericDate parses a JWT NumericDate (RFC 7519 §2) as package oidc does,
// so that an auth_time compares equal to the one oidc parses.
func numericDate(s string) (time.Time, error) {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return time.Unix(n, 0), nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return time.Time{}, errors.New("not a NumericDate")
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(frac*1e9)), nil
}
