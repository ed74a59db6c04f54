package ratelimit

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// gcraScript is gcra (ratelimit.go) as one atomic Redis script, in
// microseconds, so a decision shared by every instance is a single round
// trip with no race. The clock is Redis's own (TIME): instances whose
// clocks disagree still share one timeline.
//
// KEYS[1] the key; ARGV[1] interval (µs); ARGV[2] burst; ARGV[3] 1 to take
// a request, 0 to peek. It returns {allowed, remaining, reset_after_µs,
// retry_after_µs}. The TAT is written with %.0f: tostring would switch to
// exponent notation and lose digits. The key expires when it would be back
// to a full budget, so idle keys cost nothing.
const gcraScript = `
if redis.replicate_commands then redis.replicate_commands() end
local interval = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local take = ARGV[3] == "1"
local t = redis.call("TIME")
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local tat = tonumber(redis.call("GET", KEYS[1]) or 0) or 0
if tat < now then tat = now end
local new_tat = tat + interval
local diff = now - (new_tat - interval * burst)
if diff < 0 then
  return {0, 0, tat - now, -diff}
end
local remaining = math.floor(diff / interval)
if not take then
  return {1, remaining + 1, tat - now, 0}
end
redis.call("SET", KEYS[1], string.format("%.0f", new_tat), "PX", math.max(1, math.ceil((new_tat - now) / 1000)))
return {1, remaining, new_tat - now, 0}
`

// refundScript is gcraRefund (ratelimit.go) as one atomic script: the TAT
// moves back one interval (ARGV[1], µs), and the key goes when that leaves
// it with a full budget. It returns nothing of use.
const refundScript = `
if redis.replicate_commands then redis.replicate_commands() end
local interval = tonumber(ARGV[1])
local t = redis.call("TIME")
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local tat = tonumber(redis.call("GET", KEYS[1]) or 0) or 0
local new_tat = tat - interval
if new_tat <= now then
  redis.call("DEL", KEYS[1])
  return 0
end
redis.call("SET", KEYS[1], string.format("%.0f", new_tat), "PX", math.max(1, math.ceil((new_tat - now) / 1000)))
return 1
`

// Redis is a Limiter whose state lives in Redis, shared by every instance
// that uses the same Redis database and prefix.
type Redis struct {
	client redis.UniversalClient
	prefix string
	script *redis.Script
	refund *redis.Script
}

// NewRedis returns a limiter over client. Every key is stored as prefix+key.
// The client should have ContextTimeoutEnabled, so that a caller's deadline
// bounds each call (Fallback relies on it).
func NewRedis(client redis.UniversalClient, prefix string) *Redis {
	return &Redis{client: client, prefix: prefix, script: redis.NewScript(gcraScript), refund: redis.NewScript(refundScript)}
}

// Allow implements Limiter.
func (r *Redis) Allow(ctx context.Context, key string, limit Limit) (Result, error) {
	return r.decide(ctx, key, limit, true)
}

// Peek implements Limiter.
func (r *Redis) Peek(ctx context.Context, key string, limit Limit) (Result, error) {
	return r.decide(ctx, key, limit, false)
}

// Refund implements Limiter.
func (r *Redis) Refund(ctx context.Context, key string, limit Limit) error {
	if err := limit.valid(); err != nil {
		return err
	}
	interval := limit.Period.Microseconds() / int64(limit.Burst)
	if err := r.refund.Run(ctx, r.client, []string{r.prefix + key}, interval).Err(); err != nil {
		return fmt.Errorf("ratelimit: redis refund: %w", err)
	}
	return nil
}

// Reset implements Limiter.
func (r *Redis) Reset(ctx context.Context, key string) error {
	if err := r.client.Del(ctx, r.prefix+key).Err(); err != nil {
		return fmt.Errorf("ratelimit: redis reset: %w", err)
	}
	return nil
}

func (r *Redis) decide(ctx context.Context, key string, limit Limit, take bool) (Result, error) {
	if err := limit.valid(); err != nil {
		return Result{}, err
	}
	interval := limit.Period.Microseconds() / int64(limit.Burst)
	mode := "0"
	if take {
		mode = "1"
	}
	vals, err := r.script.Run(ctx, r.client, []string{r.prefix + key}, interval, limit.Burst, mode).Int64Slice()
	if err != nil {
		return Result{}, fmt.Errorf("ratelimit: redis: %w", err)
	}
	if len(vals) != 4 {
		return Result{}, errors.New("ratelimit: redis: unexpected script reply")
	}
	return Result{
		Allowed:    vals[0] == 1,
		Limit:      limit.Burst,
		Remaining:  int(vals[1]),
		ResetAfter: time.Duration(vals[2]) * time.Microsecond,
		RetryAfter: time.Duration(vals[3]) * time.Microsecond,
	}, nil
}
