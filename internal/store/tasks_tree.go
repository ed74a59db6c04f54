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
	rows, err := tx.QueryContext(ctx, with+`SELECT id FROM `+s.tasksByID()+` WHERE user_id = $1
		AND (id IN `+rootIDs+` OR id IN (SELECT id FROM sub))`+s.d.forUpdate, a...)
	if err != nil {
		return s.mapErr(err)
	}
	found, err := collectIDs(rows)
	if err != nil || len(found) == 0 {
		return err
	}
	tasks := make([]uuid.UUID, 0, len(found))
	for id := range found {
		tasks = append(tasks, id)
	}
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
	for _, id := range tasks {
		changes = append(changes, Change{Type: EntityTask, ID: id, Op: ChangeDelete, TaskID: &id})
	}
	return s.recordChanges(tx, userID, now, changes...)
}

// subtaskOrder is the order of a task's children.
var subtaskOrder = sortKey[taskapi.Task]{column: "position", kind: intKey,
	value: func(t taskapi.Task) any { return t.Position }}

// ListSubtasks returns one page of the direct children of one of the
// user's tasks, by position, and the position of the next page. Another
// user's task is ErrNotFound. Each page is one range scan of
// tasks_parent_idx.
func (s *Store) ListSubtasks(ctx context.Context, userID, parentID uuid.UUID, page Page) ([]taskapi.Task, Position, error) {
	after, err := subtaskOrder.decode(page.After)
	if err != nil {
		return nil, "", fmt.Errorf("list subtasks: %w", err)
	}
	if _, err := s.getTask(ctx, s.reader(), userID, parentID, ""); err != nil {
		return nil, "", fmt.Errorf("list subtasks: %w", err)
	}
	a := args{parentID, userID}
	where := `parent_id = $1 AND user_id = $2`
	if after != nil {
		where += " AND " + subtaskOrder.after(&a, after, false)
	}
	rows, err := s.query(ctx, `SELECT `+taskColumns+` FROM tasks WHERE `+where+
		` ORDER BY `+subtaskOrder.order(false)+` LIMIT `+a.add(page.Limit+1), a...)
	if err != nil {
		return nil, "", fmt.Errorf("list subtasks: %w", err)
	}
	items, err := collectTasks(rows)
	if err != nil {
		return nil, "", fmt.Errorf("list subtasks: %w", err)
	}
	items, next := pageOf(subtaskOrder, items, page.Limit, taskID)
	// As every read of tasks: with their reminders, recurrence and tags.
	return items, next, s.listReminders(ctx, items)
}

// TaskMove places a subtask just before or just after a sibling (exactly
// one of the two).
type TaskMove struct {
	Before, After *uuid.UUID
}

// MoveTask moves one of the user's subtasks among its siblings, under the
// task's If-Match (ifMatch), and returns it with its new position and
// version. Usually one row is written: the task takes the middle of its new
// neighbours' positions. When they are adjacent, the siblings are numbered
// afresh, positionGap apart, each renumbered one getting a new version.
// The parent is locked, so moves and appends under one parent take turns.
func (s *Store) MoveTask(ctx context.Context, userID, id uuid.UUID, m TaskMove, ifMatch Versions) (taskapi.Task, error) {
	field, anchorID := "before", m.Before
	if m.After != nil {
		field, anchorID = "after", m.After
	}
	if (m.Before == nil) == (m.After == nil) {
		return taskapi.Task{}, fmt.Errorf("move task: %w", taskapi.Invalid("before", "give exactly one of before and after"))
	}
	var out taskapi.Task
	err := s.tx(ctx, func(tx querier) error {
		cur, err := s.getTask(ctx, tx, userID, id, s.d.forUpdate)
		if err != nil {
			return err
		}
		if err := ifMatch.Check(cur.Version, "task"); err != nil {
			return err
		}
		if cur.ParentID == nil {
			return taskapi.Invalid(field, "only a subtask can be moved among its siblings; this task has no parent")
		}
		if _, err := s.placeUnder(ctx, tx, userID, uuid.Nil, *cur.ParentID, 0); err != nil {
			return err
		}
		anchor, err := s.getTask(ctx, tx, userID, *anchorID, "")
		if err != nil && !errors.Is(err, taskapi.ErrNotFound) {
			return err
		}
		if err != nil || anchor.ID == id || !equalID(anchor.ParentID, cur.ParentID) {
			return taskapi.Invalid(field, "must name another subtask of the same parent")
		}
		pos, ok, err := s.slotBeside(ctx, tx, userID, cur, anchor, m.After != nil)
		if err != nil || !ok {
			out = cur
			return err
		}
		now := s.Now()
		res, err := tx.ExecContext(ctx, `UPDATE tasks SET position = $1, updated_at = $2, version = version + 1
			WHERE id = $3 AND user_id = $4 AND version = $5`, pos, now, id, userID, cur.Version)
		if err != nil {
			return s.mapErr(err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n != 1 {
			return fmt.Errorf("%w: the task changed meanwhile", taskapi.ErrPreconditionFailed)
		}
		if out, err = s.getTask(ctx, tx, userID, id, ""); err != nil {
			return err
		}
		if err := s.recordChanges(tx, userID, now, taskChange(ChangeUpdate, cur, out)); err != nil {
			return err
		}
		return s.withReminders(ctx, tx, &out)
	})
	if err != nil {
		return taskapi.Task{}, fmt.Errorf("move task: %w", err)
	}
	return out, nil
}

// slotBeside finds the position for cur right before (or after) anchor:
// ok false when cur is there already. When the neighbours leave no room,
// it renumbers the siblings first.
func (s *Store) slotBeside(ctx context.Context, tx querier, userID uuid.UUID, cur, anchor taskapi.Task, after bool) (int64, bool, error) {
	cmp, dir, step := "<", "DESC", int64(-positionGap)
	if after {
		cmp, dir, step = ">", "ASC", positionGap
	}
	var (
		nid  uuid.UUID
		npos int64
	)
	err := tx.QueryRowContext(ctx, `SELECT id, position FROM tasks WHERE parent_id = $1 AND user_id = $2
		AND (position, id) `+cmp+` ($3, $4) ORDER BY position `+dir+`, id `+dir+` LIMIT 1`,
		*cur.ParentID, userID, anchor.Position, anchor.ID).Scan(&nid, &npos)
	switch {
	case err == sql.ErrNoRows:
		return anchor.Position + step, true, nil
	case err != nil:
		return 0, false, s.mapErr(err)
	case nid == cur.ID:
		return 0, false, nil
	}
	lo, hi := min(npos, anchor.Position), max(npos, anchor.Position)
	if hi-lo >= 2 {
		return lo + (hi-lo)/2, true, nil
	}
	return s.renumber(ctx, tx, userID, cur, anchor, after)
}

// renumber spaces the children of cur's parent positionGap apart in their
// order, leaving a free slot where cur goes, and returns that slot.
func (s *Store) renumber(ctx context.Context, tx querier, userID uuid.UUID, cur, anchor taskapi.Task, after bool) (int64, bool, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, position FROM tasks WHERE parent_id = $1 AND user_id = $2 AND id <> $3
		ORDER BY position, id`, *cur.ParentID, userID, cur.ID)
	if err != nil {
		return 0, false, s.mapErr(err)
	}
	type sibling struct {
		id  uuid.UUID
		pos int64
	}
	var siblings []sibling
	for rows.Next() {
		var sb sibling
		if err := rows.Scan(&sb.id, &sb.pos); err != nil {
			rows.Close()
			return 0, false, err
		}
		siblings = append(siblings, sb)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, false, err
	}
	now := s.Now()
	var slot, next int64
	for _, sb := range siblings {
		if sb.id == anchor.ID && !after {
			next += positionGap
			slot = next
		}
		next += positionGap
		if sb.pos != next {
			var version int64
			if err := tx.QueryRowContext(ctx, `UPDATE tasks SET position = $1, updated_at = $2, version = version + 1
				WHERE id = $3 AND user_id = $4 RETURNING version`, next, now, sb.id, userID).Scan(&version); err != nil {
				return 0, false, s.mapErr(err)
			}
			if err := s.recordChanges(tx, userID, now, Change{Type: EntityTask, ID: sb.id, Op: ChangeUpdate, Version: version,
				TaskID: &sb.id, Fields: []taskapi.FieldChange{{Field: "position"}}}); err != nil {
				return 0, false, err
			}
		}
		if sb.id == anchor.ID && after {
			next += positionGap
			slot = next
		}
	}
	return slot, true, nil
}

// TaskTitles returns the titles of those of ids that are the user's
// tasks, for showing a subtask's parent beside it; the others are left
// out. One primary-key probe each, in one query.
func (s *Store) TaskTitles(ctx context.Context, userID uuid.UUID, ids []uuid.UUID) (map[uuid.UUID]string, error) {
	out := make(map[uuid.UUID]string, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	a := args{userID}
	rows, err := s.query(ctx, `SELECT id, title FROM `+s.tasksByID()+` WHERE user_id = $1 AND id IN `+list(&a, ids), a...)
	if err != nil {
		return nil, fmt.Errorf("task titles: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			id    uuid.UUID
			title string
		)
		if err := rows.Scan(&id, &title); err != nil {
			return nil, fmt.Errorf("task titles: %w", err)
		}
		out[id] = title
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("task titles: %w", err)
	}
	return out, nil
}
