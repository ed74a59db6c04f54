package store

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/taskapi/taskapi"
)

// Calendar feeds: one secret address per user, kept as the hash of its
// secret (the secret itself exists only in the answer that made it).

// SetCalendarFeed gives userID a calendar feed whose secret hashes to
// hash, replacing the one they had (its old address stops working in the
// same statement). The user must be active (else ErrUnauthorized).
func (s *Store) SetCalendarFeed(ctx context.Context, userID uuid.UUID, hash string) (taskapi.CalendarFeed, error) {
	f := taskapi.CalendarFeed{UserID: userID, CreatedAt: s.Now()}
	err := s.inTx(ctx, func(tx querier) error {
		var active bool
		if err := tx.QueryRowContext(ctx, `SELECT is_active FROM users WHERE id = $1`+s.d.forNoKeyUpdate, userID).Scan(&active); err != nil {
			return s.mapErr(err)
		}
		if !active {
			return taskapi.ErrUnauthorized
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO calendar_feeds (user_id, secret_hash, created_at) VALUES ($1, $2, $3)
			ON CONFLICT (user_id) DO UPDATE SET secret_hash = excluded.secret_hash, created_at = excluded.created_at,
				last_used_at = NULL`, userID, hash, f.CreatedAt)
		return s.mapErr(err)
	})
	if err != nil {
		return taskapi.CalendarFeed{}, fmt.Errorf("set calendar feed: %w", err)
	}
	return f, nil
}

// GetCalendarFeed returns userID's calendar feed; ErrNotFound when they
// have none.
func (s *Store) GetCalendarFeed(ctx context.Context, userID uuid.UUID) (taskapi.CalendarFeed, error) {
	f := taskapi.CalendarFeed{UserID: userID}
	var lastUsed dbTime
	err := s.queryRow(ctx, `SELECT created_at, last_used_at FROM calendar_feeds WHERE user_id = $1`, userID).
		Scan(&f.CreatedAt, &lastUsed)
	if err != nil {
		return taskapi.CalendarFeed{}, fmt.Errorf("get calendar feed: %w", s.mapErr(err))
	}
	f.CreatedAt, f.LastUsedAt = f.CreatedAt.UTC(), lastUsed.ptr()
	return f, nil
}

// DeleteCalendarFeed turns userID's calendar feed off: its address is
// refused from the next request on. ErrNotFound when there was none.
func (s *Store) DeleteCalendarFeed(ctx context.Context, userID uuid.UUID) error {
	res, err := s.exec(ctx, `DELETE FROM calendar_feeds WHERE user_id = $1`, userID)
	if err != nil {
		return fmt.Errorf("delete calendar feed: %w", s.mapErr(err))
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("delete calendar feed: %w", taskapi.ErrNotFound)
	}
	return nil
}

// CalendarFeedOwner returns the active user whose calendar feed secret
// hashes to hash, and when the feed was last fetched (nil: never); any
// other secret, or a disabled account, is ErrNotFound. One lookup by the
// unique hash.
func (s *Store) CalendarFeedOwner(ctx context.Context, hash string) (taskapi.User, *time.Time, error) {
	var lastUsed dbTime
	// Subqueries, not a join: userColumns are unqualified, and both
	// tables have a created_at.
	u, err := scanUser(alsoScan{s.queryRow(ctx, `SELECT `+userColumns+`,
			(SELECT f.last_used_at FROM calendar_feeds f WHERE f.user_id = users.id)
		FROM users WHERE id = (SELECT user_id FROM calendar_feeds WHERE secret_hash = $1) AND is_active = $2`,
		hash, true), []any{&lastUsed}})
	if err != nil {
		return taskapi.User{}, nil, fmt.Errorf("calendar feed owner: %w", s.mapErr(err))
	}
	return u, lastUsed.ptr(), nil
}

// alsoScan scans the columns that follow what r's caller scans into
// extra: a row of userColumns and more, read by scanUser.
type alsoScan struct {
	r     rowScanner
	extra []any
}

func (a alsoScan) Scan(dest ...any) error { return a.r.Scan(append(dest, a.extra...)...) }

// TouchCalendarFeed records that userID's feed was fetched now.
func (s *Store) TouchCalendarFeed(ctx context.Context, userID uuid.UUID) error {
	if _, err := s.exec(ctx, `UPDATE calendar_feeds SET last_used_at = $1 WHERE user_id = $2`, s.Now(), userID); err != nil {
		return fmt.Errorf("touch calendar feed: %w", s.mapErr(err))
	}
	return nil
}

// CalendarTasks returns the tasks of userID's calendar feed, within the
// filter (a category, say): their open tasks with a due date, earliest
// due first, then their tasks completed whose due date is at most
// taskapi.CalendarCompletedDays old, at most taskapi.MaxCalendarTasks in
// all; full reports that the bound left some out.
func (s *Store) CalendarTasks(ctx context.Context, userID uuid.UUID, filter taskapi.TaskFilter) (tasks []taskapi.Task, full bool, err error) {
	byDue := taskapi.TaskSort{Key: taskapi.SortDueDate}
	since := s.Now().AddDate(0, 0, -taskapi.CalendarCompletedDays)
	open, done := filter, filter
	open.Statuses = []taskapi.Status{taskapi.StatusTodo, taskapi.StatusInProgress}
	done.Statuses, done.DueAfter = []taskapi.Status{taskapi.StatusCompleted}, &since
	for _, f := range []taskapi.TaskFilter{open, done} {
		var after Position
		for {
			left := taskapi.MaxCalendarTasks - len(tasks)
			if left == 0 {
				return tasks, true, nil
			}
			page, next, err := s.ListTasks(ctx, userID, TaskQuery{Filter: f, Sort: byDue, Limit: min(left, 100), After: after})
			if err != nil {
				return nil, false, fmt.Errorf("calendar tasks: %w", err)
			}
			for _, t := range page {
				// Tasks without a due date come last in this order: the
				// first one ends the dated ones.
				if t.DueDate == nil {
					next = ""
					break
				}
				tasks = append(tasks, t)
			}
			if next == "" {
				break
			}
			after = next
		}
	}
	return tasks, false, nil
}
