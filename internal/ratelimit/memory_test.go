package ratelimit

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/taskapi/taskapi/internal/testkit"
)

func newClock() *testkit.Clock { return testkit.NewClock(time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)) }

// wantResult compares a limiter's answer with want.
func wantResult(t *testing.T, what string, got, want Result) {
	t.Helper()
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("%s (-want +got):\n%s", what, diff)
	}
}

func newTestMemory(t *testing.T, c *testkit.Clock, maxKeys int) *Memory {
	t.Helper()
	m := NewMemory(context.Background(), MemoryOptions{MaxKeys: maxKeys, SweepInterval: -1, Now: c.Now})
	t.Cleanup(func() { m.Close() })
	return m
}

func TestMemoryExactDecisions(t *testing.T) {
	c := newClock()
	m := newTestMemory(t, c, 0)
	ctx := context.Background()
	limit := Limit{Burst: 3, Period: time.Minute} // one request back every 20s
	step := func(advance time.Duration, want Result) {
		t.Helper()
		c.Advance(advance)
		got, err := m.Allow(ctx, "k", limit)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("after %v (-want +got):\n%s", advance, diff)
		}
	}
	step(0, Result{Allowed: true, Limit: 3, Remaining: 2, ResetAfter: 20 * time.Second})
	step(0, Result{Allowed: true, Limit: 3, Remaining: 1, ResetAfter: 40 * time.Second})
	step(0, Result{Allowed: true, Limit: 3, Remaining: 0, ResetAfter: time.Minute})
	// The burst is spent: the next request waits one interval.
	step(0, Result{Allowed: false, Limit: 3, Remaining: 0, ResetAfter: time.Minute, RetryAfter: 20 * time.Second})
	step(15*time.Second, Result{Allowed: false, Limit: 3, Remaining: 0, ResetAfter: 45 * time.Second, RetryAfter: 5 * time.Second})
	// A refusal takes nothing: after the 5s left, one request goes through.
	step(5*time.Second, Result{Allowed: true, Limit: 3, Remaining: 0, ResetAfter: time.Minute})
	// After a long idle time the full burst is back, no more.
	step(time.Hour, Result{Allowed: true, Limit: 3, Remaining: 2, ResetAfter: 20 * time.Second})

	// Keys are independent.
	got, _ := m.Allow(ctx, "other", limit)
	if got.Remaining != 2 {
		t.Errorf("another key: %+v", got)
	}
}

func TestMemoryPeekAndReset(t *testing.T) {
	c := newClock()
	m := newTestMemory(t, c, 0)
	ctx := context.Background()
	limit := Limit{Burst: 2, Period: 10 * time.Minute}
	peek := func() Result {
		t.Helper()
		r, err := m.Peek(ctx, "k", limit)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	wantResult(t, "fresh peek", peek(), Result{Allowed: true, Limit: 2, Remaining: 2})
	if m.Len() != 0 {
		t.Error("a peek stored a key")
	}
	m.Allow(ctx, "k", limit)
	wantResult(t, "peek after one", peek(), Result{Allowed: true, Limit: 2, Remaining: 1, ResetAfter: 5 * time.Minute})
	m.Allow(ctx, "k", limit)
	wantResult(t, "peek after two", peek(), Result{Limit: 2, ResetAfter: 10 * time.Minute, RetryAfter: 5 * time.Minute})
	if r := peek(); r.Allowed {
		t.Error("peeking took something back")
	}
	if err := m.Reset(ctx, "k"); err != nil {
		t.Fatal(err)
	}
	wantResult(t, "peek after reset", peek(), Result{Allowed: true, Limit: 2, Remaining: 2})
}

func TestMemoryRefund(t *testing.T) {
	c := newClock()
	m := newTestMemory(t, c, 0)
	ctx := context.Background()
	limit := Limit{Burst: 3, Period: time.Minute} // one request back every 20s
	for range 3 {
		m.Allow(ctx, "k", limit)
	}
	if err := m.Refund(ctx, "k", limit); err != nil {
		t.Fatal(err)
	}
	// One request is back, exactly: the key is as after two requests.
	r, _ := m.Peek(ctx, "k", limit)
	wantResult(t, "after a refund", r, Result{Allowed: true, Limit: 3, Remaining: 1, ResetAfter: 40 * time.Second})
	// Refunds stop at a full budget, and a full key holds no state.
	for range 5 {
		if err := m.Refund(ctx, "k", limit); err != nil {
			t.Fatal(err)
		}
	}
	if m.Len() != 0 {
		t.Errorf("keys = %d after refunding everything", m.Len())
	}
	if r, _ := m.Peek(ctx, "k", limit); r.Remaining != 3 {
		t.Errorf("after refunds: %+v", r)
	}
	// A refund after time refilled the budget gives nothing extra.
	m.Allow(ctx, "k", limit)
	c.Advance(time.Hour)
	m.Refund(ctx, "k", limit)
	if r, _ := m.Peek(ctx, "k", limit); r.Remaining != 3 || m.Len() != 0 {
		t.Errorf("refund of an idle key: %+v, %d keys", r, m.Len())
	}
	if err := m.Refund(ctx, "k", Limit{}); err == nil {
		t.Error("Refund with an invalid limit: no error")
	}
}

func TestMemoryInvalidLimit(t *testing.T) {
	m := newTestMemory(t, newClock(), 0)
	for _, l := range []Limit{{}, {Burst: 1}, {Period: time.Second}, {Burst: 10_000_000, Period: time.Second}} {
		if _, err := m.Allow(context.Background(), "k", l); err == nil {
			t.Errorf("Allow with %+v: no error", l)
		}
	}
}

func TestMemoryIsBounded(t *testing.T) {
	c := newClock()
	m := newTestMemory(t, c, 100)
	ctx := context.Background()
	limit := Limit{Burst: 1, Period: time.Hour}
	for i := range 1000 {
		if r, _ := m.Allow(ctx, fmt.Sprintf("k%d", i), limit); !r.Allowed {
			t.Fatalf("fresh key %d refused", i)
		}
	}
	if n := m.Len(); n != 100 {
		t.Errorf("Len = %d, want the bound 100", n)
	}
	if e := m.Evicted(); e != 900 {
		t.Errorf("Evicted = %d, want 900", e)
	}
	// The most recently used keys are the ones kept: k999 is still limited.
	if r, _ := m.Allow(ctx, "k999", limit); r.Allowed {
		t.Error("a recent key was evicted")
	}
}

func TestMemorySweepDropsIdleKeysOnly(t *testing.T) {
	c := newClock()
	m := newTestMemory(t, c, 0)
	ctx := context.Background()
	m.Allow(ctx, "short", Limit{Burst: 10, Period: 10 * time.Second}) // idle again after 1s
	m.Allow(ctx, "long", Limit{Burst: 1, Period: time.Hour})          // idle after 1h
	c.Advance(time.Minute)
	m.Sweep()
	if n := m.Len(); n != 1 {
		t.Fatalf("Len after sweep = %d, want 1", n)
	}
	if r, _ := m.Peek(ctx, "long", Limit{Burst: 1, Period: time.Hour}); r.Allowed {
		t.Error("the sweep dropped a key that is still limited")
	}
	c.Advance(time.Hour)
	m.Sweep()
	if n := m.Len(); n != 0 {
		t.Errorf("Len after everything is idle = %d", n)
	}
}

func TestMemoryJanitorRunsAndStops(t *testing.T) {
	c := newClock()
	ctx, cancel := context.WithCancel(context.Background())
	m := NewMemory(ctx, MemoryOptions{SweepInterval: time.Millisecond, Now: c.Now})
	m.Allow(context.Background(), "k", Limit{Burst: 1, Period: time.Second})
	c.Advance(time.Minute)
	testkit.WaitFor(t, "the janitor to sweep the idle key", func() bool { return m.Len() == 0 })
	cancel()
	<-m.done // the janitor ends with its context
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	m.Close() // twice is fine
}

func TestMemoryConcurrentUseKeepsTheLimit(t *testing.T) {
	m := newTestMemory(t, newClock(), 0)
	var wg sync.WaitGroup
	var mu sync.Mutex
	allowed := 0
	for range 8 {
		wg.Go(func() {
			for range 50 {
				r, _ := m.Allow(context.Background(), "shared", Limit{Burst: 100, Period: time.Hour})
				if r.Allowed {
					mu.Lock()
					allowed++
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	if allowed != 100 {
		t.Errorf("allowed %d of 400 concurrent requests, want exactly 100", allowed)
	}
}
