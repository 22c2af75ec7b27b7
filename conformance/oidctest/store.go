package oidctest

import (
	"crypto/rand"
	"encoding/base64"
	"time"
)

// sweepEvery is how many issued credentials pass between two sweeps of
// expired ones.
const sweepEvery = 256

// grant is one authorization: a login (with a user) or a client credentials
// grant (without). Every code and token points at its grant, so revoking the
// grant revokes them all, as RFC 6749 §4.1.2 asks when a code is replayed.
type grant struct {
	clientID string
	user     *User // nil for client credentials
	scope    []string
	nonce    string
	authTime time.Time
	sid      string
	revoked  bool
}

type authCode struct {
	grant       *grant
	redirectURI string
	challenge   string // S256 code_challenge, "" without PKCE
	expires     time.Time
	used        bool
}

type accessToken struct {
	grant   *grant
	scope   []string
	issued  time.Time
	expires time.Time
	revoked bool
}

func (t *accessToken) active(now time.Time) bool {
	return !t.revoked && !t.grant.revoked && now.Before(t.expires)
}

type refreshToken struct {
	grant   *grant
	scope   []string
	issued  time.Time
	expires time.Time
	used    bool // rotated: redeemed once already
	revoked bool
}

func (t *refreshToken) active(now time.Time) bool {
	return !t.used && !t.revoked && !t.grant.revoked && now.Before(t.expires)
}

// store holds every code, token and session. It is guarded by Server.mu.
type store struct {
	codes    map[string]*authCode
	access   map[string]*accessToken
	refresh  map[string]*refreshToken
	sessions map[string]*grant // by sid
	issued   int
}

func newStore() store {
	return store{
		codes:    make(map[string]*authCode),
		access:   make(map[string]*accessToken),
		refresh:  make(map[string]*refreshToken),
		sessions: make(map[string]*grant),
	}
}

// sweep drops credentials that can no longer be used, every sweepEvery
// issues. A used code is kept until it expires so a replay is recognised.
func (st *store) sweep(now time.Time) {
	st.issued++
	if st.issued < sweepEvery {
		return
	}
	st.issued = 0
	for k, c := range st.codes {
		if !now.Before(c.expires) {
			delete(st.codes, k)
		}
	}
	for k, t := range st.access {
		if !now.Before(t.expires) {
			delete(st.access, k)
		}
	}
	for k, t := range st.refresh {
		if !now.Before(t.expires) {
			delete(st.refresh, k)
		}
	}
	for k, g := range st.sessions {
		if g.revoked {
			delete(st.sessions, k)
		}
	}
}

// randomString returns 32 random bytes, base64url-encoded: codes, tokens
// and session IDs.
func randomString() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // never fails, see crypto/rand.Read
	return base64.RawURLEncoding.EncodeToString(b)
}
