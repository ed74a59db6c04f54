package ratelimit

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
)

// FailureGuard limits failures per account, such as wrong passwords: a
// brute force against one account from many addresses, which a per-IP
// limit does not see. Callers ask Check before the costly attempt, report
// Fail after a failure and Succeed after a success.
//
// Accounts are keyed by the name the client typed, normalized (trimmed,
// lower case) and hashed: known and unknown names are limited alike, so a
// refusal tells nothing about whether an account exists, and no email
// address is kept in memory or in Redis.
type FailureGuard struct {
	limiter Limiter
	limit   Limit
	scope   string
}

// NewFailureGuard returns a guard allowing limit failures per account.
// scope names it in keys, metrics and errors ("login_account"). A nil
// limiter gives a guard that allows everything (rate limiting off).
func NewFailureGuard(limiter Limiter, limit Limit, scope string) *FailureGuard {
	return &FailureGuard{limiter: limiter, limit: limit, scope: scope}
}

// Check returns an *ExceededError when the account has used up its
// failures; the caller must then refuse without trying the password.
func (g *FailureGuard) Check(ctx context.Context, account string) error {
	if g == nil || g.limiter == nil {
		return nil
	}
	res, err := g.limiter.Peek(ctx, g.key(account), g.limit)
	if err != nil {
		return fmt.Errorf("%s guard: %w", g.scope, err)
	}
	if !res.Allowed {
		return &ExceededError{Scope: g.scope, Result: res}
	}
	return nil
}

// Fail records one failure for the account.
func (g *FailureGuard) Fail(ctx context.Context, account string) error {
	if g == nil || g.limiter == nil {
		return nil
	}
	if _, err := g.limiter.Allow(ctx, g.key(account), g.limit); err != nil {
		return fmt.Errorf("%s guard: %w", g.scope, err)
	}
	return nil
}

// Succeed forgets the account's failures: whoever got in knew the password.
func (g *FailureGuard) Succeed(ctx context.Context, account string) error {
	if g == nil || g.limiter == nil {
		return nil
	}
	if err := g.limiter.Reset(ctx, g.key(account)); err != nil {
		return fmt.Errorf("%s guard: %w", g.scope, err)
	}
	return nil
}

func (g *FailureGuard) key(account string) string {
	sum := sha256.Sum256([]byte(strings.ToLower(strings.TrimSpace(account))))
	return g.scope + ":" + hex.EncodeToString(sum[:16])
}
