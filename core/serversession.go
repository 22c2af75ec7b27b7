package core

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// Server-side sessions (Builder.ServerSessions) live in the Store under
//
//	oauth20:session:{id}   the session, sealed with the Auth's keys and bound to its id
//	oauth20:user:{hash}    the epoch of a user's sessions (see RevokeSessions)
//
// and the session cookie holds only the id, sealed. The id is 32 random
// bytes; the user's key is a hash of the provider and the user id, so the
// Store holds neither a token nor a readable user identifier.
const (
	sessionKeyPrefix = "oauth20:session:"
	userKeyPrefix    = "oauth20:user:"
	// sessionIDLen is the length of a session id: 32 random bytes,
	// base64url without padding.
	sessionIDLen = 43
	// maxSessionRecord bounds a session record read from the Store; a
	// record holding Microsoft's or Google's tokens is a few KiB.
	maxSessionRecord = 64 << 10
)

// storedSession is a session read from the Store.
type storedSession struct {
	session *Session
	// raw is the sealed record as read, for CompareAndSwap.
	raw []byte
	// epoch is the user's epoch the session was started in.
	epoch string
}

func sessionKey(id string) string { return sessionKeyPrefix + id }

// userEpochKey names the epoch of the sessions of one user of one provider.
func userEpochKey(provider, userID string) string {
	sum := sha256.Sum256([]byte("oauth20 user\x00" + strconv.Itoa(len(provider)) + ":" + provider + userID))
	return userKeyPrefix + base64.RawURLEncoding.EncodeToString(sum[:18])
}

// storeErr wraps a Store failure.
func storeErr(err error) error { return fmt.Errorf("%w: %w", ErrStoreUnavailable, err) }

// storeSession writes sess to the Store under a new id, which it sets in
// sess.ID and returns. Nothing is written when the user's epoch cannot be
// read.
func (a *Auth) storeSession(ctx context.Context, sess *Session) (string, error) {
	epoch, _, err := a.cfg.store.Get(ctx, userEpochKey(sess.Provider, sess.UserID))
	if err != nil {
		return "", storeErr(err)
	}
	id := randomString(32)
	sess.ID = id
	rec, err := a.sealRecord(sess, string(epoch))
	if err != nil {
		return "", err
	}
	if err := a.cfg.store.Set(ctx, sessionKey(id), rec, sess.expires.Sub(a.cfg.clock.Now())); err != nil {
		return "", storeErr(err)
	}
	return id, nil
}

// sealRecord seals sess, started in epoch, bound to its id: a record
// copied to another session's key does not open there.
func (a *Auth) sealRecord(sess *Session, epoch string) ([]byte, error) {
	plain, err := json.Marshal(sealed(sess, epoch))
	if err != nil {
		return nil, fmt.Errorf("oauth20: session: %w", err)
	}
	rec := a.sealer.sealBytes(plain, "session-record:"+sess.ID)
	if len(rec) > maxSessionRecord {
		return nil, fmt.Errorf("%w: the sealed session of %d bytes is larger than the %d a Store takes", ErrInvalidConfig, len(rec), maxSessionRecord)
	}
	return rec, nil
}

// sessionID opens the value of a server-side session cookie.
func (a *Auth) sessionID(value string) (string, bool) {
	id, err := a.sealer.open(value, "session-id:"+a.sessionCookieName())
	if err != nil || len(id) != sessionIDLen {
		return "", false
	}
	return string(id), true
}

// loadSession reads the session id from the Store. It returns nil without
// error when there is no such session, or it is expired, tampered with or
// revoked; an error only when the Store failed.
func (a *Auth) loadSession(ctx context.Context, id string) (*storedSession, error) {
	raw, ok, err := a.cfg.store.Get(ctx, sessionKey(id))
	if err != nil {
		return nil, storeErr(err)
	}
	if !ok || len(raw) > maxSessionRecord {
		return nil, nil
	}
	plain, err := a.sealer.openBytes(raw, "session-record:"+id)
	if err != nil {
		a.cfg.logger.WarnContext(ctx, "oauth20: a stored session does not open", "error", err)
		return nil, nil
	}
	rec, ok := a.openSession(plain)
	if !ok {
		return nil, nil
	}
	epoch, revoked, err := a.cfg.store.Get(ctx, userEpochKey(rec.Data.Provider, rec.Data.UserID))
	if err != nil {
		return nil, storeErr(err)
	}
	if revoked && string(epoch) != rec.Epoch {
		return nil, nil
	}
	rec.Data.ID = id
	return &storedSession{session: rec.Data, raw: raw, epoch: rec.Epoch}, nil
}

// errCookieSessions is the error of the calls that need ServerSessions.
func errCookieSessions(what string) error {
	return configError("%s needs sessions kept on the server (Builder.ServerSessions); sessions kept in cookies cannot be revoked centrally", what)
}

// RevokeSession ends the server-side session with the given ID
// (Session.ID) at once, on every replica sharing the Store: its next read
// finds nothing. It does not revoke the session's tokens at the provider
// (Logout does). Ending a session that does not exist is not an error.
// The error wraps ErrStoreUnavailable when the Store failed, and
// ErrInvalidConfig without ServerSessions.
func (a *Auth) RevokeSession(ctx context.Context, id string) error {
	if !a.cfg.serverSessions {
		return errCookieSessions("RevokeSession")
	}
	if len(id) != sessionIDLen {
		return fmt.Errorf("oauth20: RevokeSession: %q is not a session ID", truncate(id, 60))
	}
	if err := a.cfg.store.Delete(ctx, sessionKey(id)); err != nil {
		return storeErr(err)
	}
	return nil
}

// RevokeSessions ends every server-side session of a user of a provider at
// once, on every replica sharing the Store, however many sessions there
// are: it is one write of a new epoch for the user. Every session records
// its user's epoch when it starts and is refused when the epoch has changed
// since, so reading a session costs one more Store read; sessions started
// afterwards are not affected. It does not revoke tokens at the provider.
// The error wraps ErrStoreUnavailable when the Store failed, and
// ErrInvalidConfig without ServerSessions.
func (a *Auth) RevokeSessions(ctx context.Context, provider, userID string) error {
	if !a.cfg.serverSessions {
		return errCookieSessions("RevokeSessions")
	}
	if provider == "" || userID == "" {
		return errors.New("oauth20: RevokeSessions: the provider and the user ID are required")
	}
	// The epoch outlives every session started before it; once it has
	// expired, the sessions it revoked have too, and an absent epoch
	// matches every session.
	ttl := a.cfg.sessionLifetime + time.Minute
	if err := a.cfg.store.Set(ctx, userEpochKey(provider, userID), []byte(randomString(16)), ttl); err != nil {
		return storeErr(err)
	}
	return nil
}
