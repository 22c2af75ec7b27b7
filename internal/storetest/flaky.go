package storetest

import (
	"context"
	"errors"
	"sync/atomic"
	"time"
)

// ErrDown is what a Flaky store answers while it is down: the error of a
// store whose server cannot be reached.
var ErrDown = errors.New("dial tcp 10.0.0.7:6379: connect: connection refused")

// Flaky passes every call to its Store until Down is set, and then fails
// every call with ErrDown. It counts the writes that reach its Store.
type Flaky struct {
	Store
	Down   atomic.Bool
	writes atomic.Int32
}

// Writes returns the number of writes that reached the Store.
func (s *Flaky) Writes() int { return int(s.writes.Load()) }

// Get implements Store.
func (s *Flaky) Get(ctx context.Context, key string) ([]byte, bool, error) {
	if s.Down.Load() {
		return nil, false, ErrDown
	}
	return s.Store.Get(ctx, key)
}

// Set implements Store.
func (s *Flaky) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if s.Down.Load() {
		return ErrDown
	}
	s.writes.Add(1)
	return s.Store.Set(ctx, key, value, ttl)
}

// SetIfAbsent implements Store.
func (s *Flaky) SetIfAbsent(ctx context.Context, key string, value []byte, ttl time.Duration) (bool, error) {
	if s.Down.Load() {
		return false, ErrDown
	}
	s.writes.Add(1)
	return s.Store.SetIfAbsent(ctx, key, value, ttl)
}

// CompareAndSwap implements Store.
func (s *Flaky) CompareAndSwap(ctx context.Context, key string, old, value []byte, ttl time.Duration) (bool, error) {
	if s.Down.Load() {
		return false, ErrDown
	}
	s.writes.Add(1)
	return s.Store.CompareAndSwap(ctx, key, old, value, ttl)
}

// CompareAndDelete implements Store.
func (s *Flaky) CompareAndDelete(ctx context.Context, key string, value []byte) (bool, error) {
	if s.Down.Load() {
		return false, ErrDown
	}
	s.writes.Add(1)
	return s.Store.CompareAndDelete(ctx, key, value)
}

// Delete implements Store.
func (s *Flaky) Delete(ctx context.Context, key string) error {
	if s.Down.Load() {
		return ErrDown
	}
	s.writes.Add(1)
	return s.Store.Delete(ctx, key)
}
