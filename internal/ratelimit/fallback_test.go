package ratelimit_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/redis/go-redis/v9"

	"github.com/taskapi/taskapi/internal/ratelimit"
	"github.com/taskapi/taskapi/internal/ratelimit/redistest"
	"github.com/taskapi/taskapi/internal/testkit"
)

// forwarder is a TCP relay to the test Redis that the test can cut and
// restore, as a network failure would.
type forwarder struct {
	t      *testing.T
	addr   string
	target string
	mu     sync.Mutex
	ln     net.Listener
	conns  []net.Conn
}

func newForwarder(t *testing.T, target string) *forwarder {
	f := &forwarder{t: t, target: target}
	f.start("127.0.0.1:0")
	t.Cleanup(f.stop)
	return f
}

func (f *forwarder) start(addr string) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		f.t.Fatal(err)
	}
	f.mu.Lock()
	f.ln, f.addr = ln, ln.Addr().String()
	f.mu.Unlock()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			up, err := net.Dial("tcp", f.target)
			if err != nil {
				c.Close()
				continue
			}
			f.mu.Lock()
			f.conns = append(f.conns, c, up)
			f.mu.Unlock()
			go func() { io.Copy(up, c); up.Close() }()
			go func() { io.Copy(c, up); c.Close() }()
		}
	}()
}

// stop closes the listener and every relayed connection.
func (f *forwarder) stop() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.ln != nil {
		f.ln.Close()
		f.ln = nil
	}
	for _, c := range f.conns {
		c.Close()
	}
	f.conns = nil
}

func newFallback(t *testing.T, redisAddr string, db int, clk *testkit.Clock, logs io.Writer) *ratelimit.Fallback {
	t.Helper()
	client := redis.NewClient(&redis.Options{Addr: redisAddr, DB: db, DialTimeout: time.Second, ReadTimeout: time.Second,
		WriteTimeout: time.Second, MaxRetries: -1, ContextTimeoutEnabled: true})
	t.Cleanup(func() { client.Close() })
	mem := ratelimit.NewMemory(context.Background(), ratelimit.MemoryOptions{SweepInterval: -1, Now: clk.Now})
	t.Cleanup(func() { mem.Close() })
	return ratelimit.NewFallback(ratelimit.NewRedis(client, redistest.Prefix(t)), mem, ratelimit.FallbackOptions{
		Timeout: 2 * time.Second, MinBackoff: time.Second, MaxBackoff: 4 * time.Second,
		Logger: slog.New(slog.NewJSONHandler(logs, nil)), Now: clk.Now,
	})
}

// With Redis unreachable from the start, requests are still limited (in
// memory), never refused wholesale, and the state shows in the log once and
// in the stats.
func TestFallbackWhenRedisIsUnreachable(t *testing.T) {
	clk := testkit.NewClock(time.Now())
	logs := &testkit.Log{}
	f := newFallback(t, closedAddr(t), 0, clk, logs)
	ctx := context.Background()
	limit := ratelimit.Limit{Burst: 3, Period: time.Hour}
	for i := range 3 {
		r, err := f.Allow(ctx, "k", limit)
		if err != nil || !r.Allowed || r.Remaining != 2-i {
			t.Fatalf("request %d: %+v, %v; want allowed by the in-memory limiter", i+1, r, err)
		}
	}
	if r, err := f.Allow(ctx, "k", limit); err != nil || r.Allowed {
		t.Fatalf("over the limit: %+v, %v; want refused, not failed open", r, err)
	}
	// Degraded after one Redis error: the other calls wait for the back-off.
	if diff := cmp.Diff(ratelimit.FallbackStats{Degraded: true, PrimaryErrors: 1, Fallbacks: 4}, f.Stats()); diff != "" {
		t.Errorf("stats (-want +got):\n%s", diff)
	}
	// After the back-off one call tries Redis again; the log still has
	// exactly one line about it.
	clk.Advance(1100 * time.Millisecond)
	f.Allow(ctx, "k2", limit)
	f.Allow(ctx, "k2", limit)
	if st := f.Stats(); st.PrimaryErrors != 2 {
		t.Errorf("PrimaryErrors = %d after the back-off, want 2", st.PrimaryErrors)
	}
	if n := strings.Count(logs.String(), "Redis does not answer"); n != 1 {
		t.Errorf("logged %d times, want once per change of state:\n%s", n, logs.String())
	}
}

// Redis goes away and comes back: decisions move to memory and back to
// the shared limit, with one log line each way.
func TestFallbackRecovers(t *testing.T) {
	redisURL := redistest.URL(t)
	opts, err := redis.ParseURL(redisURL)
	if err != nil {
		t.Fatal(err)
	}
	fw := newForwarder(t, opts.Addr)
	clk := testkit.NewClock(time.Now())
	logs := &testkit.Log{}
	f := newFallback(t, fw.addr, opts.DB, clk, logs)
	ctx := context.Background()
	limit := ratelimit.Limit{Burst: 100, Period: time.Hour}
	if _, err := f.Allow(ctx, "k", limit); err != nil || f.Stats().Degraded {
		t.Fatalf("with Redis up: err %v, stats %+v", err, f.Stats())
	}
	fw.stop()
	r, err := f.Allow(ctx, "k", limit)
	if err != nil || !r.Allowed || !f.Stats().Degraded {
		t.Fatalf("with Redis down: %+v, %v, stats %+v", r, err, f.Stats())
	}
	fw.start(fw.addr)
	clk.Advance(2 * time.Second)
	if _, err := f.Allow(ctx, "k", limit); err != nil {
		t.Fatal(err)
	}
	if f.Stats().Degraded {
		t.Fatalf("still degraded after Redis came back; log:\n%s", logs.String())
	}
	out := logs.String()
	if strings.Count(out, "Redis does not answer") != 1 || strings.Count(out, "Redis answers again") != 1 {
		t.Errorf("want one line each way:\n%s", out)
	}
}

// A request whose own context ends says nothing about Redis's health.
func TestFallbackIgnoresCallerCancellation(t *testing.T) {
	clk := testkit.NewClock(time.Now())
	f := newFallback(t, closedAddr(t), 0, clk, io.Discard)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := f.Allow(ctx, "k", ratelimit.Limit{Burst: 1, Period: time.Minute}); err != nil {
		t.Fatal(err)
	}
	if st := f.Stats(); st.Degraded || st.PrimaryErrors != 0 {
		t.Errorf("stats = %+v after a canceled request", st)
	}
}

func TestFailureGuard(t *testing.T) {
	ctx := context.Background()
	clk := testkit.NewClock(time.Now())
	mem := ratelimit.NewMemory(ctx, ratelimit.MemoryOptions{SweepInterval: -1, Now: clk.Now})
	defer mem.Close()
	g := ratelimit.NewFailureGuard(mem, ratelimit.Limit{Burst: 3, Period: 15 * time.Minute}, "login_account")
	// Three attempts that failed (kept spent), however the name was typed.
	for i, name := range []string{"alice@example.com", " ALICE@example.com ", "Alice@Example.com"} {
		if err := g.Attempt(ctx, name); err != nil {
			t.Fatalf("attempt %d: %v", i+1, err)
		}
	}
	// The account is locked for every spelling, and the error says for how
	// long.
	err := g.Attempt(ctx, "alice@EXAMPLE.com")
	var ee *ratelimit.ExceededError
	if !errors.As(err, &ee) || ee.Scope != "login_account" || ee.Result.RetryAfter != 5*time.Minute {
		t.Fatalf("attempt after 3 failures = %v, want ExceededError retrying in 5m", err)
	}
	// Others are not affected; the lock lifts as failures age.
	if err := g.Attempt(ctx, "bob"); err != nil {
		t.Errorf("bob: %v", err)
	}
	clk.Advance(5 * time.Minute)
	if err := g.Attempt(ctx, "alice@example.com"); err != nil {
		t.Errorf("after 5m: %v", err)
	}
	// That attempt is given back: one is left, not none.
	if err := g.Refund(ctx, "alice@example.com"); err != nil {
		t.Fatal(err)
	}
	if err := g.Attempt(ctx, "alice@example.com"); err != nil {
		t.Errorf("after a refund: %v", err)
	}
	if err := g.Attempt(ctx, "alice@example.com"); !ratelimit.IsExceeded(err) {
		t.Errorf("the budget after a refund and one more attempt: %v, want locked", err)
	}
	// A success forgets every failure.
	if err := g.Succeed(ctx, "alice@example.com"); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if err := g.Attempt(ctx, "alice@example.com"); err != nil {
			t.Fatalf("attempt %d after a success: %v", i+1, err)
		}
	}
	if err := g.Attempt(ctx, "alice@example.com"); !ratelimit.IsExceeded(err) {
		t.Errorf("3 failures after a success: %v, want locked", err)
	}
	// Refunds never add to a full budget.
	for range 5 {
		g.Refund(ctx, "carol")
	}
	for i := range 3 {
		if err := g.Attempt(ctx, "carol"); err != nil {
			t.Fatalf("carol attempt %d: %v", i+1, err)
		}
	}
	if err := g.Attempt(ctx, "carol"); !ratelimit.IsExceeded(err) {
		t.Errorf("refunds beyond a full budget: carol's 4th attempt %v, want locked", err)
	}
	// Every spelling of a name is one key.
	if mem.Len() != 3 {
		t.Errorf("keys = %d, want alice, bob and carol", mem.Len())
	}
	// With rate limiting off the guard allows everything.
	off := ratelimit.NewFailureGuard(nil, ratelimit.Limit{}, "login_account")
	for range 5 {
		if err := errors.Join(off.Attempt(ctx, "x"), off.Refund(ctx, "x"), off.Succeed(ctx, "x")); err != nil {
			t.Fatal(err)
		}
	}
}
