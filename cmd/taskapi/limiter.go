package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/taskapi/taskapi/internal/config"
	"github.com/taskapi/taskapi/internal/metrics"
	"github.com/taskapi/taskapi/internal/ratelimit"
)

// redisKeyPrefix starts every rate-limit key taskapi writes to Redis.
const redisKeyPrefix = "taskapi:ratelimit:"

// newLimiter builds the rate limiter the configuration asks for: none when
// rate limiting is off; in memory by default; with TASKAPI_REDIS_URL, Redis
// shared by every instance, falling back to memory while Redis does not
// answer. A Redis that is down at start does not stop the server. The
// returned function releases what the limiter holds.
func newLimiter(ctx context.Context, cfg *config.Config, log *slog.Logger, m *metrics.Metrics) (ratelimit.Limiter, func(), error) {
	if !cfg.RateLimit {
		log.Warn("rate limiting is off (TASKAPI_RATE_LIMIT=off)")
		return nil, func() {}, nil
	}
	mem := ratelimit.NewMemory(ctx, ratelimit.MemoryOptions{})
	if cfg.RedisURL == "" {
		// The server reports the limiter it is given.
		return mem, func() { mem.Close() }, nil
	}
	// The server reports the fallback; its in-memory half is reported here.
	m.WatchMemoryLimiter(mem)
	opts, err := redis.ParseURL(cfg.RedisURL)
	if err != nil {
		mem.Close()
		return nil, nil, usageError("TASKAPI_REDIS_URL: %v", err)
	}
	// A limiter sits in every request's path: it must fail fast, and let
	// the fallback decide, rather than hold requests up.
	opts.DialTimeout = 2 * time.Second
	opts.ReadTimeout = 500 * time.Millisecond
	opts.WriteTimeout = 500 * time.Millisecond
	opts.PoolTimeout = time.Second
	opts.MaxRetries = 1
	opts.ContextTimeoutEnabled = true
	client := redis.NewClient(opts)
	pctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	err = client.Ping(pctx).Err()
	cancel()
	if err != nil {
		log.Warn("Redis does not answer at start; rate limits are kept per instance until it does", "err", err.Error())
	} else {
		log.Info("rate limits are shared by every instance through Redis", "redis", opts.Addr, "db", opts.DB)
	}
	fb := ratelimit.NewFallback(ratelimit.NewRedis(client, redisKeyPrefix), mem, ratelimit.FallbackOptions{Logger: log})
	release := func() {
		if err := client.Close(); err != nil {
			log.Warn("close Redis client", "err", err.Error())
		}
		mem.Close()
	}
	return fb, release, nil
}

// describeLimits is the start-up log line about the limits in force.
func describeLimits(cfg *config.Config) []any {
	return []any{
		"rate_limit", fmt.Sprint(cfg.RateLimit),
		"auth_per_ip", cfg.RateLimitAuth.String(),
		"login_failures_per_account", cfg.RateLimitLoginFailures.String(),
		"api_per_user", cfg.RateLimitAPI.String(),
		"trusted_proxies", len(cfg.TrustedProxies),
	}
}
