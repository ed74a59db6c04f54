package taskapi

import (
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
)

// Task is one thing to do.
type Task struct {
	ID          uuid.UUID
	UserID      uuid.UUID
	CategoryID  *uuid.UUID
	Title       string
	Description *string
	Status      Status
	Priority    Priority
	DueDate     *time.Time
	CompletedAt *time.Time
	CreatedAt   time.Time
	UpdatedAt   time.Time
	// Version counts the changes of the task; it starts at 1 and grows by
	// one on every update, so an ETag built from it never repeats.
	Version int64
	// Reminders are the task's reminders, in the order they were given.
	Reminders []Reminder
	// ParentID is the task this one is a subtask of; nil for a top-level
	// task. A parent is the same user's, and trees are at most
	// MaxTaskDepth levels deep.
	ParentID *uuid.UUID
	// Position orders a subtask among its parent's children (ascending);
	// 0 for a top-level task. Set by the store.
	Position int64
	// SubtaskCount and CompletedSubtaskCount count the task's direct
	// children, all and COMPLETED; CommentCount its comments. Read-only
	// aggregates: not part of the version.
	SubtaskCount          int64
	CompletedSubtaskCount int64
	CommentCount          int64
	// Recurrence makes the task repeat (recurrence.go); nil for a task
	// that does not. A recurring task has a due date.
	Recurrence *Recurrence
	// Tags are the task's tags, by name ignoring case (tag.go).
	Tags []TaskTag
}

// MaxTaskDepth is how many levels a tree of tasks may have: a top-level
// task is level 1, its subtasks level 2, and so on.
const MaxTaskDepth = 4

// Task rules.
const (
	TaskTitleMaxLen       = 200
	TaskDescriptionMaxLen = 10000
)

// Status is where a task stands.
type Status string

// The statuses of a task.
const (
	StatusTodo       Status = "TODO"
	StatusInProgress Status = "IN_PROGRESS"
	StatusCompleted  Status = "COMPLETED"
	StatusArchived   Status = "ARCHIVED"
)

// Statuses lists every status in a stable order. The slice is a new one
// on every call: the caller may keep or change it.
func Statuses() []Status {
	return []Status{StatusTodo, StatusInProgress, StatusCompleted, StatusArchived}
}

// Valid reports whether s is a known status.
func (s Status) Valid() bool {
	switch s {
	case StatusTodo, StatusInProgress, StatusCompleted, StatusArchived:
		return true
	}
	return false
}

// Priority is how urgent a task is; priorities are ordered by Rank.
type Priority string

// The priorities, from lowest to highest.
const (
	PriorityLow    Priority = "LOW"
	PriorityMedium Priority = "MEDIUM"
	PriorityHigh   Priority = "HIGH"
	PriorityUrgent Priority = "URGENT"
)

// Priorities lists every priority from lowest to highest. The slice is a
// new one on every call: the caller may keep or change it.
func Priorities() []Priority {
	return []Priority{PriorityLow, PriorityMedium, PriorityHigh, PriorityUrgent}
}

// Rank orders priorities: LOW=1 < MEDIUM=2 < HIGH=3 < URGENT=4; 0 for unknown.
func (p Priority) Rank() int {
	switch p {
	case PriorityLow:
		return 1
	case PriorityMedium:
		return 2
	case PriorityHigh:
		return 3
	case PriorityUrgent:
		return 4
	}
	return 0
}

// PriorityFromRank is the inverse of Rank.
func PriorityFromRank(rank int) (Priority, bool) {
	switch rank {
	case 1:
		return PriorityLow, true
	case 2:
		return PriorityMedium, true
	case 3:
		return PriorityHigh, true
	case 4:
		return PriorityUrgent, true
	}
	return "", false
}

// Valid reports whether p is a known priority.
func (p Priority) Valid() bool { return p.Rank() != 0 }

// ValidateTitle checks the title rule (1–200 characters, not blank).
func ValidateTitle(title string) error {
	if strings.TrimSpace(title) == "" || utf8.RuneCountInString(title) > TaskTitleMaxLen {
		return Invalid("title", "must be 1 to %d characters and not blank", TaskTitleMaxLen)
	}
	if !ValidText(title) {
		return Invalid("title", "must be valid UTF-8 without NUL characters")
	}
	return nil
}

// ValidateDescription checks the description rule (at most 10,000 characters).
func ValidateDescription(d *string) error {
	if d == nil {
		return nil
	}
	if utf8.RuneCountInString(*d) > TaskDescriptionMaxLen {
		return Invalid("description", "must be at most %d characters", TaskDescriptionMaxLen)
	}
	if !ValidText(*d) {
		return Invalid("description", "must be valid UTF-8 without NUL characters")
	}
	return nil
}

// The years a due date (or any instant a client gives) may fall in, in
// UTC: RFC 3339, and so the JSON of the API, writes four-digit years only,
// and SQLite compares the stored text, which orders only such years.
const (
	MinYear = 1
	MaxYear = 9999
)

// ValidateInstant checks that t falls in the years MinYear–MaxYear once in
// UTC. An offset can carry a time written in range out of it:
// 9999-12-31T23:00:00-05:00 is in the year 10000.
func ValidateInstant(field string, t time.Time) error {
	if y := t.UTC().Year(); y < MinYear || y > MaxYear {
		return Invalid(field, "must fall in the years %04d to %04d in UTC", MinYear, MaxYear)
	}
	return nil
}

// ValidateDueDate checks a task's due date: none, or an instant in range
// (ValidateInstant).
func ValidateDueDate(due *time.Time) error {
	if due == nil {
		return nil
	}
	return ValidateInstant("due_date", *due)
}

// ValidText reports whether s can be stored as text by every engine:
// valid UTF-8 without NUL, which PostgreSQL refuses in text columns.
func ValidText(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsRune(s, 0)
}

// TitleSortKey is the form by which tasks are sorted by title: lower case,
// compared byte by byte (Unicode code point order) on every engine, so the
// order does not depend on a database's locale.
func TitleSortKey(title string) string { return strings.ToLower(title) }

// Validate checks every rule of a task that stands on its own (the category
// must also be the owner's: the store checks that).
func (t *Task) Validate() error {
	if err := ValidateTitle(t.Title); err != nil {
		return err
	}
	if err := ValidateDescription(t.Description); err != nil {
		return err
	}
	if err := ValidateDueDate(t.DueDate); err != nil {
		return err
	}
	if t.Recurrence != nil && t.DueDate == nil {
		return errRecurringNeedsDue
	}
	if !t.Status.Valid() {
		return Invalid("status", "must be one of TODO, IN_PROGRESS, COMPLETED, ARCHIVED")
	}
	if !t.Priority.Valid() {
		return Invalid("priority", "must be one of LOW, MEDIUM, HIGH, URGENT")
	}
	return nil
}

// SetStatus changes the status and keeps CompletedAt true to it: set when
// the task becomes COMPLETED, cleared when it leaves it.
func (t *Task) SetStatus(s Status, now time.Time) {
	if s == StatusCompleted && t.Status != StatusCompleted {
		n := now
		t.CompletedAt = &n
	}
	if s != StatusCompleted {
		t.CompletedAt = nil
	}
	t.Status = s
}
