package store

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
)

// EnqueueEmailRequest records, durably, a request for an email token of
// purpose p to the address email (forgot-password, resend-verification),
// as a row of the outbox that the worker resolves later (ResolveEmailRequest).
// It is one insert whether or not the address belongs to anybody, so the
// caller's answer takes the same time and leaves the same trace either
// way, and once it returns the request survives a crash. A request like
// one still pending (same address and purpose) is dropped, silently, as
// the answer must not tell: it would end the same way. The mail a request
// leads to is bounded by the quiet period and the mail budget when it is
// resolved.
func (s *Store) EnqueueEmailRequest(ctx context.Context, p EmailPurpose, email string) error {
	id, err := uuid.NewV7()
	if err != nil {
		return fmt.Errorf("email request: %w", err)
	}
	var pending int
	if err := s.queryRow(ctx, `SELECT count(*) FROM outbox WHERE recipient = $1 AND request = $2
		AND sent_at IS NULL AND failed_at IS NULL`, email, string(p)).Scan(&pending); err != nil {
		return fmt.Errorf("email request: %w", s.mapErr(err))
	}
	if pending > 0 {
		return nil
	}
	now := s.Now()
	_, err = s.exec(ctx, `INSERT INTO outbox (id, recipient, subject, text_body, html_body, created_at, next_attempt_at, request)
		VALUES ($1, $2, '', '', '', $3, $4, $5)`, id, email, now, now, string(p))
	if err != nil {
		return fmt.Errorf("email request: %w", s.mapErr(err))
	}
	return nil
}

// ResolveEmailRequest completes the claimed request claim and, when tok is
// not nil, issues it with its message as IssueEmailToken does (quiet
// included), in one transaction: a crash leaves either both or neither, so
// a request is answered by at most one token however often it is claimed.
// A claim that no longer holds is ErrClaimLost and changes nothing.
func (s *Store) ResolveEmailRequest(ctx context.Context, claim OutboxMessage, tok *EmailToken, msg OutboxMessage, quiet time.Duration) (issued bool, err error) {
	err = s.inTx(ctx, func(tx querier) error {
		if tok != nil {
			// The user's row first, as in every transaction on its tokens.
			if err := s.lockUser(ctx, tx, tok.UserID); err != nil {
				return err
			}
		}
		res, err := tx.ExecContext(ctx, `UPDATE outbox SET sent_at = $3, locked_until = NULL, last_error = NULL
			WHERE `+claimWhere, claim.ID, claim.Attempts, s.Now())
		if err != nil {
			return s.mapErr(err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrClaimLost
		}
		if tok == nil {
			return nil
		}
		issued, err = s.issueQuietly(ctx, tx, *tok, msg, quiet)
		return err
	})
	if err != nil {
		return false, fmt.Errorf("resolve email request: %w", err)
	}
	return issued, nil
}
