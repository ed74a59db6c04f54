package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/taskapi/taskapi"
	"github.com/taskapi/taskapi/internal/store"
)

// A user keeps at most the quota's tasks and categories: the next create
// is ErrQuotaExceeded (403) and stores nothing; a delete makes room; other
// users are not affected.
func TestQuotas(t *testing.T) {
	eachWith(t, store.WithQuotas(store.Quotas{Tasks: 3, Categories: 2}), func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		u, other := newUser(t, s, "keeper"), newUser(t, s, "neighbour")
		var last taskapi.Task
		for range 3 {
			tk, _, err := s.CreateTask(ctx, u, taskapi.Task{Title: "t"}, nil)
			if err != nil {
				t.Fatal(err)
			}
			last = tk
		}
		if _, _, err := s.CreateTask(ctx, u, taskapi.Task{Title: "one too many"}, nil); !errors.Is(err, taskapi.ErrQuotaExceeded) {
			t.Fatalf("fourth task: %v, want ErrQuotaExceeded", err)
		}
		if _, _, err := s.CreateTask(ctx, other, taskapi.Task{Title: "theirs"}, nil); err != nil {
			t.Fatalf("another user: %v", err)
		}
		if err := s.DeleteTask(ctx, u, last.ID, nil); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.CreateTask(ctx, u, taskapi.Task{Title: "room again"}, nil); err != nil {
			t.Fatalf("after a delete: %v", err)
		}
		for _, name := range []string{"a", "b"} {
			if _, _, err := s.CreateCategory(ctx, u, taskapi.Category{Name: name}, nil); err != nil {
				t.Fatal(err)
			}
		}
		if _, _, err := s.CreateCategory(ctx, u, taskapi.Category{Name: "c"}, nil); !errors.Is(err, taskapi.ErrQuotaExceeded) {
			t.Fatalf("third category: %v, want ErrQuotaExceeded", err)
		}
	})
}
