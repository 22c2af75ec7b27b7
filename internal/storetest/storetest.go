// Package storetest checks that a store keeps the contract of core.Store:
// the in-memory default and stores/oauth20redis run the same cases. It
// does not import core (core's own tests use it), so it declares the same
// method set.
package storetest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Store is core.Store.
type Store interface {
	Get(ctx context.Context, key string) ([]byte, bool, error)
	Set(ctx context.Context, key string, value []byte, ttl time.Duration) error
	SetIfAbsent(ctx context.Context, key string, value []byte, ttl time.Duration) (bool, error)
	CompareAndSwap(ctx context.Context, key string, old, value []byte, ttl time.Duration) (bool, error)
	CompareAndDelete(ctx context.Context, key string, value []byte) (bool, error)
	Delete(ctx context.Context, key string) error
}

// Run checks s. advance moves the store's clock forward; when it is nil the
// expiry cases are left to the caller (a server's clock cannot be moved).
// Keys are prefixed with a random value, so stores shared between tests do
// not collide.
func Run(t *testing.T, s Store, advance func(time.Duration)) {
	t.Helper()
	ctx := context.Background()
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	prefix := "oauth20:test:" + hex.EncodeToString(b) + ":"
	key := func(name string) string { return prefix + name }
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	get := func(k string) ([]byte, bool) {
		t.Helper()
		v, ok, err := s.Get(ctx, k)
		must(err)
		return v, ok
	}

	t.Run("get set delete", func(t *testing.T) {
		if v, ok := get(key("absent")); ok || v != nil {
			t.Errorf("absent key: %q %v", v, ok)
		}
		// Values are opaque bytes: zero bytes, high bytes, empty.
		for _, v := range [][]byte{{0, 1, 0xff, '\n', 0}, {}, bytes.Repeat([]byte{0x80}, 70_000)} {
			must(s.Set(ctx, key("v"), v, time.Minute))
			if got, ok := get(key("v")); !ok || !bytes.Equal(got, v) {
				t.Errorf("value of %d bytes read back as %d bytes (%v)", len(v), len(got), ok)
			}
		}
		must(s.Delete(ctx, key("v")))
		if _, ok := get(key("v")); ok {
			t.Error("deleted key present")
		}
		must(s.Delete(ctx, key("v")))
	})

	t.Run("returned values are copies", func(t *testing.T) {
		v := []byte("abc")
		must(s.Set(ctx, key("copy"), v, time.Minute))
		v[0] = 'x'
		got, _ := get(key("copy"))
		got[1] = 'y'
		if again, _ := get(key("copy")); string(again) != "abc" {
			t.Errorf("stored value changed through a caller's slice: %q", again)
		}
	})

	t.Run("set if absent", func(t *testing.T) {
		if ok, err := s.SetIfAbsent(ctx, key("once"), []byte("1"), time.Minute); err != nil || !ok {
			t.Fatalf("first: %v %v", ok, err)
		}
		if ok, err := s.SetIfAbsent(ctx, key("once"), []byte("2"), time.Minute); err != nil || ok {
			t.Fatalf("second: %v %v", ok, err)
		}
		if v, _ := get(key("once")); string(v) != "1" {
			t.Errorf("value %q, want the first", v)
		}
		// Atomic: of many at once, exactly one wins.
		exactlyOne(t, "SetIfAbsent calls", func(i int) (bool, error) {
			return s.SetIfAbsent(ctx, key("race"), []byte{byte(i)}, time.Minute)
		})
	})

	t.Run("compare and swap", func(t *testing.T) {
		if ok, err := s.CompareAndSwap(ctx, key("cas"), []byte("a"), []byte("b"), time.Minute); err != nil || ok {
			t.Fatalf("swap of an absent key: %v %v", ok, err)
		}
		if _, ok := get(key("cas")); ok {
			t.Fatal("a swap created an absent key")
		}
		must(s.Set(ctx, key("cas"), []byte("a"), time.Minute))
		if ok, err := s.CompareAndSwap(ctx, key("cas"), []byte("x"), []byte("b"), time.Minute); err != nil || ok {
			t.Fatalf("swap with the wrong old value: %v %v", ok, err)
		}
		if ok, err := s.CompareAndSwap(ctx, key("cas"), []byte("a"), []byte("b"), time.Minute); err != nil || !ok {
			t.Fatalf("swap with the right old value: %v %v", ok, err)
		}
		if v, _ := get(key("cas")); string(v) != "b" {
			t.Errorf("value %q after the swap", v)
		}
		// Atomic: of many swaps from the same value, exactly one wins.
		exactlyOne(t, "swaps", func(i int) (bool, error) {
			return s.CompareAndSwap(ctx, key("cas"), []byte("b"), []byte{'c', byte(i)}, time.Minute)
		})
	})

	t.Run("compare and delete", func(t *testing.T) {
		must(s.Set(ctx, key("lock"), []byte("owner-1"), time.Minute))
		if ok, err := s.CompareAndDelete(ctx, key("lock"), []byte("owner-2")); err != nil || ok {
			t.Fatalf("deleted with the wrong value: %v %v", ok, err)
		}
		if ok, err := s.CompareAndDelete(ctx, key("lock"), []byte("owner-1")); err != nil || !ok {
			t.Fatalf("not deleted with the right value: %v %v", ok, err)
		}
		if _, ok := get(key("lock")); ok {
			t.Error("present after CompareAndDelete")
		}
		if ok, err := s.CompareAndDelete(ctx, key("lock"), []byte("owner-1")); err != nil || ok {
			t.Errorf("deleted an absent key: %v %v", ok, err)
		}
	})

	if advance == nil {
		return
	}
	t.Run("expiry", func(t *testing.T) {
		must(s.Set(ctx, key("short"), []byte("x"), time.Second))
		must(s.Set(ctx, key("long"), []byte("y"), time.Hour))
		if ok, _ := s.SetIfAbsent(ctx, key("lock"), []byte("l"), time.Second); !ok {
			t.Fatal("lock not taken")
		}
		advance(2 * time.Second)
		if _, ok := get(key("short")); ok {
			t.Error("expired entry returned")
		}
		if _, ok := get(key("long")); !ok {
			t.Error("unexpired entry missing")
		}
		if ok, _ := s.SetIfAbsent(ctx, key("lock"), []byte("m"), time.Minute); !ok {
			t.Error("an expired entry still blocks SetIfAbsent")
		}
		if ok, _ := s.CompareAndSwap(ctx, key("short"), []byte("x"), []byte("z"), time.Minute); ok {
			t.Error("an expired entry was swapped")
		}
		// A swap sets the new ttl.
		must(s.Set(ctx, key("swap"), []byte("a"), time.Second))
		if ok, _ := s.CompareAndSwap(ctx, key("swap"), []byte("a"), []byte("b"), time.Hour); !ok {
			t.Fatal("swap refused")
		}
		advance(2 * time.Second)
		if v, ok := get(key("swap")); !ok || string(v) != "b" {
			t.Errorf("swapped value %q %v after its old ttl", v, ok)
		}
	})
}

// exactlyOne runs op 32 times at once, with i from 0 to 31, and fails the
// test unless exactly one call reports true; what names the calls.
func exactlyOne(t *testing.T, what string, op func(i int) (bool, error)) {
	t.Helper()
	var wins atomic.Int32
	var wg sync.WaitGroup
	for i := range 32 {
		wg.Go(func() {
			ok, err := op(i)
			if err != nil {
				t.Error(err)
			}
			if ok {
				wins.Add(1)
			}
		})
	}
	wg.Wait()
	if wins.Load() != 1 {
		t.Errorf("%d %s won, want 1", wins.Load(), what)
	}
}
