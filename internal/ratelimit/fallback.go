package ratelimit

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// FallbackOptions configures a Fallback.
type FallbackOptions struct {
	// Timeout bounds one call to the primary, so a hung Redis costs a
	// request at most this much. Default 250ms.
	Timeout time.Duration
	// MinBackoff and MaxBackoff bound how long the fallback waits before
	// trying the primary again after a failure; the wait doubles on each
	// failure. Defaults 1s and 30s.
	MinBackoff, MaxBackoff time.Duration
	// Logger receives one line per change of state; nil discards.
	Logger *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Fallback is a Limiter that asks its primary (Redis: one limit shared by
// every instance) and, while the primary fails, its secondary (memory: a
// limit per instance). The API keeps limiting either way: it neither fails
// open nor fails every request. Each change of state is logged once and
// shows in Stats; the primary is tried again after a back-off.
type Fallback struct {
	primary, secondary Limiter
	opts               FallbackOptions
	log                *slog.Logger

	mu       sync.Mutex
	degraded bool
	backoff  time.Duration
	retryAt  time.Time

	primaryErrors atomic.Uint64
	fallbacks     atomic.Uint64
}

// FallbackStats is what metrics report about a Fallback.
type FallbackStats struct {
	// Degraded is true while the secondary decides.
	Degraded bool
	// PrimaryErrors counts failed calls to the primary.
	PrimaryErrors uint64
	// Fallbacks counts decisions the secondary made.
	Fallbacks uint64
}

// NewFallback returns a Fallback over primary and secondary.
func NewFallback(primary, secondary Limiter, opts FallbackOptions) *Fallback {
	if opts.Timeout <= 0 {
		opts.Timeout = 250 * time.Millisecond
	}
	if opts.MinBackoff <= 0 {
		opts.MinBackoff = time.Second
	}
	if opts.MaxBackoff < opts.MinBackoff {
		opts.MaxBackoff = max(30*time.Second, opts.MinBackoff)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Fallback{primary: primary, secondary: secondary, opts: opts, log: log}
}

// Stats reports the state and the counters.
func (f *Fallback) Stats() FallbackStats {
	f.mu.Lock()
	d := f.degraded
	f.mu.Unlock()
	return FallbackStats{Degraded: d, PrimaryErrors: f.primaryErrors.Load(), Fallbacks: f.fallbacks.Load()}
}

// Allow implements Limiter.
func (f *Fallback) Allow(ctx context.Context, key string, limit Limit) (Result, error) {
	return f.decide(ctx, func(ctx context.Context, l Limiter) (Result, error) { return l.Allow(ctx, key, limit) })
}

// Peek implements Limiter.
func (f *Fallback) Peek(ctx context.Context, key string, limit Limit) (Result, error) {
	return f.decide(ctx, func(ctx context.Context, l Limiter) (Result, error) { return l.Peek(ctx, key, limit) })
}

// Refund implements Limiter. It gives the request back to whichever
// limiter decides now: the one that took it, unless Redis went down or
// came back in between; then the other gets it, where it can at most give
// back what that limiter itself took (a key without state stays as it is).
func (f *Fallback) Refund(ctx context.Context, key string, limit Limit) error {
	_, err := f.decide(ctx, func(ctx context.Context, l Limiter) (Result, error) { return Result{}, l.Refund(ctx, key, limit) })
	return err
}

// Reset implements Limiter. It resets the key in both limiters, so that
// neither remembers it whichever decides next.
func (f *Fallback) Reset(ctx context.Context, key string) error {
	_, err := f.decide(ctx, func(ctx context.Context, l Limiter) (Result, error) { return Result{}, l.Reset(ctx, key) })
	if err != nil {
		return err
	}
	if f.Stats().Degraded {
		return nil // decide already reset the secondary
	}
	return f.secondary.Reset(ctx, key)
}

func (f *Fallback) decide(ctx context.Context, call func(context.Context, Limiter) (Result, error)) (Result, error) {
	if f.tryPrimary() {
		pctx, cancel := context.WithTimeout(ctx, f.opts.Timeout)
		res, err := call(pctx, f.primary)
		cancel()
		switch {
		case err == nil:
			f.recovered()
			return res, nil
		case ctx.Err() != nil:
			// The caller gave up (client gone, deadline): that says
			// nothing about the primary's health.
		default:
			f.primaryErrors.Add(1)
			f.failed(err)
		}
	}
	f.fallbacks.Add(1)
	return call(ctx, f.secondary)
}

// tryPrimary says whether this call should ask the primary: always while
// it is healthy, and once per back-off period while it is not (the caller
// that gets the probe pushes the next retry time forward, so concurrent
// requests do not all wait on a dead Redis).
func (f *Fallback) tryPrimary() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.degraded {
		return true
	}
	now := f.opts.Now()
	if now.Before(f.retryAt) {
		return false
	}
	f.retryAt = now.Add(f.backoff)
	return true
}

func (f *Fallback) failed(err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.degraded {
		f.degraded = true
		f.backoff = f.opts.MinBackoff
		f.log.Error("rate limiter: Redis does not answer; limits are now kept per instance until it does",
			"err", err.Error(), "retry_in", f.backoff.String())
	} else {
		f.backoff = min(f.backoff*2, f.opts.MaxBackoff)
	}
	f.retryAt = f.opts.Now().Add(f.backoff)
}

func (f *Fallback) recovered() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.degraded {
		f.degraded = false
		f.log.Warn("rate limiter: Redis answers again; limits are shared by every instance")
	}
}
