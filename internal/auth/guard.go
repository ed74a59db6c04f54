package auth

import (
	"context"
	"errors"
)

// Guard limits failed password checks per account, against guessing one
// account's password from many addresses; *ratelimit.FailureGuard is one.
// Attempt takes a check before the password is tried (refusing with a
// *ratelimit.ExceededError when none is left), Refund gives back a check
// that was not a failure, Succeed forgets the account's failures.
type Guard interface {
	Attempt(ctx context.Context, account string) error
	Refund(ctx context.Context, account string) error
	Succeed(ctx context.Context, account string) error
}

// openGuard allows everything: the guard of a Service configured without
// one (rate limiting off).
type openGuard struct{}

func (openGuard) Attempt(context.Context, string) error { return nil }
func (openGuard) Refund(context.Context, string) error  { return nil }
func (openGuard) Succeed(context.Context, string) error { return nil }

// guarded runs a password check under the guard. The attempt takes its
// check before the password is tried, so parallel guesses cannot all pass:
// an account whose budget is spent is refused without trying the password.
// A failed check (ErrBadCredentials, ErrWrongPassword) keeps its token
// spent; a success clears the count. Any other outcome is no failed guess:
// the password was never tried (the database failed, the client left) or
// it was right and something else refused the request (a disabled account,
// a weak new password, If-Match), so the token is given back. check
// returns one of the two failures whenever the password was tried and
// wrong.
func guarded[T any](ctx context.Context, s *Service, account string, check func() (T, error)) (T, error) {
	var zero T
	if err := s.guard.Attempt(ctx, account); err != nil {
		return zero, err
	}
	v, err := check()
	switch {
	case errors.Is(err, ErrBadCredentials) || errors.Is(err, ErrWrongPassword):
		return zero, err
	case err != nil:
		// The refund outlives a request the client gave up on.
		if gerr := s.guard.Refund(context.WithoutCancel(ctx), account); gerr != nil {
			s.log.WarnContext(ctx, "give back a password check", "err", gerr.Error())
		}
		return zero, err
	}
	if gerr := s.guard.Succeed(ctx, account); gerr != nil {
		// The check passed; a stale count only delays the next lock-out.
		s.log.WarnContext(ctx, "clear password failures", "err", gerr.Error())
	}
	return v, nil
}
