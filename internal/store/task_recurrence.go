package store

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/taskapi/taskapi"
)

// Recurrence: a recurring task has a row in task_recurrences (its rule and
// the number of its current occurrence); its due date is the current
// occurrence. Completing it (PATCH or bulk) records the completion in
// task_completions and, in the same transaction, moves it to its next
// occurrence as TODO, with its relative reminders rescheduled and its
// completed subtasks reopened (as Todoist does: the checklist starts again
// for the next occurrence). After the last occurrence (COUNT, UNTIL) it
// stays COMPLETED. Writes lock the task row and require the version they
// read, so two completions of one occurrence advance it once when they
// carry its ETag, and otherwise one after the other.

// attachRecurrences fills in the Recurrence of tasks with one indexed
// query (taskExtras reads it with the reminders).
func (s *Store) attachRecurrences(ctx context.Context, q querier, tasks []taskapi.Task) error {
	if len(tasks) == 0 {
		return nil
	}
	return s.runReads(ctx, q, recurrencesOf(taskIDs(tasks), &tasks))
}

// recurrencesOf reads the recurrence of the tasks ids into *tasks (nil
// for a task that does not repeat).
func recurrencesOf(ids []uuid.UUID, tasks *[]taskapi.Task) read {
	byTask := map[uuid.UUID]taskapi.Recurrence{}
	r := recurrencesByID(ids, byTask)
	scan := r.scan
	r.scan = func(rs rows) error {
		if err := scan(rs); err != nil {
			return err
		}
		for i, t := range *tasks {
			if r, ok := byTask[t.ID]; ok {
				(*tasks)[i].Recurrence = &r
			} else {
				(*tasks)[i].Recurrence = nil
			}
		}
		return nil
	}
	return r
}

// withRecurrence fills in the Recurrence of one task.
func (s *Store) withRecurrence(ctx context.Context, q querier, t *taskapi.Task) error {
	ts := []taskapi.Task{*t}
	err := s.attachRecurrences(ctx, q, ts)
	*t = ts[0]
	return err
}

func (s *Store) readRecurrences(ctx context.Context, q querier, ids []uuid.UUID) (map[uuid.UUID]taskapi.Recurrence, error) {
	out := map[uuid.UUID]taskapi.Recurrence{}
	if len(ids) == 0 {
		return out, nil
	}
	return out, s.runReads(ctx, q, recurrencesByID(ids, out))
}

// recurrencesByID reads the recurrences of the tasks ids into out.
func recurrencesByID(ids []uuid.UUID, out map[uuid.UUID]taskapi.Recurrence) read {
	var a args
	q := `SELECT task_id, rule, repeat_from, occurrence, starts_at FROM task_recurrences WHERE task_id IN ` + list(&a, ids)
	return read{what: "recurrences", sql: q, args: a, scan: func(rs rows) error {
		for rs.Next() {
			var (
				id    uuid.UUID
				r     taskapi.Recurrence
				from  string
				start dbTime
			)
			if err := rs.Scan(&id, &r.Rule, &from, &r.Occurrence, &start); err != nil {
				return err
			}
			r.From, r.Start = taskapi.RepeatFrom(from), start.Time.UTC()
			out[id] = r
		}
		return nil
	}}
}

// writeRecurrence stores the recurrence of t (none: deletes it).
func (s *Store) writeRecurrence(ctx context.Context, tx querier, t taskapi.Task) error {
	var err error
	if t.Recurrence == nil {
		_, err = tx.ExecContext(ctx, `DELETE FROM task_recurrences WHERE task_id = $1`, t.ID)
	} else {
		r := t.Recurrence
		start := r.Start
		if start.IsZero() {
			start = *t.DueDate
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO task_recurrences (task_id, rule, repeat_from, occurrence, starts_at) VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (task_id) DO UPDATE SET rule = EXCLUDED.rule, repeat_from = EXCLUDED.repeat_from,
				occurrence = EXCLUDED.occurrence, starts_at = EXCLUDED.starts_at`,
			t.ID, r.Rule, string(r.From), r.Occurrence, start.UTC().Truncate(time.Microsecond))
	}
	if err != nil {
		return fmt.Errorf("write recurrence: %w", s.mapErr(err))
	}
	return nil
}

// checkRecurrence checks what only the owner's zone tells: that the rule
// has an occurrence on or after the due date, and that no absolute
// reminder comes after the rule's UNTIL (the series is over by then).
func (s *Store) checkRecurrence(ctx context.Context, tx querier, t taskapi.Task, reminders []taskapi.Reminder) error {
	if t.Recurrence == nil || t.DueDate == nil {
		return nil
	}
	loc, err := s.userLocation(ctx, tx, t.UserID)
	if err != nil {
		return err
	}
	if err := t.Recurrence.Check(*t.DueDate, loc); err != nil {
		return err
	}
	if until := t.Recurrence.Until(loc); until != nil {
		for i, r := range reminders {
			if r.At != nil && r.At.After(*until) {
				return taskapi.Invalid(fmt.Sprintf("reminders[%d].at", i), "comes after the end of the recurrence (its UNTIL)")
			}
		}
	}
	return nil
}

// createRecurrence stores the recurrence of a task just inserted.
func (s *Store) createRecurrence(ctx context.Context, tx querier, t taskapi.Task) error {
	if t.Recurrence == nil {
		return nil
	}
	if err := s.checkRecurrence(ctx, tx, t, t.Reminders); err != nil {
		return err
	}
	r := *t.Recurrence
	r.Start = *t.DueDate
	t.Recurrence = &r
	return s.writeRecurrence(ctx, tx, t)
}

// recurrenceWrite is what applyRecurrence did to a task about to be
// written: whether its recurrence changed, and whether it advanced to its
// next occurrence (then afterRecurrence reopens its subtasks).
type recurrenceWrite struct {
	changed, advanced bool
}

// applyRecurrence is UpdateTask's part for recurrence, before the task's
// UPDATE: next is cur with the patch applied, reminders the ones the patch
// gives (nil: it gives none, the task keeps its own). A new or changed rule is
// checked and stored (its occurrence number starts again at 1; the same
// rule again keeps it); a recurring task being completed records the
// completion and moves next to the next occurrence (see advanceTask).
func (s *Store) applyRecurrence(ctx context.Context, tx querier, cur taskapi.Task, next *taskapi.Task, reminders []taskapi.Reminder, now time.Time) (recurrenceWrite, error) {
	var w recurrenceWrite
	if taskapi.SameRule(cur.Recurrence, next.Recurrence) {
		next.Recurrence = cur.Recurrence
	} else {
		w.changed = true
		if next.Recurrence != nil {
			r := *next.Recurrence
			r.Occurrence = 1
			next.Recurrence = &r
		}
	}
	// A new rule, or a due date moved by hand, starts the series afresh
	// from the due date: its time of day is the series'.
	if next.Recurrence != nil && (w.changed || !equalTime(cur.DueDate, next.DueDate)) {
		r := *next.Recurrence
		r.Start = *next.DueDate
		next.Recurrence = &r
		w.changed = true
	}
	if next.Recurrence != nil && (w.changed || !equalTime(cur.DueDate, next.DueDate) || reminders != nil) {
		if reminders == nil {
			have, err := s.readReminders(ctx, tx, []uuid.UUID{cur.ID})
			if err != nil {
				return w, err
			}
			reminders = have[cur.ID]
		}
		if err := s.checkRecurrence(ctx, tx, *next, reminders); err != nil {
			return w, err
		}
	}
	if next.Recurrence != nil && cur.Status != taskapi.StatusCompleted && next.Status == taskapi.StatusCompleted {
		advanced, err := s.advanceTask(ctx, tx, next, now, true)
		if err != nil {
			return w, err
		}
		w.advanced = advanced
		w.changed = true
	}
	if w.changed {
		return w, s.writeRecurrence(ctx, tx, *next)
	}
	return w, nil
}

// afterRecurrence is UpdateTask's part for recurrence after the task's
// UPDATE: a task that advanced gets its completed subtasks back.
func (s *Store) afterRecurrence(ctx context.Context, tx querier, userID, id uuid.UUID, w recurrenceWrite, now time.Time) error {
	if !w.advanced {
		return nil
	}
	return s.reopenSubtrees(ctx, tx, userID, []uuid.UUID{id}, now)
}

// advanceTask moves t, a recurring task whose current occurrence is done
// (completed, recorded in the history) or skipped, to its next occurrence
// as TODO; it reports false when there is none, and t is left as it is
// (completed: it stays COMPLETED).
func (s *Store) advanceTask(ctx context.Context, tx querier, t *taskapi.Task, now time.Time, completed bool) (bool, error) {
	loc, err := s.userLocation(ctx, tx, t.UserID)
	if err != nil {
		return false, err
	}
	due := *t.DueDate
	next, occurrence, ok, err := t.Recurrence.Advance(due, now, loc, completed)
	if err != nil {
		return false, err
	}
	if completed {
		id, err := uuid.NewV7()
		if err != nil {
			return false, err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO task_completions (id, task_id, user_id, occurrence, due_date, completed_at)
			VALUES ($1, $2, $3, $4, $5, $6)`, id, t.ID, t.UserID, t.Recurrence.Occurrence, utc(&due), now); err != nil {
			return false, fmt.Errorf("record completion: %w", s.mapErr(err))
		}
	}
	if !ok {
		return false, nil
	}
	r := *t.Recurrence
	r.Occurrence = occurrence
	next = next.Truncate(time.Microsecond)
	t.Recurrence, t.DueDate = &r, &next
	t.SetStatus(taskapi.StatusTodo, now)
	return true, nil
}

// advanceCompleted is bulkUpdate's part for recurrence, after its UPDATE
// set the named tasks COMPLETED: each recurring one among completing
// records its completion and moves on to its next occurrence. It returns
// the tasks that are done for good, whose subtrees the caller completes.
func (s *Store) advanceCompleted(ctx context.Context, tx querier, userID uuid.UUID, completing []uuid.UUID, now time.Time) ([]uuid.UUID, error) {
	recs, err := s.readRecurrences(ctx, tx, completing)
	if err != nil || len(recs) == 0 {
		return completing, err
	}
	var done, advanced []uuid.UUID
	for _, id := range completing {
		r, ok := recs[id]
		if !ok {
			done = append(done, id)
			continue
		}
		t, err := s.getTask(ctx, tx, userID, id, "")
		if err != nil {
			return nil, err
		}
		t.Recurrence = &r
		if t.DueDate == nil { // not possible through the API; treated as done
			done = append(done, id)
			continue
		}
		moved, err := s.advanceTask(ctx, tx, &t, now, true)
		if err != nil {
			return nil, err
		}
		if !moved {
			done = append(done, id)
			continue
		}
		if err := s.writeAdvance(ctx, tx, t, now); err != nil {
			return nil, err
		}
		advanced = append(advanced, id)
	}
	if len(advanced) > 0 {
		if err := s.reopenSubtrees(ctx, tx, userID, advanced, now); err != nil {
			return nil, err
		}
	}
	return done, nil
}

// writeAdvance writes a task moved to its next occurrence, outside
// UpdateTask: its status, due date and occurrence, a new version, and its
// reminders rescheduled.
func (s *Store) writeAdvance(ctx context.Context, tx querier, t taskapi.Task, now time.Time) error {
	if _, err := tx.ExecContext(ctx, `UPDATE tasks SET status = $1, completed_at = NULL, due_date = $2, updated_at = $3,
			version = version + 1 WHERE id = $4 AND user_id = $5`,
		string(t.Status), utc(t.DueDate), now, t.ID, t.UserID); err != nil {
		return s.mapTaskErr(err)
	}
	if err := s.writeRecurrence(ctx, tx, t); err != nil {
		return err
	}
	return s.rescheduleReminders(ctx, tx, t)
}

// settleMoved finishes a move of t, whose row was just written, to
// another occurrence (a skip, an undo): its recurrence stored, its
// reminders rescheduled, and the task read back as it now is.
func (s *Store) settleMoved(ctx context.Context, tx querier, t taskapi.Task) (taskapi.Task, error) {
	if err := s.writeRecurrence(ctx, tx, t); err != nil {
		return taskapi.Task{}, err
	}
	if err := s.rescheduleReminders(ctx, tx, t); err != nil {
		return taskapi.Task{}, err
	}
	out, err := s.getTask(ctx, tx, t.UserID, t.ID, "")
	if err != nil {
		return taskapi.Task{}, err
	}
	return out, s.withReminders(ctx, tx, &out)
}

// reopenSubtrees sets every COMPLETED task below the roots back to TODO,
// with a new version and a change record each: the subtasks of a
// recurring task start again with its next occurrence.
func (s *Store) reopenSubtrees(ctx context.Context, tx querier, userID uuid.UUID, roots []uuid.UUID, now time.Time) error {
	a := args{userID}
	rows, err := tx.QueryContext(ctx, subtreeSQL(&a, roots)+`SELECT `+taskColumns+` FROM `+s.tasksByID()+`
		WHERE user_id = $1 AND id IN (SELECT id FROM sub) AND status = 'COMPLETED'`+s.d.forUpdate, a...)
	if err != nil {
		return fmt.Errorf("reopen subtasks: %w", s.mapErr(err))
	}
	before, err := collectTasks(rows)
	if err != nil || len(before) == 0 {
		return err
	}
	a = args{userID}
	if _, err := tx.ExecContext(ctx, `UPDATE `+s.tasksByID()+` SET status = 'TODO', completed_at = NULL, updated_at = `+a.add(now)+
		`, version = version + 1 WHERE user_id = $1 AND id IN `+list(&a, taskIDsOf(before)), a...); err != nil {
		return fmt.Errorf("reopen subtasks: %w", s.mapErr(err))
	}
	changes := make([]Change, len(before))
	for i, t := range before {
		next := t
		next.SetStatus(taskapi.StatusTodo, now)
		next.UpdatedAt, next.Version = now, t.Version+1
		changes[i] = taskChange(ChangeUpdate, t, next)
	}
	return s.recordChanges(tx, userID, now, changes...)
}

// recurrenceChanges are the records of a task's update (c) with what
// recurrence did: a new or changed rule is one more field; a task that
// advanced to its next occurrence first completed the one it was at, so
// a task.completed record (naming that occurrence) comes before the
// update that moved it on.
func recurrenceChanges(c Change, cur, next taskapi.Task, advanced bool) []Change {
	if !taskapi.SameRule(cur.Recurrence, next.Recurrence) {
		c.Fields = append(c.Fields, taskapi.FieldChange{Field: "recurrence", From: ruleText(cur.Recurrence), To: ruleText(next.Recurrence)})
	}
	if !advanced {
		return []Change{c}
	}
	done := c
	done.Fields, done.Event = []taskapi.FieldChange{{Field: "completed_occurrence", From: dueText(cur.DueDate)}}, "task.completed"
	return []Change{done, c}
}

func ruleText(r *taskapi.Recurrence) *string {
	if r == nil {
		return nil
	}
	s := r.Rule
	return &s
}

func dueText(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := t.UTC().Format(time.RFC3339)
	return &s
}
