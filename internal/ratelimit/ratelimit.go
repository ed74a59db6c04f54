// Package ratelimit decides whether a request may go ahead under a limit
// such as "20 per minute". Every limiter implements the same generic cell
// rate algorithm (GCRA): the state of a key is one timestamp, the
// theoretical arrival time (TAT) of the next request, so a decision is one
// read and one write, Remaining and reset times are exact, and an idle key
// needs no state at all.
//
// Memory keeps the state in process, bounded in size; Redis keeps it in
// Redis, so several instances share one limit; Fallback uses Redis and falls
// back to memory while Redis does not answer.
package ratelimit

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Limit is a rate: Burst requests at once, refilled evenly over Period
// (Burst/Period on average). "20/min" is Limit{Burst: 20, Period: time.Minute}.
type Limit struct {
	Burst  int
	Period time.Duration
}

// Limits that ParseLimit accepts: a finer or coarser limit is a mistake.
const (
	MinPeriod = time.Second
	MaxPeriod = 7 * 24 * time.Hour
	MaxBurst  = 1_000_000
)

// ParseLimit reads "N/period": N a whole number, period a unit (s, sec,
// second, m, min, minute, h, hour, d, day) or a Go duration ("15m", "90s").
func ParseLimit(s string) (Limit, error) {
	n, per, ok := strings.Cut(strings.TrimSpace(s), "/")
	if !ok {
		return Limit{}, fmt.Errorf("%q is not N/period, as in 20/min or 10/15m", s)
	}
	burst, err := strconv.Atoi(strings.TrimSpace(n))
	if err != nil || burst < 1 || burst > MaxBurst {
		return Limit{}, fmt.Errorf("%q: the count must be a whole number from 1 to %d", s, MaxBurst)
	}
	period, err := parsePeriod(strings.ToLower(strings.TrimSpace(per)))
	if err != nil || period < MinPeriod || period > MaxPeriod {
		return Limit{}, fmt.Errorf("%q: the period must be a duration from 1s to 168h, as in min, 15m or 1h", s)
	}
	return Limit{Burst: burst, Period: period}, nil
}

func parsePeriod(p string) (time.Duration, error) {
	switch p {
	case "s", "sec", "second":
		return time.Second, nil
	case "m", "min", "minute":
		return time.Minute, nil
	case "h", "hour":
		return time.Hour, nil
	case "d", "day":
		return 24 * time.Hour, nil
	}
	return time.ParseDuration(p)
}

// String writes the limit the way ParseLimit reads it.
func (l Limit) String() string { return strconv.Itoa(l.Burst) + "/" + l.Period.String() }

// valid reports whether the limit can be applied; the zero Limit cannot.
func (l Limit) valid() error {
	if l.Burst < 1 || l.Period <= 0 || l.Period/time.Duration(l.Burst) < time.Microsecond {
		return fmt.Errorf("ratelimit: invalid limit %s", l)
	}
	return nil
}

// Result is one decision.
type Result struct {
	// Allowed says whether the request may go ahead.
	Allowed bool
	// Limit is the burst size of the limit applied.
	Limit int
	// Remaining is how many more requests would be allowed right now.
	Remaining int
	// ResetAfter is how long until the key is back to a full burst.
	ResetAfter time.Duration
	// RetryAfter is how long until a refused request would be allowed;
	// zero when Allowed.
	RetryAfter time.Duration
}

// Limiter decides per key. A key names one client under one limit: callers
// put the limit's scope in the key ("auth:ip:…", "api:user:…"), since the
// same key under two different limits would share one state.
type Limiter interface {
	// Allow takes one request from key's budget when it has one.
	Allow(ctx context.Context, key string, limit Limit) (Result, error)
	// Peek says whether Allow would allow a request now, and reports the
	// budget as it is (Remaining before any request), taking nothing.
	Peek(ctx context.Context, key string, limit Limit) (Result, error)
	// Refund gives one request back to key's budget, as if the last one
	// Allow took had not been made; never beyond a full budget.
	Refund(ctx context.Context, key string, limit Limit) error
	// Reset forgets key, restoring its full budget.
	Reset(ctx context.Context, key string) error
}

// ExceededError is a refusal that a caller returns as an error (a login
// refused for too many failures, say); the HTTP layer answers it with 429
// and Retry-After.
type ExceededError struct {
	// Scope names the limit for metrics and logs ("login_account").
	Scope string
	// Reason, when set, tells the client what was refused; the default
	// speaks of failed attempts.
	Reason string
	Result Result
}

func (e *ExceededError) Error() string {
	return fmt.Sprintf("rate limit %s exceeded; retry after %s", e.Scope, e.Result.RetryAfter.Round(time.Second))
}

// IsExceeded reports whether err is, or wraps, an *ExceededError.
func IsExceeded(err error) bool {
	var e *ExceededError
	return errors.As(err, &e)
}

// gcra applies one decision at time now to a key whose stored TAT is tat
// (0, or anything in the past, when the key is idle); all three times are
// nanoseconds, interval is Period/Burst. It returns the TAT to store, which
// changes only when the request is allowed and take is true. The Redis
// script in redis.go is the same algorithm, line by line.
func gcra(now, tat, interval int64, burst int, take bool) (int64, Result) {
	offset := interval * int64(burst)
	if tat < now {
		tat = now
	}
	newTAT := tat + interval
	diff := now - (newTAT - offset)
	if diff < 0 {
		return tat, Result{Allowed: false, Limit: burst, Remaining: 0,
			ResetAfter: time.Duration(tat - now), RetryAfter: time.Duration(-diff)}
	}
	r := Result{Allowed: true, Limit: burst, Remaining: int(diff / interval), ResetAfter: time.Duration(newTAT - now)}
	if !take {
		// A peek reports the budget as it is, not after a request.
		r.Remaining++
		r.ResetAfter = time.Duration(tat - now)
		return tat, r
	}
	return newTAT, r
}

// gcraRefund gives one request back to a key whose stored TAT is tat, at
// time now: the TAT moves back one interval. keep is false when the key is
// then back to a full budget (the TAT is not after now), so its state can
// go. The Redis refund script is the same, line by line.
func gcraRefund(now, tat, interval int64) (newTAT int64, keep bool) {
	newTAT = tat - interval
	return newTAT, newTAT > now
}
