package taskapi

import (
	"time"

	"github.com/google/uuid"
)

// Tag is a label a user puts on any number of tasks; a task has any
// number of tags. Unlike a category, tags do not partition the tasks.
type Tag struct {
	ID        uuid.UUID
	UserID    uuid.UUID
	Name      string
	Color     string
	CreatedAt time.Time
	UpdatedAt time.Time
	// Version counts the changes of the tag's own fields.
	Version int64
}

// TaskTag is a tag as a task shows it. On a task being created, only ID
// is read.
type TaskTag struct {
	ID    uuid.UUID
	Name  string
	Color string
}

// Tag rules.
const (
	TagNameMaxLen = 50
	// MaxTagsPerTask bounds the tags of one task, and of one bulk request.
	MaxTagsPerTask = 50
	// MaxTagsPerFilter bounds the tags one list filter names: each is a
	// probe per task the list examines.
	MaxTagsPerFilter = 10
)

// TagNameKey is the form in which tag names are compared: a user's tag
// names are unique ignoring case, as category names are.
func TagNameKey(name string) string { return CategoryNameKey(name) }

// ValidateTagName checks the name rule (1–50 characters, not blank).
func ValidateTagName(name string) error {
	// The same rule as a category's, reported on the same field.
	return ValidateCategoryName(name)
}

// TagPatch is a merge-patch of a tag: nil fields stay as they are.
type TagPatch struct {
	Name  *string
	Color *string
}

// Apply validates p and applies it to t. It reports whether anything
// changed, so that a patch that changes nothing leaves the version alone.
func (t *Tag) Apply(p TagPatch) (changed bool, err error) {
	// A tag's fields and rules are a category's: one implementation.
	c := Category{Name: t.Name, Color: t.Color}
	if changed, err = c.Apply(CategoryPatch(p)); err != nil {
		return false, err
	}
	t.Name, t.Color = c.Name, c.Color
	return changed, nil
}

// TagIDs checks a set of tag IDs given in field: at most max, repeats
// counted once (the first kept). The store checks that they are the
// user's.
func TagIDs(field string, ids []uuid.UUID, max int) ([]uuid.UUID, error) {
	seen := make(map[uuid.UUID]bool, len(ids))
	out := make([]uuid.UUID, 0, len(ids))
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	if len(out) > max {
		return nil, Invalid(field, "may name at most %d tags", max)
	}
	return out, nil
}

// validateTags checks the tag filters of f.
func (f TaskFilter) validateTags() error {
	if _, err := TagIDs("tag", f.AllTags, MaxTagsPerFilter); err != nil {
		return err
	}
	_, err := TagIDs("any_tag", f.AnyTags, MaxTagsPerFilter)
	return err
}

// The bulk actions on tags: TaskBulk.TagIDs are added to, or removed
// from, every named task.
const (
	BulkAddTags    BulkAction = "add_tags"
	BulkRemoveTags BulkAction = "remove_tags"
)

// validateTags checks a bulk request of tags: it names 1 to
// MaxTagsPerTask tags, and changes nothing else.
func (b *TaskBulk) validateTags() error {
	c := b.Changes
	if c.Title != nil || c.Description.Set || c.DueDate.Set || c.ParentID.Set || c.Status != nil ||
		c.Priority != nil || c.CategoryID.Set || c.Reminders != nil || c.TagIDs != nil {
		return Invalid("changes", "must be left out when the action is %s", b.Action)
	}
	ids, err := TagIDs("tag_ids", b.TagIDs, MaxTagsPerTask)
	if err != nil {
		return err
	}
	if len(ids) == 0 {
		return Invalid("tag_ids", "must name 1 to %d tags", MaxTagsPerTask)
	}
	b.TagIDs = ids
	return nil
}
