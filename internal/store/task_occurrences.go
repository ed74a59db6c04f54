package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/taskapi/taskapi"
)

var (
	errNotRecurring = taskapi.Invalid("recurrence", "the task does not repeat")
	errSeriesOver   = taskapi.Invalid("recurrence",
		"this is the last occurrence (COUNT or UNTIL): complete the task, or change its rule")
	errSkipClosed = taskapi.Invalid("status", "only an open (TODO or IN_PROGRESS) occurrence can be skipped")
)

// SkipTask moves one of the user's recurring tasks to its next occurrence
// without recording a completion, under the task's If-Match (ifMatch): its
// relative reminders follow, its completed subtasks reopen. With
// occurrence, the skip applies only while the task is still due then: a
// repeat of a skip that was done changes nothing and answers the task as
// it is. A task that does not repeat, is not open, or is at its last
// occurrence is a field error.
func (s *Store) SkipTask(ctx context.Context, userID, id uuid.UUID, occurrence *time.Time, ifMatch Versions) (taskapi.Task, error) {
	var out taskapi.Task
	err := s.tx(ctx, func(tx querier) error {
		cur, err := s.getTask(ctx, tx, userID, id, s.d.forUpdate)
		if err != nil {
			return err
		}
		if err := s.withReminders(ctx, tx, &cur); err != nil {
			return err
		}
		if err := ifMatch.Check(cur.Version, "task"); err != nil {
			return err
		}
		if occurrence != nil && (cur.DueDate == nil || !cur.DueDate.Equal(*occurrence)) {
			out = cur
			return nil
		}
		switch {
		case cur.Recurrence == nil || cur.DueDate == nil:
			return errNotRecurring
		case !cur.Status.Open():
			return errSkipClosed
		}
		now := s.Now()
		next := cur
		moved, err := s.advanceTask(ctx, tx, &next, now, false)
		if err != nil {
			return err
		}
		if !moved {
			return errSeriesOver
		}
		res, err := tx.ExecContext(ctx, `UPDATE tasks SET due_date = $1, updated_at = $2, version = version + 1
			WHERE id = $3 AND user_id = $4 AND version = $5`, utc(next.DueDate), now, id, userID, cur.Version)
		if err != nil {
			return s.mapTaskErr(err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n != 1 {
			return changedSince("task")
		}
		next.Status = cur.Status // a skip keeps IN_PROGRESS as it is
		if err := s.reopenSubtrees(ctx, tx, userID, []uuid.UUID{id}, now); err != nil {
			return err
		}
		if out, err = s.settleMoved(ctx, tx, next); err != nil {
			return err
		}
		change := taskChange(ChangeUpdate, cur, out)
		change.Fields = append(change.Fields, taskapi.FieldChange{Field: "skipped_occurrence", From: dueText(cur.DueDate)})
		return s.recordChanges(tx, userID, now, change)
	})
	if err != nil {
		return taskapi.Task{}, fmt.Errorf("skip task: %w", err)
	}
	return out, nil
}

// Completion is one completion of a recurring task: which occurrence (its
// number and due date) and when.
type Completion struct {
	ID          uuid.UUID
	TaskID      uuid.UUID
	Occurrence  int
	DueDate     time.Time
	CompletedAt time.Time
}

// completionOrder is the order of a task's completions: newest first.
var completionOrder = sortKey[Completion]{column: "completed_at", kind: timeKey,
	value: func(c Completion) any { return c.CompletedAt }}

// ListCompletions returns one page of the completions of one of the
// user's tasks, newest first, and the position of the next page; each page
// is one range scan of task_completions_task_idx.
func (s *Store) ListCompletions(ctx context.Context, userID, taskID uuid.UUID, page Page) ([]Completion, Position, error) {
	after, err := completionOrder.decode(page.After)
	if err != nil {
		return nil, "", fmt.Errorf("list completions: %w", err)
	}
	if _, err := s.getTask(ctx, s.reader(), userID, taskID, ""); err != nil {
		return nil, "", fmt.Errorf("list completions: %w", err)
	}
	a := args{taskID, userID}
	where := `task_id = $1 AND user_id = $2`
	if after != nil {
		where += " AND " + completionOrder.after(&a, after, true)
	}
	rows, err := s.query(ctx, `SELECT id, task_id, occurrence, due_date, completed_at FROM task_completions WHERE `+where+
		` ORDER BY `+completionOrder.order(true)+` LIMIT `+a.add(page.Limit+1), a...)
	if err != nil {
		return nil, "", fmt.Errorf("list completions: %w", s.mapErr(err))
	}
	defer rows.Close()
	var items []Completion
	for rows.Next() {
		var (
			c         Completion
			due, done dbTime
		)
		if err := rows.Scan(&c.ID, &c.TaskID, &c.Occurrence, &due, &done); err != nil {
			return nil, "", fmt.Errorf("list completions: %w", err)
		}
		c.DueDate, c.CompletedAt = due.Time.UTC(), done.Time.UTC()
		items = append(items, c)
	}
	if err := rows.Err(); err != nil {
		return nil, "", fmt.Errorf("list completions: %w", err)
	}
	items, next := pageOf(completionOrder, items, page.Limit, func(c Completion) uuid.UUID { return c.ID })
	return items, next, nil
}

// MaxOccurrences bounds one list of occurrences.
const MaxOccurrences = 100

// TaskOccurrences lists the coming occurrences of one of the user's
// tasks due in [from, to), in the owner's time zone, at most limit (≤
// MaxOccurrences); more says the list was cut there. A task that does not
// repeat has one occurrence, its due date (none without one).
func (s *Store) TaskOccurrences(ctx context.Context, userID, id uuid.UUID, from, to time.Time, limit int) ([]taskapi.OccurrenceDate, bool, error) {
	limit = min(max(limit, 1), MaxOccurrences)
	t, err := s.GetTask(ctx, userID, id)
	if err != nil {
		return nil, false, fmt.Errorf("task occurrences: %w", err)
	}
	if t.DueDate == nil {
		return []taskapi.OccurrenceDate{}, false, nil
	}
	if t.Recurrence == nil {
		if t.DueDate.Before(from) || !t.DueDate.Before(to) {
			return []taskapi.OccurrenceDate{}, false, nil
		}
		return []taskapi.OccurrenceDate{{Number: 1, At: *t.DueDate}}, false, nil
	}
	loc, err := s.userLocation(ctx, s.reader(), userID)
	if err != nil {
		return nil, false, fmt.Errorf("task occurrences: %w", err)
	}
	out, more, err := t.Recurrence.Occurrences(*t.DueDate, from, to, limit, loc)
	if err != nil {
		return nil, false, fmt.Errorf("task occurrences: %w", err)
	}
	if out == nil {
		out = []taskapi.OccurrenceDate{}
	}
	return out, more, nil
}

// CompletionsPerDay counts the user's completions on each day that days
// bound (day i runs from days[i] to days[i+1]): the recurring tasks' from
// their history, plus the tasks whose current completion the history does
// not hold (every task that does not repeat). One SUM per day, so both
// engines count alike; one query, whatever the number of tasks.
func (s *Store) CompletionsPerDay(ctx context.Context, userID uuid.UUID, days []time.Time) ([]taskapi.DayCount, error) {
	if len(days) < 2 {
		return []taskapi.DayCount{}, nil
	}
	a := args{userID}
	sums := make([]string, len(days)-1)
	for i := range sums {
		sums[i] = `COALESCE(SUM(CASE WHEN at >= ` + a.add(days[i].UTC()) + ` AND at < ` + a.add(days[i+1].UTC()) + ` THEN 1 ELSE 0 END), 0)`
	}
	// In UTC: SQLite compares the stored text.
	lo, hi := a.add(days[0].UTC()), a.add(days[len(days)-1].UTC())
	row := s.queryRow(ctx, `SELECT `+strings.Join(sums, ", ")+` FROM (
			SELECT completed_at AS at FROM task_completions WHERE user_id = $1 AND completed_at >= `+lo+` AND completed_at < `+hi+`
			UNION ALL
			SELECT completed_at AS at FROM tasks WHERE user_id = $1 AND completed_at >= `+lo+` AND completed_at < `+hi+`
				AND NOT EXISTS (SELECT 1 FROM task_completions c WHERE c.task_id = tasks.id AND c.completed_at = tasks.completed_at)
		) done`, a...)
	counts := make([]int64, len(sums))
	dest := make([]any, len(counts))
	for i := range counts {
		dest[i] = &counts[i]
	}
	if err := row.Scan(dest...); err != nil {
		return nil, fmt.Errorf("completions per day: %w", s.mapErr(err))
	}
	out := make([]taskapi.DayCount, len(counts))
	for i, n := range counts {
		out[i] = taskapi.DayCount{Day: days[i], Count: n}
	}
	return out, nil
}
