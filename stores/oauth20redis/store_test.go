package oauth20redis_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/go-oauth20/oauth20/internal/storetest"
	"github.com/go-oauth20/oauth20/stores/oauth20redis"
	"github.com/redis/go-redis/v9"
)

// TestContract runs the cases every core.Store passes against a real
// redis-server; expiry is checked by TestTTL, since a server's clock cannot
// be moved.
func TestContract(t *testing.T) {
	t.Parallel()
	w := startRedis(t)
	storetest.Run(t, w.store, nil)
}

func TestTTL(t *testing.T) {
	t.Parallel()
	w := startRedis(t)
	ctx := testContext(t)
	pttl := func(key string) time.Duration {
		t.Helper()
		d, err := w.rdb.PTTL(ctx, "test:"+key).Result()
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	for _, tc := range []struct {
		name     string
		write    func(key string) error
		ttl      time.Duration
		min, max time.Duration
	}{
		{"set", func(k string) error { return w.store.Set(ctx, k, []byte("v"), 1500*time.Millisecond) }, 0, 1400 * time.Millisecond, 1500 * time.Millisecond},
		{"set rounds up", func(k string) error { return w.store.Set(ctx, k, []byte("v"), 1500*time.Microsecond) }, 0, 1, 2 * time.Millisecond},
		{"set never without ttl", func(k string) error { return w.store.Set(ctx, k, []byte("v"), 0) }, 0, -2, time.Millisecond},
		{"set if absent", func(k string) error {
			_, err := w.store.SetIfAbsent(ctx, k, []byte("v"), time.Hour)
			return err
		}, 0, 59 * time.Minute, time.Hour},
		{"compare and swap", func(k string) error {
			if err := w.store.Set(ctx, k, []byte("a"), time.Second); err != nil {
				return err
			}
			_, err := w.store.CompareAndSwap(ctx, k, []byte("a"), []byte("b"), time.Hour)
			return err
		}, 0, 59 * time.Minute, time.Hour},
	} {
		t.Run(tc.name, func(t *testing.T) {
			key := "ttl:" + tc.name
			if err := tc.write(key); err != nil {
				t.Fatal(err)
			}
			// PTTL is -2 for a key that has expired already, -1 for a key
			// without a time to live.
			if got := pttl(key); got == -1 || got < tc.min || got > tc.max {
				t.Errorf("PTTL %v, want %v to %v", got, tc.min, tc.max)
			}
		})
	}
	// And keys do expire.
	if err := w.store.Set(ctx, "short", []byte("v"), 20*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		if _, ok, err := w.store.Get(ctx, "short"); err != nil || !ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("a key of 20ms still present after 5s")
		}
		<-time.After(10 * time.Millisecond)
	}
}

func TestPrefix(t *testing.T) {
	t.Parallel()
	w := startRedis(t)
	ctx := testContext(t)
	a := oauth20redis.New(w.rdb, oauth20redis.Config{Prefix: "shop:"})
	b := oauth20redis.New(w.rdb, oauth20redis.Config{Prefix: "blog:"})
	if err := a.Set(ctx, "oauth20:k", []byte("a"), time.Minute); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := b.Get(ctx, "oauth20:k"); ok {
		t.Error("a key seen through another prefix")
	}
	if v, err := w.rdb.Get(ctx, "shop:oauth20:k").Result(); err != nil || v != "a" {
		t.Errorf("raw key: %q %v", v, err)
	}
}

// TestContext: every call honours its ctx, including against a Redis that
// hangs (with the client's ContextTimeoutEnabled, which startRedis sets).
func TestContext(t *testing.T) {
	t.Parallel()
	w := startRedis(t)
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	calls := map[string]func(ctx context.Context) error{
		"get": func(ctx context.Context) error { _, _, err := w.store.Get(ctx, "k"); return err },
		"set": func(ctx context.Context) error { return w.store.Set(ctx, "k", []byte("v"), time.Minute) },
		"set if absent": func(ctx context.Context) error {
			_, err := w.store.SetIfAbsent(ctx, "k", []byte("v"), time.Minute)
			return err
		},
		"compare and swap": func(ctx context.Context) error {
			_, err := w.store.CompareAndSwap(ctx, "k", []byte("v"), []byte("w"), time.Minute)
			return err
		},
		"compare and delete": func(ctx context.Context) error {
			_, err := w.store.CompareAndDelete(ctx, "k", []byte("v"))
			return err
		},
		"delete": func(ctx context.Context) error { return w.store.Delete(ctx, "k") },
	}
	for name, call := range calls {
		if err := call(cancelled); !errors.Is(err, context.Canceled) {
			t.Errorf("%s with a cancelled ctx: %v", name, err)
		}
	}
	w.srv.Pause()
	defer w.srv.Resume()
	for name, call := range calls {
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		began := time.Now()
		err := call(ctx)
		cancel()
		if err == nil || time.Since(began) > 2*time.Second {
			t.Errorf("%s against a hung Redis: %v after %v", name, err, time.Since(began))
		}
	}
}

// TestRetriedWrite: a write whose answer was lost is sent again by
// go-redis; the Store tells its own earlier write from another caller's.
func TestRetriedWrite(t *testing.T) {
	t.Parallel()
	w := startRedis(t)
	ctx := testContext(t)
	proxy := startLossyProxy(t, w.srv.Addr)
	rdb := redis.NewClient(&redis.Options{Addr: proxy.addr, MaxRetries: 2})
	t.Cleanup(func() { _ = rdb.Close() })
	s := oauth20redis.New(rdb, oauth20redis.Config{Prefix: "test:"})
	// Load the script, so that the request that loses its answer is the
	// one that runs it.
	if _, err := s.CompareAndSwap(ctx, "warm", []byte("x"), []byte("y"), time.Minute); err != nil {
		t.Fatal(err)
	}

	proxy.arm("\r\nnx\r\n")
	if ok, err := s.SetIfAbsent(ctx, "once", []byte("mine"), time.Minute); err != nil || !ok {
		t.Errorf("SetIfAbsent whose first answer was lost: %v %v", ok, err)
	}
	if ok, _ := s.SetIfAbsent(ctx, "once", []byte("theirs"), time.Minute); ok {
		t.Error("a second caller's SetIfAbsent won")
	}
	proxy.arm("evalsha")
	if ok, err := s.CompareAndSwap(ctx, "once", []byte("mine"), []byte("next"), time.Minute); err != nil || !ok {
		t.Errorf("CompareAndSwap whose first answer was lost: %v %v", ok, err)
	}
	if n := proxy.lost.Load(); n != 2 {
		t.Errorf("%d answers lost, want 2", n)
	}
}
