package store

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/taskapi/taskapi"
)

// MailBudget bounds the mail that one account's actions and one address
// receive, counted in the outbox itself, so the budget holds across
// instances and restarts: nobody can flood a stranger's inbox by changing
// their email back and forth, or flood the outbox with one account.
type MailBudget struct {
	// PerAccount and PerRecipient are the most messages queued within
	// Window about one account, and to one address. Email requests are not
	// messages and do not count: ten anonymous requests must not spend an
	// owner's budget for the reset mail they need.
	PerAccount, PerRecipient int
	Window                   time.Duration
	// Spacing is how far apart the messages about one account (or, for
	// mail about no account, to one address) fall due, so that one
	// account's burst waits behind other users' mail instead of ahead of
	// it: the worker takes messages in the order they fall due.
	Spacing time.Duration
}

// DefaultMailBudget is the budget a store uses unless told otherwise: 20
// messages an hour per account, 10 per address, 1 s apart per account.
func DefaultMailBudget() MailBudget {
	return MailBudget{PerAccount: 20, PerRecipient: 10, Window: time.Hour, Spacing: time.Second}
}

// WithMailBudget sets the mail budget; zero fields keep their defaults.
func WithMailBudget(b MailBudget) Option {
	return func(s *Store) {
		d := DefaultMailBudget()
		s.mail = MailBudget{PerAccount: cmp.Or(max(b.PerAccount, 0), d.PerAccount), PerRecipient: cmp.Or(max(b.PerRecipient, 0), d.PerRecipient),
			Window: cmp.Or(max(b.Window, 0), d.Window), Spacing: cmp.Or(max(b.Spacing, 0), d.Spacing)}
	}
}

// ErrMailBudget refuses a change that would send mail beyond the budget.
var ErrMailBudget = taskapi.NewProblem(taskapi.ErrTooManyRequests,
	"too many emails were sent for this account or to this address recently; try again in an hour")

// mailSlot checks the budget for one more message about user (nil: about
// no account) to the address to, and returns when it should fall due:
// now, or Spacing after the last pending message of the same account (or
// address). It returns ErrMailBudget when the budget is spent.
//
// A user's own mail (own: reminders and digests, sent only to the
// account's own verified address about its own tasks) is not counted and
// never refused: nobody can reach a stranger's inbox with it, and a
// burst of reminders must not cost the owner the password reset they
// need. It still falls due Spacing after the account's pending mail.
func (s *Store) mailSlot(ctx context.Context, q querier, user *uuid.UUID, to string, own bool) (time.Time, error) {
	now, b := s.Now(), s.mail
	since := now.Add(-b.Window)
	var (
		byAccount, byRecipient int
		last                   dbTime
	)
	pending := `sent_at IS NULL AND failed_at IS NULL`
	var err error
	switch {
	case own && user != nil:
		err = q.QueryRowContext(ctx, `SELECT max(next_attempt_at) FROM outbox WHERE user_id = $1 AND `+pending,
			*user).Scan(&last)
	case user != nil:
		err = q.QueryRowContext(ctx, `SELECT
			(SELECT count(*) FROM outbox WHERE user_id = $1 AND created_at > $3 AND kind IS NULL),
			(SELECT count(*) FROM outbox WHERE recipient = $2 AND created_at > $3 AND request IS NULL AND kind IS NULL),
			(SELECT max(next_attempt_at) FROM outbox WHERE user_id = $1 AND `+pending+`)`,
			*user, to, since).Scan(&byAccount, &byRecipient, &last)
	default:
		err = q.QueryRowContext(ctx, `SELECT
			(SELECT count(*) FROM outbox WHERE recipient = $1 AND created_at > $2 AND request IS NULL),
			(SELECT max(next_attempt_at) FROM outbox WHERE recipient = $1 AND user_id IS NULL AND `+pending+`)`,
			to, since).Scan(&byRecipient, &last)
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("mail budget: %w", s.mapErr(err))
	}
	if byAccount >= b.PerAccount || byRecipient >= b.PerRecipient {
		return time.Time{}, ErrMailBudget
	}
	due := now
	if last.Valid && last.Time.Add(b.Spacing).After(due) {
		due = last.Time.UTC().Add(b.Spacing)
	}
	return due, nil
}

// insertNotice queues a notice that the change it tells of must not wait
// for (a password changed or reset): over the budget it is left out.
func (s *Store) insertNotice(ctx context.Context, q querier, m OutboxMessage) error {
	if err := s.insertOutbox(ctx, q, m); err != nil && !errors.Is(err, ErrMailBudget) {
		return err
	}
	return nil
}
