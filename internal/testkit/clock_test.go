package testkit_test

import (
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/go-oauth20/oauth20/core"
	"github.com/go-oauth20/oauth20/internal/testkit"
)

// The clock is a core.Clock.
var _ core.Clock = (*testkit.Clock)(nil)

var start = time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)

func TestClockAfterFiresOnAdvance(t *testing.T) {
	t.Parallel()
	c := testkit.NewClock(start)
	ch := c.After(time.Minute)
	select {
	case <-ch:
		t.Fatal("After fired before the clock moved")
	default:
	}
	c.Advance(59 * time.Second)
	select {
	case <-ch:
		t.Fatal("After fired a second early")
	default:
	}
	c.Advance(time.Second)
	if got := <-ch; !got.Equal(start.Add(time.Minute)) {
		t.Errorf("fired with %v, want %v", got, start.Add(time.Minute))
	}
	if n := c.Timers(); n != 0 {
		t.Errorf("%d timers left", n)
	}
	if got := <-c.After(0); !got.Equal(c.Now()) {
		t.Errorf("After(0) fired with %v", got)
	}
	c.Set(start)
	if !c.Now().Equal(start) {
		t.Errorf("Set: now %v", c.Now())
	}
}

func TestClockWaitForTimers(t *testing.T) {
	t.Parallel()
	c := testkit.NewClock(start)
	done := make(chan time.Time)
	go func() { done <- <-c.After(time.Hour) }()
	c.WaitForTimers(1)
	c.Advance(time.Hour)
	if got := <-done; !got.Equal(start.Add(time.Hour)) {
		t.Errorf("waiter woke at %v", got)
	}
}

func TestAutoClock(t *testing.T) {
	t.Parallel()
	c := testkit.NewAutoClock(start)
	<-c.After(5 * time.Second)
	<-c.After(10 * time.Second)
	if got, want := c.Now(), start.Add(15*time.Second); !got.Equal(want) {
		t.Errorf("now %v, want %v", got, want)
	}
	if got := c.Waits(); !slices.Equal(got, []time.Duration{5 * time.Second, 10 * time.Second}) {
		t.Errorf("waits %v", got)
	}
}

// TestClockConcurrent is run with -race: readers, waiters and movers at
// once.
func TestClockConcurrent(t *testing.T) {
	t.Parallel()
	c := testkit.NewClock(start)
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(3)
		go func() { defer wg.Done(); _ = c.Now() }()
		go func() { defer wg.Done(); <-c.After(time.Second) }()
		go func() { defer wg.Done(); c.Advance(time.Millisecond) }()
	}
	// The advancers move the clock by 8ms in all: no waiter is due yet.
	c.WaitForTimers(8)
	c.Advance(time.Second)
	wg.Wait()
}
