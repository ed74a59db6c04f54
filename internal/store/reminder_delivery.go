package store

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/taskapi/taskapi"
)

// DueReminder is a reminder that went off, as the message is written from
// it.
type DueReminder struct {
	ReminderID, TaskID uuid.UUID
	Title              string
	DueDate            *time.Time
	FireAt             time.Time
}

// ReminderDelivery is what one user gets from one claim: a notification
// per reminder, and one email listing them when Email is set.
type ReminderDelivery struct {
	User taskapi.User
	// Email: the user wants reminder emails and their address is verified
	// (reminders go only to the account's own verified address).
	Email     bool
	Reminders []DueReminder
}

// SendDueReminders claims up to limit reminders whose time has come and,
// in the same transaction, marks them SENT, records a notification for
// each, and queues one email per user (written by render) in the outbox
// when the user wants reminder emails. Nothing is half done: a crash
// before the commit leaves the reminders pending; after it, the email is
// the outbox's to deliver (and retry through an SMTP outage).
//
// On PostgreSQL the claim locks the reminders and their tasks with FOR
// UPDATE SKIP LOCKED, so workers of several instances take different
// reminders and never the same one twice, and a task being changed (its
// row locked) is left to the next round; SQLite's single writer
// serialises the claims. Only reminders of open tasks (TODO, IN_PROGRESS)
// are claimed: the pending reminders of completed or archived tasks whose
// time has come are marked SKIPPED instead, by the same transaction.
//
// It returns how many reminders went off and how many emails were queued.
func (s *Store) SendDueReminders(ctx context.Context, limit int, render func(ReminderDelivery) (OutboxMessage, error)) (sent, mailed int, err error) {
	err = s.tx(ctx, func(tx querier) error {
		sent, mailed = 0, 0
		now := s.Now()
		if _, err := tx.ExecContext(ctx, `UPDATE reminders SET state = 'SKIPPED' WHERE id IN (
				SELECT r.id FROM reminders r JOIN tasks t ON t.id = r.task_id
				WHERE r.state = 'PENDING' AND r.fire_at <= $1 AND t.status IN ('COMPLETED', 'ARCHIVED')
				LIMIT $2)`, now, limit); err != nil {
			return s.mapErr(err)
		}
		rows, err := tx.QueryContext(ctx, `SELECT r.id, r.task_id, t.user_id, t.title, t.due_date, r.fire_at
			FROM reminders r JOIN tasks t ON t.id = r.task_id
			WHERE r.state = 'PENDING' AND r.fire_at <= $1 AND t.status IN ('TODO', 'IN_PROGRESS')
			ORDER BY r.fire_at LIMIT $2`+s.d.forUpdateSkipLocked, now, limit)
		if err != nil {
			return s.mapErr(err)
		}
		byUser := map[uuid.UUID][]DueReminder{}
		var users []uuid.UUID
		for rows.Next() {
			var (
				r       DueReminder
				userID  uuid.UUID
				due, at dbTime
			)
			if err := rows.Scan(&r.ReminderID, &r.TaskID, &userID, &r.Title, &due, &at); err != nil {
				rows.Close()
				return err
			}
			r.DueDate, r.FireAt = due.ptr(), at.Time.UTC()
			if byUser[userID] == nil {
				users = append(users, userID)
			}
			byUser[userID] = append(byUser[userID], r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, userID := range users {
			d := ReminderDelivery{Reminders: byUser[userID]}
			n, err := s.deliverReminders(ctx, tx, userID, d, now, render)
			if err != nil {
				return err
			}
			sent += len(d.Reminders)
			mailed += n
		}
		return nil
	})
	if err != nil {
		return 0, 0, fmt.Errorf("send due reminders: %w", err)
	}
	return sent, mailed, nil
}

// deliverReminders records one user's reminders as sent, with their
// notifications and, when the user wants it, the email; it returns the
// number of emails queued (0 or 1).
func (s *Store) deliverReminders(ctx context.Context, tx querier, userID uuid.UUID, d ReminderDelivery, now time.Time,
	render func(ReminderDelivery) (OutboxMessage, error)) (int, error) {
	u, err := scanUser(tx.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1`, userID))
	if err != nil {
		return 0, s.mapErr(err)
	}
	prefs, err := s.preferences(ctx, tx, userID)
	if err != nil {
		return 0, err
	}
	d.User = u
	d.Email = prefs.ReminderEmails && u.IsVerified && u.IsActive
	ids := make([]uuid.UUID, len(d.Reminders))
	var a args
	values := ""
	for i, r := range d.Reminders {
		ids[i] = r.ReminderID
		id, err := uuid.NewV7()
		if err != nil {
			return 0, err
		}
		if i > 0 {
			values += ", "
		}
		values += "(" + a.add(id) + ", " + a.add(userID) + ", " + a.add(r.TaskID) + ", " + a.add(taskapi.NotificationReminder) + ", " +
			a.add(r.Title) + ", " + a.add(utc(r.DueDate)) + ", " + a.add(now) + ")"
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO notifications (id, user_id, task_id, kind, title, due_date, created_at) VALUES `+values, a...); err != nil {
		return 0, s.mapErr(err)
	}
	var b args
	if _, err := tx.ExecContext(ctx, `UPDATE reminders SET state = 'SENT', sent_at = `+b.add(now)+` WHERE id IN `+list(&b, ids), b...); err != nil {
		return 0, s.mapErr(err)
	}
	if !d.Email {
		return 0, nil
	}
	m, err := render(d)
	if err != nil {
		return 0, err
	}
	m.UserID, m.To, m.Kind = &u.ID, u.Email, MailReminder
	if err := s.insertOutbox(ctx, tx, m); err != nil {
		return 0, err
	}
	return 1, nil
}
