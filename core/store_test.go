package core

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/go-oauth20/oauth20/internal/storetest"
)

func TestMemoryStoreContract(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	storetest.Run(t, newMemoryStore(clock, 1000), clock.Advance)
}

func TestMemoryStoreBound(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clock := newFakeClock()
	s := newMemoryStore(clock, 3)
	_ = s.Set(ctx, "short", []byte("x"), time.Second)
	_ = s.Set(ctx, "long", []byte("y"), time.Hour)
	_ = s.Set(ctx, "mid", []byte("m"), 30*time.Minute)
	// A fourth key evicts the entry that expires first.
	_ = s.Set(ctx, "new", []byte("n"), 10*time.Minute)
	if n := len(s.entries); n != 3 {
		t.Errorf("%d entries, want at most 3", n)
	}
	if _, ok, _ := s.Get(ctx, "short"); ok {
		t.Error("the entry expiring first was kept over the bound")
	}
	if _, ok, _ := s.Get(ctx, "long"); !ok {
		t.Error("the entry expiring last was evicted")
	}
	// Expired entries make room before anything live is evicted.
	clock.Advance(15 * time.Minute)
	_ = s.Set(ctx, "later", []byte("l"), time.Minute)
	for _, k := range []string{"long", "mid", "later"} {
		if _, ok, _ := s.Get(ctx, k); !ok {
			t.Errorf("%s evicted while an expired entry was there", k)
		}
	}
}

func TestCompleteSharedStoreAndStoreFailure(t *testing.T) {
	t.Parallel()
	f := flowServer(t)
	clock := newFakeClock()
	shared := &storetest.Flaky{Store: newMemoryStore(clock, 10)}
	build := func(s Store) *Auth {
		return New().SealingKeys(testKey).BaseURL("https://app.example/auth").Clock(clock).Store(s).
			Provider(testProvider(t, f, "fake", nil), nil).MustBuild()
	}
	a, b := build(shared), build(shared)
	u, c, err := a.Begin(context.Background(), "fake", BeginOptions{})
	if err != nil {
		t.Fatal(err)
	}
	pu, _ := url.Parse(u)
	params := url.Values{"code": {"good-code"}, "state": {pu.Query().Get("state")}}
	if _, _, err := a.Complete(context.Background(), "fake", params, jar(c)); err != nil {
		t.Fatal(err)
	}
	// Another replica sharing the store refuses the replayed callback.
	if _, _, err := b.Complete(context.Background(), "fake", params, jar(c)); !errors.Is(err, ErrFlowUsed) {
		t.Fatalf("replay on a second Auth: %v", err)
	}
	// An unreachable store fails closed with a 503 and no provider call.
	shared.Down.Store(true)
	u, c, _ = a.Begin(context.Background(), "fake", BeginOptions{})
	pu, _ = url.Parse(u)
	before := len(f.requests())
	_, _, err = a.Complete(context.Background(), "fake", url.Values{"code": {"good-code"}, "state": {pu.Query().Get("state")}}, jar(c))
	if !errors.Is(err, ErrStoreUnavailable) || !errors.Is(err, storetest.ErrDown) || statusOf(err) != http.StatusServiceUnavailable || len(f.requests()) != before {
		t.Fatalf("store down: %v (%d provider requests)", err, len(f.requests())-before)
	}
	if p := ProblemOf(err); p.Status != 503 || p.Type != "urn:oauth20:unavailable" {
		t.Errorf("problem %+v", p)
	}
}
