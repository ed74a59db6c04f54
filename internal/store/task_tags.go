package store

import (
	"context"
	"database/sql"

	"github.com/google/uuid"

	"github.com/taskapi/taskapi"
)

// A task's tags are rows of task_tags, keyed (task_id, tag_id) and indexed
// the other way round (tag_id, task_id). A task's set of tags is part of
// its version: a write that changes the set bumps it, as any field would.

// foreignTags is the field error for tags that are not the user's, named
// after the field that gave them: whether a tag does not exist or is
// someone else's is not told apart, as for categories.
func foreignTags(field string) error {
	return taskapi.Invalid(field, "must name your tags")
}

// ownTags returns the named tags (IDs already deduplicated) as tasks show
// them, sorted by name ignoring case; any that is not the user's is a
// field error on field.
func (s *Store) ownTags(ctx context.Context, q querier, userID uuid.UUID, ids []uuid.UUID, field string) ([]taskapi.TaskTag, error) {
	out := []taskapi.TaskTag{}
	if len(ids) == 0 {
		return out, nil
	}
	a := args{userID}
	rows, err := q.QueryContext(ctx, `SELECT id, name, color FROM tags WHERE user_id = $1 AND id IN `+list(&a, ids)+
		` ORDER BY name_key`, a...)
	if err != nil {
		return nil, s.mapErr(err)
	}
	if out, err = collectTaskTags(rows, out); err != nil {
		return nil, err
	}
	if len(out) != len(ids) {
		return nil, foreignTags(field)
	}
	return out, nil
}

func collectTaskTags(rows *sql.Rows, out []taskapi.TaskTag) ([]taskapi.TaskTag, error) {
	defer rows.Close()
	for rows.Next() {
		var t taskapi.TaskTag
		if err := rows.Scan(&t.ID, &t.Name, &t.Color); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// setTaskTags makes want (checked by taskapi.TagIDs and ownTags, errors
// on field) the set of tags of one of the user's tasks, in tx, writing
// only the difference. It returns the tags as the task shows them and
// whether the set changed; the caller bumps the task's version.
func (s *Store) setTaskTags(ctx context.Context, tx querier, userID, taskID uuid.UUID, want []uuid.UUID, field string) ([]taskapi.TaskTag, bool, error) {
	want, err := taskapi.TagIDs(field, want, taskapi.MaxTagsPerTask)
	if err != nil {
		return nil, false, err
	}
	tags, err := s.ownTags(ctx, tx, userID, want, field)
	if err != nil {
		return nil, false, err
	}
	rows, err := tx.QueryContext(ctx, `SELECT tag_id FROM task_tags WHERE task_id = $1`, taskID)
	if err != nil {
		return nil, false, s.mapErr(err)
	}
	have, err := collectIDs(rows)
	if err != nil {
		return nil, false, err
	}
	var add []uuid.UUID
	for _, id := range want {
		if !have[id] {
			add = append(add, id)
		}
		delete(have, id)
	}
	if len(add) == 0 && len(have) == 0 {
		return tags, false, nil
	}
	if len(have) > 0 {
		drop := make([]uuid.UUID, 0, len(have))
		for id := range have {
			drop = append(drop, id)
		}
		a := args{taskID}
		if _, err := tx.ExecContext(ctx, `DELETE FROM task_tags WHERE task_id = $1 AND tag_id IN `+list(&a, drop), a...); err != nil {
			return nil, false, s.mapErr(err)
		}
	}
	if err := s.insertTaskTags(ctx, tx, userID, []uuid.UUID{taskID}, add, field); err != nil {
		return nil, false, err
	}
	return tags, true, nil
}

// insertTaskTags gives each of the user's tasks each of the user's tags,
// keeping the pairs that exist: one statement whose arguments grow with
// tasks plus tags, not their product. A tag deleted meanwhile (a
// foreign-key violation) is the field error of a foreign tag.
func (s *Store) insertTaskTags(ctx context.Context, tx querier, userID uuid.UUID, tasks, tags []uuid.UUID, field string) error {
	if len(tasks) == 0 || len(tags) == 0 {
		return nil
	}
	a := args{userID}
	// SQLite needs the WHERE to tell the upsert's ON from a join's.
	_, err := tx.ExecContext(ctx, `INSERT INTO task_tags (task_id, tag_id)
		SELECT t.id, g.id FROM tasks t CROSS JOIN tags g
		WHERE t.user_id = $1 AND t.id IN `+list(&a, tasks)+` AND g.user_id = $1 AND g.id IN `+list(&a, tags)+`
		ON CONFLICT (task_id, tag_id) DO NOTHING`, a...)
	if s.d.isForeignKeyViolation(err) {
		return foreignTags(field)
	}
	if err != nil {
		return s.mapErr(err)
	}
	return nil
}

// attachTags fills in the Tags of tasks (all of one user's) with one query
// through the primary key of task_tags, each task's sorted by name.
func (s *Store) attachTags(ctx context.Context, q querier, tasks []taskapi.Task) error {
	if len(tasks) == 0 {
		return nil
	}
	return s.runReads(ctx, q, tagsOf(taskIDs(tasks), &tasks))
}

// tagsOf reads the tags of the tasks ids into *tasks.
func tagsOf(ids []uuid.UUID, tasks *[]taskapi.Task) read {
	var a args
	q := `SELECT tt.task_id, g.id, g.name, g.color FROM task_tags tt JOIN tags g ON g.id = tt.tag_id
		WHERE tt.task_id IN ` + list(&a, ids) + ` ORDER BY tt.task_id, g.name_key`
	return read{what: "tags", sql: q, args: a, scan: func(rs rows) error {
		byTask := map[uuid.UUID][]taskapi.TaskTag{}
		for rs.Next() {
			var task uuid.UUID
			var t taskapi.TaskTag
			if err := rs.Scan(&task, &t.ID, &t.Name, &t.Color); err != nil {
				return err
			}
			byTask[task] = append(byTask[task], t)
		}
		if err := rs.Err(); err != nil {
			return err
		}
		for i, t := range *tasks {
			(*tasks)[i].Tags = byTask[t.ID]
			if (*tasks)[i].Tags == nil {
				(*tasks)[i].Tags = []taskapi.TaskTag{}
			}
		}
		return nil
	}}
}

// tagFilterSQL returns the conditions of f's tag filters on the row of
// tasks being listed: semi-joins probing the primary key of task_tags, one
// per tag that must be there and one for the tags of which one must be.
// They filter the rows of the list's own ordered walk (of the tasks, or of
// another tag's rows, see tagWalk), so a page keeps its keyset position:
// no skip, no repeat.
func tagFilterSQL(a *args, f taskapi.TaskFilter) []string {
	var w []string
	for _, id := range f.AllTags {
		w = append(w, "EXISTS (SELECT 1 FROM task_tags tt WHERE tt.tag_id = "+a.add(id)+" AND tt.task_id = tasks.id)")
	}
	if len(f.AnyTags) > 0 {
		w = append(w, "EXISTS (SELECT 1 FROM task_tags tt WHERE tt.tag_id IN "+list(a, f.AnyTags)+" AND tt.task_id = tasks.id)")
	}
	return w
}

// tagNewTask gives a task just inserted in tx the tags its Tags name (by
// ID), and fills them in as the task shows them.
func (s *Store) tagNewTask(ctx context.Context, tx querier, t *taskapi.Task) error {
	ids := make([]uuid.UUID, len(t.Tags))
	for i, tag := range t.Tags {
		ids[i] = tag.ID
	}
	tags, _, err := s.setTaskTags(ctx, tx, t.UserID, t.ID, ids, "tag_ids")
	t.Tags = tags
	return err
}
