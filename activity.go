package taskapi

import (
	"strings"
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

// ActivityPhrase says in a few words what one change did to a task or
// its comments ("priority LOW → HIGH", "comment added"). value renders a
// field's value for the reader (nil: the value is empty); the API passes
// the raw values, the web app friendlier ones.
func ActivityPhrase(entity, op string, fields []FieldChange, value func(field string, v *string) string) string {
	switch {
	case entity == "comment" && op == "create":
		return "comment added"
	case entity == "comment" && op == "delete":
		return "comment deleted"
	case entity == "comment":
		return "comment edited"
	case op == "create":
		return "created the task"
	case op == "delete":
		return "deleted the task"
	}
	parts := make([]string, 0, len(fields))
	for _, f := range fields {
		name := strings.ReplaceAll(strings.TrimSuffix(f.Field, "_id"), "_", " ")
		switch {
		case f.Field == "completed_occurrence" || f.Field == "skipped_occurrence":
			verb := map[string]string{"completed_occurrence": "completed", "skipped_occurrence": "skipped"}[f.Field]
			parts = append(parts, verb+" the occurrence due "+value("due_date", f.From))
		case f.Field == "undone_completion":
			parts = append(parts, "undid the completion of the occurrence due "+value("due_date", f.From))
		case f.Field == "recurrence":
			parts = append(parts, "repeat "+value(f.Field, f.From)+" → "+value(f.Field, f.To))
		case f.Field == "position":
			parts = append(parts, "moved among its siblings")
		case f.Field == "parent_id" && f.To == nil:
			parts = append(parts, "made a top-level task")
		case f.Field == "parent_id":
			parts = append(parts, "made a subtask")
		case f.From == nil && f.To == nil:
			parts = append(parts, name+" changed")
		default:
			parts = append(parts, name+" "+value(f.Field, f.From)+" → "+value(f.Field, f.To))
		}
	}
	if len(parts) == 0 {
		return "updated the task"
	}
	return strings.Join(parts, ", ")
}
