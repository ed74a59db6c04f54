package store

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"

	"github.com/taskapi/taskapi"
)

// Every sort a client may ask for has its entry in the sort-key table, and
// a position made from a task reads back as the same position.
func TestTaskSortsCoverEveryKeyAndRoundTrip(t *testing.T) {
	due := time.Date(2026, 12, 24, 9, 30, 0, 123456000, time.UTC)
	tasks := []taskapi.Task{
		{ID: uuid.Must(uuid.NewV7()), Title: "Écrire", Priority: taskapi.PriorityUrgent,
			CreatedAt: due.Add(-time.Hour), UpdatedAt: due.Add(-time.Minute), DueDate: &due},
		{ID: uuid.Must(uuid.NewV7()), Title: "no due date", Priority: taskapi.PriorityLow, CreatedAt: due, UpdatedAt: due},
	}
	for _, key := range taskapi.TaskSortKeys() {
		k, ok := taskSorts[key]
		if !ok || k.column == "" || k.value == nil {
			t.Fatalf("sort %q has no entry in taskSorts", key)
		}
		for _, task := range tasks {
			want := k.at(task, task.ID)
			if want.Null && !k.nullsLast {
				t.Errorf("sort %q: a task without a key, but the key has no null section", key)
			}
			got, err := k.decode(k.encode(want))
			if err != nil {
				t.Fatalf("sort %q: decode: %v", key, err)
			}
			if diff := cmp.Diff(want, *got); diff != "" {
				t.Errorf("sort %q: position changed on the way back (-want +got):\n%s", key, diff)
			}
		}
	}
	if len(taskSorts) != len(taskapi.TaskSortKeys()) {
		t.Errorf("taskSorts has %d entries for %d sort keys", len(taskSorts), len(taskapi.TaskSortKeys()))
	}
}

// A position that does not fit the list's order is refused, never used.
func TestPositionsOfAnotherOrderAreRefused(t *testing.T) {
	id := uuid.Must(uuid.NewV7())
	byTitle := taskSorts[taskapi.SortTitle].encode(position{Key: "abc", ID: id})
	noDue := taskSorts[taskapi.SortDueDate].encode(position{Null: true, ID: id})
	tests := []struct {
		name string
		key  taskapi.TaskSortKey
		pos  Position
	}{
		{"not JSON", taskapi.SortCreatedAt, "nope"},
		{"no ID", taskapi.SortCreatedAt, `{"k":"2026-01-01T00:00:00Z"}`},
		{"text for a time", taskapi.SortCreatedAt, byTitle},
		{"text for a rank", taskapi.SortPriority, byTitle},
		{"rank out of range", taskapi.SortPriority, Position(`{"k":9,"i":"` + id.String() + `"}`)},
		{"null section without one", taskapi.SortTitle, noDue},
	}
	for _, tt := range tests {
		if _, err := taskSorts[tt.key].decode(tt.pos); !errors.Is(err, taskapi.ErrBadRequest) {
			t.Errorf("%s: %v, want ErrBadRequest", tt.name, err)
		}
	}
}
