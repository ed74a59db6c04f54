package store

import (
	"context"
	"fmt"

	"github.com/google/uuid"

	"github.com/taskapi/taskapi"
)

// Comments belong to a task and its owner; they go with the task
// (ON DELETE CASCADE). A comment of another user's task, or of another
// task, is ErrNotFound.

// commentColumns is the select list scanComment reads.
const commentColumns = `id, task_id, user_id, body, created_at, updated_at, version`

func scanComment(r rowScanner) (taskapi.Comment, error) {
	var (
		c                taskapi.Comment
		created, updated dbTime
	)
	if err := r.Scan(&c.ID, &c.TaskID, &c.UserID, &c.Body, &created, &updated, &c.Version); err != nil {
		return c, err
	}
	if !created.Valid || !updated.Valid {
		return c, fmt.Errorf("comment %s has no created_at or updated_at", c.ID)
	}
	c.CreatedAt, c.UpdatedAt = created.Time.UTC(), updated.Time.UTC()
	return c, nil
}

// commentOrder is the order of a task's comments: oldest first.
var commentOrder = sortKey[taskapi.Comment]{column: "created_at", kind: timeKey,
	value: func(c taskapi.Comment) any { return c.CreatedAt }}

// CreateComment adds a comment to one of the user's tasks (ErrNotFound for
// any other). See CreateTask for key.
func (s *Store) CreateComment(ctx context.Context, userID, taskID uuid.UUID, body string, key *IdempotencyKey) (taskapi.Comment, bool, error) {
	if err := taskapi.ValidateCommentBody(body); err != nil {
		return taskapi.Comment{}, false, fmt.Errorf("create comment: %w", err)
	}
	id, err := uuid.NewV7()
	if err != nil {
		return taskapi.Comment{}, false, fmt.Errorf("create comment: %w", err)
	}
	c, replayed, err := idempotently(ctx, s, userID, key, func(tx querier) (taskapi.Comment, error) {
		now := s.Now()
		c := taskapi.Comment{ID: id, TaskID: taskID, UserID: userID, Body: body, CreatedAt: now, UpdatedAt: now, Version: 1}
		// The task's row is locked, so that adds to one task take turns and
		// the cap holds on PostgreSQL too.
		if _, err := s.getTask(ctx, tx, userID, taskID, s.d.forNoKeyUpdate); err != nil {
			return c, err
		}
		if err := s.checkCommentCap(ctx, tx, taskID); err != nil {
			return c, err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO comments (id, task_id, user_id, body, created_at, updated_at, version)
			VALUES ($1, $2, $3, $4, $5, $6, 1)`, c.ID, c.TaskID, c.UserID, c.Body, c.CreatedAt, c.UpdatedAt)
		if s.d.isForeignKeyViolation(err) {
			return c, fmt.Errorf("%w: the task was deleted meanwhile", taskapi.ErrNotFound)
		} else if err != nil {
			return c, s.mapErr(err)
		}
		return c, s.recordChanges(tx, userID, now, commentChange(ChangeCreate, c.ID, 1, c.TaskID))
	})
	if err != nil {
		return taskapi.Comment{}, false, fmt.Errorf("create comment: %w", err)
	}
	return c, replayed, nil
}

// checkCommentCap refuses a comment beyond taskapi.MaxCommentsPerTask on
// one task with ErrConflict (409: the task is full, not the input wrong),
// counting no further than the cap through comments_task_idx.
func (s *Store) checkCommentCap(ctx context.Context, tx querier, taskID uuid.UUID) error {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT 1 FROM comments WHERE task_id = $1 LIMIT $2) q`,
		taskID, taskapi.MaxCommentsPerTask).Scan(&n); err != nil {
		return s.mapErr(err)
	}
	if n >= taskapi.MaxCommentsPerTask {
		return taskapi.NewProblem(taskapi.ErrConflict,
			"this task has %d comments, the most a task may have; delete some, or continue in a new task", taskapi.MaxCommentsPerTask)
	}
	return nil
}

// GetComment returns a comment of one of the user's tasks.
func (s *Store) GetComment(ctx context.Context, userID, taskID, id uuid.UUID) (taskapi.Comment, error) {
	c, err := s.getComment(ctx, s.reader(), userID, taskID, id, "")
	if err != nil {
		return c, fmt.Errorf("get comment: %w", err)
	}
	return c, nil
}

func (s *Store) getComment(ctx context.Context, q querier, userID, taskID, id uuid.UUID, lock string) (taskapi.Comment, error) {
	c, err := scanComment(q.QueryRowContext(ctx, `SELECT `+commentColumns+` FROM comments
		WHERE id = $1 AND task_id = $2 AND user_id = $3`+lock, id, taskID, userID))
	if err != nil {
		return c, s.mapErr(err)
	}
	return c, nil
}

// ListComments returns one page of the comments of one of the user's
// tasks, oldest first, and the position of the next page. Each page is one
// range scan of comments_task_idx.
func (s *Store) ListComments(ctx context.Context, userID, taskID uuid.UUID, page Page) ([]taskapi.Comment, Position, error) {
	return s.listComments(ctx, userID, taskID, page, false)
}

// ListRecentComments is ListComments newest first: the web app shows the
// latest comments of a thread and pages back from them ("Show earlier").
func (s *Store) ListRecentComments(ctx context.Context, userID, taskID uuid.UUID, page Page) ([]taskapi.Comment, Position, error) {
	return s.listComments(ctx, userID, taskID, page, true)
}

func (s *Store) listComments(ctx context.Context, userID, taskID uuid.UUID, page Page, desc bool) ([]taskapi.Comment, Position, error) {
	after, err := commentOrder.decode(page.After)
	if err != nil {
		return nil, "", fmt.Errorf("list comments: %w", err)
	}
	if _, err := s.getTask(ctx, s.reader(), userID, taskID, ""); err != nil {
		return nil, "", fmt.Errorf("list comments: %w", err)
	}
	a := args{taskID, userID}
	where := `task_id = $1 AND user_id = $2`
	if after != nil {
		where += " AND " + commentOrder.after(&a, after, desc)
	}
	rows, err := s.query(ctx, `SELECT `+commentColumns+` FROM comments WHERE `+where+
		` ORDER BY `+commentOrder.order(desc)+` LIMIT `+a.add(page.Limit+1), a...)
	if err != nil {
		return nil, "", fmt.Errorf("list comments: %w", err)
	}
	defer rows.Close()
	var items []taskapi.Comment
	for rows.Next() {
		c, err := scanComment(rows)
		if err != nil {
			return nil, "", fmt.Errorf("list comments: %w", err)
		}
		items = append(items, c)
	}
	if err := rows.Err(); err != nil {
		return nil, "", fmt.Errorf("list comments: %w", err)
	}
	items, next := pageOf(commentOrder, items, page.Limit, func(c taskapi.Comment) uuid.UUID { return c.ID })
	return items, next, nil
}

// UpdateComment sets the body of a comment while its version is one of
// ifMatch (nil: any). The same body again changes nothing.
func (s *Store) UpdateComment(ctx context.Context, userID, taskID, id uuid.UUID, body string, ifMatch Versions) (taskapi.Comment, error) {
	if err := taskapi.ValidateCommentBody(body); err != nil {
		return taskapi.Comment{}, fmt.Errorf("update comment: %w", err)
	}
	var out taskapi.Comment
	err := s.tx(ctx, func(tx querier) error {
		cur, err := s.getComment(ctx, tx, userID, taskID, id, s.d.forUpdate)
		if err != nil {
			return err
		}
		if err := ifMatch.Check(cur.Version, "comment"); err != nil {
			return err
		}
		if cur.Body == body {
			out = cur
			return nil
		}
		next := cur
		next.Body, next.UpdatedAt, next.Version = body, s.Now(), cur.Version+1
		res, err := tx.ExecContext(ctx, `UPDATE comments SET body = $1, updated_at = $2, version = $3
			WHERE id = $4 AND user_id = $5 AND version = $6`, next.Body, next.UpdatedAt, next.Version, id, userID, cur.Version)
		if err != nil {
			return s.mapErr(err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n != 1 {
			return changedSince("comment")
		}
		out = next
		return s.recordChanges(tx, userID, next.UpdatedAt, Change{Type: EntityComment, ID: id, Op: ChangeUpdate,
			Version: next.Version, TaskID: &next.TaskID, Fields: []taskapi.FieldChange{{Field: "body"}}})
	})
	if err != nil {
		return taskapi.Comment{}, fmt.Errorf("update comment: %w", err)
	}
	return out, nil
}

// DeleteComment deletes a comment while its version is one of ifMatch
// (nil: any).
func (s *Store) DeleteComment(ctx context.Context, userID, taskID, id uuid.UUID, ifMatch Versions) error {
	err := s.tx(ctx, func(tx querier) error {
		a := []any{id, taskID, userID}
		res, err := tx.ExecContext(ctx, `DELETE FROM comments WHERE id = $1 AND task_id = $2 AND user_id = $3`+ifMatch.where(&a), a...)
		if err != nil {
			return s.mapErr(err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 1 {
			return s.recordChanges(tx, userID, s.Now(), commentChange(ChangeDelete, id, 0, taskID))
		}
		if _, err := s.getComment(ctx, tx, userID, taskID, id, ""); err != nil {
			return err
		}
		return changedSince("comment")
	})
	if err != nil {
		return fmt.Errorf("delete comment: %w", err)
	}
	return nil
}

// commentChange is the record of a comment added or deleted, which
// changes its task's comment_count too.
func commentChange(op ChangeOp, id uuid.UUID, version int64, taskID uuid.UUID) Change {
	c := Change{Type: EntityComment, ID: id, Op: op, Version: version, TaskID: &taskID}
	c.countsOf(FieldCommentCount, &taskID)
	return c
}
