package store

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/taskapi/taskapi"
)

// DigestMaxTasks bounds each list of a digest; the email says how many
// more there are.
const DigestMaxTasks = 25

// Digest is one user's daily digest: the open tasks due today and those
// overdue (due before today), on the user's wall clock.
type Digest struct {
	User taskapi.User
	// Date is the local day, YYYY-MM-DD.
	Date             string
	DueToday         []taskapi.Task
	Overdue          []taskapi.Task
	MoreDue, MoreOld int // beyond DigestMaxTasks
}

// Empty reports whether the digest has nothing to say.
func (d Digest) Empty() bool { return len(d.DueToday) == 0 && len(d.Overdue) == 0 }

// SendDueDigests claims up to limit users whose digest hour has come
// (digest_next_at, claimed FOR UPDATE SKIP LOCKED on PostgreSQL) and, in
// the same transaction, for each: records the local day in digests, whose
// key (user, local date) lets a digest go out at most once per local day
// whatever the instances, restarts or changes of hour and zone; reads the
// tasks due today and overdue; queues the email (written by render) when
// there is something to say and the address is verified; and moves
// digest_next_at to the next day's hour. A claim that finds the user's
// local hour not reached yet (their zone changed) only reschedules.
// It returns how many users were looked at and how many emails queued.
func (s *Store) SendDueDigests(ctx context.Context, limit int, render func(Digest) (OutboxMessage, error)) (seen, mailed int, err error) {
	err = s.tx(ctx, func(tx querier) error {
		seen, mailed = 0, 0
		now := s.Now()
		type claim struct {
			user uuid.UUID
			hour int
		}
		rows, err := tx.QueryContext(ctx, `SELECT user_id, digest_hour FROM user_preferences
			WHERE digest_next_at <= $1 ORDER BY digest_next_at LIMIT $2`+s.d.forUpdateSkipLocked, now, limit)
		if err != nil {
			return s.mapErr(err)
		}
		var claims []claim
		for rows.Next() {
			var c claim
			if err := rows.Scan(&c.user, &c.hour); err != nil {
				rows.Close()
				return err
			}
			claims = append(claims, c)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, c := range claims {
			n, err := s.digestFor(ctx, tx, c.user, c.hour, now, render)
			if err != nil {
				return err
			}
			seen++
			mailed += n
		}
		return nil
	})
	if err != nil {
		return 0, 0, fmt.Errorf("send due digests: %w", err)
	}
	return seen, mailed, nil
}

func (s *Store) digestFor(ctx context.Context, tx querier, userID uuid.UUID, hour int, now time.Time,
	render func(Digest) (OutboxMessage, error)) (int, error) {
	u, err := scanUser(tx.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1`, userID))
	if err != nil {
		return 0, s.mapErr(err)
	}
	loc := u.Location()
	next := taskapi.NextDigest(now, loc, hour)
	if _, err := tx.ExecContext(ctx, `UPDATE user_preferences SET digest_next_at = $1 WHERE user_id = $2`, next, userID); err != nil {
		return 0, s.mapErr(err)
	}
	if now.Before(taskapi.DigestAt(now, loc, hour)) {
		return 0, nil // the hour has not come yet on the user's clock today
	}
	local := now.In(loc)
	d := Digest{User: u, Date: local.Format(time.DateOnly)}
	res, err := tx.ExecContext(ctx, `INSERT INTO digests (user_id, local_date, tasks, created_at) VALUES ($1, $2, 0, $3)
		ON CONFLICT (user_id, local_date) DO NOTHING`, userID, d.Date, now)
	if err != nil {
		return 0, s.mapErr(err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return 0, err // already done today
	}
	start := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, loc).UTC()
	end := time.Date(local.Year(), local.Month(), local.Day()+1, 0, 0, 0, 0, loc).UTC()
	if d.DueToday, d.MoreDue, err = s.digestTasks(ctx, tx, userID, &start, end); err != nil {
		return 0, err
	}
	if d.Overdue, d.MoreOld, err = s.digestTasks(ctx, tx, userID, nil, start); err != nil {
		return 0, err
	}
	if d.Empty() {
		return 0, nil
	}
	count := len(d.DueToday) + len(d.Overdue) + d.MoreDue + d.MoreOld
	if _, err := tx.ExecContext(ctx, `UPDATE digests SET tasks = $1 WHERE user_id = $2 AND local_date = $3`, count, userID, d.Date); err != nil {
		return 0, s.mapErr(err)
	}
	if !u.IsVerified || !u.IsActive {
		return 0, nil
	}
	m, err := render(d)
	if err != nil {
		return 0, err
	}
	m.UserID, m.To, m.Kind = &u.ID, u.Email, MailDigest
	if err := s.insertOutbox(ctx, tx, m); err != nil {
		return 0, err
	}
	return 1, nil
}

// digestTasks reads the user's open tasks due in [from, to) (from nil:
// any time before to), earliest first, at most DigestMaxTasks of them, and
// counts how many more there are (up to a bound), through the due-date
// index.
func (s *Store) digestTasks(ctx context.Context, tx querier, userID uuid.UUID, from *time.Time, to time.Time) ([]taskapi.Task, int, error) {
	var a args
	q := `SELECT ` + taskColumns + ` FROM tasks WHERE user_id = ` + a.add(userID) +
		` AND status IN ('TODO', 'IN_PROGRESS') AND due_date < ` + a.add(to)
	if from != nil {
		q += ` AND due_date >= ` + a.add(*from)
	} else {
		q += ` AND due_date IS NOT NULL`
	}
	const countBound = 1000
	rows, err := tx.QueryContext(ctx, q+` ORDER BY due_date, id LIMIT `+a.add(countBound), a...)
	if err != nil {
		return nil, 0, s.mapErr(err)
	}
	tasks, err := collectTasks(rows)
	if err != nil {
		return nil, 0, err
	}
	if len(tasks) > DigestMaxTasks {
		return tasks[:DigestMaxTasks], len(tasks) - DigestMaxTasks, nil
	}
	return tasks, 0, nil
}
