package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/taskapi/taskapi"
	"github.com/taskapi/taskapi/internal/store"
)

// Subtasks are tasks: they count against the quota.
func TestSubtaskQuota(t *testing.T) {
	eachWith(t, store.WithQuotas(store.Quotas{Tasks: 3}), func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		u := newUser(t, s, "nester")
		p, _, err := s.CreateTask(ctx, u, taskapi.Task{Title: "parent"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		for range 2 {
			if _, _, err := s.CreateTask(ctx, u, taskapi.Task{Title: "kid", ParentID: &p.ID}, nil); err != nil {
				t.Fatal(err)
			}
		}
		if _, _, err := s.CreateTask(ctx, u, taskapi.Task{Title: "one too many", ParentID: &p.ID}, nil); !errors.Is(err, taskapi.ErrQuotaExceeded) {
			t.Fatalf("fourth task, a subtask: %v, want ErrQuotaExceeded", err)
		}
	})
}
