package taskapi

import (
	"strings"
	"time"

	"github.com/google/uuid"
)

// TaskSortKey names what a list of tasks is ordered by.
type TaskSortKey string

// The keys a list of tasks can be sorted by.
const (
	SortCreatedAt TaskSortKey = "created_at"
	SortUpdatedAt TaskSortKey = "updated_at"
	SortDueDate   TaskSortKey = "due_date"
	SortPriority  TaskSortKey = "priority"
	SortTitle     TaskSortKey = "title"
)

// TaskSortKeys lists every sort key. The slice is a new one on every call:
// the caller may keep or change it.
func TaskSortKeys() []TaskSortKey {
	return []TaskSortKey{SortCreatedAt, SortUpdatedAt, SortDueDate, SortPriority, SortTitle}
}

// Valid reports whether k is a known sort key.
func (k TaskSortKey) Valid() bool {
	switch k {
	case SortCreatedAt, SortUpdatedAt, SortDueDate, SortPriority, SortTitle:
		return true
	}
	return false
}

// TaskSort is the order of a list: a key and a direction. Ties are always
// broken by ID in the same direction, and tasks without a due date come
// last in both directions when sorting by due date.
type TaskSort struct {
	Key  TaskSortKey
	Desc bool
}

// DefaultTaskSort is the order of a list that names none: newest first.
func DefaultTaskSort() TaskSort { return TaskSort{Key: SortCreatedAt, Desc: true} }

// ParseTaskSort reads "key" or "-key" (descending).
func ParseTaskSort(s string) (TaskSort, error) {
	if s == "" {
		return DefaultTaskSort(), nil
	}
	var out TaskSort
	if rest, ok := strings.CutPrefix(s, "-"); ok {
		out.Desc, s = true, rest
	}
	if k := TaskSortKey(s); k.Valid() {
		out.Key = k
		return out, nil
	}
	return TaskSort{}, Invalid("sort", "must be one of created_at, updated_at, due_date, priority, title, optionally with a leading -")
}

// String is the form ParseTaskSort reads.
func (s TaskSort) String() string {
	if s.Desc {
		return "-" + string(s.Key)
	}
	return string(s.Key)
}

// TaskFilter selects the tasks of a list. Every set field narrows it; the
// zero value selects every task except ARCHIVED ones.
type TaskFilter struct {
	// Statuses, when not empty, keeps tasks with one of them; when empty,
	// ARCHIVED tasks are left out.
	Statuses []Status
	// Priorities, when not empty, keeps tasks with one of them.
	Priorities []Priority
	// CategoryID keeps the tasks of one category.
	CategoryID *uuid.UUID
	// DueAfter keeps tasks due at or after it; DueBefore, due strictly
	// before it. Either one leaves out tasks without a due date.
	DueAfter  *time.Time
	DueBefore *time.Time
	// Overdue keeps the tasks overdue by OverdueCut: open, due in the past,
	// a due date at 00:00 in the person's zone counting as that whole day.
	Overdue bool
	// Query keeps tasks whose title or description contains it, ignoring
	// case.
	Query string
	// ParentID keeps the direct subtasks of one task; TopLevel keeps the
	// tasks that are no one's subtask. The two exclude each other.
	ParentID *uuid.UUID
	TopLevel bool
	// AllTags keeps the tasks that have every one of these tags; AnyTags,
	// those that have at least one of them.
	AllTags []uuid.UUID
	AnyTags []uuid.UUID
}

// TaskQueryMaxLen bounds the search text.
const TaskQueryMaxLen = 200

// Validate checks the filter's own rules.
func (f TaskFilter) Validate() error {
	for _, s := range f.Statuses {
		if !s.Valid() {
			return Invalid("status", "unknown status %q", s)
		}
	}
	for _, p := range f.Priorities {
		if !p.Valid() {
			return Invalid("priority", "unknown priority %q", p)
		}
	}
	if len([]rune(f.Query)) > TaskQueryMaxLen || !ValidText(f.Query) {
		return Invalid("q", "must be at most %d characters of valid UTF-8 without NUL", TaskQueryMaxLen)
	}
	if f.DueAfter != nil {
		if err := ValidateInstant("due_after", *f.DueAfter); err != nil {
			return err
		}
	}
	if f.DueBefore != nil {
		if err := ValidateInstant("due_before", *f.DueBefore); err != nil {
			return err
		}
	}
	if f.DueAfter != nil && f.DueBefore != nil && !f.DueAfter.Before(*f.DueBefore) {
		return Invalid("due_after", "must be before due_before")
	}
	if f.ParentID != nil && f.TopLevel {
		return Invalid("top_level", "cannot be combined with parent_id")
	}
	return f.validateTags()
}

// Change is one nullable field of a merge-patch: Set says the field was
// given; Value is its new value, nil to clear it.
type Change[T any] struct {
	Set   bool
	Value *T
}

// SetTo returns a Change that sets the field to v.
func SetTo[T any](v T) Change[T] { return Change[T]{Set: true, Value: &v} }

// Clear returns a Change that clears the field.
func Clear[T any]() Change[T] { return Change[T]{Set: true} }

// TaskPatch is a merge-patch of a task: nil pointers and unset Changes
// leave their field as it is.
type TaskPatch struct {
	Title       *string
	Description Change[string]
	Status      *Status
	Priority    *Priority
	DueDate     Change[time.Time]
	CategoryID  Change[uuid.UUID]
	// Reminders, when not nil, replaces the task's reminders (an empty
	// set removes them).
	Reminders *[]Reminder
	// ParentID moves the task under another task, or to the top level
	// when cleared; the store checks owner, depth and cycles.
	ParentID Change[uuid.UUID]
	// Recurrence makes the task repeat, or stop repeating when cleared.
	Recurrence Change[Recurrence]
	// TagIDs, when not nil, replaces the task's tags (an empty set removes
	// them); the store checks that they are the user's.
	TagIDs *[]uuid.UUID
}

// Apply validates p and applies it to t, keeping CompletedAt true to the
// status. It reports whether anything changed, so that a patch that
// changes nothing leaves the version and updated_at alone.
func (t *Task) Apply(p TaskPatch, now time.Time) (changed bool, err error) {
	before := *t
	if p.Title != nil {
		t.Title = *p.Title
	}
	if p.Description.Set {
		t.Description = p.Description.Value
	}
	if p.Priority != nil {
		t.Priority = *p.Priority
	}
	if p.DueDate.Set {
		t.DueDate = p.DueDate.Value
	}
	if p.CategoryID.Set {
		t.CategoryID = p.CategoryID.Value
	}
	if p.ParentID.Set {
		t.ParentID = p.ParentID.Value
	}
	if p.Recurrence.Set {
		t.Recurrence = p.Recurrence.Value
	}
	if p.Status != nil {
		t.SetStatus(*p.Status, now)
	}
	if err := t.Validate(); err != nil {
		*t = before
		return false, err
	}
	return !sameTask(before, *t), nil
}

// sameTask compares the fields a client can change.
func sameTask(a, b Task) bool {
	return a.Title == b.Title && equalPtr(a.Description, b.Description) && a.Status == b.Status &&
		a.Priority == b.Priority && equalTime(a.DueDate, b.DueDate) && equalPtr(a.CategoryID, b.CategoryID) &&
		equalTime(a.CompletedAt, b.CompletedAt) && equalPtr(a.ParentID, b.ParentID)
}

func equalPtr[T comparable](a, b *T) bool {
	return a == nil && b == nil || a != nil && b != nil && *a == *b
}

func equalTime(a, b *time.Time) bool {
	return a == nil && b == nil || a != nil && b != nil && a.Equal(*b)
}

// BulkAction is what a bulk request does to its tasks.
type BulkAction string

// The bulk actions.
const (
	BulkUpdate BulkAction = "update"
	BulkDelete BulkAction = "delete"
)

// BulkMaxIDs bounds the tasks of one bulk request.
const BulkMaxIDs = 100

// TaskBulk changes or deletes several tasks at once, all or nothing.
type TaskBulk struct {
	IDs    []uuid.UUID
	Action BulkAction
	// Changes apply to every task of an update: only status, priority and
	// category can be changed in bulk.
	Changes TaskPatch
	// TagIDs are the tags of BulkAddTags and BulkRemoveTags.
	TagIDs []uuid.UUID
}

// Validate checks the request's own rules and removes repeated IDs (the
// same task named twice is changed once).
func (b *TaskBulk) Validate() error {
	if len(b.IDs) == 0 || len(b.IDs) > BulkMaxIDs {
		return Invalid("ids", "must name 1 to %d tasks", BulkMaxIDs)
	}
	seen := make(map[uuid.UUID]bool, len(b.IDs))
	unique := b.IDs[:0:0]
	for _, id := range b.IDs {
		if !seen[id] {
			seen[id] = true
			unique = append(unique, id)
		}
	}
	b.IDs = unique
	c := b.Changes
	if len(b.TagIDs) > 0 && b.Action != BulkAddTags && b.Action != BulkRemoveTags {
		return Invalid("tag_ids", "must be left out unless the action is add_tags or remove_tags")
	}
	switch b.Action {
	case BulkAddTags, BulkRemoveTags:
		return b.validateTags()
	case BulkDelete:
		if c.Status != nil || c.Priority != nil || c.CategoryID.Set || c.ParentID.Set {
			return Invalid("changes", "must be left out when the action is delete")
		}
	case BulkUpdate:
		if c.Title != nil || c.Description.Set || c.DueDate.Set || c.ParentID.Set {
			return Invalid("changes", "may change only status, priority and category_id")
		}
		if c.Status == nil && c.Priority == nil && !c.CategoryID.Set {
			return Invalid("changes", "must change at least one of status, priority, category_id")
		}
		if c.Status != nil && !c.Status.Valid() {
			return Invalid("changes.status", "unknown status %q", *c.Status)
		}
		if c.Priority != nil && !c.Priority.Valid() {
			return Invalid("changes.priority", "unknown priority %q", *c.Priority)
		}
	default:
		return Invalid("action", "must be update, delete, add_tags or remove_tags")
	}
	return nil
}

// TaskStats summarises a user's tasks.
type TaskStats struct {
	ByStatus   map[Status]int64
	ByPriority map[Priority]int64
	// Overdue counts the tasks overdue by the window's OverdueCut.
	Overdue int64
	// DueToday counts open tasks due today, in the time zone asked for.
	DueToday int64
	// CompletedLast7Days counts tasks completed in the last 7×24 hours.
	CompletedLast7Days int64
	// CompletionsPerDay counts completions on each of the last
	// StatsDays days in the time zone asked for, oldest first, the
	// recurring tasks' from their history included (stats_days.go).
	CompletionsPerDay []DayCount
}

// StatsWindow is the set of instants the stats are computed against; it is
// computed in Go so that every engine counts the same day.
type StatsWindow struct {
	Now            time.Time
	TodayStart     time.Time
	TomorrowStart  time.Time
	CompletedSince time.Time
	// Days are the starts of the last StatsDays local days, today last,
	// then the start of tomorrow.
	Days []time.Time
}

// NewStatsWindow computes the window for now in loc: "today" is the
// calendar day of now in loc, whatever its length (DST).
func NewStatsWindow(now time.Time, loc *time.Location) StatsWindow {
	local := now.In(loc)
	y, m, d := local.Date()
	return StatsWindow{
		Now:            now.UTC(),
		TodayStart:     time.Date(y, m, d, 0, 0, 0, 0, loc).UTC(),
		TomorrowStart:  time.Date(y, m, d+1, 0, 0, 0, 0, loc).UTC(),
		CompletedSince: now.UTC().Add(-7 * 24 * time.Hour),
		Days:           dayStarts(y, m, d, loc),
	}
}
