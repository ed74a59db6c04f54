package store

import (
	"database/sql"
	"fmt"

	"github.com/google/uuid"

	"github.com/taskapi/taskapi"
)

// taskColumns is the select list of every task query, in scanTask's order.
const taskColumns = `id, user_id, category_id, title, description, status, priority, ` +
	`due_date, completed_at, created_at, updated_at, version, parent_id, position, ` + taskCounts

// tasksByID names the tasks table in a statement that picks some of a
// user's tasks by id: SQLite, planning without statistics, would walk the
// user's index and test every task against the list; pinned to the
// primary key's index (SQLite's name for it), it finds each id directly.
func (s *Store) tasksByID() string { return "tasks" + s.d.indexedBy("sqlite_autoindex_tasks_1") }

// taskCounts are the aggregates of each task in its select list: one probe
// of tasks_parent_idx or comments_task_idx each, so a page of tasks costs
// no extra round trip and no more as the user's tasks grow. They need the
// outer table to be tasks, unaliased.
const taskCounts = `(SELECT count(*) FROM tasks c WHERE c.parent_id = tasks.id), ` +
	`(SELECT count(*) FROM tasks c WHERE c.parent_id = tasks.id AND c.status = 'COMPLETED'), ` +
	`(SELECT count(*) FROM comments m WHERE m.task_id = tasks.id)`

func scanTask(r rowScanner) (taskapi.Task, error) {
	var (
		t                           taskapi.Task
		category, parent            uuid.NullUUID
		desc                        sql.NullString
		due, done, created, updated dbTime
		status                      string
		rank                        int
	)
	if err := r.Scan(&t.ID, &t.UserID, &category, &t.Title, &desc, &status, &rank, &due, &done,
		&created, &updated, &t.Version, &parent, &t.Position, &t.SubtaskCount, &t.CompletedSubtaskCount,
		&t.CommentCount); err != nil {
		return taskapi.Task{}, err
	}
	if !created.Valid || !updated.Valid {
		return taskapi.Task{}, fmt.Errorf("task %s has no created_at or updated_at", t.ID)
	}
	t.CreatedAt, t.UpdatedAt = created.Time, updated.Time
	priority, ok := taskapi.PriorityFromRank(rank)
	if !ok {
		return taskapi.Task{}, fmt.Errorf("task %s has priority rank %d", t.ID, rank)
	}
	t.Status, t.Priority = taskapi.Status(status), priority
	if category.Valid {
		t.CategoryID = &category.UUID
	}
	if parent.Valid {
		t.ParentID = &parent.UUID
	}
	if desc.Valid {
		t.Description = &desc.String
	}
	if due.Valid {
		d := due.Time.UTC()
		t.DueDate = &d
	}
	if done.Valid {
		d := done.Time.UTC()
		t.CompletedAt = &d
	}
	t.CreatedAt, t.UpdatedAt = t.CreatedAt.UTC(), t.UpdatedAt.UTC()
	return t, nil
}

// collectTasks reads every row of a task query.
func collectTasks(rows *sql.Rows) ([]taskapi.Task, error) {
	defer rows.Close()
	var out []taskapi.Task
	for rows.Next() {
		t, err := scanTask(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}
