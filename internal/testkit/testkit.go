// Package testkit holds what tests of several packages share to stay
// honest about time: a clock they move by hand, and one way to wait for
// something that happens in the background.
package testkit

import (
	"sync"
	"testing"
	"time"
)

// Clock is a time source a test moves by hand. It is safe for concurrent
// use, so the code under test may read it from its own goroutines.
type Clock struct {
	mu     sync.Mutex
	fixed  time.Time
	offset time.Duration
	real   bool
}

// NewClock returns a clock that stands still at start until Advance.
func NewClock(start time.Time) *Clock { return &Clock{fixed: start} }

// NewRealClock returns a clock that follows real time, shifted by what
// Advance adds: for servers that also need time to pass on its own.
func NewRealClock() *Clock { return &Clock{real: true} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.real {
		return time.Now().Add(c.offset)
	}
	return c.fixed.Add(c.offset)
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset += d
}

// Set moves the clock so that it reads t now; a real clock goes on from
// there. Tests whose outcome depends on the date or the time of day (what
// is "today", a due date a year ahead) set it, so that they do not depend
// on when they run.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.real {
		c.offset = time.Until(t)
		return
	}
	c.fixed, c.offset = t, 0
}

// WaitTimeout bounds WaitFor.
const WaitTimeout = 15 * time.Second

// WaitFor polls cond until it holds, failing t with what when it does not
// within WaitTimeout. Use it for what must happen; prove that something
// did not happen by reading the state once it has settled, never by waiting.
func WaitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(WaitTimeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", WaitTimeout, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
