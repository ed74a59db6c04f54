package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/taskapi/taskapi"
	"github.com/taskapi/taskapi/internal/store"
	"github.com/taskapi/taskapi/internal/store/storetest"
)

// The sidebar's counts: open tasks, completed ones, and open ones due
// before the cut; another user's tasks never count.
func TestTaskNavCounts(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			s := storetest.Open(t, e.NewURL(t))
			ctx := context.Background()
			ada, bob := verifiedUser(t, s, "ada", "UTC"), verifiedUser(t, s, "bob", "UTC")
			cut := time.Date(2026, 12, 4, 0, 0, 0, 0, time.UTC)
			at := func(d time.Duration) *time.Time { v := cut.Add(d); return &v }
			for _, tk := range []taskapi.Task{
				{Title: "overdue", Status: taskapi.StatusTodo, DueDate: at(-48 * time.Hour)},
				{Title: "today", Status: taskapi.StatusInProgress, DueDate: at(-time.Hour)},
				{Title: "tomorrow", Status: taskapi.StatusTodo, DueDate: at(time.Hour)},
				{Title: "undated", Status: taskapi.StatusTodo},
				{Title: "done late", Status: taskapi.StatusCompleted, DueDate: at(-48 * time.Hour)},
				{Title: "archived", Status: taskapi.StatusArchived, DueDate: at(-48 * time.Hour)},
			} {
				tk.Priority = taskapi.PriorityMedium
				if _, _, err := s.CreateTask(ctx, ada, tk, nil); err != nil {
					t.Fatal(err)
				}
			}
			if _, _, err := s.CreateTask(ctx, bob, taskapi.Task{Title: "bob's", Status: taskapi.StatusTodo, Priority: taskapi.PriorityLow, DueDate: at(-time.Hour)}, nil); err != nil {
				t.Fatal(err)
			}
			got, err := s.TaskNavCounts(ctx, ada, cut)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(store.NavCounts{Open: 4, Completed: 1, Today: 2}, got); diff != "" {
				t.Errorf("counts (-want +got):\n%s", diff)
			}
		})
	}
}
