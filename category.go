package taskapi

import (
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
)

// Category groups a user's tasks under a name and a colour.
type Category struct {
	ID        uuid.UUID
	UserID    uuid.UUID
	Name      string
	Color     string
	TaskCount int64
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Category rules.
const (
	CategoryNameMaxLen = 50
	DefaultColor       = "#6B7280"
)

// CategoryNameKey is the form in which names are compared: a user's
// category names are unique ignoring case.
func CategoryNameKey(name string) string { return strings.ToLower(name) }

// ValidateCategoryName checks the name rule (1–50 characters).
func ValidateCategoryName(name string) error {
	n := utf8.RuneCountInString(name)
	if strings.TrimSpace(name) == "" || n > CategoryNameMaxLen {
		return Invalid("name", "must be 1 to %d characters and not blank", CategoryNameMaxLen)
	}
	return nil
}

// ValidateColor checks the #RRGGBB rule.
func ValidateColor(color string) error {
	if len(color) != 7 || color[0] != '#' {
		return Invalid("color", "must be #RRGGBB")
	}
	for _, c := range color[1:] {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return Invalid("color", "must be #RRGGBB")
		}
	}
	return nil
}
