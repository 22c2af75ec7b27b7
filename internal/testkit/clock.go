package testkit

import (
	"slices"
	"sync"
	"time"
)

// Clock is a fake clock for tests. Its time moves only when the test moves
// it (Advance, Set) or, for a clock made by NewAutoClock, when code waits on
// it. It has the methods of core.Clock (Now and After) and is safe for
// concurrent use.
type Clock struct {
	mu     sync.Mutex
	cond   *sync.Cond // signalled whenever a timer is added
	now    time.Time
	auto   bool
	timers []timer
	waits  []time.Duration
}

// timer is one pending After.
type timer struct {
	at time.Time
	ch chan time.Time
}

// NewClock returns a clock standing at start. Its After fires once Advance
// or Set has moved the time to the deadline; until then it does not fire,
// however long the test runs.
func NewClock(start time.Time) *Clock {
	c := &Clock{now: start}
	c.cond = sync.NewCond(&c.mu)
	return c
}

// NewAutoClock returns a clock standing at start whose After moves the time
// forward by the duration asked for and fires at once: code that waits on
// the clock (a polling interval, a back-off) runs without waiting, and
// Waits tells what it waited for.
func NewAutoClock(start time.Time) *Clock {
	c := NewClock(start)
	c.auto = true
	return c
}

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// After returns a channel that receives the clock's time once d has passed
// on the clock. A d of zero or less fires at once. Every call is recorded
// for Waits.
func (c *Clock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.waits = append(c.waits, d)
	ch := make(chan time.Time, 1)
	if c.auto && d > 0 {
		c.now = c.now.Add(d)
	}
	if c.auto || d <= 0 {
		ch <- c.now
		c.fireLocked()
		return ch
	}
	c.timers = append(c.timers, timer{at: c.now.Add(d), ch: ch})
	c.cond.Broadcast()
	return ch
}

// Advance moves the clock forward by d and fires the timers that are due.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	c.fireLocked()
}

// Set moves the clock to t, backwards too, and fires the timers that are
// due.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
	c.fireLocked()
}

// fireLocked fires and forgets the timers whose deadline has come.
func (c *Clock) fireLocked() {
	c.timers = slices.DeleteFunc(c.timers, func(t timer) bool {
		if t.at.After(c.now) {
			return false
		}
		t.ch <- c.now
		return true
	})
}

// Waits returns the durations that After was called with, in order.
func (c *Clock) Waits() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.waits)
}

// Timers returns how many After channels wait for their deadline.
func (c *Clock) Timers() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.timers)
}

// WaitForTimers blocks until at least n After channels wait for their
// deadline, so that a test can Advance the clock knowing that the code under
// test is waiting on it. It does not return if that never happens; the test
// binary's timeout ends it.
func (c *Clock) WaitForTimers(n int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for len(c.timers) < n {
		c.cond.Wait()
	}
}

// AdvanceToTimer moves the clock to the earliest pending timer's deadline
// and fires the timers that are then due; it reports false, and changes
// nothing, when no timer is pending.
func (c *Clock) AdvanceToTimer() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.timers) == 0 {
		return false
	}
	next := c.timers[0].at
	for _, t := range c.timers[1:] {
		if t.at.Before(next) {
			next = t.at
		}
	}
	if next.After(c.now) {
		c.now = next
	}
	c.fireLocked()
	return true
}
