package oauth20redis

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/go-oauth20/oauth20/core"
	"github.com/redis/go-redis/v9"
)

// Config configures a Store. The zero value is ready to use.
type Config struct {
	// Prefix is put before every key, so that applications (or
	// environments) sharing one Redis keep apart: "shop:" makes
	// "shop:oauth20:session:…". Default: none; the library's keys start
	// with "oauth20:" anyway.
	Prefix string
}

// Store is a core.Store on Redis: what it holds is shared by every replica
// that uses the same Redis (and Prefix). Each method is one command or one
// script, atomic on the Redis server; every key gets a time to live, to
// the millisecond. Values are opaque bytes (the library seals what it
// stores with the Auth's keys). A Store is safe for concurrent use; it
// does not close the client.
type Store struct {
	rdb    redis.UniversalClient
	prefix string
}

var _ core.Store = (*Store)(nil)

// New returns a Store on rdb, a *redis.Client, *redis.ClusterClient or any
// other redis.UniversalClient. Each call honours its ctx; set the client's
// ContextTimeoutEnabled so that a ctx deadline also bounds the wait for a
// Redis that does not answer (go-redis otherwise waits for its own read
// timeout, 3 s by default).
func New(rdb redis.UniversalClient, cfg Config) *Store {
	if rdb == nil {
		panic("oauth20redis: New with a nil client")
	}
	return &Store{rdb: rdb, prefix: cfg.Prefix}
}

// compareAndSwap sets KEYS[1] to ARGV[2] for ARGV[3] milliseconds when its
// value is ARGV[1].
var compareAndSwap = redis.NewScript(`
if redis.call("GET", KEYS[1]) == ARGV[1] then
	redis.call("SET", KEYS[1], ARGV[2], "PX", ARGV[3])
	return 1
end
return 0`)

// compareAndDelete deletes KEYS[1] when its value is ARGV[1].
var compareAndDelete = redis.NewScript(`
if redis.call("GET", KEYS[1]) == ARGV[1] then
	return redis.call("DEL", KEYS[1])
end
return 0`)

// Get implements core.Store with GET.
func (s *Store) Get(ctx context.Context, key string) ([]byte, bool, error) {
	v, err := s.rdb.Get(ctx, s.prefix+key).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("oauth20redis: get: %w", err)
	}
	return v, true, nil
}

// Set implements core.Store with SET PX.
func (s *Store) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if err := s.rdb.Set(ctx, s.prefix+key, value, expiry(ttl)).Err(); err != nil {
		return fmt.Errorf("oauth20redis: set: %w", err)
	}
	return nil
}

// SetIfAbsent implements core.Store with SET NX PX.
func (s *Store) SetIfAbsent(ctx context.Context, key string, value []byte, ttl time.Duration) (bool, error) {
	ok, err := s.rdb.SetNX(ctx, s.prefix+key, value, expiry(ttl)).Result()
	if err != nil {
		return false, fmt.Errorf("oauth20redis: set if absent: %w", err)
	}
	if !ok {
		return s.ours(ctx, key, value, "set if absent")
	}
	return true, nil
}

// CompareAndSwap implements core.Store with a script: GET, compare, SET PX.
func (s *Store) CompareAndSwap(ctx context.Context, key string, old, value []byte, ttl time.Duration) (bool, error) {
	n, err := compareAndSwap.Run(ctx, s.rdb, []string{s.prefix + key}, old, value, expiry(ttl).Milliseconds()).Int()
	if err != nil {
		return false, fmt.Errorf("oauth20redis: compare and swap: %w", err)
	}
	if n != 1 {
		return s.ours(ctx, key, value, "compare and swap")
	}
	return true, nil
}

// ours reports whether key holds value after a write of value was refused.
// go-redis sends a command again when its answer was lost on the network
// (Options.MaxRetries); when the first one was applied, the second is
// refused, and only this read tells that the write was ours. The library's
// values for these writes are unique to the call (see core.Store).
func (s *Store) ours(ctx context.Context, key string, value []byte, op string) (bool, error) {
	v, ok, err := s.Get(ctx, key)
	if err != nil {
		return false, fmt.Errorf("oauth20redis: %s: %w", op, err)
	}
	return ok && bytes.Equal(v, value), nil
}

// CompareAndDelete implements core.Store with a script: GET, compare, DEL.
func (s *Store) CompareAndDelete(ctx context.Context, key string, value []byte) (bool, error) {
	n, err := compareAndDelete.Run(ctx, s.rdb, []string{s.prefix + key}, value).Int()
	if err != nil {
		return false, fmt.Errorf("oauth20redis: compare and delete: %w", err)
	}
	return n == 1, nil
}

// Delete implements core.Store with DEL.
func (s *Store) Delete(ctx context.Context, key string) error {
	if err := s.rdb.Del(ctx, s.prefix+key).Err(); err != nil {
		return fmt.Errorf("oauth20redis: delete: %w", err)
	}
	return nil
}

// expiry rounds ttl up to whole milliseconds, at least one: Redis takes no
// shorter time to live, and a key without one would never expire.
func expiry(ttl time.Duration) time.Duration {
	return max((ttl + time.Millisecond - 1).Truncate(time.Millisecond), time.Millisecond)
}
