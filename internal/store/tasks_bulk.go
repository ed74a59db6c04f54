package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"github.com/google/uuid"

	"github.com/taskapi/taskapi"
)

// BulkResult says what a bulk request did.
type BulkResult struct {
	Action taskapi.BulkAction
	// Count is how many tasks were updated or deleted: every one named.
	Count int
	// Tasks are the updated tasks in the order they were named; none for a
	// delete.
	Tasks []taskapi.Task
}

// BulkTasks updates or deletes up to 100 of the user's tasks in one
// transaction, all or nothing: when one ID is missing or someone else's,
// nothing changes and the answer is ErrNotFound, naming the IDs. Repeated
// IDs count once. See CreateTask for key.
func (s *Store) BulkTasks(ctx context.Context, userID uuid.UUID, b taskapi.TaskBulk, key *IdempotencyKey) (BulkResult, bool, error) {
	if err := b.Validate(); err != nil {
		return BulkResult{}, false, fmt.Errorf("bulk tasks: %w", err)
	}
	out, replayed, err := idempotently(ctx, s, userID, key, func(tx querier) (BulkResult, error) {
		switch b.Action {
		case taskapi.BulkDelete:
			return s.bulkDelete(ctx, tx, userID, b.IDs)
		case taskapi.BulkAddTags, taskapi.BulkRemoveTags:
			return s.bulkTags(ctx, tx, userID, b)
		}
		return s.bulkUpdate(ctx, tx, userID, b)
	})
	if err != nil {
		return BulkResult{}, false, fmt.Errorf("bulk tasks: %w", err)
	}
	return out, replayed, nil
}

var errBulkForeignCategory = taskapi.Invalid("changes.category_id", "must name one of your categories")

// bulkUpdate changes every named task in one UPDATE, then applies the
// cascades (subtrees completed with their newly completed parents, moved
// with their parents' category), then reads the tasks back. The status
// change keeps completed_at true: a task already COMPLETED keeps its
// completion time. As with a PATCH, only the tasks that change get a new
// version and updated_at: every SET expression reads the row as it was, so
// one condition, "some field differs", decides both.
func (s *Store) bulkUpdate(ctx context.Context, tx querier, userID uuid.UUID, b taskapi.TaskBulk) (BulkResult, error) {
	now := s.Now()
	c := b.Changes
	// The tasks as they were, locked, for the change records.
	a := args{userID}
	rows, err := tx.QueryContext(ctx, `SELECT `+taskColumns+` FROM `+s.tasksByID()+` WHERE user_id = $1 AND id IN `+list(&a, b.IDs)+s.d.forUpdate, a...)
	if err != nil {
		return BulkResult{}, s.mapErr(err)
	}
	before, err := collectTasks(rows)
	if err == nil {
		err = s.attachRecurrences(ctx, tx, before)
	}
	if err != nil {
		return BulkResult{}, err
	}
	var completing []uuid.UUID
	if c.Status != nil && *c.Status == taskapi.StatusCompleted {
		var err error
		if completing, err = s.taskIDs(ctx, tx, userID, b.IDs, " AND status <> 'COMPLETED'"); err != nil {
			return BulkResult{}, err
		}
	}
	a = args{}
	var sets, differs []string
	if c.Status != nil {
		p := a.add(string(*c.Status))
		sets = append(sets, "status = "+p)
		// completed_at follows the status, so it changes only with it.
		differs = append(differs, "status <> "+p)
		if *c.Status == taskapi.StatusCompleted {
			sets = append(sets, "completed_at = COALESCE(completed_at, "+a.add(now)+")")
		} else {
			sets = append(sets, "completed_at = NULL")
		}
	}
	if c.Priority != nil {
		p := a.add(c.Priority.Rank())
		sets = append(sets, "priority = "+p)
		differs = append(differs, "priority <> "+p)
	}
	if c.CategoryID.Set {
		if err := s.checkCategory(ctx, tx, userID, c.CategoryID.Value); err != nil {
			if err == errForeignCategory {
				return BulkResult{}, errBulkForeignCategory
			}
			return BulkResult{}, err
		}
		p := a.add(nullUUID(c.CategoryID.Value))
		sets = append(sets, "category_id = "+p)
		differs = append(differs, "category_id IS DISTINCT FROM "+p)
	}
	changed := "(" + strings.Join(differs, " OR ") + ")"
	sets = append(sets, "updated_at = CASE WHEN "+changed+" THEN "+a.add(now)+" ELSE updated_at END",
		"version = CASE WHEN "+changed+" THEN version + 1 ELSE version END")
	rows, err = tx.QueryContext(ctx, `UPDATE `+s.tasksByID()+` SET `+strings.Join(sets, ", ")+
		` WHERE user_id = `+a.add(userID)+` AND id IN `+list(&a, b.IDs)+` RETURNING id`, a...)
	if err != nil {
		if s.d.isForeignKeyViolation(err) {
			return BulkResult{}, errBulkForeignCategory
		}
		return BulkResult{}, s.mapErr(err)
	}
	updated, err := collectIDs(rows)
	if err != nil {
		return BulkResult{}, err
	}
	if err := checkAllFound(b.IDs, func(id uuid.UUID) bool { return updated[id] }); err != nil {
		return BulkResult{}, err
	}
	asked := append([]uuid.UUID(nil), completing...)
	if len(completing) > 0 {
		// Recurring tasks move on to their next occurrence instead.
		if completing, err = s.advanceCompleted(ctx, tx, userID, completing, now); err != nil {
			return BulkResult{}, err
		}
	}
	if len(completing) > 0 {
		if _, err := s.completeSubtrees(ctx, tx, userID, completing, now); err != nil {
			return BulkResult{}, err
		}
	}
	if c.CategoryID.Set {
		if err := s.moveSubtrees(ctx, tx, userID, b.IDs, c.CategoryID.Value, now); err != nil {
			return BulkResult{}, err
		}
	}
	a = args{userID}
	rows, err = tx.QueryContext(ctx, `SELECT `+taskColumns+` FROM `+s.tasksByID()+` WHERE user_id = $1 AND id IN `+list(&a, b.IDs), a...)
	if err != nil {
		return BulkResult{}, s.mapErr(err)
	}
	tasks, err := collectTasks(rows)
	if err != nil {
		return BulkResult{}, err
	}
	if c.Status != nil {
		if err := s.rescheduleReminders(ctx, tx, tasks...); err != nil {
			return BulkResult{}, err
		}
	}
	if err := s.attachReminders(ctx, tx, tasks); err != nil {
		return BulkResult{}, err
	}
	byID := make(map[uuid.UUID]taskapi.Task, len(tasks))
	for _, t := range tasks {
		byID[t.ID] = t
	}
	var changes []Change
	for _, cur := range before {
		if next := byID[cur.ID]; next.Version != cur.Version {
			change := taskChange(ChangeUpdate, cur, next)
			// Asked to complete, yet open: it moved to its next occurrence.
			advanced := slices.Contains(asked, cur.ID) && next.Status != taskapi.StatusCompleted
			changes = append(changes, recurrenceChanges(change, cur, next, advanced)...)
		}
	}
	if err := s.recordChanges(tx, userID, now, changes...); err != nil {
		return BulkResult{}, err
	}
	return BulkResult{Action: taskapi.BulkUpdate, Count: len(b.IDs), Tasks: inOrder(b.IDs, tasks)}, nil
}

// inOrder puts tasks read back in the order their IDs were named.
func inOrder(ids []uuid.UUID, tasks []taskapi.Task) []taskapi.Task {
	byID := make(map[uuid.UUID]taskapi.Task, len(tasks))
	for _, t := range tasks {
		byID[t.ID] = t
	}
	out := make([]taskapi.Task, len(ids))
	for i, id := range ids {
		out[i] = byID[id]
	}
	return out
}

// bulkDelete deletes the named tasks with their subtrees. The IDs are
// checked first: on SQLite the cascade from a named parent may delete a
// named subtask before the DELETE reaches it.
func (s *Store) bulkDelete(ctx context.Context, tx querier, userID uuid.UUID, ids []uuid.UUID) (BulkResult, error) {
	found, err := s.taskIDs(ctx, tx, userID, ids, s.d.forUpdate)
	if err != nil {
		return BulkResult{}, err
	}
	have := make(map[uuid.UUID]bool, len(found))
	for _, id := range found {
		have[id] = true
	}
	if err := checkAllFound(ids, func(id uuid.UUID) bool { return have[id] }); err != nil {
		return BulkResult{}, err
	}
	if err := s.recordTaskDeletes(ctx, tx, userID, ids, s.Now()); err != nil {
		return BulkResult{}, err
	}
	var a args
	if _, err := tx.ExecContext(ctx, `DELETE FROM `+s.tasksByID()+` WHERE user_id = `+a.add(userID)+` AND id IN `+list(&a, ids), a...); err != nil {
		return BulkResult{}, s.mapErr(err)
	}
	return BulkResult{Action: taskapi.BulkDelete, Count: len(ids), Tasks: []taskapi.Task{}}, nil
}

// taskIDs returns which of ids are the user's tasks, with a further
// condition (or a lock) appended.
func (s *Store) taskIDs(ctx context.Context, tx querier, userID uuid.UUID, ids []uuid.UUID, more string) ([]uuid.UUID, error) {
	a := args{userID}
	rows, err := tx.QueryContext(ctx, `SELECT id FROM `+s.tasksByID()+` WHERE user_id = $1 AND id IN `+list(&a, ids)+more, a...)
	if err != nil {
		return nil, s.mapErr(err)
	}
	set, err := collectIDs(rows)
	if err != nil {
		return nil, err
	}
	out := make([]uuid.UUID, 0, len(set))
	for _, id := range ids {
		if set[id] {
			out = append(out, id)
		}
	}
	return out, nil
}

// collectIDs reads a column of IDs.
func collectIDs(rows *sql.Rows) (map[uuid.UUID]bool, error) {
	defer rows.Close()
	out := map[uuid.UUID]bool{}
	for rows.Next() {
		var id uuid.UUID
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out[id] = true
	}
	return out, rows.Err()
}

// checkAllFound fails, naming a few of them, when some IDs were not found
// (missing or someone else's: the two are not told apart). The caller's
// transaction then rolls back, so nothing changes.
func checkAllFound(ids []uuid.UUID, found func(uuid.UUID) bool) error {
	var missing []string
	for _, id := range ids {
		if !found(id) {
			missing = append(missing, id.String())
		}
	}
	if len(missing) == 0 {
		return nil
	}
	shown := missing[:min(len(missing), 5)]
	more := ""
	if len(missing) > len(shown) {
		more = fmt.Sprintf(" and %d more", len(missing)-len(shown))
	}
	return taskapi.NewProblem(taskapi.ErrNotFound, "no task with ID %s%s; nothing was changed", strings.Join(shown, ", "), more)
}
