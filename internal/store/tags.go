package store

import (
	"context"
	"fmt"

	"github.com/google/uuid"

	"github.com/taskapi/taskapi"
)

// Tags follow the conventions of categories (categories.go): names unique
// per user ignoring case through the (user_id, name_key) index, which also
// serves the list; a version for If-Match; creates through idempotently.
// Which task has which tag is the task_tags table (task_tags.go).

const tagColumns = `id, user_id, name, color, created_at, updated_at, version`

func scanTag(r rowScanner) (taskapi.Tag, error) {
	var t taskapi.Tag
	err := r.Scan(&t.ID, &t.UserID, &t.Name, &t.Color, &t.CreatedAt, &t.UpdatedAt, &t.Version)
	t.CreatedAt, t.UpdatedAt = t.CreatedAt.UTC(), t.UpdatedAt.UTC()
	return t, err
}

// errDuplicateTag is the answer to a name the user already has.
var errDuplicateTag = taskapi.NewProblem(taskapi.ErrConflict, "you already have a tag with this name (names ignore case)")

func (s *Store) mapTagErr(err error) error {
	if s.d.isUniqueViolation(err) {
		return errDuplicateTag
	}
	return s.mapErr(err)
}

// CreateTag inserts a tag for userID; a name the user already has,
// ignoring case, is ErrConflict. See CreateTask for key.
func (s *Store) CreateTag(ctx context.Context, userID uuid.UUID, t taskapi.Tag, key *IdempotencyKey) (taskapi.Tag, bool, error) {
	if t.Color == "" {
		t.Color = taskapi.DefaultColor
	}
	if err := taskapi.ValidateTagName(t.Name); err != nil {
		return taskapi.Tag{}, false, fmt.Errorf("create tag: %w", err)
	}
	if err := taskapi.ValidateColor(t.Color); err != nil {
		return taskapi.Tag{}, false, fmt.Errorf("create tag: %w", err)
	}
	id, err := uuid.NewV7()
	if err != nil {
		return taskapi.Tag{}, false, fmt.Errorf("create tag: %w", err)
	}
	now := s.Now()
	t.ID, t.UserID, t.Color, t.CreatedAt, t.UpdatedAt, t.Version = id, userID, taskapi.NormalizeColor(t.Color), now, now, 1
	t, replayed, err := idempotently(ctx, s, userID, key, func(tx querier) (taskapi.Tag, error) {
		if err := s.checkQuota(ctx, tx, "tags", userID, s.quotas.Tags, "tags"); err != nil {
			return t, err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO tags (id, user_id, name, name_key, color, created_at, updated_at, version)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
			t.ID, t.UserID, t.Name, taskapi.TagNameKey(t.Name), t.Color, t.CreatedAt, t.UpdatedAt, t.Version)
		if err != nil {
			return t, s.mapTagErr(err)
		}
		return t, s.recordChanges(tx, userID, now, Change{Type: EntityTag, ID: t.ID, Op: ChangeCreate, Version: t.Version})
	})
	if err != nil {
		return taskapi.Tag{}, false, fmt.Errorf("create tag: %w", err)
	}
	return t, replayed, nil
}

// GetTag returns one of the user's tags; another user's is ErrNotFound.
func (s *Store) GetTag(ctx context.Context, userID, id uuid.UUID) (taskapi.Tag, error) {
	t, err := s.getTag(ctx, s.reader(), userID, id, "")
	if err != nil {
		return taskapi.Tag{}, fmt.Errorf("get tag: %w", err)
	}
	return t, nil
}

func (s *Store) getTag(ctx context.Context, q querier, userID, id uuid.UUID, lock string) (taskapi.Tag, error) {
	t, err := scanTag(q.QueryRowContext(ctx, `SELECT `+tagColumns+` FROM tags WHERE id = $1 AND user_id = $2`+lock, id, userID))
	if err != nil {
		return taskapi.Tag{}, s.mapErr(err)
	}
	return t, nil
}

// ListTags returns one page of the user's tags sorted by name ignoring
// case (tagOrder), and the position of the next page ("" on the last):
// one range scan of the (user_id, name_key) index per page.
func (s *Store) ListTags(ctx context.Context, userID uuid.UUID, page Page) ([]taskapi.Tag, Position, error) {
	after, err := tagOrder.decode(page.After)
	if err != nil || page.Limit < 1 {
		return nil, "", fmt.Errorf("list tags: limit %d: %w", page.Limit, err)
	}
	a := args{userID}
	where := `user_id = $1`
	if after != nil {
		where += ` AND ` + tagOrder.after(&a, after, false)
	}
	rows, err := s.query(ctx, `SELECT `+tagColumns+`, name_key FROM tags WHERE `+where+
		` ORDER BY `+tagOrder.order(false)+` LIMIT `+a.add(page.Limit+1), a...)
	if err != nil {
		return nil, "", fmt.Errorf("list tags: %w", err)
	}
	type keyed struct {
		tag taskapi.Tag
		key string
	}
	tags, err := collect(rows, func(r rowScanner) (keyed, error) {
		var k keyed
		err := r.Scan(&k.tag.ID, &k.tag.UserID, &k.tag.Name, &k.tag.Color, &k.tag.CreatedAt, &k.tag.UpdatedAt, &k.tag.Version, &k.key)
		k.tag.CreatedAt, k.tag.UpdatedAt = k.tag.CreatedAt.UTC(), k.tag.UpdatedAt.UTC()
		return k, err
	})
	if err != nil {
		return nil, "", fmt.Errorf("list tags: %w", err)
	}
	out := make([]taskapi.Tag, 0, min(len(tags), page.Limit))
	for _, k := range tags[:min(len(tags), page.Limit)] {
		out = append(out, k.tag)
	}
	if len(tags) <= page.Limit {
		return out, "", nil
	}
	// The key as stored, not as this release would compute it.
	last := tags[page.Limit-1]
	return out, tagOrder.encode(position{Key: last.key, ID: last.tag.ID}), nil
}

// UpdateTag applies a merge-patch to one of the user's tags, only while
// its version is one of ifMatch (see UpdateTask). The tasks that carry
// the tag keep their versions, which count changes of their own fields
// and of their set of tags, not of the tags' names.
func (s *Store) UpdateTag(ctx context.Context, userID, id uuid.UUID, patch taskapi.TagPatch, ifMatch Versions) (taskapi.Tag, error) {
	var out taskapi.Tag
	err := s.tx(ctx, func(tx querier) error {
		cur, err := s.getTag(ctx, tx, userID, id, s.d.forUpdate)
		if err != nil {
			return err
		}
		if err := ifMatch.Check(cur.Version, "tag"); err != nil {
			return err
		}
		next := cur
		changed, err := next.Apply(patch)
		if err != nil || !changed {
			out = cur
			return err
		}
		next.UpdatedAt, next.Version = s.Now(), cur.Version+1
		res, err := tx.ExecContext(ctx, `UPDATE tags SET name = $1, name_key = $2, color = $3, updated_at = $4, version = $5
			WHERE id = $6 AND user_id = $7 AND version = $8`,
			next.Name, taskapi.TagNameKey(next.Name), next.Color, next.UpdatedAt, next.Version, id, userID, cur.Version)
		if err != nil {
			return s.mapTagErr(err)
		}
		if err := oneRow(res, "tag"); err != nil {
			return err
		}
		out = next
		return s.recordChanges(tx, userID, next.UpdatedAt, Change{Type: EntityTag, ID: id, Op: ChangeUpdate, Version: next.Version,
			Fields: nameColorChanges(cur.Name, next.Name, cur.Color, next.Color)})
	})
	if err != nil {
		return taskapi.Tag{}, fmt.Errorf("update tag: %w", err)
	}
	return out, nil
}

// DeleteTag deletes one of the user's tags, only while its version is one
// of ifMatch. It leaves its tasks (ON DELETE CASCADE of task_tags); their
// set of tags changes, so they get a new version and updated_at first, in
// the same transaction.
func (s *Store) DeleteTag(ctx context.Context, userID, id uuid.UUID, ifMatch Versions) error {
	err := s.tx(ctx, func(tx querier) error {
		cur, err := s.getTag(ctx, tx, userID, id, s.d.forUpdate)
		if err != nil {
			return err
		}
		if err := ifMatch.Check(cur.Version, "tag"); err != nil {
			return err
		}
		now := s.Now()
		rows, err := tx.QueryContext(ctx, `UPDATE tasks SET updated_at = $1, version = version + 1
			WHERE user_id = $2 AND id IN (SELECT task_id FROM task_tags WHERE tag_id = $3) RETURNING id, version`, now, userID, id)
		if err != nil {
			return s.mapErr(err)
		}
		changes, err := retagged(rows)
		if err != nil {
			return err
		}
		if err := s.recordChanges(tx, userID, now, append(changes, Change{Type: EntityTag, ID: id, Op: ChangeDelete})...); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM tags WHERE id = $1 AND user_id = $2 AND version = $3`, id, userID, cur.Version)
		if err != nil {
			return s.mapErr(err)
		}
		return oneRow(res, "tag")
	})
	if err != nil {
		return fmt.Errorf("delete tag: %w", err)
	}
	return nil
}

// oneRow checks that a guarded write (WHERE version = read version) hit
// its row: none means someone changed it between the read and the write.
func oneRow(res interface{ RowsAffected() (int64, error) }, what string) error {
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n != 1 {
		return fmt.Errorf("%w: the %s changed meanwhile", taskapi.ErrPreconditionFailed, what)
	}
	return nil
}
