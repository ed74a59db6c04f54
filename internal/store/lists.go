package store

import (
	"encoding/json"
	"time"

	"github.com/google/uuid"

	"github.com/taskapi/taskapi"
)

// Page asks for one page of a list: its size and where it starts.
type Page struct {
	// Limit is the page size, at least 1.
	Limit int
	// After is the Next of the previous page; "" for the first page.
	After Position
}

// Position is where a page of a list starts: just after the item with a
// sort-key value and ID. It is a position in the order, never an offset,
// so a page costs the same wherever it starts, and items added or removed
// meanwhile never make a page skip or repeat another. It is opaque outside
// the store: the API signs it into its cursors and gives it back.
type Position string

// errBadPosition answers a position that no page of this list returned.
var errBadPosition = taskapi.NewProblem(taskapi.ErrBadRequest,
	"the cursor is not valid for this list: use the next_cursor of the previous page with the same sort and filters, or start again without a cursor")

// position is a Position read back.
type position struct {
	// Null: in the section of items without a key value, which come last
	// in both directions, ordered by ID alone.
	Null bool
	// Key is the sort key's value: a time.Time, an int or a string; nil
	// for lists ordered by ID.
	Key any
	ID  uuid.UUID
}

// keyKind is the type of a sort key's values.
type keyKind int

const (
	idOnly  keyKind = iota // the list is ordered by ID alone
	timeKey                // a time.Time, to the microsecond
	rankKey                // a priority rank
	textKey                // a text key (title_key, name_key)
	intKey                 // an integer (a subtask's position)
)

// sortKey is one entry of a sort-key table: how a list of T is ordered.
// Ties are always broken by ID in the list's direction.
type sortKey[T any] struct {
	// column is the ordering column; "id" for lists ordered by ID.
	column string
	kind   keyKind
	// nullsLast: items without a value come after the others in both
	// directions, ordered by ID.
	nullsLast bool
	// index is the (user_id, column, id) index a page walks ("" for none
	// to force).
	index string
	// tagIndex is the (tag_id, task_column, task_id) index of task_tags
	// that a page filtered by tag walks (tasks only; see tagWalk).
	tagIndex string
	// value is the key of an item; nil (or a nil result) when it has none.
	value func(T) any
}

// taskSorts is the sort-key table of lists of tasks. A new sort is one
// entry here and its name in taskapi.TaskSortKeys.
var taskSorts = map[taskapi.TaskSortKey]sortKey[taskapi.Task]{
	taskapi.SortCreatedAt: {column: "created_at", kind: timeKey, index: "tasks_user_created_idx", tagIndex: "task_tags_created_idx",
		value: func(t taskapi.Task) any { return t.CreatedAt }},
	taskapi.SortUpdatedAt: {column: "updated_at", kind: timeKey, index: "tasks_user_updated_idx", tagIndex: "task_tags_updated_idx",
		value: func(t taskapi.Task) any { return t.UpdatedAt }},
	taskapi.SortDueDate: {column: "due_date", kind: timeKey, nullsLast: true, index: "tasks_user_due_idx", tagIndex: "task_tags_due_idx",
		value: func(t taskapi.Task) any {
			if t.DueDate == nil {
				return nil
			}
			return *t.DueDate
		}},
	taskapi.SortPriority: {column: "priority", kind: rankKey, index: "tasks_user_priority_idx", tagIndex: "task_tags_priority_idx",
		value: func(t taskapi.Task) any { return t.Priority.Rank() }},
	taskapi.SortTitle: {column: "title_key", kind: textKey, index: "tasks_user_title_idx", tagIndex: "task_tags_title_idx",
		value: func(t taskapi.Task) any { return taskapi.TitleSortKey(t.Title) }},
}

// The orders of the other lists.
var (
	categoryOrder = sortKey[taskapi.Category]{column: "name_key", kind: textKey} // names are unique per user
	sessionOrder  = sortKey[taskapi.Session]{column: "id", kind: idOnly}         // descending: newest first (UUIDv7)
	userOrder     = sortKey[taskapi.User]{column: "id", kind: idOnly}            // creation order (UUIDv7)
	// descending: newest first (UUIDv7)
	accessTokenOrder = sortKey[taskapi.AccessToken]{column: "id", kind: idOnly}
	// names are unique per user
	tagOrder = sortKey[taskapi.Tag]{column: "name_key", kind: textKey}
)

// at is the position just after v.
func (k sortKey[T]) at(v T, id uuid.UUID) position {
	p := position{ID: id}
	if k.value != nil {
		p.Key = k.value(v)
		p.Null = p.Key == nil
	}
	return p
}

// wirePosition is a Position's encoding.
type wirePosition struct {
	Null bool            `json:"n,omitempty"`
	Key  json.RawMessage `json:"k,omitempty"`
	ID   uuid.UUID       `json:"i"`
}

// encode makes the Position of p.
func (k sortKey[T]) encode(p position) Position {
	w := wirePosition{Null: p.Null, ID: p.ID}
	if !p.Null && k.kind != idOnly {
		v := p.Key
		if t, ok := v.(time.Time); ok {
			v = t.UTC().Format(time.RFC3339Nano)
		}
		w.Key, _ = json.Marshal(v) // a string or an int always marshals
	}
	b, _ := json.Marshal(w)
	return Position(b)
}

// decode reads a Position back; nil for the first page. A position whose
// key does not fit this order is errBadPosition.
func (k sortKey[T]) decode(s Position) (*position, error) {
	if s == "" {
		return nil, nil
	}
	var w wirePosition
	if err := json.Unmarshal([]byte(s), &w); err != nil || w.ID == uuid.Nil {
		return nil, errBadPosition
	}
	p := &position{Null: w.Null, ID: w.ID}
	switch {
	case w.Null && !k.nullsLast, w.Null != (len(w.Key) == 0) && k.kind != idOnly:
		return nil, errBadPosition
	case w.Null || k.kind == idOnly:
		return p, nil
	}
	var err error
	switch k.kind {
	case timeKey:
		var text string
		var t time.Time
		if err = json.Unmarshal(w.Key, &text); err == nil {
			t, err = time.Parse(time.RFC3339Nano, text)
		}
		p.Key = t.UTC()
	case rankKey:
		var rank int
		if err = json.Unmarshal(w.Key, &rank); err == nil {
			if _, ok := taskapi.PriorityFromRank(rank); !ok {
				err = errBadPosition
			}
		}
		p.Key = rank
	case textKey:
		var text string
		err = json.Unmarshal(w.Key, &text)
		p.Key = text
	case intKey:
		var n int64
		err = json.Unmarshal(w.Key, &n)
		p.Key = n
	}
	if err != nil {
		return nil, errBadPosition
	}
	return p, nil
}

// order is the ORDER BY of a page: (column, id), both in the direction.
func (k sortKey[T]) order(desc bool) string { return k.orderOn(k.column, "id", desc) }

// orderOn is order on other columns holding the key and the ID (a
// copy of them, as task_tags holds its tasks' keys).
func (k sortKey[T]) orderOn(column, id string, desc bool) string {
	dir := " ASC"
	if desc {
		dir = " DESC"
	}
	if k.kind == idOnly {
		return id + dir
	}
	return column + dir + ", " + id + dir
}

// after is the keyset condition of a page that starts after p: (column,
// id) beyond (key, id) in the direction, a row-value comparison that an
// index range scan serves; in the section without a key, id alone.
func (k sortKey[T]) after(a *args, p *position, desc bool) string {
	return k.afterOn(a, p, k.column, "id", desc)
}

// afterOn is after on other columns holding the key and the ID.
func (k sortKey[T]) afterOn(a *args, p *position, column, id string, desc bool) string {
	cmp := " > "
	if desc {
		cmp = " < "
	}
	if k.kind == idOnly || p.Null {
		return id + cmp + a.add(p.ID)
	}
	return "(" + column + ", " + id + ")" + cmp + "(" + a.add(p.Key) + ", " + a.add(p.ID) + ")"
}

// pageOf cuts a list read with one item more than the page into the page
// and the position of the next one ("" on the last page).
func pageOf[T any](k sortKey[T], items []T, limit int, id func(T) uuid.UUID) ([]T, Position) {
	if len(items) <= limit {
		return items, ""
	}
	last := items[limit-1]
	return items[:limit], k.encode(k.at(last, id(last)))
}

// TaskPosition is the position just after t in a list of tasks sorted by
// key, for tools that start a list mid-way (benchmarks).
func TaskPosition(t taskapi.Task, key taskapi.TaskSortKey) Position {
	k := taskSorts[key]
	return k.encode(k.at(t, t.ID))
}
