package ratelimit_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/taskapi/taskapi/internal/ratelimit"
)

// An account locked for failed logins stays locked when many source
// addresses fill the in-memory limiter: eviction drops their short-lived
// keys, not the account's (which would reset its lock-out).
func TestEvictionSparesALockedAccount(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	m := ratelimit.NewMemory(context.Background(), ratelimit.MemoryOptions{MaxKeys: 100, SweepInterval: -1, Now: func() time.Time { return now }})
	defer m.Close()
	guard := ratelimit.NewFailureGuard(m, ratelimit.Limit{Burst: 10, Period: 15 * time.Minute}, "login_account")
	ctx := context.Background()
	for range 10 {
		if err := guard.Attempt(ctx, "user:victim"); err != nil {
			t.Fatal(err)
		}
	}
	perIP := ratelimit.Limit{Burst: 20, Period: time.Minute}
	for i := range 10_000 {
		if _, err := m.Allow(ctx, fmt.Sprintf("auth_ip:198.51.%d.%d", i/256, i%256), perIP); err != nil {
			t.Fatal(err)
		}
	}
	if m.Len() > 100 {
		t.Errorf("%d keys held, more than 100", m.Len())
	}
	if err := guard.Attempt(ctx, "user:victim"); !ratelimit.IsExceeded(err) {
		t.Fatalf("after 10,000 addresses the account is unlocked: %v", err)
	}
}
