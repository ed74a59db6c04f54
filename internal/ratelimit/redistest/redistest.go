// Package redistest gives tests the Redis named by TASKAPI_TEST_REDIS_URL.
// Outside CI a test skips when the variable is unset; in CI (CI=true) a
// missing or unreachable Redis fails the test, since a suite that silently
// skipped Redis would prove nothing about several instances.
package redistest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// Env names the variable holding the Redis URL for tests.
const Env = "TASKAPI_TEST_REDIS_URL"

// URL returns the Redis URL for tests after checking that Redis answers.
func URL(t testing.TB) string {
	t.Helper()
	u := os.Getenv(Env)
	if u == "" {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is not set: in CI the Redis tests must run", Env)
		}
		t.Skipf("%s is not set", Env)
	}
	c := newClient(t, u)
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := c.Ping(ctx).Err(); err != nil {
		t.Fatalf("redis at %s does not answer: %v", Env, err)
	}
	return u
}

// Client returns a client of the test Redis, closed when t ends.
func Client(t testing.TB) *redis.Client {
	t.Helper()
	c := newClient(t, URL(t))
	t.Cleanup(func() { c.Close() })
	return c
}

// Prefix returns a key prefix no other test uses, so tests sharing one
// Redis database (in parallel packages too) never see each other's keys.
func Prefix(t testing.TB) string {
	t.Helper()
	var b [6]byte
	_, _ = rand.Read(b[:])
	return "taskapi-test:" + hex.EncodeToString(b[:]) + ":"
}

func newClient(t testing.TB, u string) *redis.Client {
	t.Helper()
	opts, err := redis.ParseURL(u)
	if err != nil {
		t.Fatalf("%s: %v", Env, err)
	}
	return redis.NewClient(opts)
}
