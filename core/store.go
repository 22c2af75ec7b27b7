package core

import (
	"bytes"
	"container/heap"
	"context"
	"sync"
	"time"
)

// Store holds the state that the replicas of an application must share:
// the states of callbacks already accepted (so that a flow is used once),
// server-side sessions (Builder.ServerSessions), and the locks and results
// that keep a refresh single across replicas. Keys start with "oauth20:"
// and are at most a few hundred bytes; values are opaque bytes, sealed with
// the Auth's keys whenever they hold anything about a user or a token, so a
// Store never holds a readable token. Implementations are safe for
// concurrent use, honour ttl to the millisecond or better, and honour ctx.
// The default is an in-memory store per Auth; package stores/oauth20redis
// is one that replicas share.
//
// The values the library passes to SetIfAbsent and CompareAndSwap are
// unique to the call (random, or sealed with a random nonce), so that an
// implementation that retries a command whose answer was lost can tell its
// own earlier write from another caller's.
//
// An error from a Store is never taken for "absent": the library fails
// closed (a callback or a session read is answered 503) rather than skip a
// check.
type Store interface {
	// Get returns the value of key and whether it was present (and not
	// expired).
	Get(ctx context.Context, key string) ([]byte, bool, error)
	// Set sets key to value for ttl.
	Set(ctx context.Context, key string, value []byte, ttl time.Duration) error
	// SetIfAbsent sets key to value for ttl only if key is absent, and
	// reports whether it did; it is atomic across all users of the store.
	SetIfAbsent(ctx context.Context, key string, value []byte, ttl time.Duration) (bool, error)
	// CompareAndSwap sets key to value for ttl only if its present value
	// is old, and reports whether it did; it is atomic across all users of
	// the store. A refreshed session is written back with it, so that a
	// session deleted meanwhile stays deleted.
	CompareAndSwap(ctx context.Context, key string, old, value []byte, ttl time.Duration) (bool, error)
	// CompareAndDelete deletes key only if its value is value, and reports
	// whether it did (releasing a lock only its holder may release).
	CompareAndDelete(ctx context.Context, key string, value []byte) (bool, error)
	// Delete removes key; deleting an absent key is not an error.
	Delete(ctx context.Context, key string) error
}

// defaultStoreEntries bounds the default in-memory store.
const defaultStoreEntries = 100_000

// memoryStore is the default Store: a map with expiry, bounded in size.
// When full, the entry that expires first is evicted to make room.
type memoryStore struct {
	clock Clock
	max   int

	mu      sync.Mutex
	entries map[string]*memEntry
	byExp   expiryHeap
}

type memEntry struct {
	key     string
	value   []byte
	expires time.Time
	index   int // in byExp
}

func newMemoryStore(clock Clock, max int) *memoryStore {
	return &memoryStore{clock: clock, max: max, entries: map[string]*memEntry{}}
}

// live returns the unexpired entry of key, dropping an expired one.
func (s *memoryStore) live(key string, now time.Time) *memEntry {
	e := s.entries[key]
	if e != nil && !now.Before(e.expires) {
		s.remove(e)
		return nil
	}
	return e
}

func (s *memoryStore) remove(e *memEntry) {
	heap.Remove(&s.byExp, e.index)
	delete(s.entries, e.key)
}

func (s *memoryStore) put(key string, value []byte, ttl time.Duration, now time.Time) {
	if e := s.entries[key]; e != nil {
		s.remove(e)
	}
	for len(s.byExp) > 0 && !now.Before(s.byExp[0].expires) {
		s.remove(s.byExp[0])
	}
	if len(s.entries) >= s.max {
		s.remove(s.byExp[0])
	}
	e := &memEntry{key: key, value: bytes.Clone(value), expires: now.Add(ttl)}
	s.entries[key] = e
	heap.Push(&s.byExp, e)
}

func (s *memoryStore) Get(_ context.Context, key string) ([]byte, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e := s.live(key, s.clock.Now()); e != nil {
		return bytes.Clone(e.value), true, nil
	}
	return nil, false, nil
}

func (s *memoryStore) Set(_ context.Context, key string, value []byte, ttl time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.put(key, value, ttl, s.clock.Now())
	return nil
}

func (s *memoryStore) SetIfAbsent(_ context.Context, key string, value []byte, ttl time.Duration) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock.Now()
	if s.live(key, now) != nil {
		return false, nil
	}
	s.put(key, value, ttl, now)
	return true, nil
}

func (s *memoryStore) CompareAndSwap(_ context.Context, key string, old, value []byte, ttl time.Duration) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock.Now()
	e := s.live(key, now)
	if e == nil || !bytes.Equal(e.value, old) {
		return false, nil
	}
	s.put(key, value, ttl, now)
	return true, nil
}

func (s *memoryStore) CompareAndDelete(_ context.Context, key string, value []byte) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.live(key, s.clock.Now())
	if e == nil || !bytes.Equal(e.value, value) {
		return false, nil
	}
	s.remove(e)
	return true, nil
}

func (s *memoryStore) Delete(_ context.Context, key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e := s.entries[key]; e != nil {
		s.remove(e)
	}
	return nil
}

// expiryHeap orders entries by expiry, earliest first.
type expiryHeap []*memEntry

func (h expiryHeap) Len() int           { return len(h) }
func (h expiryHeap) Less(i, j int) bool { return h[i].expires.Before(h[j].expires) }
func (h expiryHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index, h[j].index = i, j
}
func (h *expiryHeap) Push(x any) {
	e := x.(*memEntry)
	e.index = len(*h)
	*h = append(*h, e)
}
func (h *expiryHeap) Pop() any {
	old := *h
	e := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	return e
}
