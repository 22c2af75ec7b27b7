package core

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// A rotating refresh token is good for one refresh: when two replicas use
// it at once, the provider honours one and refuses the other (many then
// revoke the whole grant), and the user is logged out. So every refresh an
// Auth makes is single across the replicas that share its Store: the
// replica that takes a short lock in the Store refreshes and stores the
// result; the others poll for that result with the Auth's clock and take
// it, instead of refreshing again.
//
//	oauth20:lock:{key}        the lock, holding a random value of its holder
//	oauth20:refreshed:{hash}  the result of a refresh by refresh token, sealed
//
// The key is the session's ID for a server-side session, whose result is
// the session itself, written back under the lock; otherwise a hash of the
// provider and the refresh token, whose result is kept for
// refreshResultTTL for the replicas still holding the token it replaced
// (but not for a caller that holds the result itself: a refresh token
// that was not rotated is refreshed again).
const (
	// refreshLockTTL bounds how long a replica that died while refreshing
	// keeps the others waiting.
	refreshLockTTL = 30 * time.Second
	// refreshRunTime bounds the refresh made under the lock, well inside
	// refreshLockTTL: a lock that expired while its holder was still
	// refreshing would let a second replica use the same refresh token.
	refreshRunTime = 20 * time.Second
	// refreshPoll is how often a waiting replica looks for the result.
	refreshPoll = 50 * time.Millisecond
	// refreshWait bounds the whole of a refresh: waiting for a holder
	// that died, then refreshing.
	refreshWait = refreshLockTTL + refreshRunTime
	// refreshResultTTL is how long the result of a refresh by refresh
	// token stays available to replicas that still hold the old token.
	refreshResultTTL = time.Minute
)

// sharedRefresh is one refresh that the replicas sharing the Store must not
// run twice.
type sharedRefresh struct {
	// key names the refresh in this process and the lock in the Store.
	key string
	// current returns the result when a replica already stored it.
	current func(ctx context.Context) (*Token, *IDToken, bool, error)
	// run refreshes and stores the result where current finds it. It runs
	// under the lock, and bounds the provider's part by refreshRunTime.
	run func(ctx context.Context) (*Token, *IDToken, error)
}

// refreshOnce runs r at most once at a time in this process (later callers
// wait for the running one, each within its own ctx) and across the
// replicas sharing the Store.
func (a *Auth) refreshOnce(ctx context.Context, r sharedRefresh) (*Token, *IDToken, error) {
	return a.refreshes.do(ctx, r.key, refreshWait, func(ctx context.Context) (*Token, *IDToken, error) {
		return a.refreshAcross(ctx, r)
	})
}

// refreshAcross takes r's result when a replica has stored it, or takes the
// lock and runs r, or waits for the replica holding the lock. A holder that
// fails releases the lock without a result and the next waiter tries
// itself; one that dies leaves a lock that expires after refreshLockTTL.
func (a *Auth) refreshAcross(ctx context.Context, r sharedRefresh) (*Token, *IDToken, error) {
	lock := "oauth20:lock:" + r.key
	owner := []byte(randomString(16))
	for {
		t, id, ok, err := r.current(ctx)
		if err != nil || ok {
			return t, id, err
		}
		got, err := a.cfg.store.SetIfAbsent(ctx, lock, owner, refreshLockTTL)
		if err != nil {
			return nil, nil, storeErr(err)
		}
		if got {
			return a.runLocked(ctx, r, lock, owner)
		}
		select {
		case <-a.cfg.clock.After(refreshPoll):
		case <-ctx.Done():
			return nil, nil, fmt.Errorf("oauth20: waiting for the refresh of another replica: %w", ctx.Err())
		}
	}
}

// runLocked runs r under the lock it holds and releases the lock.
func (a *Auth) runLocked(ctx context.Context, r sharedRefresh, lock string, owner []byte) (*Token, *IDToken, error) {
	defer func() {
		// A lock that cannot be released expires by itself.
		if _, err := a.cfg.store.CompareAndDelete(context.WithoutCancel(ctx), lock, owner); err != nil {
			a.cfg.logger.WarnContext(ctx, "oauth20: refresh: the lock could not be released; it expires by itself", "error", err)
		}
	}()
	// A replica may have stored its result between the look and the lock.
	t, id, ok, err := r.current(ctx)
	if err != nil || ok {
		return t, id, err
	}
	return r.run(ctx)
}

// refreshAt refreshes tok at the provider, bounded by refreshRunTime; the
// result keeps tok's refresh token and user id when the answer has none.
// For OpenID providers previous is required (see Refresh).
func (a *Auth) refreshAt(ctx context.Context, p *Provider, client *Client, tok *Token, previous *IDToken) (*Token, *IDToken, error) {
	if p.spec.OIDC && previous == nil {
		return nil, nil, fmt.Errorf("oauth20: refresh with %q needs the login's ID token to check the new one against (OpenID Connect Core §12.2)", p.Name())
	}
	ctx, cancel := context.WithTimeout(ctx, refreshRunTime)
	defer cancel()
	t, id, err := client.refresh(ctx, tok, previous, nil)
	if err == nil && p.spec.FAPI2 {
		if err := checkFAPI2Token(t); err != nil {
			return nil, nil, err
		}
	}
	return t, id, err
}

// refreshByToken refreshes tok once across replicas, keyed by its refresh
// token: a replica that comes with the same refresh token and an older
// access token within refreshResultTTL gets the same result.
func (a *Auth) refreshByToken(ctx context.Context, p *Provider, client *Client, tok *Token, previous *IDToken) (*Token, *IDToken, error) {
	sum := sha256.Sum256([]byte("oauth20 refresh token\x00" + strconv.Itoa(len(p.Name())) + ":" + p.Name() + tok.RefreshToken))
	h := base64.RawURLEncoding.EncodeToString(sum[:18])
	resultKey, sealCtx := "oauth20:refreshed:"+h, "refresh-result:"+h
	return a.refreshOnce(ctx, sharedRefresh{
		key: "rt:" + h,
		current: func(ctx context.Context) (*Token, *IDToken, bool, error) {
			v, ok, err := a.cfg.store.Get(ctx, resultKey)
			if err != nil {
				return nil, nil, false, storeErr(err)
			}
			if !ok {
				return nil, nil, false, nil
			}
			t, id, err := a.openResult(v, sealCtx)
			if err != nil {
				a.cfg.logger.WarnContext(ctx, "oauth20: refresh: a stored result does not open", "error", err)
				return nil, nil, false, nil
			}
			if tok.AccessToken != "" && t.AccessToken == tok.AccessToken {
				// The caller holds this result already (its refresh token
				// was not rotated) and asks for a newer one.
				return nil, nil, false, nil
			}
			return t, id, true, nil
		},
		run: func(ctx context.Context) (*Token, *IDToken, error) {
			t, id, err := a.refreshAt(ctx, p, client, tok, previous)
			if err != nil {
				return nil, nil, err
			}
			if err := a.cfg.store.Set(ctx, resultKey, a.sealResult(t, id, sealCtx), refreshResultTTL); err != nil {
				// The caller has the new tokens; replicas waiting for them
				// will not find them, and fail when they try themselves.
				a.cfg.logger.WarnContext(ctx, "oauth20: refresh: the result could not be shared with other replicas", "error", err)
			}
			return t, id, nil
		},
	})
}

// refreshResult is the sealed form of a refresh's result.
type refreshResult struct {
	Token *Token         `json:"t"`
	Raw   map[string]any `json:"r,omitempty"`
	ID    *IDToken       `json:"i,omitempty"`
}

func (a *Auth) sealResult(t *Token, id *IDToken, sealCtx string) []byte {
	plain, _ := json.Marshal(refreshResult{Token: t, Raw: t.Raw, ID: id}) // Token and IDToken always encode
	return a.sealer.sealBytes(plain, sealCtx)
}

func (a *Auth) openResult(v []byte, sealCtx string) (*Token, *IDToken, error) {
	plain, err := a.sealer.openBytes(v, sealCtx)
	if err != nil {
		return nil, nil, err
	}
	var r refreshResult
	dec := json.NewDecoder(strings.NewReader(string(plain)))
	dec.UseNumber() // as in a token endpoint's answer
	if err := dec.Decode(&r); err != nil || r.Token == nil {
		return nil, nil, fmt.Errorf("%w: undecodable refresh result", ErrUnseal)
	}
	r.Token.Raw = r.Raw
	return r.Token, r.ID, nil
}
