package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/google/uuid"

	"github.com/taskapi/taskapi"
)

const categoryColumns = `id, user_id, name, color, task_count, created_at, updated_at, version`

func scanCategory(r rowScanner) (taskapi.Category, error) {
	var c taskapi.Category
	err := r.Scan(&c.ID, &c.UserID, &c.Name, &c.Color, &c.TaskCount, &c.CreatedAt, &c.UpdatedAt, &c.Version)
	c.CreatedAt, c.UpdatedAt = c.CreatedAt.UTC(), c.UpdatedAt.UTC()
	return c, err
}

// errDuplicateCategory is the answer to a name the user already has.
var errDuplicateCategory = taskapi.NewProblem(taskapi.ErrConflict, "you already have a category with this name (names ignore case)")

// CreateCategory inserts a category for userID; a name the user already
// has, ignoring case, is ErrConflict. See CreateTask for key.
func (s *Store) CreateCategory(ctx context.Context, userID uuid.UUID, c taskapi.Category, key *IdempotencyKey) (taskapi.Category, bool, error) {
	if c.Color == "" {
		c.Color = taskapi.DefaultColor
	}
	if err := taskapi.ValidateCategoryName(c.Name); err != nil {
		return taskapi.Category{}, false, fmt.Errorf("create category: %w", err)
	}
	if err := taskapi.ValidateColor(c.Color); err != nil {
		return taskapi.Category{}, false, fmt.Errorf("create category: %w", err)
	}
	id, err := uuid.NewV7()
	if err != nil {
		return taskapi.Category{}, false, fmt.Errorf("create category: %w", err)
	}
	now := s.Now()
	c.ID, c.UserID, c.Color, c.TaskCount, c.CreatedAt, c.UpdatedAt, c.Version = id, userID, taskapi.NormalizeColor(c.Color), 0, now, now, 1
	c, replayed, err := idempotently(ctx, s, userID, key, func(tx querier) (taskapi.Category, error) {
		if err := s.checkQuota(ctx, tx, "categories", userID, s.quotas.Categories, "categories"); err != nil {
			return c, err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO categories (id, user_id, name, name_key, color, created_at, updated_at, version)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
			c.ID, c.UserID, c.Name, taskapi.CategoryNameKey(c.Name), c.Color, c.CreatedAt, c.UpdatedAt, c.Version)
		if err != nil {
			return c, s.mapCategoryErr(err)
		}
		return c, s.recordChanges(tx, userID, now, Change{Type: EntityCategory, ID: c.ID, Op: ChangeCreate, Version: c.Version})
	})
	if err != nil {
		return taskapi.Category{}, false, fmt.Errorf("create category: %w", err)
	}
	return c, replayed, nil
}

func (s *Store) mapCategoryErr(err error) error {
	if s.d.isUniqueViolation(err) {
		return errDuplicateCategory
	}
	return s.mapErr(err)
}

// GetCategory returns one of the user's categories; another user's is
// ErrNotFound.
func (s *Store) GetCategory(ctx context.Context, userID, id uuid.UUID) (taskapi.Category, error) {
	c, err := s.getCategory(ctx, s.reader(), userID, id, "")
	if err != nil {
		return taskapi.Category{}, fmt.Errorf("get category: %w", err)
	}
	return c, nil
}

func (s *Store) getCategory(ctx context.Context, q querier, userID, id uuid.UUID, lock string) (taskapi.Category, error) {
	c, err := scanCategory(q.QueryRowContext(ctx, `SELECT `+categoryColumns+` FROM categories WHERE id = $1 AND user_id = $2`+lock, id, userID))
	if err != nil {
		return taskapi.Category{}, s.mapErr(err)
	}
	return c, nil
}

// ListCategories returns one page of the user's categories sorted by name
// ignoring case (categoryOrder), and the position of the next page (""
// on the last). Each page is one range scan of the (user_id, name_key)
// index; task counts are stored, not counted.
func (s *Store) ListCategories(ctx context.Context, userID uuid.UUID, page Page) ([]taskapi.Category, Position, error) {
	after, err := categoryOrder.decode(page.After)
	if err != nil || page.Limit < 1 {
		return nil, "", fmt.Errorf("list categories: limit %d: %w", page.Limit, err)
	}
	var a args
	where := `user_id = ` + a.add(userID)
	if after != nil {
		where += ` AND ` + categoryOrder.after(&a, after, false)
	}
	rows, err := s.query(ctx, `SELECT `+categoryColumns+`, name_key FROM categories WHERE `+where+
		` ORDER BY `+categoryOrder.order(false)+` LIMIT `+a.add(page.Limit+1), a...)
	if err != nil {
		return nil, "", fmt.Errorf("list categories: %w", err)
	}
	defer rows.Close()
	var (
		out  []taskapi.Category
		keys []string
	)
	for rows.Next() {
		var c taskapi.Category
		var key string
		if err := rows.Scan(&c.ID, &c.UserID, &c.Name, &c.Color, &c.TaskCount, &c.CreatedAt, &c.UpdatedAt, &c.Version, &key); err != nil {
			return nil, "", fmt.Errorf("list categories: %w", err)
		}
		c.CreatedAt, c.UpdatedAt = c.CreatedAt.UTC(), c.UpdatedAt.UTC()
		out, keys = append(out, c), append(keys, key)
	}
	if err := rows.Err(); err != nil {
		return nil, "", fmt.Errorf("list categories: %w", err)
	}
	if len(out) <= page.Limit {
		return out, "", nil
	}
	// The key as stored, not as this release would compute it.
	last := page.Limit - 1
	return out[:page.Limit], categoryOrder.encode(position{Key: keys[last], ID: out[last].ID}), nil
}

// UpdateCategory applies a merge-patch to one of the user's categories,
// only while its version is one of ifMatch (see UpdateTask).
func (s *Store) UpdateCategory(ctx context.Context, userID, id uuid.UUID, patch taskapi.CategoryPatch, ifMatch Versions) (taskapi.Category, error) {
	var out taskapi.Category
	err := s.tx(ctx, func(tx querier) error {
		cur, err := s.getCategory(ctx, tx, userID, id, s.d.forUpdate)
		if err != nil {
			return err
		}
		if err := ifMatch.Check(cur.Version, "category"); err != nil {
			return err
		}
		next := cur
		changed, err := next.Apply(patch)
		if err != nil {
			return err
		}
		if !changed {
			out = cur
			return nil
		}
		next.UpdatedAt, next.Version = s.Now(), cur.Version+1
		res, err := tx.ExecContext(ctx, `UPDATE categories SET name = $1, name_key = $2, color = $3, updated_at = $4, version = $5
			WHERE id = $6 AND user_id = $7 AND version = $8`,
			next.Name, taskapi.CategoryNameKey(next.Name), next.Color, next.UpdatedAt, next.Version, id, userID, cur.Version)
		if err != nil {
			return s.mapCategoryErr(err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n != 1 {
			return fmt.Errorf("%w: the category changed meanwhile", taskapi.ErrPreconditionFailed)
		}
		out = next
		return s.recordChanges(tx, userID, next.UpdatedAt, Change{Type: EntityCategory, ID: id, Op: ChangeUpdate,
			Version: next.Version, Fields: nameColorChanges(cur.Name, next.Name, cur.Color, next.Color)})
	})
	if err != nil {
		return taskapi.Category{}, fmt.Errorf("update category: %w", err)
	}
	return out, nil
}

// DeleteCategory deletes one of the user's categories, only while its
// version is one of ifMatch. Its
// tasks stay, without a category: they are updated first (version and
// updated_at too, since their category_id changes), in the same
// transaction.
func (s *Store) DeleteCategory(ctx context.Context, userID, id uuid.UUID, ifMatch Versions) error {
	err := s.tx(ctx, func(tx querier) error {
		cur, err := s.getCategory(ctx, tx, userID, id, s.d.forUpdate)
		if err != nil {
			return err
		}
		if err := ifMatch.Check(cur.Version, "category"); err != nil {
			return err
		}
		now := s.Now()
		rows, err := tx.QueryContext(ctx, `UPDATE tasks SET category_id = NULL, updated_at = $1, version = version + 1
			WHERE category_id = $2 AND user_id = $3 RETURNING id, version`, now, id, userID)
		if err != nil {
			return s.mapErr(err)
		}
		changes, err := uncategorised(rows, id)
		if err != nil {
			return err
		}
		changes = append(changes, Change{Type: EntityCategory, ID: id, Op: ChangeDelete})
		if err := s.recordChanges(tx, userID, now, changes...); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM categories WHERE id = $1 AND user_id = $2 AND version = $3`, id, userID, cur.Version)
		if err != nil {
			return s.mapErr(err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n != 1 {
			return fmt.Errorf("%w: the category changed meanwhile", taskapi.ErrPreconditionFailed)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("delete category: %w", err)
	}
	return nil
}

// nameColorChanges lists what an update of a category or a tag changed.
func nameColorChanges(curName, nextName, curColor, nextColor string) []taskapi.FieldChange {
	var out []taskapi.FieldChange
	if curName != nextName {
		out = append(out, taskapi.FieldChange{Field: "name", From: &curName, To: &nextName})
	}
	if curColor != nextColor {
		out = append(out, taskapi.FieldChange{Field: "color", From: &curColor, To: &nextColor})
	}
	return out
}

// uncategorised reads the tasks (id, version) that lost the category
// when it was deleted, as change records.
func uncategorised(rows *sql.Rows, category uuid.UUID) ([]Change, error) {
	from := category.String()
	return taskUpdates(rows, taskapi.FieldChange{Field: "category_id", From: &from})
}

// retagged reads the tasks (id, version) whose set of tags changed, as
// change records.
func retagged(rows *sql.Rows) ([]Change, error) {
	return taskUpdates(rows, taskapi.FieldChange{Field: "tags"})
}

// taskUpdates reads tasks (id, version) that a write changed in one way,
// as change records naming it.
func taskUpdates(rows *sql.Rows, field taskapi.FieldChange) ([]Change, error) {
	defer rows.Close()
	var out []Change
	for rows.Next() {
		c := Change{Type: EntityTask, Op: ChangeUpdate, Fields: []taskapi.FieldChange{field}}
		if err := rows.Scan(&c.ID, &c.Version); err != nil {
			return nil, err
		}
		c.TaskID = &c.ID
		out = append(out, c)
	}
	return out, rows.Err()
}
