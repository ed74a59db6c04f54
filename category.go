package taskapi

import (
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
)

// Category groups a user's tasks under a name and a colour.
type Category struct {
	ID     uuid.UUID
	UserID uuid.UUID
	Name   string
	Color  string
	// TaskCount is how many tasks the category holds. It is derived, so it
	// is not part of the category's version.
	TaskCount int64
	CreatedAt time.Time
	UpdatedAt time.Time
	// Version counts the changes of the category's own fields.
	Version int64
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
	if !ValidText(name) {
		return Invalid("name", "must be valid UTF-8 without NUL characters")
	}
	return nil
}

// NormalizeColor writes a colour in the one form that is stored: upper case.
func NormalizeColor(color string) string { return strings.ToUpper(color) }

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

// CategoryPatch is a merge-patch of a category: nil fields stay as they are.
type CategoryPatch struct {
	Name  *string
	Color *string
}

// Apply validates p and applies it to c. It reports whether anything
// changed, so that a patch that changes nothing leaves the version alone.
func (c *Category) Apply(p CategoryPatch) (changed bool, err error) {
	if p.Name != nil {
		if err := ValidateCategoryName(*p.Name); err != nil {
			return false, err
		}
		changed = changed || *p.Name != c.Name
		c.Name = *p.Name
	}
	if p.Color != nil {
		if err := ValidateColor(*p.Color); err != nil {
			return false, err
		}
		color := NormalizeColor(*p.Color)
		changed = changed || color != c.Color
		c.Color = color
	}
	return changed, nil
}
