package store

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/taskapi/taskapi"
	"github.com/taskapi/taskapi/internal/egress"
)

// WebhookSecretRollover is how long a rotated-out secret keeps signing
// beside the new one, so a receiver can switch without losing events.
const WebhookSecretRollover = 24 * time.Hour

// MaxWebhooksPerUser bounds a user's endpoints: each event fans out to
// every one of them in the write's transaction.
const MaxWebhooksPerUser = 20

const webhookColumns = `id, user_id, url, description, event_types, active, disabled_reason, failing_since,
	created_at, updated_at, version`

func scanWebhook(r rowScanner) (taskapi.Webhook, error) {
	var (
		w       taskapi.Webhook
		types   string
		failing dbTime
	)
	if err := r.Scan(&w.ID, &w.UserID, &w.URL, &w.Description, &types, &w.Active, &w.DisabledReason, &failing,
		&w.CreatedAt, &w.UpdatedAt, &w.Version); err != nil {
		return taskapi.Webhook{}, err
	}
	w.EventTypes = strings.Fields(types)
	if failing.Valid {
		t := failing.Time.UTC()
		w.FailingSince = &t
	}
	w.CreatedAt, w.UpdatedAt = w.CreatedAt.UTC(), w.UpdatedAt.UTC()
	return w, nil
}

// NewWebhookSecret makes a signing secret in the Standard Webhooks form:
// "whsec_" and the base64 of 24 random bytes.
func NewWebhookSecret() (string, error) {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("webhook secret: %w", err)
	}
	return "whsec_" + base64.StdEncoding.EncodeToString(b), nil
}

// WebhookPolicy is what the operator allows of endpoint URLs.
type WebhookPolicy struct {
	// AllowHTTP admits http URLs; AllowPrivate, hosts that are loopback,
	// private or link-local addresses (or localhost).
	AllowHTTP, AllowPrivate bool
}

// check refuses a URL by its form, and by its host when that is a
// forbidden address or localhost; names are checked again, resolved, at
// every delivery (egress).
func (p WebhookPolicy) check(raw string) error {
	if err := taskapi.ValidateWebhookURL(raw, p.AllowHTTP); err != nil {
		return err
	}
	u, err := url.Parse(raw)
	if err != nil {
		return taskapi.Invalid("url", "must be an absolute URL")
	}
	if !p.AllowPrivate && egress.ForbiddenHost(u.Hostname()) {
		return taskapi.Invalid("url", "must not point at a loopback, private or link-local address")
	}
	return nil
}

// CreatedWebhook is a new endpoint and its secret, which is shown once.
type CreatedWebhook struct {
	Webhook taskapi.Webhook
	Secret  string
}

// CreateWebhook adds an endpoint for userID with a new secret. The URL's
// URL (under policy) and the event types are checked here.
func (s *Store) CreateWebhook(ctx context.Context, userID uuid.UUID, w taskapi.Webhook, policy WebhookPolicy, key *IdempotencyKey) (CreatedWebhook, bool, error) {
	if err := policy.check(w.URL); err != nil {
		return CreatedWebhook{}, false, fmt.Errorf("create webhook: %w", err)
	}
	if err := taskapi.ValidateWebhookDescription(w.Description); err != nil {
		return CreatedWebhook{}, false, fmt.Errorf("create webhook: %w", err)
	}
	types, err := taskapi.NormalizeEventTypes(w.EventTypes)
	if err != nil {
		return CreatedWebhook{}, false, fmt.Errorf("create webhook: %w", err)
	}
	id, err := uuid.NewV7()
	if err != nil {
		return CreatedWebhook{}, false, fmt.Errorf("create webhook: %w", err)
	}
	secret, err := NewWebhookSecret()
	if err != nil {
		return CreatedWebhook{}, false, fmt.Errorf("create webhook: %w", err)
	}
	now := s.Now()
	w.ID, w.UserID, w.EventTypes, w.Active, w.DisabledReason, w.FailingSince = id, userID, types, true, "", nil
	w.CreatedAt, w.UpdatedAt, w.Version = now, now, 1
	out, replayed, err := idempotently(ctx, s, userID, key, func(tx querier) (CreatedWebhook, error) {
		if err := s.checkQuota(ctx, tx, "webhooks", userID, MaxWebhooksPerUser, "webhooks"); err != nil {
			return CreatedWebhook{}, err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO webhooks (id, user_id, url, description, event_types, active, secret,
			created_at, updated_at, version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
			w.ID, userID, w.URL, w.Description, strings.Join(w.EventTypes, " "), true, secret, now, now, 1)
		if err != nil {
			return CreatedWebhook{}, s.mapErr(err)
		}
		return CreatedWebhook{Webhook: w, Secret: secret}, nil
	})
	if err != nil {
		return CreatedWebhook{}, false, fmt.Errorf("create webhook: %w", err)
	}
	return out, replayed, nil
}

// GetWebhook returns one of the user's endpoints.
func (s *Store) GetWebhook(ctx context.Context, userID, id uuid.UUID) (taskapi.Webhook, error) {
	w, err := s.getWebhook(ctx, s.reader(), userID, id, "")
	if err != nil {
		return taskapi.Webhook{}, fmt.Errorf("get webhook: %w", err)
	}
	return w, nil
}

func (s *Store) getWebhook(ctx context.Context, q querier, userID, id uuid.UUID, lock string) (taskapi.Webhook, error) {
	w, err := scanWebhook(q.QueryRowContext(ctx, `SELECT `+webhookColumns+` FROM webhooks WHERE id = $1 AND user_id = $2`+lock, id, userID))
	if err != nil {
		return taskapi.Webhook{}, s.mapErr(err)
	}
	return w, nil
}

// webhookOrder lists endpoints in creation order (UUIDv7).
var webhookOrder = sortKey[taskapi.Webhook]{column: "id", kind: idOnly}

// ListWebhooks returns one page of the user's endpoints, oldest first.
func (s *Store) ListWebhooks(ctx context.Context, userID uuid.UUID, page Page) ([]taskapi.Webhook, Position, error) {
	after, err := webhookOrder.decode(page.After)
	if err != nil || page.Limit < 1 {
		return nil, "", fmt.Errorf("list webhooks: limit %d: %w", page.Limit, err)
	}
	var a args
	where := `user_id = ` + a.add(userID)
	if after != nil {
		where += ` AND ` + webhookOrder.after(&a, after, false)
	}
	rows, err := s.query(ctx, `SELECT `+webhookColumns+` FROM webhooks WHERE `+where+
		` ORDER BY `+webhookOrder.order(false)+` LIMIT `+a.add(page.Limit+1), a...)
	if err != nil {
		return nil, "", fmt.Errorf("list webhooks: %w", s.mapErr(err))
	}
	items, err := collect(rows, scanWebhook)
	if err != nil {
		return nil, "", fmt.Errorf("list webhooks: %w", err)
	}
	items, next := pageOf(webhookOrder, items, page.Limit, func(w taskapi.Webhook) uuid.UUID { return w.ID })
	return items, next, nil
}

// UpdateWebhook applies a merge-patch to one of the user's endpoints,
// only while its version is one of ifMatch.
func (s *Store) UpdateWebhook(ctx context.Context, userID, id uuid.UUID, patch taskapi.WebhookPatch, policy WebhookPolicy, ifMatch Versions) (taskapi.Webhook, error) {
	if patch.URL != nil {
		if err := policy.check(*patch.URL); err != nil {
			return taskapi.Webhook{}, fmt.Errorf("update webhook: %w", err)
		}
	}
	var out taskapi.Webhook
	err := s.tx(ctx, func(tx querier) error {
		cur, err := s.getWebhook(ctx, tx, userID, id, s.d.forUpdate)
		if err != nil {
			return err
		}
		if err := ifMatch.Check(cur.Version, "webhook"); err != nil {
			return err
		}
		next := cur
		changed, err := next.Apply(patch, policy.AllowHTTP)
		if err != nil || !changed {
			out = cur
			return err
		}
		next.UpdatedAt, next.Version = s.Now(), cur.Version+1
		res, err := tx.ExecContext(ctx, `UPDATE webhooks SET url = $1, description = $2, event_types = $3, active = $4,
				disabled_reason = $5, failing_since = $6, updated_at = $7, version = $8
			WHERE id = $9 AND user_id = $10 AND version = $11`,
			next.URL, next.Description, strings.Join(next.EventTypes, " "), next.Active, next.DisabledReason,
			utc(next.FailingSince), next.UpdatedAt, next.Version, id, userID, cur.Version)
		if err != nil {
			return s.mapErr(err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return changedSince("webhook")
		}
		out = next
		return nil
	})
	if err != nil {
		return taskapi.Webhook{}, fmt.Errorf("update webhook: %w", err)
	}
	return out, nil
}

// RotateWebhookSecret gives an endpoint a new secret, returned once; the
// old one keeps signing for WebhookSecretRollover.
func (s *Store) RotateWebhookSecret(ctx context.Context, userID, id uuid.UUID, ifMatch Versions) (CreatedWebhook, error) {
	secret, err := NewWebhookSecret()
	if err != nil {
		return CreatedWebhook{}, err
	}
	var out CreatedWebhook
	err = s.tx(ctx, func(tx querier) error {
		cur, err := s.getWebhook(ctx, tx, userID, id, s.d.forUpdate)
		if err != nil {
			return err
		}
		if err := ifMatch.Check(cur.Version, "webhook"); err != nil {
			return err
		}
		now := s.Now()
		cur.UpdatedAt, cur.Version = now, cur.Version+1
		if _, err := tx.ExecContext(ctx, `UPDATE webhooks SET previous_secret = secret, previous_secret_until = $1,
				secret = $2, updated_at = $3, version = $4 WHERE id = $5 AND user_id = $6`,
			now.Add(WebhookSecretRollover), secret, now, cur.Version, id, userID); err != nil {
			return s.mapErr(err)
		}
		out = CreatedWebhook{Webhook: cur, Secret: secret}
		return nil
	})
	if err != nil {
		return CreatedWebhook{}, fmt.Errorf("rotate webhook secret: %w", err)
	}
	return out, nil
}

// DeleteWebhook deletes one of the user's endpoints and its delivery log.
func (s *Store) DeleteWebhook(ctx context.Context, userID, id uuid.UUID, ifMatch Versions) error {
	err := s.tx(ctx, func(tx querier) error {
		args := []any{id, userID}
		res, err := tx.ExecContext(ctx, `DELETE FROM webhooks WHERE id = $1 AND user_id = $2`+ifMatch.where(&args), args...)
		if err != nil {
			return s.mapErr(err)
		}
		if n, err := res.RowsAffected(); err != nil || n == 1 {
			return err
		}
		if _, err := s.getWebhook(ctx, tx, userID, id, ""); err != nil {
			return err
		}
		return changedSince("webhook")
	})
	if err != nil {
		return fmt.Errorf("delete webhook: %w", err)
	}
	return nil
}
