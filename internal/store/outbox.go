package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/taskapi/taskapi"
)

// OutboxMessage is an email waiting to be sent. It is written in the same
// transaction as whatever it tells about (a token, a change), so it is
// neither lost nor sent for something that did not happen.
type OutboxMessage struct {
	ID        uuid.UUID
	UserID    *uuid.UUID // the account it is about, if any
	To        string
	Subject   string
	Text      string
	HTML      string
	Attempts  int // including the current one, once claimed
	CreatedAt time.Time
	// Request, when set, makes the row a request for an email token of
	// that purpose to the address To rather than a message: the worker
	// resolves it (see EnqueueEmailRequest) instead of sending it.
	Request EmailPurpose
	// Kind, when set (MailReminder, MailDigest), marks mail the service
	// sends a user about their own data, to their own verified address:
	// it neither spends nor is refused by the mail budget (see mailSlot).
	Kind string
}

// The kinds of mail a user gets about their own data.
const (
	MailReminder = "REMINDER"
	MailDigest   = "DIGEST"
)

// insertOutbox queues m within the mail budget (ErrMailBudget beyond it;
// see mailSlot).
func (s *Store) insertOutbox(ctx context.Context, q querier, m OutboxMessage) error {
	id, err := uuid.NewV7()
	if err != nil {
		return fmt.Errorf("outbox: %w", err)
	}
	due, err := s.mailSlot(ctx, q, m.UserID, m.To, m.Kind != "")
	if err != nil {
		return err
	}
	var kind *string
	if m.Kind != "" {
		kind = &m.Kind
	}
	_, err = q.ExecContext(ctx, `INSERT INTO outbox (id, user_id, recipient, subject, text_body, html_body, created_at, next_attempt_at, kind)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, id, m.UserID, m.To, m.Subject, m.Text, m.HTML, s.Now(), due, kind)
	if err != nil {
		return fmt.Errorf("outbox: %w", s.mapErr(err))
	}
	return nil
}

// EnqueueMail queues a message on its own.
func (s *Store) EnqueueMail(ctx context.Context, m OutboxMessage) error {
	return s.insertOutbox(ctx, s.writer(), m)
}

// ClaimMail takes the oldest message that is due and not claimed by a live
// lease, leases it until now+lease and counts the attempt. With several
// instances on PostgreSQL, FOR UPDATE SKIP LOCKED lets each worker take a
// different message without waiting; SQLite's single writer serialises
// the claims. A worker that dies holding a lease leaves the message to be
// claimed again once the lease runs out. It returns ok=false when nothing
// is due.
func (s *Store) ClaimMail(ctx context.Context, lease time.Duration) (OutboxMessage, bool, error) {
	now := s.Now()
	var m OutboxMessage
	var request sql.NullString
	err := s.execRow(ctx, `UPDATE outbox SET locked_until = $1, attempts = attempts + 1
		WHERE id = (
			SELECT id FROM outbox
			WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= $2
			  AND (locked_until IS NULL OR locked_until <= $2)
			ORDER BY next_attempt_at LIMIT 1`+s.d.forUpdateSkipLocked+`)
		RETURNING id, user_id, recipient, subject, text_body, html_body, attempts, created_at, request`,
		now.Add(lease), now).Scan(&m.ID, &m.UserID, &m.To, &m.Subject, &m.Text, &m.HTML, &m.Attempts, &m.CreatedAt, &request)
	if err != nil {
		if err = s.mapErr(err); errors.Is(err, taskapi.ErrNotFound) {
			return OutboxMessage{}, false, nil
		}
		return OutboxMessage{}, false, fmt.Errorf("claim mail: %w", err)
	}
	m.CreatedAt = m.CreatedAt.UTC()
	m.Request = EmailPurpose(request.String)
	return m, true, nil
}

// ErrClaimLost is the answer to the completion of a claim that is no
// longer the message's latest (the lease ran out and another worker took
// the message) or of a message already completed: the record is left to
// the claim that holds it.
var ErrClaimLost = errors.New("the claim on this message was lost to another worker")

// claimWhere ties a completion to its claim: the attempt it counted is
// still the latest, and the message is still pending.
const claimWhere = `id = $1 AND attempts = $2 AND sent_at IS NULL AND failed_at IS NULL`

// complete runs the completion update q (whose first two parameters are
// the claim's ID and attempt) and tells whether the claim still held.
func (s *Store) complete(ctx context.Context, what string, claim OutboxMessage, q string, args ...any) error {
	res, err := s.exec(ctx, q, append([]any{claim.ID, claim.Attempts}, args...)...)
	if err != nil {
		return fmt.Errorf("%s: %w", what, s.mapErr(err))
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("%s: %w", what, ErrClaimLost)
	}
	return nil
}

// MarkMailSent records that a claimed message was handed to the SMTP
// server. Its bodies are cleared: they may hold a token, which must not
// outlive its purpose in plain text.
func (s *Store) MarkMailSent(ctx context.Context, claim OutboxMessage) error {
	return s.complete(ctx, "mark mail sent", claim, `UPDATE outbox
		SET sent_at = $3, locked_until = NULL, text_body = '', html_body = '', last_error = NULL
		WHERE `+claimWhere, s.Now())
}

// RetryMail records a failed attempt of a claimed message and when to try
// again.
func (s *Store) RetryMail(ctx context.Context, claim OutboxMessage, at time.Time, reason string) error {
	return s.complete(ctx, "retry mail", claim, `UPDATE outbox
		SET next_attempt_at = $3, locked_until = NULL, last_error = $4
		WHERE `+claimWhere, at.UTC().Truncate(time.Microsecond), clip(reason, 1000))
}

// AbandonMail records that a claimed message will not be sent after all;
// like a sent one, it loses its bodies.
func (s *Store) AbandonMail(ctx context.Context, claim OutboxMessage, reason string) error {
	return s.complete(ctx, "abandon mail", claim, `UPDATE outbox
		SET failed_at = $3, locked_until = NULL, last_error = $4, text_body = '', html_body = ''
		WHERE `+claimWhere, s.Now(), clip(reason, 1000))
}

// MailStatus is what the outbox knows of one message, for tests and tools.
type MailStatus struct {
	ID        uuid.UUID
	To        string
	Attempts  int
	Sent      bool
	Failed    bool
	LastError *string
}

// OutboxStatus lists the most recent messages, newest first (at most limit).
func (s *Store) OutboxStatus(ctx context.Context, limit int) ([]MailStatus, error) {
	rows, err := s.query(ctx, `SELECT id, recipient, attempts, sent_at IS NOT NULL, failed_at IS NOT NULL, last_error
		FROM outbox ORDER BY id DESC LIMIT $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("outbox status: %w", s.mapErr(err))
	}
	defer rows.Close()
	var out []MailStatus
	for rows.Next() {
		var m MailStatus
		if err := rows.Scan(&m.ID, &m.To, &m.Attempts, &m.Sent, &m.Failed, &m.LastError); err != nil {
			return nil, fmt.Errorf("outbox status: %w", err)
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("outbox status: %w", err)
	}
	return out, nil
}

// clip shortens s to at most n bytes without splitting a character.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// The counts behind OutboxStats. Each is served by a partial index that
// holds exactly the rows it counts (outbox_pending_idx, outbox_failed_idx),
// so neither scans the sent mail kept until it is purged.
const (
	outboxPendingCountSQL = `SELECT count(*) FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL`
	outboxFailedCountSQL  = `SELECT count(*) FROM outbox WHERE failed_at IS NOT NULL`
)

// OutboxStats counts the messages waiting to be sent and those abandoned
// (still kept, until purged), for the metrics.
func (s *Store) OutboxStats(ctx context.Context) (pending, failed int, err error) {
	err = s.queryRow(ctx, `SELECT (`+outboxPendingCountSQL+`), (`+outboxFailedCountSQL+`)`).Scan(&pending, &failed)
	if err != nil {
		return 0, 0, fmt.Errorf("outbox stats: %w", s.mapErr(err))
	}
	return pending, failed, nil
}
