package ratelimit

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
)

// FailureGuard limits failed password checks per account, which a per-IP
// limit does not see when the guesses come from many addresses. A check
// takes its token before the password is tried (Attempt), so parallel
// guesses cannot overrun the budget. The caller names the account (auth
// uses the account's ID whichever name was typed); only a hash of the key
// is kept. A refusal shown as such would tell whether a name is an account
// and link a username to its email, so auth answers a locked login as a
// wrong password.
type FailureGuard struct {
	limiter Limiter
	limit   Limit
	scope   string
}

// NewFailureGuard returns a guard allowing limit failed checks per
// account. scope names it in keys, metrics and errors ("login_account").
// A nil limiter gives a guard that allows everything (rate limiting off).
func NewFailureGuard(limiter Limiter, limit Limit, scope string) *FailureGuard {
	return &FailureGuard{limiter: limiter, limit: limit, scope: scope}
}

// Attempt takes one check from the account's budget. It returns an
// *ExceededError when none is left: the caller must then refuse without
// trying the password. Otherwise the caller must end the attempt with
// Succeed or Refund unless the check failed.
func (g *FailureGuard) Attempt(ctx context.Context, account string) error {
	if g == nil || g.limiter == nil {
		return nil
	}
	res, err := g.limiter.Allow(ctx, g.key(account), g.limit)
	if err != nil {
		return fmt.Errorf("%s guard: %w", g.scope, err)
	}
	if !res.Allowed {
		return &ExceededError{Scope: g.scope, Result: res}
	}
	return nil
}

// Refund gives back the check Attempt took, for an attempt that was not a
// failed check.
func (g *FailureGuard) Refund(ctx context.Context, account string) error {
	if g == nil || g.limiter == nil {
		return nil
	}
	if err := g.limiter.Refund(ctx, g.key(account), g.limit); err != nil {
		return fmt.Errorf("%s guard: %w", g.scope, err)
	}
	return nil
}

// Succeed forgets the account's failed checks, the one Attempt took
// included: whoever got in knew the password.
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
