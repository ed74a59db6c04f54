package store

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/taskapi/taskapi"
)

// checkRestoreQuota refuses a restore that would take the user past the
// task quota.
func (s *Store) checkRestoreQuota(ctx context.Context, tx querier, userID uuid.UUID, n int) error {
	var have int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT 1 FROM tasks WHERE user_id = $1 LIMIT $2) q`,
		userID, s.quotas.Tasks).Scan(&have); err != nil {
		return s.mapErr(err)
	}
	if have+n > s.quotas.Tasks {
		return taskapi.NewProblem(taskapi.ErrQuotaExceeded,
			"restoring would take you past %d tasks, the most an account may keep; delete some first", s.quotas.Tasks)
	}
	return nil
}

// fitTasks makes the kept tasks fit the user's data as it is now: a
// category deleted meanwhile is dropped, as is the root's parent; and it
// orders them so that a parent goes in before its subtasks.
func (s *Store) fitTasks(ctx context.Context, tx querier, userID, root uuid.UUID, t *trashRows) error {
	idCol, parentCol, categoryCol := slices.Index(t.Columns, "id"), slices.Index(t.Columns, "parent_id"), slices.Index(t.Columns, "category_id")
	if idCol < 0 || parentCol < 0 || categoryCol < 0 {
		return fmt.Errorf("restore tasks: the kept rows lack id, parent_id or category_id")
	}
	str := func(c trashCell) string {
		s, _ := decoded(c).(string)
		return s
	}
	exists := func(table, id string) (bool, error) {
		var n int
		err := tx.QueryRowContext(ctx, `SELECT count(*) FROM `+table+` WHERE id = $1 AND user_id = $2`, id, userID).Scan(&n)
		return n > 0, s.mapErr(err)
	}
	gone := map[string]bool{} // categories found missing
	for _, row := range t.Rows {
		if c := str(row[categoryCol]); c != "" {
			if _, seen := gone[c]; !seen {
				ok, err := exists("categories", c)
				if err != nil {
					return err
				}
				gone[c] = !ok
			}
			if gone[c] {
				row[categoryCol] = trashCell{}
			}
		}
		if p := str(row[parentCol]); p != "" && str(row[idCol]) == root.String() {
			ok, err := exists("tasks", p)
			if err != nil {
				return err
			}
			if !ok {
				row[parentCol] = trashCell{}
			}
		}
	}
	// Parents first: a row goes once its parent is in, or is not among
	// the kept ones. The tree is at most taskapi.MaxTaskDepth deep.
	kept := map[string]bool{}
	for _, row := range t.Rows {
		kept[str(row[idCol])] = true
	}
	in := map[string]bool{}
	ordered := make([][]trashCell, 0, len(t.Rows))
	for len(ordered) < len(t.Rows) {
		before := len(ordered)
		for _, row := range t.Rows {
			id, p := str(row[idCol]), str(row[parentCol])
			if !in[id] && (p == "" || !kept[p] || in[p]) {
				in[id] = true
				ordered = append(ordered, row)
			}
		}
		if len(ordered) == before {
			return fmt.Errorf("restore tasks: the kept subtasks form a cycle")
		}
	}
	t.Rows = ordered
	return nil
}

// keepLiveTags drops the kept tag links whose tag the user deleted.
func (s *Store) keepLiveTags(ctx context.Context, tx querier, userID uuid.UUID, t *trashRows) error {
	tagCol := slices.Index(t.Columns, "tag_id")
	if tagCol < 0 {
		return fmt.Errorf("restore tags: the kept rows lack tag_id")
	}
	live := map[string]bool{}
	rows := t.Rows[:0]
	for _, row := range t.Rows {
		id, _ := decoded(row[tagCol]).(string)
		ok, seen := live[id]
		if !seen {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM tags WHERE id = $1 AND user_id = $2`, id, userID).Scan(&n); err != nil {
				return s.mapErr(err)
			}
			ok = n > 0
			live[id] = ok
		}
		if ok {
			rows = append(rows, row)
		}
	}
	t.Rows = rows
	return nil
}

// recordRestore records the restored tasks and comments in the change
// feed as created again: a client that synced their deletion gets them back.
func (s *Store) recordRestore(tx querier, userID uuid.UUID, snap trashSnapshot, now time.Time) error {
	var changes []Change
	for _, t := range snap.Tables {
		var typ string
		switch t.Name {
		case "tasks":
			typ = EntityTask
		case "comments":
			typ = EntityComment
		default:
			continue
		}
		idCol, versionCol, taskCol := slices.Index(t.Columns, "id"), slices.Index(t.Columns, "version"), slices.Index(t.Columns, "task_id")
		// A restored subtask counts again in its parent, a comment in its
		// task (when those were not restored with it: countChanges).
		parentCol, counted := slices.Index(t.Columns, "parent_id"), FieldSubtaskCount
		if typ == EntityComment {
			parentCol, counted = taskCol, FieldCommentCount
		}
		for _, row := range t.Rows {
			c := Change{Type: typ, Op: ChangeCreate}
			id, err := uuid.Parse(fmt.Sprint(decoded(row[idCol])))
			if err != nil {
				return fmt.Errorf("restore: a kept id: %w", err)
			}
			c.ID = id
			if versionCol >= 0 {
				if n, ok := decoded(row[versionCol]).(int64); ok {
					c.Version = n
				}
			}
			task := id
			if taskCol >= 0 {
				if tid, err := uuid.Parse(fmt.Sprint(decoded(row[taskCol]))); err == nil {
					task = tid
				}
			}
			c.TaskID = &task
			if parentCol >= 0 {
				if parent, err := uuid.Parse(fmt.Sprint(decoded(row[parentCol]))); err == nil {
					c.countsOf(counted, &parent)
				}
			}
			changes = append(changes, c)
		}
	}
	return s.recordChanges(tx, userID, now, changes...)
}

// decoded is a kept value, nil when it cannot be read.
func decoded(c trashCell) any {
	v, _ := c.decode()
	return v
}
