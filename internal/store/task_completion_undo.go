package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/google/uuid"

	"github.com/taskapi/taskapi"
)

// errNothingToUndo answers an undo when the task changed after its last
// completion (or has none): undoing then would throw that change away.
var errNothingToUndo = taskapi.NewProblem(taskapi.ErrConflict,
	"the task changed after it was completed, so the completion can no longer be undone")

// UndoCompletion takes back the last completion of one of the user's
// recurring tasks, the web app's Undo: the task returns to the occurrence
// it completed, due then and TODO, its reminders rescheduled, and the
// completion leaves the history. Only while nothing else changed the task
// since: the completion and its advance share one timestamp, which the
// task's updated_at still holds then. Subtasks reopened by the advance stay
// open (which were done before is not kept).
func (s *Store) UndoCompletion(ctx context.Context, userID, taskID uuid.UUID) (taskapi.Task, error) {
	var out taskapi.Task
	err := s.tx(ctx, func(tx querier) error {
		cur, err := s.getTask(ctx, tx, userID, taskID, s.d.forUpdate)
		if err != nil {
			return err
		}
		if err := s.withRecurrence(ctx, tx, &cur); err != nil {
			return err
		}
		var (
			id         uuid.UUID
			occurrence int
			due, done  dbTime
		)
		err = tx.QueryRowContext(ctx, `SELECT id, occurrence, due_date, completed_at FROM task_completions
			WHERE task_id = $1 AND user_id = $2 ORDER BY completed_at DESC, id DESC LIMIT 1`, taskID, userID).
			Scan(&id, &occurrence, &due, &done)
		if err == sql.ErrNoRows || err == nil && (cur.Recurrence == nil || !done.Time.Equal(cur.UpdatedAt)) {
			return errNothingToUndo
		} else if err != nil {
			return s.mapErr(err)
		}
		now := s.Now()
		next := cur
		back, r := due.Time.UTC(), *cur.Recurrence
		r.Occurrence = occurrence
		next.DueDate, next.Recurrence = &back, &r
		next.SetStatus(taskapi.StatusTodo, now)
		if _, err := tx.ExecContext(ctx, `UPDATE tasks SET status = 'TODO', completed_at = NULL, due_date = $1, updated_at = $2,
				version = version + 1 WHERE id = $3 AND user_id = $4`, utc(next.DueDate), now, taskID, userID); err != nil {
			return s.mapTaskErr(err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM task_completions WHERE id = $1`, id); err != nil {
			return s.mapErr(err)
		}
		if out, err = s.settleMoved(ctx, tx, next); err != nil {
			return err
		}
		change := taskChange(ChangeUpdate, cur, out)
		change.Fields = append(change.Fields, taskapi.FieldChange{Field: "undone_completion", From: dueText(next.DueDate)})
		return s.recordChanges(tx, userID, now, change)
	})
	if err != nil {
		return taskapi.Task{}, fmt.Errorf("undo completion: %w", err)
	}
	return out, nil
}
