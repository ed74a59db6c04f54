package store

import (
	"context"
	"database/sql"
	"time"

	"github.com/google/uuid"

	"github.com/taskapi/taskapi"
)

// Subtasks: a task's parent_id names another task of the same user; trees
// are at most taskapi.MaxTaskDepth levels deep and never cycle. The
// children of a task are ordered by position, spaced positionGap apart
// when appended; a move takes the middle of its new neighbours, so a
// reorder writes one row until some gap is used up (about 20 moves into
// the same spot), when the siblings are numbered afresh.

// positionGap is the distance between appended siblings.
const positionGap = 1 << 20

// The answers to a parent that cannot be.
var (
	errForeignParent = taskapi.Invalid("parent_id", "must name one of your tasks")
	errParentCycle   = taskapi.Invalid("parent_id", "must not be the task itself or one of its subtasks (that would make a cycle)")
	errTooDeep       = taskapi.Invalid("parent_id",
		"would nest tasks more than %d levels deep (a top-level task is level 1)", taskapi.MaxTaskDepth)
)

func equalID(a, b *uuid.UUID) bool { return a == nil && b == nil || a != nil && b != nil && *a == *b }

// placeUnder checks that the task id (uuid.Nil for a new one), whose own
// subtree is height levels tall, may become a child of parentID, and
// returns the parent. It walks up from the parent, locking each ancestor
// (PostgreSQL): two moves that would together make a cycle then wait on
// each other, one of them is aborted as a deadlock and runs again (s.tx),
// and sees the other's parent.
func (s *Store) placeUnder(ctx context.Context, tx querier, userID, id, parentID uuid.UUID, height int) (taskapi.Task, error) {
	var parent taskapi.Task
	at := parentID
	for level := 1; ; level++ {
		if at == id {
			return parent, errParentCycle
		}
		if level+height > taskapi.MaxTaskDepth {
			return parent, errTooDeep
		}
		var up, category uuid.NullUUID
		err := tx.QueryRowContext(ctx, `SELECT parent_id, category_id FROM tasks WHERE id = $1 AND user_id = $2`+s.d.forUpdate,
			at, userID).Scan(&up, &category)
		if err == sql.ErrNoRows {
			return parent, errForeignParent
		} else if err != nil {
			return parent, s.mapErr(err)
		}
		if level == 1 {
			parent.ID = at
			if category.Valid {
				parent.CategoryID = &category.UUID
			}
		}
		if !up.Valid {
			return parent, nil
		}
		at = up.UUID
	}
}

// subtreeHeight is how many levels the tree under id has, id included (1
// for a task without subtasks); the walk stops at the depth limit.
func (s *Store) subtreeHeight(ctx context.Context, tx querier, userID, id uuid.UUID) (int, error) {
	var below int
	err := tx.QueryRowContext(ctx, `WITH RECURSIVE sub(id, d) AS (
			SELECT id, 1 FROM tasks WHERE parent_id = $1 AND user_id = $2
			UNION ALL
			SELECT t.id, sub.d + 1 FROM tasks t JOIN sub ON t.parent_id = sub.id WHERE sub.d < $3)
		SELECT COALESCE(MAX(d), 0) FROM sub`, id, userID, taskapi.MaxTaskDepth).Scan(&below)
	if err != nil {
		return 0, s.mapErr(err)
	}
	return below + 1, nil
}

// endPosition is the position after the last child of parentID.
func (s *Store) endPosition(ctx context.Context, tx querier, userID, parentID uuid.UUID) (int64, error) {
	var last int64
	err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(position), 0) FROM tasks WHERE parent_id = $1 AND user_id = $2`,
		parentID, userID).Scan(&last)
	if err != nil {
		return 0, s.mapErr(err)
	}
	return last + positionGap, nil
}

// reparent applies a change of parent from cur to next: it checks the new
// parent and puts the task at the end of its children (position 0 at the
// top level).
func (s *Store) reparent(ctx context.Context, tx querier, userID uuid.UUID, cur taskapi.Task, next *taskapi.Task) error {
	if equalID(cur.ParentID, next.ParentID) {
		return nil
	}
	if next.ParentID == nil {
		next.Position = 0
		return nil
	}
	height, err := s.subtreeHeight(ctx, tx, userID, cur.ID)
	if err != nil {
		return err
	}
	if _, err := s.placeUnder(ctx, tx, userID, cur.ID, *next.ParentID, height); err != nil {
		return err
	}
	next.Position, err = s.endPosition(ctx, tx, userID, *next.ParentID)
	return err
}

// subtreeSQL is a WITH clause naming sub(id): every task below the roots,
// at most MaxTaskDepth levels down. $1 is the user; the roots are added.
func subtreeSQL(a *args, roots []uuid.UUID) string {
	return `WITH RECURSIVE sub(id, d) AS (
			SELECT id, 1 FROM tasks WHERE user_id = $1 AND parent_id IN ` + list(a, roots) + `
			UNION ALL
			SELECT t.id, sub.d + 1 FROM tasks t JOIN sub ON t.parent_id = sub.id WHERE sub.d < ` + a.add(taskapi.MaxTaskDepth) + `) `
}

// completeSubtrees completes every open (TODO, IN_PROGRESS) task below
// the roots, with a new version each, reschedules their reminders (as any
// change of status does), records each change, and returns how many it
// completed. ARCHIVED and COMPLETED ones stay as they are. The tasks are
// read and locked first, so each record says what the status was.
func (s *Store) completeSubtrees(ctx context.Context, tx querier, userID uuid.UUID, roots []uuid.UUID, now time.Time) (int, error) {
	a := args{userID}
	rows, err := tx.QueryContext(ctx, subtreeSQL(&a, roots)+`SELECT `+taskColumns+` FROM `+s.tasksByID()+`
		WHERE user_id = $1 AND id IN (SELECT id FROM sub) AND status IN ('TODO', 'IN_PROGRESS')`+s.d.forUpdate, a...)
	if err != nil {
		return 0, s.mapErr(err)
	}
	before, err := collectTasks(rows)
	if err != nil || len(before) == 0 {
		return 0, err
	}
	a = args{userID}
	ids := list(&a, taskIDsOf(before))
	if _, err := tx.ExecContext(ctx, `UPDATE `+s.tasksByID()+` SET status = 'COMPLETED', completed_at = `+a.add(now)+
		`, updated_at = `+a.add(now)+`, version = version + 1 WHERE user_id = $1 AND id IN `+ids, a...); err != nil {
		return 0, s.mapErr(err)
	}
	changes := make([]Change, len(before))
	after := make([]taskapi.Task, len(before))
	for i, t := range before {
		next := t
		next.SetStatus(taskapi.StatusCompleted, now)
		next.UpdatedAt, next.Version = now, t.Version+1
		after[i], changes[i] = next, taskChange(ChangeUpdate, t, next)
	}
	if err := s.recordChanges(tx, userID, now, changes...); err != nil {
		return 0, err
	}
	return len(after), s.rescheduleReminders(ctx, tx, after...)
}

func taskIDsOf(tasks []taskapi.Task) []uuid.UUID {
	ids := make([]uuid.UUID, len(tasks))
	for i, t := range tasks {
		ids[i] = t.ID
	}
	return ids
}

// moveSubtrees puts every task below the roots in category (nil: none),
// with a new version and a change record for each that moves.
func (s *Store) moveSubtrees(ctx context.Context, tx querier, userID uuid.UUID, roots []uuid.UUID, category *uuid.UUID, now time.Time) error {
	a := args{userID}
	with := subtreeSQL(&a, roots)
	rows, err := tx.QueryContext(ctx, with+`SELECT `+taskColumns+` FROM `+s.tasksByID()+` WHERE user_id = $1
		AND id IN (SELECT id FROM sub) AND category_id IS DISTINCT FROM `+a.add(nullUUID(category))+s.d.forUpdate, a...)
	if err != nil {
		return s.mapErr(err)
	}
	before, err := collectTasks(rows)
	if err != nil || len(before) == 0 {
		return err
	}
	a = args{userID}
	c := a.add(nullUUID(category))
	if _, err = tx.ExecContext(ctx, `UPDATE `+s.tasksByID()+` SET category_id = `+c+`, updated_at = `+a.add(now)+`, version = version + 1
		WHERE user_id = $1 AND id IN `+list(&a, taskIDsOf(before)), a...); err != nil {
		return s.mapTaskErr(err)
	}
	changes := make([]Change, len(before))
	for i, t := range before {
		next := t
		next.CategoryID, next.UpdatedAt, next.Version = category, now, t.Version+1
		changes[i] = taskChange(ChangeUpdate, t, next)
	}
	return s.recordChanges(tx, userID, now, changes...)
}

// recordTaskDeletes records the deletion of the roots, of every task
// below them and of the comments of all of them, which deleting the roots
// takes along (ON DELETE CASCADE); it runs just before that DELETE. The
// tasks are locked first: a subtask or comment added meanwhile waits
// for this transaction (placeUnder locks the parent, a comment's foreign
// key the task), so none is deleted without its record.
func (s *Store) recordTaskDeletes(ctx context.Context, tx querier, userID uuid.UUID, roots []uuid.UUID, now time.Time) error {
	a := args{userID}
	with := subtreeSQL(&a, roots)
	rootIDs := list(&a, roots)
	rows, err := tx.QueryContext(ctx, with+`SELECT id, parent_id FROM `+s.tasksByID()+` WHERE user_id = $1
		AND (id IN `+rootIDs+` OR id IN (SELECT id FROM sub))`+s.d.forUpdate, a...)
	if err != nil {
		return s.mapErr(err)
	}
	found, err := collect(rows, func(r rowScanner) (taskapi.Task, error) {
		var t taskapi.Task
		var parent uuid.NullUUID
		err := r.Scan(&t.ID, &parent)
		if parent.Valid {
			t.ParentID = &parent.UUID
		}
		return t, err
	})
	if err != nil || len(found) == 0 {
		return err
	}
	tasks := taskIDsOf(found)
	a = args{userID}
	rows, err = tx.QueryContext(ctx, `SELECT id, task_id FROM comments WHERE user_id = $1 AND task_id IN `+list(&a, tasks), a...)
	if err != nil {
		return s.mapErr(err)
	}
	var changes []Change
	for rows.Next() {
		var id, taskID uuid.UUID
		if err := rows.Scan(&id, &taskID); err != nil {
			rows.Close()
			return err
		}
		changes = append(changes, Change{Type: EntityComment, ID: id, Op: ChangeDelete, TaskID: &taskID})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	// A deleted subtask whose parent stays changes the parent's counts.
	for _, t := range found {
		c := Change{Type: EntityTask, ID: t.ID, Op: ChangeDelete, TaskID: &t.ID}
		c.countsOf(FieldSubtaskCount, t.ParentID)
		changes = append(changes, c)
	}
	return s.recordChanges(tx, userID, now, changes...)
}

// subtaskOrder is the order of a task's children.
var subtaskOrder = sortKey[taskapi.Task]{column: "position", kind: intKey,
	value: func(t taskapi.Task) any { return t.Position }}
