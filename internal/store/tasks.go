package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/taskapi/taskapi"
)

// newTask completes a task about to be inserted: ID, owner, defaults,
// timestamps (kept when given, for imports and tests) and CompletedAt.
func newTask(t taskapi.Task, userID uuid.UUID, now time.Time) (taskapi.Task, error) {
	if t.ID == uuid.Nil {
		id, err := uuid.NewV7()
		if err != nil {
			return taskapi.Task{}, err
		}
		t.ID = id
	}
	t.UserID = userID
	if t.Priority == "" {
		t.Priority = taskapi.PriorityMedium
	}
	status := t.Status
	if status == "" {
		status = taskapi.StatusTodo
	}
	if t.CreatedAt.IsZero() {
		t.CreatedAt = now
	}
	if t.UpdatedAt.IsZero() {
		t.UpdatedAt = t.CreatedAt
	}
	t.CreatedAt, t.UpdatedAt = t.CreatedAt.UTC().Truncate(time.Microsecond), t.UpdatedAt.UTC().Truncate(time.Microsecond)
	completedAt := utc(t.CompletedAt)
	t.Status, t.CompletedAt = "", nil
	t.SetStatus(status, t.UpdatedAt)
	if t.Status == taskapi.StatusCompleted && completedAt != nil {
		t.CompletedAt = completedAt
	}
	t.DueDate = utc(t.DueDate)
	t.Version = 1
	return t, t.Validate()
}

// checkCategory makes sure categoryID names one of the user's categories:
// anything else is a field error, whether the category does not exist or
// is someone else's.
func (s *Store) checkCategory(ctx context.Context, q querier, userID uuid.UUID, categoryID *uuid.UUID) error {
	if categoryID == nil {
		return nil
	}
	var one int
	err := q.QueryRowContext(ctx, `SELECT 1 FROM categories WHERE id = $1 AND user_id = $2`, *categoryID, userID).Scan(&one)
	if err == sql.ErrNoRows {
		return errForeignCategory
	}
	return err
}

var errForeignCategory = taskapi.Invalid("category_id", "must name one of your categories")

// mapTaskErr maps a driver error of a task write: a foreign-key violation
// there means the category was deleted meanwhile.
func (s *Store) mapTaskErr(err error) error {
	if s.d.isForeignKeyViolation(err) {
		return errForeignCategory
	}
	return s.mapErr(err)
}

const insertTaskSQL = `INSERT INTO tasks (id, user_id, category_id, title, title_key, description, status, priority,
	due_date, completed_at, created_at, updated_at, version, parent_id, position) VALUES `

func taskValues(a *args, t taskapi.Task) string {
	return "(" + strings.Join([]string{
		a.add(t.ID), a.add(t.UserID), a.add(nullUUID(t.CategoryID)), a.add(t.Title), a.add(taskapi.TitleSortKey(t.Title)),
		a.add(t.Description), a.add(string(t.Status)), a.add(t.Priority.Rank()), a.add(t.DueDate), a.add(t.CompletedAt),
		a.add(t.CreatedAt), a.add(t.UpdatedAt), a.add(t.Version), a.add(nullUUID(t.ParentID)), a.add(t.Position),
	}, ", ") + ")"
}

func nullUUID(id *uuid.UUID) uuid.NullUUID {
	if id == nil {
		return uuid.NullUUID{}
	}
	return uuid.NullUUID{UUID: *id, Valid: true}
}

// CreateTask inserts a task for userID. ID, timestamps and CompletedAt are
// set here; a category that is not the user's is a field error. With idem,
// the key is claimed in the same transaction: a repeat of the request gets
// the task the first one created, replayed true, and nothing is created
// (see idempotently).
func (s *Store) CreateTask(ctx context.Context, userID uuid.UUID, t taskapi.Task, key *IdempotencyKey) (taskapi.Task, bool, error) {
	now := s.Now()
	t, err := newTask(t, userID, now)
	if err != nil {
		return taskapi.Task{}, false, fmt.Errorf("create task: %w", err)
	}
	t, replayed, err := idempotently(ctx, s, userID, key, func(tx querier) (taskapi.Task, error) {
		t := t
		if err := s.checkQuota(ctx, tx, "tasks", userID, s.quotas.Tasks, "tasks"); err != nil {
			return t, err
		}
		if t.ParentID != nil {
			parent, err := s.placeUnder(ctx, tx, userID, uuid.Nil, *t.ParentID, 1)
			if err != nil {
				return t, err
			}
			// A subtask lives in its parent's category unless told otherwise.
			if t.CategoryID == nil {
				t.CategoryID = parent.CategoryID
			}
			if t.Position, err = s.endPosition(ctx, tx, userID, *t.ParentID); err != nil {
				return t, err
			}
		}
		if err := s.checkCategory(ctx, tx, userID, t.CategoryID); err != nil {
			return t, err
		}
		var a args
		if _, err := tx.ExecContext(ctx, insertTaskSQL+taskValues(&a, t), a...); err != nil {
			return t, s.mapTaskErr(err)
		}
		if err := s.createRecurrence(ctx, tx, t); err != nil {
			return t, err
		}
		if err := s.tagNewTask(ctx, tx, &t); err != nil {
			return t, err
		}
		if err := s.recordChanges(tx, userID, now, taskChange(ChangeCreate, t, t)); err != nil {
			return t, err
		}
		if len(t.Reminders) == 0 {
			t.Reminders = []taskapi.Reminder{}
			return t, nil
		}
		var err error
		t.Reminders, _, err = s.setReminders(ctx, tx, t, t.Reminders)
		return t, err
	})
	if err != nil {
		return taskapi.Task{}, false, fmt.Errorf("create task: %w", err)
	}
	return t, replayed, nil
}

// InsertTasks inserts many tasks of one user in one transaction, in
// multi-row statements: for seeding tests and benchmarks. Tasks keep the
// IDs and timestamps they carry; missing ones are set as CreateTask does.
func (s *Store) InsertTasks(ctx context.Context, userID uuid.UUID, tasks []taskapi.Task) ([]taskapi.Task, error) {
	now := s.Now()
	out := make([]taskapi.Task, len(tasks))
	categories := map[uuid.UUID]bool{}
	for i, t := range tasks {
		t, err := newTask(t, userID, now)
		if err != nil {
			return nil, fmt.Errorf("insert tasks: task %d: %w", i, err)
		}
		out[i] = t
		if t.CategoryID != nil {
			categories[*t.CategoryID] = true
		}
	}
	rowsPerStatement := s.d.insertBatchRows
	err := s.tx(ctx, func(tx querier) error {
		for id := range categories {
			if err := s.checkCategory(ctx, tx, userID, &id); err != nil {
				return err
			}
		}
		for start := 0; start < len(out); start += rowsPerStatement {
			var a args
			values := make([]string, 0, rowsPerStatement)
			for _, t := range out[start:min(start+rowsPerStatement, len(out))] {
				values = append(values, taskValues(&a, t))
			}
			if _, err := tx.ExecContext(ctx, insertTaskSQL+strings.Join(values, ", "), a...); err != nil {
				return s.mapTaskErr(err)
			}
		}
		changes := make([]Change, len(out))
		for i, t := range out {
			changes[i] = taskChange(ChangeCreate, t, t)
		}
		return s.recordChanges(tx, userID, now, changes...)
	})
	if err != nil {
		return nil, fmt.Errorf("insert tasks: %w", err)
	}
	return out, nil
}

// GetTask returns one of the user's tasks; another user's is ErrNotFound.
// The task and what hangs off it are read in one round trip (pipeline).
func (s *Store) GetTask(ctx context.Context, userID, id uuid.UUID) (taskapi.Task, error) {
	ts := []taskapi.Task{{ID: id}}
	if err := s.pipeline(ctx, append([]read{taskOf(userID, id, &ts[0])}, taskExtras([]uuid.UUID{id}, &ts)...)...); err != nil {
		return taskapi.Task{}, fmt.Errorf("get task: %w", err)
	}
	return ts[0], nil
}

// taskByID reads one of a user's tasks: $1 its ID, $2 the user.
const taskByID = `SELECT ` + taskColumns + ` FROM tasks WHERE id = $1 AND user_id = $2`

// taskOf reads userID's task id into t; none is ErrNotFound.
func taskOf(userID, id uuid.UUID, t *taskapi.Task) read {
	return read{what: "task", sql: taskByID, args: []any{id, userID}, scan: one(func(r rowScanner) error {
		var err error
		*t, err = scanTask(r)
		return err
	})}
}

func (s *Store) getTask(ctx context.Context, q querier, userID, id uuid.UUID, lock string) (taskapi.Task, error) {
	t, err := scanTask(q.QueryRowContext(ctx, taskByID+lock, id, userID))
	if err != nil {
		return taskapi.Task{}, s.mapErr(err)
	}
	return t, nil
}

// UpdateTask applies a merge-patch to one of the user's tasks. The row is
// read and locked, its version checked against ifMatch (nil: any), the
// patch applied by the domain rules,
// and the row written only when something changed, with its version
// bumped. The UPDATE also requires the version it read, so two writers can
// never both win.
func (s *Store) UpdateTask(ctx context.Context, userID, id uuid.UUID, patch taskapi.TaskPatch, ifMatch Versions) (taskapi.Task, error) {
	var out taskapi.Task
	err := s.tx(ctx, func(tx querier) error {
		cur, err := s.getTask(ctx, tx, userID, id, s.d.forUpdate)
		if err != nil {
			return err
		}
		if err := ifMatch.Check(cur.Version, "task"); err != nil {
			return err
		}
		if err := s.withRecurrence(ctx, tx, &cur); err != nil {
			return err
		}
		now := s.Now()
		next := cur
		// A due date is compared as it will be stored (UTC, µs): a patch
		// to the stored value is no change, and the answer shows the value
		// a later read returns.
		patch.DueDate.Value = utc(patch.DueDate.Value)
		changed, err := next.Apply(patch, now)
		if err != nil {
			return err
		}
		remindersChanged := false
		if patch.Reminders != nil {
			if next.Reminders, remindersChanged, err = s.setReminders(ctx, tx, next, *patch.Reminders); err != nil {
				return err
			}
		}
		var given []taskapi.Reminder
		if patch.Reminders != nil {
			given = next.Reminders
		}
		recurred, err := s.applyRecurrence(ctx, tx, cur, &next, given, now)
		if err != nil {
			return err
		}
		tagsChanged := false
		if patch.TagIDs != nil {
			if next.Tags, tagsChanged, err = s.setTaskTags(ctx, tx, userID, id, *patch.TagIDs, "tag_ids"); err != nil {
				return err
			}
		}
		if !changed && !remindersChanged && !recurred.changed && !tagsChanged {
			out = cur
			return s.withReminders(ctx, tx, &out)
		}
		if patch.CategoryID.Set {
			if err := s.checkCategory(ctx, tx, userID, next.CategoryID); err != nil {
				return err
			}
		}
		if err := s.reparent(ctx, tx, userID, cur, &next); err != nil {
			return err
		}
		next.UpdatedAt, next.Version = now, cur.Version+1
		res, err := tx.ExecContext(ctx, `UPDATE tasks SET category_id = $1, title = $2, title_key = $3, description = $4,
				status = $5, priority = $6, due_date = $7, completed_at = $8, updated_at = $9, version = $10,
				parent_id = $11, position = $12
			WHERE id = $13 AND user_id = $14 AND version = $15`,
			nullUUID(next.CategoryID), next.Title, taskapi.TitleSortKey(next.Title), next.Description,
			string(next.Status), next.Priority.Rank(), utc(next.DueDate), utc(next.CompletedAt), next.UpdatedAt, next.Version,
			nullUUID(next.ParentID), next.Position, id, userID, cur.Version)
		if err != nil {
			return s.mapTaskErr(err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n != 1 {
			return fmt.Errorf("%w: the task changed meanwhile", taskapi.ErrPreconditionFailed)
		}
		change := taskChange(ChangeUpdate, cur, next)
		if remindersChanged {
			change.Fields = append(change.Fields, taskapi.FieldChange{Field: "reminders"})
		}
		if tagsChanged {
			change.Fields = append(change.Fields, taskapi.FieldChange{Field: "tags"})
		}
		if err := s.recordChanges(tx, userID, now, recurrenceChanges(change, cur, next, recurred.advanced)...); err != nil {
			return err
		}
		roots := []uuid.UUID{id}
		if cur.Status != taskapi.StatusCompleted && next.Status == taskapi.StatusCompleted {
			if _, err := s.completeSubtrees(ctx, tx, userID, roots, now); err != nil {
				return err
			}
		}
		if err := s.afterRecurrence(ctx, tx, userID, id, recurred, now); err != nil {
			return err
		}
		if !equalID(cur.CategoryID, next.CategoryID) {
			if err := s.moveSubtrees(ctx, tx, userID, roots, next.CategoryID, now); err != nil {
				return err
			}
		}
		if changed {
			if err := s.rescheduleReminders(ctx, tx, next); err != nil {
				return err
			}
		}
		// Read back: the counts follow the cascades.
		if out, err = s.getTask(ctx, tx, userID, id, ""); err != nil {
			return err
		}
		return s.withReminders(ctx, tx, &out)
	})
	if err != nil {
		return taskapi.Task{}, fmt.Errorf("update task: %w", err)
	}
	return out, nil
}

// DeleteTask deletes one of the user's tasks, only while its version is
// one of ifMatch (nil: any). Its subtasks, their subtasks and every
// comment of them go with it (ON DELETE CASCADE).
func (s *Store) DeleteTask(ctx context.Context, userID, id uuid.UUID, ifMatch Versions) error {
	if err := s.deleteTask(ctx, userID, id, ifMatch, false); err != nil {
		return fmt.Errorf("delete task: %w", err)
	}
	return nil
}

// deleteTask deletes a task and its subtree; keep first keeps what it
// takes away for RestoreTask.
func (s *Store) deleteTask(ctx context.Context, userID, id uuid.UUID, ifMatch Versions, keep bool) error {
	return s.tx(ctx, func(tx querier) error {
		now := s.Now()
		if err := s.recordTaskDeletes(ctx, tx, userID, []uuid.UUID{id}, now); err != nil {
			return err
		}
		if keep {
			if err := s.keepForRestore(ctx, tx, userID, id, now); err != nil {
				return err
			}
		}
		args := []any{id, userID}
		res, err := tx.ExecContext(ctx, `DELETE FROM tasks WHERE id = $1 AND user_id = $2`+ifMatch.where(&args), args...)
		if err != nil {
			return s.mapErr(err)
		}
		if n, err := res.RowsAffected(); err != nil || n == 1 {
			return err
		}
		if _, err := s.getTask(ctx, tx, userID, id, ""); err != nil {
			return err
		}
		return changedSince("task")
	})
}
