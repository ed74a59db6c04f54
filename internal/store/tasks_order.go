package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/google/uuid"

	"github.com/taskapi/taskapi"
)

// A task's subtasks in order: listing them, moving a task among its
// siblings or under another parent, and the titles of a few tasks.

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
