package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/taskapi/taskapi"
	"github.com/taskapi/taskapi/internal/store"
	"github.com/taskapi/taskapi/internal/testkit"
)

// The store keeps instants to the microsecond, whatever its caller gives:
// an update answers what a read returns, the same update again is no
// change, and due-date filters with finer digits agree on both engines.
func TestTaskTimesToTheMicrosecond(t *testing.T) {
	eachWithClock(t, func(t *testing.T, s *store.Store, c *testkit.Clock) {
		ctx := context.Background()
		user := newUser(t, s, "alice")
		task, _, err := s.CreateTask(ctx, user, taskapi.Task{Title: "t"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		nanos := time.Date(2030, 5, 6, 9, 8, 9, 123456789, time.FixedZone("+02:00", 2*3600))
		stored := time.Date(2030, 5, 6, 7, 8, 9, 123456000, time.UTC)
		updated, err := s.UpdateTask(ctx, user, task.ID, taskapi.TaskPatch{DueDate: taskapi.SetTo(nanos)}, nil)
		if err != nil || !updated.DueDate.Equal(stored) || updated.DueDate.Location() != time.UTC || updated.Version != 2 {
			t.Fatalf("update: %+v, %v", updated, err)
		}
		c.Advance(time.Second)
		again, err := s.UpdateTask(ctx, user, task.ID, taskapi.TaskPatch{DueDate: taskapi.SetTo(nanos)}, nil)
		if err != nil || again.Version != 2 || !again.UpdatedAt.Equal(updated.UpdatedAt) {
			t.Errorf("the same update again: version %d, updated_at %v → %v, %v", again.Version, updated.UpdatedAt, again.UpdatedAt, err)
		}
		list := func(f taskapi.TaskFilter) int {
			t.Helper()
			items, _, err := s.ListTasks(ctx, user, store.TaskQuery{Filter: f, Sort: taskapi.TaskSort{Key: taskapi.SortDueDate}, Limit: 10})
			if err != nil {
				t.Fatal(err)
			}
			return len(items)
		}
		if n := list(taskapi.TaskFilter{DueAfter: &nanos}); n != 1 {
			t.Errorf("due after the instant it was set to: %d tasks, want 1", n)
		}
		if n := list(taskapi.TaskFilter{DueBefore: &nanos}); n != 0 {
			t.Errorf("due before the instant it was set to: %d tasks, want 0", n)
		}
	})
}
