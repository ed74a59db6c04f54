package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/taskapi/taskapi"
)

// WebhookEvent is one event for a user's endpoints: its type
// ("task.created"), the entity it is about, and the change-feed sequence
// number that orders it among the user's events.
type WebhookEvent struct {
	Type       string
	EntityType string
	EntityID   uuid.UUID
	Seq        int64
}

// PingEvent is the event type of a test delivery.
const PingEvent = "webhook.ping"

// enqueueWebhooks writes, in the transaction of the changes that cause
// the events, one delivery for each event and each of the user's active
// endpoints that subscribes to its type. Nothing is sent here: the
// delivery worker claims the rows.
func (s *Store) enqueueWebhooks(ctx context.Context, tx querier, userID uuid.UUID, evs ...WebhookEvent) error {
	if len(evs) == 0 {
		return nil
	}
	rows, err := tx.QueryContext(ctx, `SELECT id, event_types FROM webhooks WHERE user_id = $1 AND active = $2`, userID, true)
	if err != nil {
		return fmt.Errorf("enqueue webhooks: %w", s.mapErr(err))
	}
	type target struct {
		id    uuid.UUID
		types []string
	}
	var targets []target
	for rows.Next() {
		var t target
		var types string
		if err := rows.Scan(&t.id, &types); err != nil {
			rows.Close()
			return fmt.Errorf("enqueue webhooks: %w", err)
		}
		t.types = strings.Fields(types)
		targets = append(targets, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("enqueue webhooks: %w", err)
	}
	for _, ev := range evs {
		for _, t := range targets {
			if !slices.Contains(t.types, ev.Type) {
				continue
			}
			if err := s.insertDelivery(ctx, tx, t.id, userID, ev, nil); err != nil {
				return err
			}
		}
	}
	return nil
}

func (s *Store) insertDelivery(ctx context.Context, tx querier, webhookID, userID uuid.UUID, ev WebhookEvent, payload *string) error {
	id, err := uuid.NewV7()
	if err != nil {
		return fmt.Errorf("enqueue webhook: %w", err)
	}
	now := s.Now()
	_, err = tx.ExecContext(ctx, `INSERT INTO webhook_deliveries (id, webhook_id, user_id, seq, event_type, entity_type,
		entity_id, payload, created_at, next_attempt_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		id, webhookID, userID, ev.Seq, ev.Type, ev.EntityType, ev.EntityID, payload, now, now)
	if err != nil {
		return fmt.Errorf("enqueue webhook: %w", s.mapErr(err))
	}
	return nil
}

// PingWebhook queues a test delivery to one of the user's endpoints.
func (s *Store) PingWebhook(ctx context.Context, userID, id uuid.UUID) error {
	err := s.tx(ctx, func(tx querier) error {
		if _, err := s.getWebhook(ctx, tx, userID, id, ""); err != nil {
			return err
		}
		return s.insertDelivery(ctx, tx, id, userID, WebhookEvent{Type: PingEvent, EntityType: "webhook", EntityID: id}, nil)
	})
	if err != nil {
		return fmt.Errorf("ping webhook: %w", err)
	}
	return nil
}

// Redeliver queues one of an endpoint's earlier deliveries again, as a new
// delivery with the same body (signed anew when it is sent).
func (s *Store) Redeliver(ctx context.Context, userID, webhookID, deliveryID uuid.UUID) error {
	err := s.tx(ctx, func(tx querier) error {
		var ev WebhookEvent
		var payload sql.NullString
		err := tx.QueryRowContext(ctx, `SELECT seq, event_type, entity_type, entity_id, payload FROM webhook_deliveries
			WHERE id = $1 AND webhook_id = $2 AND user_id = $3`, deliveryID, webhookID, userID).
			Scan(&ev.Seq, &ev.Type, &ev.EntityType, &ev.EntityID, &payload)
		if err != nil {
			return s.mapErr(err)
		}
		var body *string
		if payload.Valid {
			body = &payload.String
		}
		return s.insertDelivery(ctx, tx, webhookID, userID, ev, body)
	})
	if err != nil {
		return fmt.Errorf("redeliver: %w", err)
	}
	return nil
}

// DeliveryClaim is a delivery taken by a worker, with what sending it
// needs.
type DeliveryClaim struct {
	ID         uuid.UUID
	WebhookID  uuid.UUID
	UserID     uuid.UUID
	URL        string
	Secrets    []string
	Event      WebhookEvent
	Payload    *string // nil until the first attempt made it
	Attempts   int     // including this one
	CreatedAt  time.Time
	OwnerEmail string
	OwnerName  string
	// FailingSince is when the endpoint's current run of failures began
	// (nil while it succeeds).
	FailingSince *time.Time
}

// ClaimDelivery takes a due delivery and leases it until now+lease: the
// oldest pending one of an active endpoint, and only if no earlier event
// of that endpoint is still pending, so each receiver gets its events in
// order. On PostgreSQL FOR UPDATE SKIP LOCKED lets N workers take
// different rows without waiting; SQLite's single writer serialises the
// claims. ok is false when nothing is due.
func (s *Store) ClaimDelivery(ctx context.Context, lease time.Duration) (DeliveryClaim, bool, error) {
	now := s.Now()
	var c DeliveryClaim
	var payload sql.NullString
	err := s.execRow(ctx, `UPDATE webhook_deliveries SET locked_until = $1, attempts = attempts + 1
		WHERE id = (
			SELECT d.id FROM webhook_deliveries d
			WHERE d.delivered_at IS NULL AND d.failed_at IS NULL AND d.next_attempt_at <= $2
			  AND (d.locked_until IS NULL OR d.locked_until <= $2)
			  AND EXISTS (SELECT 1 FROM webhooks w WHERE w.id = d.webhook_id AND w.active = $3)
			  AND NOT EXISTS (SELECT 1 FROM webhook_deliveries e
				WHERE e.webhook_id = d.webhook_id AND e.delivered_at IS NULL AND e.failed_at IS NULL
				  AND (e.seq, e.id) < (d.seq, d.id))
			ORDER BY d.next_attempt_at LIMIT 1`+s.d.forUpdateSkipLocked+`)
		RETURNING id, webhook_id, user_id, seq, event_type, entity_type, entity_id, payload, attempts, created_at`,
		now.Add(lease), now, true).Scan(&c.ID, &c.WebhookID, &c.UserID, &c.Event.Seq, &c.Event.Type, &c.Event.EntityType,
		&c.Event.EntityID, &payload, &c.Attempts, &c.CreatedAt)
	if err != nil {
		if err = s.mapErr(err); errors.Is(err, taskapi.ErrNotFound) {
			return DeliveryClaim{}, false, nil
		}
		return DeliveryClaim{}, false, fmt.Errorf("claim delivery: %w", err)
	}
	if payload.Valid {
		c.Payload = &payload.String
	}
	c.CreatedAt = c.CreatedAt.UTC()
	// What sending needs, in one read: the endpoint, its owner, and the
	// secrets that sign now (the previous one during its rollover).
	var (
		failing, until dbTime
		secret         string
		previous       sql.NullString
	)
	if err := s.queryRow(ctx, `SELECT w.url, u.email, u.username, w.failing_since, w.secret, w.previous_secret,
			w.previous_secret_until
		FROM webhooks w JOIN users u ON u.id = w.user_id WHERE w.id = $1`,
		c.WebhookID).Scan(&c.URL, &c.OwnerEmail, &c.OwnerName, &failing, &secret, &previous, &until); err != nil {
		return DeliveryClaim{}, false, fmt.Errorf("claim delivery: %w", s.mapErr(err))
	}
	if failing.Valid {
		f := failing.Time.UTC()
		c.FailingSince = &f
	}
	c.Secrets = []string{secret}
	if previous.Valid && until.Valid && until.Time.After(now) {
		c.Secrets = append(c.Secrets, previous.String)
	}
	return c, true, nil
}

// DeliveryAttempt is the outcome of sending a claimed delivery.
type DeliveryAttempt struct {
	Payload  string // the body sent, kept for retries and the log
	Status   int    // the receiver's HTTP status; 0 when none came
	Error    string // why it failed, when it did
	Duration time.Duration
	Response string // the start of the receiver's answer
	// Delivered: a 2xx came back. Otherwise RetryAt is when to try again,
	// or nil to give up (the retries ran out).
	Delivered bool
	RetryAt   *time.Time
	// Disable, when set, turns the endpoint off with this reason, fails
	// its pending deliveries and queues Notice to its owner, in the same
	// transaction.
	Disable string
	Notice  *OutboxMessage
}

// RecordAttempt records the outcome of a claimed delivery and the health
// of its endpoint: a success ends its run of failures, a failure starts
// one (FailingSince). A claim that lost its lease is ErrClaimLost.
func (s *Store) RecordAttempt(ctx context.Context, c DeliveryClaim, a DeliveryAttempt) error {
	now := s.Now()
	err := s.tx(ctx, func(tx querier) error {
		var delivered, failed, retry *time.Time
		switch {
		case a.Delivered:
			delivered = &now
		case a.RetryAt != nil && a.Disable == "":
			retry = utc(a.RetryAt)
		default:
			failed = &now
		}
		next := now
		if retry != nil {
			next = *retry
		}
		var status *int
		if a.Status != 0 {
			status = &a.Status
		}
		res, err := tx.ExecContext(ctx, `UPDATE webhook_deliveries SET payload = $3, last_status = $4, last_error = $5,
				last_duration_ms = $6, response_body = $7, delivered_at = $8, failed_at = $9, next_attempt_at = $10,
				locked_until = NULL
			WHERE id = $1 AND attempts = $2 AND delivered_at IS NULL AND failed_at IS NULL`,
			c.ID, c.Attempts, a.Payload, status, nullText(clip(a.Error, 1000)), a.Duration.Milliseconds(),
			nullText(clip(a.Response, 4096)), delivered, failed, next)
		if err != nil {
			return s.mapErr(err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrClaimLost
		}
		if a.Delivered {
			_, err = tx.ExecContext(ctx, `UPDATE webhooks SET failing_since = NULL WHERE id = $1 AND failing_since IS NOT NULL`, c.WebhookID)
			return s.mapErr(err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE webhooks SET failing_since = $1 WHERE id = $2 AND failing_since IS NULL`,
			now, c.WebhookID); err != nil {
			return s.mapErr(err)
		}
		if a.Disable == "" {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `UPDATE webhooks SET active = $1, disabled_reason = $2, updated_at = $3,
				version = version + 1 WHERE id = $4`, false, clip(a.Disable, 500), now, c.WebhookID); err != nil {
			return s.mapErr(err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE webhook_deliveries SET failed_at = $1, last_error = $2, locked_until = NULL
			WHERE webhook_id = $3 AND delivered_at IS NULL AND failed_at IS NULL`, now, "the endpoint was disabled", c.WebhookID); err != nil {
			return s.mapErr(err)
		}
		if a.Notice != nil {
			return s.insertOutbox(ctx, tx, *a.Notice)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("record webhook attempt: %w", err)
	}
	return nil
}

func nullText(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// Delivery is one entry of an endpoint's delivery log.
type Delivery struct {
	ID          uuid.UUID
	EventType   string
	EntityType  string
	EntityID    uuid.UUID
	Seq         int64
	Attempts    int
	Status      string // pending, delivered or failed
	LastStatus  *int
	LastError   *string
	DurationMS  *int
	Payload     *string
	Response    *string
	CreatedAt   time.Time
	DeliveredAt *time.Time
	NextAttempt *time.Time // while pending
}

// deliveryOrder lists a log newest first (UUIDv7).
var deliveryOrder = sortKey[Delivery]{column: "id", kind: idOnly}

// ListDeliveries returns one page of an endpoint's delivery log, newest
// first; the endpoint must be the user's.
func (s *Store) ListDeliveries(ctx context.Context, userID, webhookID uuid.UUID, page Page) ([]Delivery, Position, error) {
	after, err := deliveryOrder.decode(page.After)
	if err != nil || page.Limit < 1 {
		return nil, "", fmt.Errorf("list deliveries: limit %d: %w", page.Limit, err)
	}
	if _, err := s.getWebhook(ctx, s.reader(), userID, webhookID, ""); err != nil {
		return nil, "", fmt.Errorf("list deliveries: %w", err)
	}
	var a args
	where := `webhook_id = ` + a.add(webhookID) + ` AND user_id = ` + a.add(userID)
	if after != nil {
		where += ` AND ` + deliveryOrder.after(&a, after, true)
	}
	rows, err := s.query(ctx, `SELECT id, event_type, entity_type, entity_id, seq, attempts, last_status, last_error,
			last_duration_ms, payload, response_body, created_at, delivered_at, failed_at, next_attempt_at
		FROM webhook_deliveries WHERE `+where+` ORDER BY `+deliveryOrder.order(true)+` LIMIT `+a.add(page.Limit+1), a...)
	if err != nil {
		return nil, "", fmt.Errorf("list deliveries: %w", s.mapErr(err))
	}
	items, err := collect(rows, scanDelivery)
	if err != nil {
		return nil, "", fmt.Errorf("list deliveries: %w", err)
	}
	items, next := pageOf(deliveryOrder, items, page.Limit, func(d Delivery) uuid.UUID { return d.ID })
	return items, next, nil
}

func scanDelivery(r rowScanner) (Delivery, error) {
	var (
		d                                Delivery
		created, delivered, failed, next dbTime
	)
	err := r.Scan(&d.ID, &d.EventType, &d.EntityType, &d.EntityID, &d.Seq, &d.Attempts, &d.LastStatus, &d.LastError,
		&d.DurationMS, &d.Payload, &d.Response, &created, &delivered, &failed, &next)
	if err != nil {
		return Delivery{}, err
	}
	d.CreatedAt = created.Time.UTC()
	switch {
	case delivered.Valid:
		d.Status = "delivered"
		t := delivered.Time.UTC()
		d.DeliveredAt = &t
	case failed.Valid:
		d.Status = "failed"
	default:
		d.Status = "pending"
		t := next.Time.UTC()
		d.NextAttempt = &t
	}
	return d, nil
}

// Delivery log retention: bodies are kept DeliveryBodiesKept, log entries
// DeliveryLogKept after they were made.
const (
	DeliveryBodiesKept = 7 * 24 * time.Hour
	DeliveryLogKept    = 30 * 24 * time.Hour
)

// PurgeDeliveries clears the bodies of old deliveries and deletes old
// finished log entries.
func (s *Store) PurgeDeliveries(ctx context.Context) (int64, error) {
	now := s.Now()
	const finished = `(delivered_at IS NOT NULL OR failed_at IS NOT NULL)`
	if _, err := s.exec(ctx, `UPDATE webhook_deliveries SET payload = NULL, response_body = NULL
		WHERE created_at < $1 AND payload IS NOT NULL AND `+finished, now.Add(-DeliveryBodiesKept)); err != nil {
		return 0, fmt.Errorf("purge deliveries: %w", s.mapErr(err))
	}
	res, err := s.exec(ctx, `DELETE FROM webhook_deliveries WHERE created_at < $1 AND `+finished, now.Add(-DeliveryLogKept))
	if err != nil {
		return 0, fmt.Errorf("purge deliveries: %w", s.mapErr(err))
	}
	n, _ := res.RowsAffected()
	return n, nil
}
