package storetest

import (
	"bytes"
	"context"
	"sync"
	"time"
)

// Map is a plain store for tests outside package core (whose in-memory
// store is not exported): a map with expiry by the given clock, without a
// bound.
type Map struct {
	now func() time.Time

	mu sync.Mutex
	m  map[string]mapEntry
}

type mapEntry struct {
	value   []byte
	expires time.Time
}

// NewMap returns an empty Map whose entries expire by now.
func NewMap(now func() time.Time) *Map { return &Map{now: now, m: map[string]mapEntry{}} }

// live returns the unexpired entry of key. The caller holds mu.
func (s *Map) live(key string) (mapEntry, bool) {
	e, ok := s.m[key]
	if ok && !s.now().Before(e.expires) {
		delete(s.m, key)
		return mapEntry{}, false
	}
	return e, ok
}

func (s *Map) put(key string, value []byte, ttl time.Duration) {
	s.m[key] = mapEntry{value: bytes.Clone(value), expires: s.now().Add(ttl)}
}

// Get implements Store.
func (s *Map) Get(_ context.Context, key string) ([]byte, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.live(key)
	if !ok {
		return nil, false, nil
	}
	return bytes.Clone(e.value), true, nil
}

// Set implements Store.
func (s *Map) Set(_ context.Context, key string, value []byte, ttl time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.put(key, value, ttl)
	return nil
}

// SetIfAbsent implements Store.
func (s *Map) SetIfAbsent(_ context.Context, key string, value []byte, ttl time.Duration) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.live(key); ok {
		return false, nil
	}
	s.put(key, value, ttl)
	return true, nil
}

// CompareAndSwap implements Store.
func (s *Map) CompareAndSwap(_ context.Context, key string, old, value []byte, ttl time.Duration) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e, ok := s.live(key); !ok || !bytes.Equal(e.value, old) {
		return false, nil
	}
	s.put(key, value, ttl)
	return true, nil
}

// CompareAndDelete implements Store.
func (s *Map) CompareAndDelete(_ context.Context, key string, value []byte) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e, ok := s.live(key); !ok || !bytes.Equal(e.value, value) {
		return false, nil
	}
	delete(s.m, key)
	return true, nil
}

// Delete implements Store.
func (s *Map) Delete(_ context.Context, key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, key)
	return nil
}
