package oidc

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/MicahParks/jwkset"
	"github.com/go-oauth20/oauth20/core"
	"github.com/go-oauth20/oauth20/internal/httpx"
	"github.com/go-resty/resty/v2"
)

// Defaults for the JWK Set cache.
const (
	// DefaultKeyRefreshLimit is the least time between two JWK Set fetches
	// caused by unknown kids or failed signatures (or following a failed
	// fetch): under a flood of made-up kids the issuer sees at most one
	// fetch a second, and a caller with a genuinely new key waits at most
	// about that long for it.
	DefaultKeyRefreshLimit = time.Second
	// DefaultMaxKeyWaiters is how many callers may wait at once for a JWK
	// Set fetch that the rate limit has put off; more fail at once with
	// ErrUnknownKey.
	DefaultMaxKeyWaiters = 1000
	// DefaultKeyRefreshInterval is the age after which cached keys are
	// refreshed in the background while still being used.
	DefaultKeyRefreshInterval = time.Hour
	// fetchTimeout bounds one JWK Set fetch even when the HTTP client has
	// no timeout of its own.
	fetchTimeout = 30 * time.Second
	// maxKeys bounds the keys taken from one JWK Set.
	maxKeys = 100
	// minRSABits is the smallest RSA modulus accepted (RFC 7518 §3.3).
	minRSABits = 2048
)

// errReadOnly is returned by the jwkset.Storage methods that would change
// the cache: its keys come only from the issuer's JWK Set.
var errReadOnly = errors.New("oidc: the key cache is filled only from the issuer's JWK Set")

// keyEntry is one key of a fetched JWK Set.
type keyEntry struct {
	jwk    jwkset.JWK
	reason string // why the key may not verify tokens; "" if it may
}

// keySnapshot is an immutable view of one fetched JWK Set.
type keySnapshot struct {
	byKID   map[string]keyEntry
	signing []jwkset.JWK // usable signing keys, for tokens without kid
	fetched time.Time
}

// fetchCall is one JWK Set fetch; everyone waiting for it reads its result
// after done is closed.
type fetchCall struct {
	done chan struct{}
	gen  uint64 // the fetch's number, set when it starts (under keyCache.mu)
	snap *keySnapshot
	err  error
}

// keyCache holds the issuer's keys and implements jwkset.Storage, so that
// keyfunc reads from it. It replaces jwkset's HTTP storage, whose behaviour
// does not fit a login library: that storage fetches at construction, makes
// every caller with an unknown kid wait for the rate limiter (up to a
// minute by default) and then fetch again on its own, and blocks all
// unknown-kid refreshes for five minutes after one.
//
// Here, a caller that finds the cached set lacking (an unknown kid, or a
// kid whose cached key failed a signature) needs the answer of a fetch that
// started after it found so. It joins the running fetch or the scheduled
// one; otherwise it starts one if the rate limit allows (one such fetch per
// limit), and if not, schedules one for when the limit allows and waits for
// it, no longer than its own ctx, and only while fewer than maxWaiters wait
// so. A caller whose joined fetch had started before it arrived, and whose
// answer still lacks what it needs, waits for the next fetch: that answer
// may predate the issuer's change. So a random-kid flood costs the issuer
// one fetch per limit, and a real rotation during the flood fails no
// caller. After a failed fetch, callers fail at once until the limit has
// passed. Keys are loaded lazily on first use and refreshed in the
// background once older than interval; Close ends that work.
type keyCache struct {
	url        string
	rc         *resty.Client
	now        func() time.Time
	after      func(time.Duration) <-chan time.Time
	limit      time.Duration
	interval   time.Duration
	maxWaiters int64

	base   context.Context // cancelled by close
	cancel context.CancelFunc
	wg     sync.WaitGroup

	snap atomic.Pointer[keySnapshot]

	mu         sync.Mutex
	inflight   *fetchCall
	next       *fetchCall // scheduled for when the rate limit allows
	started    uint64     // fetches started; the last one's gen
	limitedAt  time.Time  // start of the last rate-limited or failed fetch
	limitedSet bool
	lastErr    error
	closed     bool
	// staleAfter is the unix-nano time before which refreshIfStale does
	// nothing: the snapshot is fresh, a refresh runs, or the last failed.
	staleAfter atomic.Int64
	// queued counts callers waiting for the scheduled fetch (bounded by
	// maxWaiters); waiters counts every caller waiting for a fetch.
	queued  atomic.Int64
	waiters atomic.Int64
}

var _ jwkset.Storage = (*keyCache)(nil)

func newKeyCache(url string, rc *resty.Client, now func() time.Time, after func(time.Duration) <-chan time.Time,
	limit, interval time.Duration, maxWaiters int) *keyCache {
	ctx, cancel := context.WithCancel(context.Background())
	return &keyCache{url: url, rc: rc, now: now, after: after, limit: limit, interval: interval,
		maxWaiters: int64(maxWaiters), base: ctx, cancel: cancel}
}

// close stops background fetches and waits for a running one to end.
func (c *keyCache) close() {
	c.mu.Lock()
	c.closed = true
	c.mu.Unlock()
	c.cancel()
	c.wg.Wait()
}

// keyLookupError carries a KeyRead error through keyfunc's wrapping, so
// Verify can return it as it is.
type keyLookupError struct{ err error }

func (e *keyLookupError) Error() string { return e.err.Error() }
func (e *keyLookupError) Unwrap() error { return e.err }

// KeyRead returns the key with the given kid. A kid absent from the cached
// set causes at most one fetch per limit, shared by all callers (see
// keyCache).
func (c *keyCache) KeyRead(ctx context.Context, kid string) (jwkset.JWK, error) {
	jwk, err := c.keyRead(ctx, kid)
	if err != nil {
		return jwkset.JWK{}, &keyLookupError{err}
	}
	return jwk, nil
}

func (c *keyCache) keyRead(ctx context.Context, kid string) (jwkset.JWK, error) {
	if s := c.snap.Load(); s != nil {
		if e, ok := s.byKID[kid]; ok {
			c.refreshIfStale(s)
			return e.result(kid)
		}
	}
	s, err := c.await(ctx, kid, func(s *keySnapshot) bool { _, ok := s.byKID[kid]; return ok })
	if err != nil {
		return jwkset.JWK{}, err
	}
	if e, ok := s.byKID[kid]; ok {
		return e.result(kid)
	}
	return jwkset.JWK{}, fmt.Errorf("%w: kid %q is not in the issuer's JWK Set: %w", ErrUnknownKey, kid, jwkset.ErrKeyNotFound)
}

func (e keyEntry) result(kid string) (jwkset.JWK, error) {
	if e.reason != "" {
		return jwkset.JWK{}, fmt.Errorf("%w: kid %q: %s", ErrKeyNotUsable, kid, e.reason)
	}
	return e.jwk, nil
}

// signingKeys returns the usable signing keys, loading the set on first
// use. Tokens without kid never cause a refresh of a loaded set.
func (c *keyCache) signingKeys(ctx context.Context) ([]jwkset.JWK, error) {
	if s := c.snap.Load(); s != nil {
		c.refreshIfStale(s)
		return s.signing, nil
	}
	s, err := c.await(ctx, "", func(*keySnapshot) bool { return true })
	if err != nil {
		return nil, err
	}
	return s.signing, nil
}

// rekeyed is for a signature that failed with old, the cached key under
// kid: it waits, as for an unknown kid, for a fetch that started after the
// failure, and reports whether the issuer now publishes another usable key
// under that kid (a provider that restarted with new keys under the same
// kid). It does not report a kid the issuer withdrew.
func (c *keyCache) rekeyed(ctx context.Context, kid string, old any) (bool, error) {
	changed := func(s *keySnapshot) bool {
		e, ok := s.byKID[kid]
		if !ok || e.reason != "" {
			return false
		}
		k, ok := e.jwk.Key().(interface{ Equal(crypto.PublicKey) bool })
		return ok && !k.Equal(old)
	}
	s, err := c.await(ctx, kid, changed)
	if err != nil {
		return false, err
	}
	return changed(s), nil
}

// await returns, for a caller that found the cached set lacking (want
// false), either a newer snapshot for which want holds or the answer of a
// fetch that started after the caller found the set lacking (for which
// want may still be false). See keyCache for the waiting rules; the caller
// waits no longer than ctx allows.
func (c *keyCache) await(ctx context.Context, kid string, want func(*keySnapshot) bool) (*keySnapshot, error) {
	c.mu.Lock()
	seen := c.started
	for {
		if s := c.snap.Load(); s != nil && want(s) {
			c.mu.Unlock()
			return s, nil
		}
		call, queued, err := c.joinLocked(kid)
		c.mu.Unlock()
		if err != nil {
			return nil, err
		}
		s, err := c.wait(ctx, call, queued, kid)
		if err != nil {
			return nil, err
		}
		if want(s) || call.gen > seen {
			return s, nil
		}
		// The fetch joined had started before the set was found lacking,
		// so its answer may predate the change: wait for the next one.
		c.mu.Lock()
	}
}

// joinLocked returns the fetch a caller should wait for: the running one,
// the scheduled one, or a new one, started now when the rate limit allows
// and scheduled otherwise. queued is true for the scheduled fetch, whose
// waiters are counted. c.mu must be held.
func (c *keyCache) joinLocked(kid string) (call *fetchCall, queued bool, err error) {
	if c.inflight != nil {
		return c.inflight, false, nil
	}
	if c.closed {
		return nil, false, fmt.Errorf("%w: kid %q: %w", ErrUnknownKey, kid, ErrVerifierClosed)
	}
	if c.next == nil {
		now := c.now()
		if !c.limitedSet || now.Sub(c.limitedAt) >= c.limit {
			if c.snap.Load() != nil { // a loaded set is lacking: a rate-limited refresh
				c.limitedAt, c.limitedSet = now, true
			}
			return c.startLocked(now, nil), false, nil
		}
		if c.lastErr != nil {
			if c.snap.Load() == nil {
				return nil, false, fmt.Errorf("%w: kid %q: JWK Set unavailable, next fetch allowed after %s: %w",
					ErrUnknownKey, kid, c.limit, c.lastErr)
			}
			return nil, false, fmt.Errorf("%w: kid %q: the last JWK Set refresh failed, next allowed after %s: %w",
				ErrUnknownKey, kid, c.limit, c.lastErr)
		}
	}
	if c.queued.Load() >= c.maxWaiters {
		return nil, false, fmt.Errorf("%w: kid %q: %d callers already wait for the next JWK Set fetch (one per %s)",
			ErrUnknownKey, kid, c.maxWaiters, c.limit)
	}
	if c.next == nil {
		c.scheduleLocked(c.limitedAt.Add(c.limit).Sub(c.now()))
	}
	c.queued.Add(1)
	return c.next, true, nil
}

// wait waits for call's answer, no longer than ctx allows.
func (c *keyCache) wait(ctx context.Context, call *fetchCall, queued bool, kid string) (*keySnapshot, error) {
	c.waiters.Add(1)
	defer c.waiters.Add(-1)
	if queued {
		defer c.queued.Add(-1)
	}
	select {
	case <-call.done:
	case <-ctx.Done():
		return nil, fmt.Errorf("%w: kid %q: gave up waiting for the JWK Set: %w", ErrUnknownKey, kid, ctx.Err())
	}
	if call.err != nil {
		return nil, fmt.Errorf("%w: kid %q: %w", ErrUnknownKey, kid, call.err)
	}
	return call.snap, nil
}

// scheduleLocked makes c.next a fetch that starts after delay (on the
// injected clock's timer), when the rate limit allows it. c.mu must be
// held.
func (c *keyCache) scheduleLocked(delay time.Duration) {
	call := &fetchCall{done: make(chan struct{})}
	c.next = call
	timer := c.after(delay)
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		select {
		case <-timer:
		case <-c.base.Done():
		}
		c.mu.Lock()
		for c.inflight != nil && !c.closed { // a background refresh runs: let it end
			running := c.inflight
			c.mu.Unlock()
			<-running.done
			c.mu.Lock()
		}
		c.next = nil
		if c.closed {
			c.mu.Unlock()
			call.err = ErrVerifierClosed
			close(call.done)
			return
		}
		now := c.now()
		c.limitedAt, c.limitedSet = now, true
		c.startLocked(now, call)
		c.mu.Unlock()
	}()
}

// refreshIfStale starts a background fetch when s is older than interval.
func (c *keyCache) refreshIfStale(s *keySnapshot) {
	if c.interval <= 0 {
		return
	}
	now := c.now()
	if now.UnixNano() < c.staleAfter.Load() || now.Sub(s.fetched) < c.interval {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed || c.inflight != nil || c.next != nil || c.snap.Load() != s {
		return
	}
	if c.limitedSet && now.Sub(c.limitedAt) < c.limit {
		c.staleAfter.Store(c.limitedAt.Add(c.limit).UnixNano()) // the last fetch failed recently
		return
	}
	c.startLocked(now, nil)
}

// startLocked starts call (a new one when nil) as a fetch in the
// background. c.mu must be held.
func (c *keyCache) startLocked(started time.Time, call *fetchCall) *fetchCall {
	if call == nil {
		call = &fetchCall{done: make(chan struct{})}
	}
	c.started++
	call.gen = c.started
	c.inflight = call
	c.staleAfter.Store(int64(^uint64(0) >> 1)) // no background refresh while this runs
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		// The fetch belongs to no single caller: it outlives a caller whose
		// ctx ends, so the others still get its answer. It ends with the
		// HTTP client's timeout or with close.
		ctx, cancel := context.WithTimeout(c.base, fetchTimeout)
		snap, err := c.fetch(ctx)
		cancel()
		c.mu.Lock()
		if err == nil {
			c.snap.Store(snap)
			c.lastErr = nil
			c.staleAfter.Store(snap.fetched.Add(c.interval).UnixNano())
		} else {
			c.limitedAt, c.limitedSet = started, true
			c.lastErr = err
			c.staleAfter.Store(started.Add(c.limit).UnixNano())
		}
		c.inflight = nil
		c.mu.Unlock()
		call.snap, call.err = snap, err
		close(call.done)
	}()
	return call
}

// fetch downloads and parses the JWK Set.
func (c *keyCache) fetch(ctx context.Context) (*keySnapshot, error) {
	resp, err := c.rc.R().SetContext(ctx).SetHeader("Accept", "application/jwk-set+json, application/json").Get(c.url)
	if err != nil {
		return nil, fmt.Errorf("oidc: JWK Set: %w", httpx.TransportError("jwks", http.MethodGet, c.url, err))
	}
	if resp.StatusCode() != http.StatusOK {
		return nil, fmt.Errorf("oidc: JWK Set %q: %w: %d", c.url, core.ErrUnexpectedStatus, resp.StatusCode())
	}
	return parseKeySet(resp.Body(), c.now())
}

// parseKeySet builds a snapshot from a JWK Set document. Keys that cannot
// be parsed are skipped; keys that may not verify are kept with the reason,
// so their kid fails fast without a refresh.
func parseKeySet(body []byte, now time.Time) (*keySnapshot, error) {
	var set struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(body, &set); err != nil || set.Keys == nil {
		return nil, fmt.Errorf("oidc: JWK Set: %w: not a JWK Set document", core.ErrMalformedResponse)
	}
	if len(set.Keys) > maxKeys {
		set.Keys = set.Keys[:maxKeys]
	}
	snap := &keySnapshot{byKID: make(map[string]keyEntry, len(set.Keys)), fetched: now}
	for _, raw := range set.Keys {
		var m jwkset.JWKMarshal
		if err := json.Unmarshal(raw, &m); err != nil {
			continue
		}
		// Private members are dropped: we only ever need the public key,
		// and a JWK Set that publishes private keys is not trusted for them.
		m.D, m.P, m.Q, m.DP, m.DQ, m.QI, m.OTH, m.K = "", "", "", "", "", "", nil, ""
		jwk, err := jwkset.NewJWKFromMarshal(m, jwkset.JWKMarshalOptions{}, jwkset.JWKValidateOptions{})
		if err != nil {
			continue
		}
		e := keyEntry{jwk: jwk, reason: unusableReason(jwk)}
		if m.KID != "" {
			if old, dup := snap.byKID[m.KID]; !dup || (old.reason != "" && e.reason == "") {
				snap.byKID[m.KID] = e
			}
		}
		if e.reason == "" {
			snap.signing = append(snap.signing, jwk)
		}
	}
	return snap, nil
}

// unusableReason says why jwk may not verify signatures, or "".
func unusableReason(jwk jwkset.JWK) string {
	m := jwk.Marshal()
	switch {
	case m.USE != "" && m.USE != jwkset.UseSig:
		return fmt.Sprintf("use %q is not \"sig\"", string(m.USE))
	case len(m.KEYOPS) > 0 && !slices.Contains(m.KEYOPS, jwkset.KeyOpsVerify):
		return "key_ops does not include \"verify\""
	}
	switch k := jwk.Key().(type) {
	case *rsa.PublicKey:
		if k.N.BitLen() < minRSABits {
			return fmt.Sprintf("RSA key of %d bits, fewer than %d", k.N.BitLen(), minRSABits)
		}
	case *ecdsa.PublicKey:
		switch k.Curve {
		case elliptic.P256(), elliptic.P384(), elliptic.P521():
		default:
			return "unsupported curve"
		}
	case ed25519.PublicKey:
	default:
		return fmt.Sprintf("unsupported key type %q", string(m.KTY))
	}
	return ""
}

// keyFitsAlg reports whether key may verify signatures made with alg
// (RFC 8725 §3.1: one key, one algorithm family).
func keyFitsAlg(key any, alg string) bool {
	switch k := key.(type) {
	case *rsa.PublicKey:
		return alg[:2] == "RS" || alg[:2] == "PS"
	case *ecdsa.PublicKey:
		switch alg {
		case "ES256":
			return k.Curve == elliptic.P256()
		case "ES384":
			return k.Curve == elliptic.P384()
		case "ES512":
			return k.Curve == elliptic.P521()
		}
	case ed25519.PublicKey:
		return alg == "EdDSA"
	}
	return false
}

// The rest of jwkset.Storage. Reads serve the current snapshot; writes are
// refused.

func (c *keyCache) KeyReadAll(ctx context.Context) ([]jwkset.JWK, error) {
	return c.signingKeys(ctx)
}

func (c *keyCache) KeyDelete(context.Context, string) (bool, error) { return false, errReadOnly }
func (c *keyCache) KeyReplaceAll(context.Context, []jwkset.JWK) error {
	return errReadOnly
}
func (c *keyCache) KeyWrite(context.Context, jwkset.JWK) error { return errReadOnly }

func (c *keyCache) memory(ctx context.Context) (*jwkset.MemoryJWKSet, error) {
	keys, err := c.signingKeys(ctx)
	if err != nil {
		return nil, err
	}
	m := jwkset.NewMemoryStorage()
	_ = m.KeyReplaceAll(ctx, slices.Clone(keys))
	return m, nil
}

func (c *keyCache) JSON(ctx context.Context) (json.RawMessage, error) {
	m, err := c.memory(ctx)
	if err != nil {
		return nil, err
	}
	return m.JSON(ctx)
}

func (c *keyCache) JSONPublic(ctx context.Context) (json.RawMessage, error) {
	m, err := c.memory(ctx)
	if err != nil {
		return nil, err
	}
	return m.JSONPublic(ctx)
}

func (c *keyCache) JSONPrivate(ctx context.Context) (json.RawMessage, error) {
	return c.JSONPublic(ctx) // there is no private material
}

func (c *keyCache) JSONWithOptions(ctx context.Context, mo jwkset.JWKMarshalOptions, vo jwkset.JWKValidateOptions) (json.RawMessage, error) {
	m, err := c.memory(ctx)
	if err != nil {
		return nil, err
	}
	return m.JSONWithOptions(ctx, mo, vo)
}

func (c *keyCache) Marshal(ctx context.Context) (jwkset.JWKSMarshal, error) {
	m, err := c.memory(ctx)
	if err != nil {
		return jwkset.JWKSMarshal{}, err
	}
	return m.Marshal(ctx)
}

func (c *keyCache) MarshalWithOptions(ctx context.Context, mo jwkset.JWKMarshalOptions, vo jwkset.JWKValidateOptions) (jwkset.JWKSMarshal, error) {
	m, err := c.memory(ctx)
	if err != nil {
		return jwkset.JWKSMarshal{}, err
	}
	return m.MarshalWithOptions(ctx, mo, vo)
}
