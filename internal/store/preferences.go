package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/taskapi/taskapi"
)

// preferences reads a user's preferences: the defaults while they have
// no row.
func (s *Store) preferences(ctx context.Context, q querier, userID uuid.UUID) (taskapi.Preferences, error) {
	p := taskapi.DefaultPreferences(userID)
	var (
		hour    sql.NullInt64
		updated dbTime
	)
	err := q.QueryRowContext(ctx, `SELECT reminder_emails, digest_hour, updated_at, version
		FROM user_preferences WHERE user_id = $1`, userID).Scan(&p.ReminderEmails, &hour, &updated, &p.Version)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		if err := q.QueryRowContext(ctx, `SELECT created_at FROM users WHERE id = $1`, userID).Scan(&updated); err != nil {
			return p, fmt.Errorf("preferences: %w", s.mapErr(err))
		}
		p.UpdatedAt = updated.Time.UTC()
		return p, nil
	case err != nil:
		return p, fmt.Errorf("preferences: %w", s.mapErr(err))
	}
	if hour.Valid {
		h := int(hour.Int64)
		p.DigestHour = &h
	}
	p.UpdatedAt = updated.Time.UTC()
	return p, nil
}

// GetPreferences returns the user's preferences (the defaults until they
// change them).
func (s *Store) GetPreferences(ctx context.Context, userID uuid.UUID) (taskapi.Preferences, error) {
	return s.preferences(ctx, s.reader(), userID)
}

// PreferencesPatch is a merge-patch of preferences.
type PreferencesPatch struct {
	ReminderEmails *bool
	DigestHour     taskapi.Change[int]
}

// UpdatePreferences applies a patch to the user's preferences, only while
// their version is one of ifMatch (nil: any), and schedules the next
// digest on the user's wall clock.
func (s *Store) UpdatePreferences(ctx context.Context, userID uuid.UUID, patch PreferencesPatch, ifMatch Versions) (taskapi.Preferences, error) {
	var out taskapi.Preferences
	err := s.tx(ctx, func(tx querier) error {
		cur, err := s.preferences(ctx, tx, userID)
		if err != nil {
			return err
		}
		if err := ifMatch.Check(cur.Version, "preferences"); err != nil {
			return err
		}
		next := cur
		if patch.ReminderEmails != nil {
			next.ReminderEmails = *patch.ReminderEmails
		}
		if patch.DigestHour.Set {
			next.DigestHour = patch.DigestHour.Value
		}
		if err := taskapi.ValidateDigestHour(next.DigestHour); err != nil {
			return err
		}
		if next.ReminderEmails == cur.ReminderEmails && equalPtrInt(next.DigestHour, cur.DigestHour) {
			out = cur
			return nil
		}
		loc, err := s.userLocation(ctx, tx, userID)
		if err != nil {
			return err
		}
		now := s.Now()
		next.UpdatedAt, next.Version = now, cur.Version+1
		// The upsert requires the version it read: a concurrent change
		// (or first insert) makes it touch no row.
		res, err := tx.ExecContext(ctx, `INSERT INTO user_preferences (user_id, reminder_emails, digest_hour, digest_next_at, version, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6)
			ON CONFLICT (user_id) DO UPDATE SET reminder_emails = $2, digest_hour = $3, digest_next_at = $4, version = $5, updated_at = $6
			WHERE user_preferences.version = $7`,
			userID, next.ReminderEmails, next.DigestHour, nextDigest(now, loc, next.DigestHour), next.Version, now, cur.Version)
		if err != nil {
			return s.mapErr(err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n != 1 {
			return changedSince("preferences")
		}
		out = next
		return nil
	})
	if err != nil {
		return taskapi.Preferences{}, fmt.Errorf("update preferences: %w", err)
	}
	return out, nil
}

func equalPtrInt(a, b *int) bool { return a == nil && b == nil || a != nil && b != nil && *a == *b }

// nextDigest is digest_next_at for a digest hour (nil: no digest).
func nextDigest(now time.Time, loc *time.Location, hour *int) *time.Time {
	if hour == nil {
		return nil
	}
	t := taskapi.NextDigest(now, loc, *hour)
	return &t
}

// retimeDigest moves a user's next digest to their new time zone, in the
// transaction that changes it.
func (s *Store) retimeDigest(ctx context.Context, tx querier, userID uuid.UUID, tz string) error {
	var hour sql.NullInt64
	err := tx.QueryRowContext(ctx, `SELECT digest_hour FROM user_preferences WHERE user_id = $1`, userID).Scan(&hour)
	if errors.Is(err, sql.ErrNoRows) || err == nil && !hour.Valid {
		return nil
	}
	if err != nil {
		return s.mapErr(err)
	}
	h := int(hour.Int64)
	_, err = tx.ExecContext(ctx, `UPDATE user_preferences SET digest_next_at = $1 WHERE user_id = $2`,
		nextDigest(s.Now(), taskapi.User{TimeZone: tz}.Location(), &h), userID)
	return s.mapErr(err)
}

// ListNotifications returns a page of the user's notifications, newest
// first (IDs are UUIDv7), only the unread ones when unread is set.
func (s *Store) ListNotifications(ctx context.Context, userID uuid.UUID, unread bool, page Page) ([]taskapi.Notification, Position, error) {
	after, err := notificationOrder.decode(page.After)
	if err != nil || page.Limit < 1 {
		return nil, "", fmt.Errorf("list notifications: limit %d: %w", page.Limit, err)
	}
	var a args
	q := `SELECT id, user_id, task_id, kind, title, due_date, created_at, read_at FROM notifications
		WHERE user_id = ` + a.add(userID)
	if unread {
		q += ` AND read_at IS NULL`
	}
	if after != nil {
		q += ` AND ` + notificationOrder.after(&a, after, true)
	}
	q += ` ORDER BY ` + notificationOrder.order(true) + ` LIMIT ` + a.add(page.Limit+1)
	rows, err := s.query(ctx, q, a...)
	if err != nil {
		return nil, "", fmt.Errorf("list notifications: %w", s.mapErr(err))
	}
	defer rows.Close()
	out := make([]taskapi.Notification, 0, page.Limit+1)
	for rows.Next() {
		var (
			n                  taskapi.Notification
			task               uuid.NullUUID
			due, created, read dbTime
		)
		if err := rows.Scan(&n.ID, &n.UserID, &task, &n.Kind, &n.Title, &due, &created, &read); err != nil {
			return nil, "", fmt.Errorf("list notifications: %w", err)
		}
		if task.Valid {
			n.TaskID = &task.UUID
		}
		n.DueDate, n.CreatedAt, n.ReadAt = due.ptr(), created.Time.UTC(), read.ptr()
		out = append(out, n)
	}
	if err := rows.Err(); err != nil {
		return nil, "", fmt.Errorf("list notifications: %w", err)
	}
	out, next := pageOf(notificationOrder, out, page.Limit, func(n taskapi.Notification) uuid.UUID { return n.ID })
	return out, next, nil
}

// notificationOrder: newest first, by UUIDv7.
var notificationOrder = sortKey[taskapi.Notification]{column: "id", kind: idOnly}

// ReadNotifications marks notifications of the user read: the one named,
// or all of them when id is nil. Reading one already read changes
// nothing; another user's is ErrNotFound.
func (s *Store) ReadNotifications(ctx context.Context, userID uuid.UUID, id *uuid.UUID) error {
	now := s.Now()
	if id == nil {
		if _, err := s.exec(ctx, `UPDATE notifications SET read_at = $1 WHERE user_id = $2 AND read_at IS NULL`, now, userID); err != nil {
			return fmt.Errorf("read notifications: %w", s.mapErr(err))
		}
		return nil
	}
	var got uuid.UUID
	err := s.execRow(ctx, `UPDATE notifications SET read_at = COALESCE(read_at, $1) WHERE id = $2 AND user_id = $3 RETURNING id`,
		now, *id, userID).Scan(&got)
	if err != nil {
		return fmt.Errorf("read notification: %w", s.mapErr(err))
	}
	return nil
}

// PurgeReminderRecords deletes what reminders and digests leave behind
// once it is old: notifications read before before, and the digest days
// recorded before it.
func (s *Store) PurgeReminderRecords(ctx context.Context, before time.Time) (int64, error) {
	before = before.UTC().Truncate(time.Microsecond)
	var total int64
	for _, q := range []string{
		`DELETE FROM notifications WHERE read_at < $1`,
		`DELETE FROM digests WHERE created_at < $1`,
	} {
		res, err := s.exec(ctx, q, before)
		if err != nil {
			return total, fmt.Errorf("purge reminder records: %w", s.mapErr(err))
		}
		n, _ := res.RowsAffected()
		total += n
	}
	return total, nil
}
