package store

// Reads of the entities the feed serves: a page of everything of one kind
// (the snapshot of a full sync) and the current state of the entities a
// page of changes names.

import (
	"context"
	"fmt"

	"github.com/google/uuid"

	"github.com/taskapi/taskapi"
)

// AllTasks returns one page of every task of the user, archived and
// subtasks included, oldest first, for a full sync.
func (s *Store) AllTasks(ctx context.Context, userID uuid.UUID, page Page) ([]taskapi.Task, Position, error) {
	return s.ListTasks(ctx, userID, TaskQuery{
		Filter: taskapi.TaskFilter{Statuses: []taskapi.Status{taskapi.StatusTodo, taskapi.StatusInProgress,
			taskapi.StatusCompleted, taskapi.StatusArchived}},
		Sort:  taskapi.TaskSort{Key: taskapi.SortCreatedAt},
		Limit: page.Limit, After: page.After,
	})
}

// AllComments returns one page of every comment of the user, oldest
// first, for a full sync.
func (s *Store) AllComments(ctx context.Context, userID uuid.UUID, page Page) ([]taskapi.Comment, Position, error) {
	after, err := commentOrder.decode(page.After)
	if err != nil || page.Limit < 1 {
		return nil, "", fmt.Errorf("all comments: limit %d: %w", page.Limit, err)
	}
	a := args{userID}
	where := `user_id = $1`
	if after != nil {
		where += " AND " + commentOrder.after(&a, after, false)
	}
	rows, err := s.query(ctx, `SELECT `+commentColumns+` FROM comments WHERE `+where+
		` ORDER BY `+commentOrder.order(false)+` LIMIT `+a.add(page.Limit+1), a...)
	if err != nil {
		return nil, "", fmt.Errorf("all comments: %w", s.mapErr(err))
	}
	items, err := collect(rows, scanComment)
	if err != nil {
		return nil, "", fmt.Errorf("all comments: %w", err)
	}
	items, next := pageOf(commentOrder, items, page.Limit, func(c taskapi.Comment) uuid.UUID { return c.ID })
	return items, next, nil
}

// TasksByID returns those of ids that are the user's tasks, with their
// reminders, by ID; the others are missing from the map.
func (s *Store) TasksByID(ctx context.Context, userID uuid.UUID, ids []uuid.UUID) (map[uuid.UUID]taskapi.Task, error) {
	out := map[uuid.UUID]taskapi.Task{}
	if len(ids) == 0 {
		return out, nil
	}
	// The tasks and what hangs off them in one round trip (pipeline):
	// the extras are read for every ID asked and kept for those found.
	a := args{userID}
	q := `SELECT ` + taskColumns + ` FROM ` + s.tasksByID() + ` WHERE user_id = $1 AND id IN ` + list(&a, ids)
	var tasks []taskapi.Task
	found := read{what: "tasks", sql: q, args: a, scan: func(rs rows) error {
		for rs.Next() {
			t, err := scanTask(rs)
			if err != nil {
				return err
			}
			tasks = append(tasks, t)
		}
		return nil
	}}
	if err := s.pipeline(ctx, append([]read{found}, taskExtras(ids, &tasks)...)...); err != nil {
		return nil, fmt.Errorf("tasks by id: %w", err)
	}
	for _, t := range tasks {
		out[t.ID] = t
	}
	return out, nil
}

// CategoriesByID is TasksByID for categories.
func (s *Store) CategoriesByID(ctx context.Context, userID uuid.UUID, ids []uuid.UUID) (map[uuid.UUID]taskapi.Category, error) {
	out := map[uuid.UUID]taskapi.Category{}
	if len(ids) == 0 {
		return out, nil
	}
	a := args{userID}
	rows, err := s.query(ctx, `SELECT `+categoryColumns+` FROM categories WHERE user_id = $1 AND id IN `+list(&a, ids), a...)
	if err != nil {
		return nil, fmt.Errorf("categories by id: %w", s.mapErr(err))
	}
	cats, err := collect(rows, scanCategory)
	if err != nil {
		return nil, fmt.Errorf("categories by id: %w", err)
	}
	for _, c := range cats {
		out[c.ID] = c
	}
	return out, nil
}

// CommentsByID is TasksByID for comments.
func (s *Store) CommentsByID(ctx context.Context, userID uuid.UUID, ids []uuid.UUID) (map[uuid.UUID]taskapi.Comment, error) {
	out := map[uuid.UUID]taskapi.Comment{}
	if len(ids) == 0 {
		return out, nil
	}
	a := args{userID}
	rows, err := s.query(ctx, `SELECT `+commentColumns+` FROM comments WHERE user_id = $1 AND id IN `+list(&a, ids), a...)
	if err != nil {
		return nil, fmt.Errorf("comments by id: %w", s.mapErr(err))
	}
	comments, err := collect(rows, scanComment)
	if err != nil {
		return nil, fmt.Errorf("comments by id: %w", err)
	}
	for _, c := range comments {
		out[c.ID] = c
	}
	return out, nil
}

// TagsByID is TasksByID for tags.
func (s *Store) TagsByID(ctx context.Context, userID uuid.UUID, ids []uuid.UUID) (map[uuid.UUID]taskapi.Tag, error) {
	out := map[uuid.UUID]taskapi.Tag{}
	if len(ids) == 0 {
		return out, nil
	}
	a := args{userID}
	rows, err := s.query(ctx, `SELECT `+tagColumns+` FROM tags WHERE user_id = $1 AND id IN `+list(&a, ids), a...)
	if err != nil {
		return nil, fmt.Errorf("tags by id: %w", s.mapErr(err))
	}
	tags, err := collect(rows, scanTag)
	if err != nil {
		return nil, fmt.Errorf("tags by id: %w", err)
	}
	for _, t := range tags {
		out[t.ID] = t
	}
	return out, nil
}
