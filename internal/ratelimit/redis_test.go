package ratelimit_test

import (
	"context"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/redis/go-redis/v9"

	"github.com/taskapi/taskapi/internal/ratelimit"
	"github.com/taskapi/taskapi/internal/ratelimit/redistest"
)

// Two limiters with their own clients, as two instances would have, share
// one limit.
func TestRedisSharedBetweenInstances(t *testing.T) {
	prefix := redistest.Prefix(t)
	a := ratelimit.NewRedis(redistest.Client(t), prefix)
	b := ratelimit.NewRedis(redistest.Client(t), prefix)
	ctx := context.Background()
	limit := ratelimit.Limit{Burst: 4, Period: time.Hour} // one back every 15 min: no refill during the test
	for i, l := range []*ratelimit.Redis{a, b, a, b} {
		r, err := l.Allow(ctx, "user:1", limit)
		if err != nil {
			t.Fatal(err)
		}
		want := ratelimit.Result{Allowed: true, Limit: 4, Remaining: 3 - i}
		if diff := cmp.Diff(want, r, cmpopts.IgnoreFields(ratelimit.Result{}, "ResetAfter")); diff != "" {
			t.Fatalf("request %d (-want +got):\n%s", i+1, diff)
		}
		// Redis measures in µs and time passes between calls: the reset
		// is (i+1) intervals, less the moment since.
		if want := time.Duration(i+1) * 15 * time.Minute; r.ResetAfter > want || r.ResetAfter < want-time.Minute {
			t.Errorf("request %d: ResetAfter %v, want about %v", i+1, r.ResetAfter, want)
		}
	}
	for _, l := range []*ratelimit.Redis{a, b} {
		r, err := l.Allow(ctx, "user:1", limit)
		if err != nil {
			t.Fatal(err)
		}
		if r.Allowed || r.Remaining != 0 || r.RetryAfter <= 14*time.Minute || r.RetryAfter > 15*time.Minute {
			t.Errorf("over the limit: %+v, want refused for about 15m", r)
		}
	}
	// Another key has its own budget.
	if r, _ := b.Allow(ctx, "user:2", limit); !r.Allowed || r.Remaining != 3 {
		t.Errorf("another key: %+v", r)
	}
}

func TestRedisPeekResetAndExpiry(t *testing.T) {
	client := redistest.Client(t)
	prefix := redistest.Prefix(t)
	l := ratelimit.NewRedis(client, prefix)
	ctx := context.Background()
	limit := ratelimit.Limit{Burst: 2, Period: time.Hour}
	if r, err := l.Peek(ctx, "k", limit); err != nil || !r.Allowed || r.Remaining != 2 {
		t.Fatalf("fresh peek = %+v, %v", r, err)
	}
	if n, _ := client.Exists(ctx, prefix+"k").Result(); n != 0 {
		t.Error("a peek wrote the key")
	}
	l.Allow(ctx, "k", limit)
	l.Allow(ctx, "k", limit)
	if r, _ := l.Peek(ctx, "k", limit); r.Allowed || r.Remaining != 0 {
		t.Errorf("peek when spent = %+v", r)
	}
	// The key expires when it would be full again: no idle key stays.
	ttl, err := client.PTTL(ctx, prefix+"k").Result()
	if err != nil || ttl <= 59*time.Minute || ttl > time.Hour {
		t.Errorf("TTL = %v, %v; want about 1h", ttl, err)
	}
	if err := l.Reset(ctx, "k"); err != nil {
		t.Fatal(err)
	}
	if r, _ := l.Allow(ctx, "k", limit); !r.Allowed || r.Remaining != 1 {
		t.Errorf("after reset = %+v", r)
	}
}

func TestRedisRefund(t *testing.T) {
	client := redistest.Client(t)
	prefix := redistest.Prefix(t)
	l := ratelimit.NewRedis(client, prefix)
	ctx := context.Background()
	limit := ratelimit.Limit{Burst: 2, Period: time.Hour} // one back every 30 min
	l.Allow(ctx, "k", limit)
	l.Allow(ctx, "k", limit)
	if err := l.Refund(ctx, "k", limit); err != nil {
		t.Fatal(err)
	}
	if r, _ := l.Peek(ctx, "k", limit); !r.Allowed || r.Remaining != 1 {
		t.Errorf("after a refund = %+v", r)
	}
	// The key expires when it would be full again: in about 30 min now.
	if ttl, err := client.PTTL(ctx, prefix+"k").Result(); err != nil || ttl <= 29*time.Minute || ttl > 30*time.Minute {
		t.Errorf("TTL = %v, %v; want about 30m", ttl, err)
	}
	// Refunds stop at a full budget, which holds no key.
	for range 3 {
		if err := l.Refund(ctx, "k", limit); err != nil {
			t.Fatal(err)
		}
	}
	if n, _ := client.Exists(ctx, prefix+"k").Result(); n != 0 {
		t.Error("a full budget still holds a key")
	}
	if r, _ := l.Peek(ctx, "k", limit); r.Remaining != 2 {
		t.Errorf("after refunds = %+v", r)
	}
	if err := l.Refund(ctx, "never-used", limit); err != nil {
		t.Fatal(err)
	}
	if n, _ := client.Exists(ctx, prefix+"never-used").Result(); n != 0 {
		t.Error("a refund created a key")
	}
}

// Many concurrent requests from several clients never let more through
// than the burst: the script is atomic.
func TestRedisAtomicUnderConcurrency(t *testing.T) {
	prefix := redistest.Prefix(t)
	limiters := []*ratelimit.Redis{
		ratelimit.NewRedis(redistest.Client(t), prefix),
		ratelimit.NewRedis(redistest.Client(t), prefix),
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	allowed := 0
	for i := range 8 {
		wg.Go(func() {
			for range 25 {
				r, err := limiters[i%2].Allow(context.Background(), "hot", ratelimit.Limit{Burst: 50, Period: time.Hour})
				if err != nil {
					t.Error(err)
					return
				}
				if r.Allowed {
					mu.Lock()
					allowed++
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	if allowed != 50 {
		t.Errorf("allowed %d of 200, want exactly 50", allowed)
	}
}

// closedAddr returns a loopback address where nothing listens.
func closedAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func TestRedisUnreachableIsAnError(t *testing.T) {
	client := redis.NewClient(&redis.Options{Addr: closedAddr(t), DialTimeout: time.Second, MaxRetries: -1})
	defer client.Close()
	l := ratelimit.NewRedis(client, "x:")
	_, err := l.Allow(context.Background(), "k", ratelimit.Limit{Burst: 1, Period: time.Second})
	if err == nil {
		t.Fatal("no error from a Redis that is not there")
	}
}
