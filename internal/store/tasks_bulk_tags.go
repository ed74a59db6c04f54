package store

import (
	"context"

	"github.com/google/uuid"

	"github.com/taskapi/taskapi"
)

// bulkTags adds tags to, or removes them from, every named task, all or
// nothing: a task not the user's is ErrNotFound (as in bulkUpdate), a tag
// not the user's a field error on tag_ids. Only the tasks whose set of
// tags changes get a new version and updated_at, as with a PATCH. A tag is
// per task: subtasks are not touched.
func (s *Store) bulkTags(ctx context.Context, tx querier, userID uuid.UUID, b taskapi.TaskBulk) (BulkResult, error) {
	found, err := s.taskIDs(ctx, tx, userID, b.IDs, s.d.forUpdate)
	if err != nil {
		return BulkResult{}, err
	}
	have := make(map[uuid.UUID]bool, len(found))
	for _, id := range found {
		have[id] = true
	}
	if err := checkAllFound(b.IDs, func(id uuid.UUID) bool { return have[id] }); err != nil {
		return BulkResult{}, err
	}
	if _, err := s.ownTags(ctx, tx, userID, b.TagIDs, "tag_ids"); err != nil {
		return BulkResult{}, err
	}
	// How many of the tags each task has decides which tasks change.
	var a args
	rows, err := tx.QueryContext(ctx, `SELECT task_id, count(*) FROM task_tags WHERE task_id IN `+list(&a, b.IDs)+
		` AND tag_id IN `+list(&a, b.TagIDs)+` GROUP BY task_id`, a...)
	if err != nil {
		return BulkResult{}, s.mapErr(err)
	}
	counts := map[uuid.UUID]int{}
	for rows.Next() {
		var id uuid.UUID
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			rows.Close()
			return BulkResult{}, err
		}
		counts[id] = n
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return BulkResult{}, err
	}
	adding := b.Action == taskapi.BulkAddTags
	var changed []uuid.UUID
	for _, id := range b.IDs {
		if adding && counts[id] < len(b.TagIDs) || !adding && counts[id] > 0 {
			changed = append(changed, id)
		}
	}
	if len(changed) > 0 {
		if adding {
			err = s.insertTaskTags(ctx, tx, userID, changed, b.TagIDs, "tag_ids")
		} else {
			a = args{}
			_, err = tx.ExecContext(ctx, `DELETE FROM task_tags WHERE task_id IN `+list(&a, changed)+
				` AND tag_id IN `+list(&a, b.TagIDs), a...)
			err = s.mapErr(err)
		}
		if err != nil {
			return BulkResult{}, err
		}
		now := s.Now()
		a = args{now, userID}
		rows, err := tx.QueryContext(ctx, `UPDATE tasks SET updated_at = $1, version = version + 1
			WHERE user_id = $2 AND id IN `+list(&a, changed)+` RETURNING id, version`, a...)
		if err != nil {
			return BulkResult{}, s.mapErr(err)
		}
		changes, err := retagged(rows)
		if err == nil {
			err = s.recordChanges(tx, userID, now, changes...)
		}
		if err != nil {
			return BulkResult{}, err
		}
	}
	a = args{userID}
	rows, err = tx.QueryContext(ctx, `SELECT `+taskColumns+` FROM tasks WHERE user_id = $1 AND id IN `+list(&a, b.IDs), a...)
	if err != nil {
		return BulkResult{}, s.mapErr(err)
	}
	tasks, err := collectTasks(rows)
	if err == nil {
		err = s.attachReminders(ctx, tx, tasks)
	}
	if err != nil {
		return BulkResult{}, err
	}
	return BulkResult{Action: b.Action, Count: len(b.IDs), Tasks: inOrder(b.IDs, tasks)}, nil
}
