package oidc

import (
	"context"
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
	// caused by unknown kids (or following a failed fetch).
	DefaultKeyRefreshLimit = 10 * time.Second
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
// Here, an unknown kid starts at most one fetch, which every caller with an
// unknown kid joins (each waiting no longer than its own ctx), and such
// fetches start at most once per limit; when the limit forbids a fetch the
// caller fails at once instead of waiting. Keys are loaded lazily on first
// use and refreshed in the background once older than interval; Close ends
// that work.
type keyCache struct {
	url      string
	rc       *resty.Client
	now      func() time.Time
	limit    time.Duration
	interval time.Duration

	base   context.Context // cancelled by close
	cancel context.CancelFunc
	wg     sync.WaitGroup

	snap atomic.Pointer[keySnapshot]

	mu         sync.Mutex
	inflight   *fetchCall
	limitedAt  time.Time // start of the last rate-limited or failed fetch
	limitedSet bool
	lastErr    error
	closed     bool
	// staleAfter is the unix-nano time before which refreshIfStale does
	// nothing: the snapshot is fresh, a refresh runs, or the last failed.
	staleAfter atomic.Int64
	// waiters counts callers waiting for a fetch (observability for tests).
	waiters atomic.Int64
}

var _ jwkset.Storage = (*keyCache)(nil)

func newKeyCache(url string, rc *resty.Client, now func() time.Time, limit, interval time.Duration) *keyCache {
	ctx, cancel := context.WithCancel(context.Background())
	return &keyCache{url: url, rc: rc, now: now, limit: limit, interval: interval, base: ctx, cancel: cancel}
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
// set causes at most one fetch shared by all callers (see keyCache).
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
	s, err := c.await(ctx, kid, true)
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
	s, err := c.await(ctx, "", false)
	if err != nil {
		return nil, err
	}
	return s.signing, nil
}

// await returns a snapshot that was current after kid was found missing:
// either a newer snapshot already stored, or the result of a fetch, which
// is joined if one is running and otherwise started if the rate limit
// allows. The caller waits no longer than ctx allows.
func (c *keyCache) await(ctx context.Context, kid string, unknownKID bool) (*keySnapshot, error) {
	c.mu.Lock()
	s := c.snap.Load()
	if s != nil {
		if _, ok := s.byKID[kid]; ok || !unknownKID {
			c.mu.Unlock()
			return s, nil
		}
	}
	call := c.inflight
	if call == nil {
		if c.closed {
			c.mu.Unlock()
			return nil, fmt.Errorf("%w: kid %q: %w", ErrUnknownKey, kid, ErrVerifierClosed)
		}
		now := c.now()
		limited := s != nil // a loaded set lacks kid: an unknown-kid refresh
		if c.limitedSet && now.Sub(c.limitedAt) < c.limit {
			lastErr := c.lastErr
			c.mu.Unlock()
			if s == nil && lastErr != nil {
				return nil, fmt.Errorf("%w: kid %q: JWK Set unavailable, next fetch allowed after %s: %w",
					ErrUnknownKey, kid, c.limit, lastErr)
			}
			return nil, fmt.Errorf("%w: kid %q: JWK Set refresh rate limited (one per %s)", ErrUnknownKey, kid, c.limit)
		}
		if limited {
			c.limitedAt, c.limitedSet = now, true
		}
		call = c.startLocked(now)
	}
	c.mu.Unlock()

	c.waiters.Add(1)
	defer c.waiters.Add(-1)
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
	if c.closed || c.inflight != nil || c.snap.Load() != s {
		return
	}
	if c.limitedSet && now.Sub(c.limitedAt) < c.limit {
		c.staleAfter.Store(c.limitedAt.Add(c.limit).UnixNano()) // the last fetch failed recently
		return
	}
	c.startLocked(now)
}

// startLocked starts a fetch in the background. c.mu must be held.
func (c *keyCache) startLocked(started time.Time) *fetchCall {
	call := &fetchCall{done: make(chan struct{})}
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
