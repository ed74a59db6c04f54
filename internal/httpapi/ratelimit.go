package httpapi

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/taskapi/taskapi/internal/ratelimit"
)

// Names of the limits, in keys, metrics and errors.
const (
	limitAuthIP     = "auth_ip"     // per client IP on the unauthenticated account routes
	limitAPIUser    = "api_user"    // per user on every authenticated route
	limitSearchUser = "search_user" // task searches running at once per user
)

// limitByIP applies TASKAPI_RATE_LIMIT_AUTH to the operations whose route
// declares perIP, keyed by the client's address. It runs before the body
// is read and before any password is hashed.
func (s *server) limitByIP(api huma.API) func(huma.Context, func(huma.Context)) {
	return func(ctx huma.Context, next func(huma.Context)) {
		if s.limiter == nil || routeOf(ctx.Operation()).Limit != perIP {
			next(ctx)
			return
		}
		key := limitAuthIP + ":" + clientKey(requestInfoFrom(ctx.Context()).client)
		s.applyLimit(api, ctx, limitAuthIP, key, s.cfg.RateLimitAuth, next)
	}
}

// limitByUser applies TASKAPI_RATE_LIMIT_API to the operations whose route
// declares perUser, keyed by the authenticated user; it runs after
// authenticate.
func (s *server) limitByUser(api huma.API) func(huma.Context, func(huma.Context)) {
	return func(ctx huma.Context, next func(huma.Context)) {
		p := principalFrom(ctx.Context())
		if s.limiter == nil || routeOf(ctx.Operation()).Limit != perUser || p.User.ID == uuid.Nil {
			next(ctx)
			return
		}
		key := limitAPIUser + ":" + p.User.ID.String()
		s.applyLimit(api, ctx, limitAPIUser, key, s.cfg.RateLimitAPI, next)
	}
}

// takeAuthIP takes one request from the client address's budget of the
// unauthenticated account routes (TASKAPI_RATE_LIMIT_AUTH), for an
// operation that answers like one of them in part: a username change
// says whether a name is taken, as registration does, so it draws on the
// same budget. It returns a *ratelimit.ExceededError when none is left.
func (s *server) takeAuthIP(ctx context.Context) error {
	if s.limiter == nil {
		return nil
	}
	res, err := s.limiter.Allow(ctx, limitAuthIP+":"+clientKey(requestInfoFrom(ctx).client), s.cfg.RateLimitAuth)
	if err != nil {
		s.metrics.RateLimitError()
		s.log.ErrorContext(ctx, "rate limit decision failed; request let through",
			"limit", limitAuthIP, "request_id", requestIDFrom(ctx), "err", err.Error())
		return nil
	}
	if !res.Allowed {
		return &ratelimit.ExceededError{Scope: limitAuthIP, Reason: "too many account requests from your address", Result: res}
	}
	return nil
}

// applyLimit takes one request from key's budget, sets the RateLimit
// headers, and answers 429 when the budget is spent.
func (s *server) applyLimit(api huma.API, ctx huma.Context, name, key string, limit ratelimit.Limit, next func(huma.Context)) {
	res, err := s.limiter.Allow(ctx.Context(), key, limit)
	if err != nil {
		// The limiter falls back to memory when Redis fails, so this is
		// a bug, not an outage: let the request through, loudly.
		s.metrics.RateLimitError()
		s.log.ErrorContext(ctx.Context(), "rate limit decision failed; request let through",
			"limit", name, "request_id", requestIDFrom(ctx.Context()), "err", err.Error())
		next(ctx)
		return
	}
	setRateLimitHeaders(ctx.SetHeader, res, limit)
	if !res.Allowed {
		s.metrics.RateLimited(name)
		retry := max(1, ceilSeconds(res.RetryAfter))
		ctx.SetHeader("Retry-After", strconv.Itoa(retry))
		_ = huma.WriteErr(api, ctx, http.StatusTooManyRequests,
			fmt.Sprintf("too many requests; retry in %d s", retry))
		return
	}
	next(ctx)
}

// setRateLimitHeaders writes the IETF RateLimit headers (draft
// httpapi-ratelimit-headers): the burst, what is left, and the seconds
// until the budget is full again; the policy says "burst;w=window".
func setRateLimitHeaders(set func(name, value string), res ratelimit.Result, limit ratelimit.Limit) {
	set("RateLimit-Limit", strconv.Itoa(res.Limit))
	set("RateLimit-Remaining", strconv.Itoa(res.Remaining))
	set("RateLimit-Reset", strconv.Itoa(ceilSeconds(res.ResetAfter)))
	set("RateLimit-Policy", fmt.Sprintf("%d;w=%d", limit.Burst, ceilSeconds(limit.Period)))
}

// ceilSeconds rounds up, so a client that waits that long is let in.
func ceilSeconds(d time.Duration) int {
	return int(math.Ceil(d.Seconds()))
}

// tooManyRequests is the problem for a refusal that a handler returns as
// an error (a login locked by loginGuard).
func (s *server) tooManyRequests(e *ratelimit.ExceededError) error {
	s.metrics.RateLimited(e.Scope)
	retry := max(1, ceilSeconds(e.Result.RetryAfter))
	reason := e.Reason
	if reason == "" {
		reason = "too many failed attempts"
	}
	return huma.ErrorWithHeaders(
		huma.Error429TooManyRequests(fmt.Sprintf("%s; retry in %d s", reason, retry)),
		http.Header{"Retry-After": {strconv.Itoa(retry)}})
}
