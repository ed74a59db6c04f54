package taskapi

import (
	"time"

	"github.com/google/uuid"
)

// FieldChange is one field a change altered, with its value before and
// after as text (nil: empty). Long text (a description) is not copied into
// the history: its From and To stay nil and only the field is named.
type FieldChange struct {
	Field    string
	From, To *string
}

// TaskChanges lists the fields of a task that differ between cur and next,
// in a fixed order. completed_at follows status, so status stands for it.
// Reminders are not compared here: the store knows whether it changed
// them and names them ("reminders").
func TaskChanges(cur, next Task) []FieldChange {
	var out []FieldChange
	add := func(field string, from, to *string) {
		if !equalPtr(from, to) {
			out = append(out, FieldChange{Field: field, From: from, To: to})
		}
	}
	add("title", &cur.Title, &next.Title)
	if !equalPtr(cur.Description, next.Description) {
		out = append(out, FieldChange{Field: "description"})
	}
	add("status", text(string(cur.Status)), text(string(next.Status)))
	add("priority", text(string(cur.Priority)), text(string(next.Priority)))
	add("due_date", timeText(cur.DueDate), timeText(next.DueDate))
	add("category_id", idText(cur.CategoryID), idText(next.CategoryID))
	add("parent_id", idText(cur.ParentID), idText(next.ParentID))
	if cur.Position != next.Position && equalPtr(idText(cur.ParentID), idText(next.ParentID)) {
		out = append(out, FieldChange{Field: "position"})
	}
	return out
}



func text(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func timeText(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := t.UTC().Format(time.RFC3339)
	return &s
}

func idText(id *uuid.UUID) *string {
	if id == nil {
		return nil
	}
	s := id.String()
	return &s
}
