package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/taskapi/taskapi"
)

// A task's reminders live in their own table, each with its computed
// fire_at, so the worker's claim walks one partial index by time
// (reminders_due_idx). Every write that moves a task's due date or changes
// its status calls rescheduleReminders in its own transaction.

// reminderColumns is the select list scanReminder reads.
const reminderColumns = `id, task_id, at, relative, fire_at, state, sent_at`

// reminderRow is a reminder with the task it belongs to.
type reminderRow struct {
	taskapi.Reminder
	TaskID uuid.UUID
}

func scanReminder(r rowScanner) (reminderRow, error) {
	var (
		x              reminderRow
		at, fire, sent dbTime
		relative       sql.NullString
		state          string
	)
	if err := r.Scan(&x.ID, &x.TaskID, &at, &relative, &fire, &state, &sent); err != nil {
		return x, err
	}
	x.State = taskapi.ReminderState(state)
	x.At, x.FireAt, x.SentAt = at.ptr(), fire.ptr(), sent.ptr()
	if relative.Valid {
		o, err := taskapi.ParseOffset("relative", relative.String)
		if err != nil {
			return x, fmt.Errorf("reminder %s: stored offset %q: %w", x.ID, relative.String, err)
		}
		x.Relative = &o
	}
	return x, nil
}

// ptr is the time in UTC, nil when NULL.
func (d dbTime) ptr() *time.Time {
	if !d.Valid {
		return nil
	}
	u := d.Time.UTC()
	return &u
}

// readReminders returns the reminders of the given tasks (all of one
// user's), in each task's order.
func (s *Store) readReminders(ctx context.Context, q querier, taskIDs []uuid.UUID) (map[uuid.UUID][]taskapi.Reminder, error) {
	out := map[uuid.UUID][]taskapi.Reminder{}
	if len(taskIDs) == 0 {
		return out, nil
	}
	return out, s.runReads(ctx, q, remindersOf(taskIDs, out))
}

// remindersOf reads the reminders of the given tasks into out.
func remindersOf(taskIDs []uuid.UUID, out map[uuid.UUID][]taskapi.Reminder) read {
	var a args
	q := `SELECT ` + reminderColumns + ` FROM reminders WHERE task_id IN ` + list(&a, taskIDs) + ` ORDER BY task_id, position`
	return read{what: "reminders", sql: q, args: a, scan: func(rs rows) error {
		for rs.Next() {
			r, err := scanReminder(rs)
			if err != nil {
				return err
			}
			out[r.TaskID] = append(out[r.TaskID], r.Reminder)
		}
		return nil
	}}
}

// attachReminders fills in the Reminders of tasks with one query, and
// their Recurrence and Tags with one more each (taskExtras): every read of
// whole tasks comes through here.
func (s *Store) attachReminders(ctx context.Context, q querier, tasks []taskapi.Task) error {
	return s.runReads(ctx, q, taskExtras(taskIDs(tasks), &tasks)...)
}

// taskExtras are the reads that fill in what hangs off the tasks ids:
// their reminders, recurrence and tags. Every read that shows reminders
// shows the other two. They need only the IDs, so they can go in one
// pipeline with the read of the tasks themselves: they fill in *tasks as
// it is when they are scanned, after that read (an ID that read did not
// find is not filled in).
func taskExtras(ids []uuid.UUID, tasks *[]taskapi.Task) []read {
	if len(ids) == 0 {
		return nil
	}
	byTask := map[uuid.UUID][]taskapi.Reminder{}
	reminders := remindersOf(ids, byTask)
	scan := reminders.scan
	reminders.scan = func(rs rows) error {
		if err := scan(rs); err != nil {
			return err
		}
		for i, t := range *tasks {
			(*tasks)[i].Reminders = byTask[t.ID]
			if (*tasks)[i].Reminders == nil {
				(*tasks)[i].Reminders = []taskapi.Reminder{}
			}
		}
		return nil
	}
	return []read{reminders, recurrencesOf(ids, tasks), tagsOf(ids, tasks)}
}

// taskIDs are the IDs of tasks.
func taskIDs(tasks []taskapi.Task) []uuid.UUID {
	ids := make([]uuid.UUID, len(tasks))
	for i, t := range tasks {
		ids[i] = t.ID
	}
	return ids
}

// listReminders fills in what hangs off a page of tasks: three indexed
// queries for the page, whatever its position, in one round trip
// (pipeline).
func (s *Store) listReminders(ctx context.Context, tasks []taskapi.Task) error {
	if err := s.pipeline(ctx, taskExtras(taskIDs(tasks), &tasks)...); err != nil {
		return fmt.Errorf("list tasks: %w", err)
	}
	return nil
}

// withReminders fills in the Reminders of one task.
func (s *Store) withReminders(ctx context.Context, q querier, t *taskapi.Task) error {
	ts := []taskapi.Task{*t}
	err := s.attachReminders(ctx, q, ts)
	*t = ts[0]
	return err
}

// userLocation is the time zone of a user, in which day offsets count.
func (s *Store) userLocation(ctx context.Context, q querier, userID uuid.UUID) (*time.Location, error) {
	var tz string
	if err := q.QueryRowContext(ctx, `SELECT timezone FROM users WHERE id = $1`, userID).Scan(&tz); err != nil {
		return nil, fmt.Errorf("user time zone: %w", s.mapErr(err))
	}
	return taskapi.User{TimeZone: tz}.Location(), nil
}

// armed is the state of a reminder set or moved to fire at fire: pending,
// unless its time is already past (reminders are never sent late because
// of an edit).
func armed(fire *time.Time, now time.Time) taskapi.ReminderState {
	if fire != nil && !fire.After(now) {
		return taskapi.ReminderSkipped
	}
	return taskapi.ReminderPending
}

// setReminders replaces the reminders of t with want, in tx: a reminder
// that asks for the same moment as one the task has keeps its row (and
// so its state: one already sent is not sent again); the others are
// deleted or added. It returns the new set and whether it differs.
func (s *Store) setReminders(ctx context.Context, tx querier, t taskapi.Task, want []taskapi.Reminder) ([]taskapi.Reminder, bool, error) {
	if err := taskapi.ValidateReminders(want, t.DueDate); err != nil {
		return nil, false, err
	}
	now := s.Now()
	byTask, err := s.readReminders(ctx, tx, []uuid.UUID{t.ID})
	if err != nil {
		return nil, false, err
	}
	have := byTask[t.ID]
	var loc *time.Location
	out := make([]taskapi.Reminder, len(want))
	kept := map[uuid.UUID]bool{}
	changed := len(have) != len(want)
	for i, w := range want {
		found := false
		for j, h := range have {
			if !kept[h.ID] && h.Same(w) {
				kept[h.ID], out[i], found = true, h, true
				changed = changed || i != j
				break
			}
		}
		if found {
			continue
		}
		changed = true
		if w.Relative != nil && loc == nil {
			if loc, err = s.userLocation(ctx, tx, t.UserID); err != nil {
				return nil, false, err
			}
		}
		if w.ID, err = uuid.NewV7(); err != nil {
			return nil, false, err
		}
		w.FireAt = w.Schedule(t.DueDate, loc)
		w.State, w.SentAt = armed(w.FireAt, now), nil
		if w.At != nil {
			w.At = utc(w.At)
		}
		out[i] = w
	}
	if !changed {
		return have, false, nil
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM reminders WHERE task_id = $1`, t.ID); err != nil {
		return nil, false, s.mapErr(err)
	}
	if len(out) > 0 {
		var a args
		q := `INSERT INTO reminders (id, task_id, position, at, relative, fire_at, state, sent_at, created_at) VALUES `
		for i, r := range out {
			var rel *string
			if r.Relative != nil {
				v := r.Relative.String()
				rel = &v
			}
			if i > 0 {
				q += ", "
			}
			q += "(" + a.add(r.ID) + ", " + a.add(t.ID) + ", " + a.add(i) + ", " + a.add(utc(r.At)) + ", " + a.add(rel) + ", " +
				a.add(utc(r.FireAt)) + ", " + a.add(string(r.State)) + ", " + a.add(utc(r.SentAt)) + ", " + a.add(now) + ")"
		}
		if _, err := tx.ExecContext(ctx, q, a...); err != nil {
			return nil, false, fmt.Errorf("set reminders: %w", s.mapErr(err))
		}
	}
	return out, true, nil
}

// rescheduleReminders brings the reminders of tasks (all of one user's,
// as they are after the write of the calling transaction) in line with
// their due dates and status:
//   - a relative reminder follows the due date: when its fire_at moves it
//     fires again, even if it was sent for the old date (a recurring
//     task's reminders go off for each occurrence), unless the new time is
//     already past; without a due date it sleeps (fire_at NULL);
//   - the pending reminders of a completed or archived task whose time has
//     come are skipped, so reopening the task does not send them late.
//
// It is cheap when the tasks have no reminders: one indexed read.
func (s *Store) rescheduleReminders(ctx context.Context, tx querier, tasks ...taskapi.Task) error {
	if len(tasks) == 0 {
		return nil
	}
	now := s.Now()
	byID := make(map[uuid.UUID]taskapi.Task, len(tasks))
	ids := make([]uuid.UUID, 0, len(tasks))
	for _, t := range tasks {
		if _, dup := byID[t.ID]; !dup {
			ids = append(ids, t.ID)
		}
		byID[t.ID] = t
	}
	var a args
	rows, err := tx.QueryContext(ctx, `SELECT `+reminderColumns+` FROM reminders WHERE task_id IN `+list(&a, ids)+
		` AND (relative IS NOT NULL OR (state = 'PENDING' AND fire_at <= `+a.add(now)+`))`, a...)
	if err != nil {
		return fmt.Errorf("reschedule reminders: %w", s.mapErr(err))
	}
	var found []reminderRow
	for rows.Next() {
		r, err := scanReminder(rows)
		if err != nil {
			rows.Close()
			return fmt.Errorf("reschedule reminders: %w", err)
		}
		found = append(found, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("reschedule reminders: %w", err)
	}
	locs := map[uuid.UUID]*time.Location{}
	for _, r := range found {
		t := byID[r.TaskID]
		fire, state, sentAt := r.FireAt, r.State, r.SentAt
		if r.Relative != nil {
			loc, ok := locs[t.UserID]
			if !ok {
				if loc, err = s.userLocation(ctx, tx, t.UserID); err != nil {
					return err
				}
				locs[t.UserID] = loc
			}
			if next := r.Schedule(t.DueDate, loc); !equalTime(next, r.FireAt) {
				fire, state, sentAt = next, armed(next, now), nil
			}
		}
		if !t.Status.Open() && state == taskapi.ReminderPending && fire != nil && !fire.After(now) {
			state = taskapi.ReminderSkipped
		}
		if equalTime(fire, r.FireAt) && state == r.State {
			continue
		}
		if _, err := tx.ExecContext(ctx, `UPDATE reminders SET fire_at = $1, state = $2, sent_at = $3 WHERE id = $4`,
			utc(fire), string(state), utc(sentAt), r.ID); err != nil {
			return fmt.Errorf("reschedule reminders: %w", s.mapErr(err))
		}
	}
	return nil
}

func equalTime(a, b *time.Time) bool {
	return a == nil && b == nil || a != nil && b != nil && a.Equal(*b)
}
