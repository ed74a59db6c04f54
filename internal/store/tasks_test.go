package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"

	"github.com/taskapi/taskapi"
	"github.com/taskapi/taskapi/internal/store"
	"github.com/taskapi/taskapi/internal/store/storetest"
	"github.com/taskapi/taskapi/internal/testkit"
)

// eachWithClock runs fn once per engine with a store whose time is c.
func eachWithClock(t *testing.T, fn func(t *testing.T, s *store.Store, c *testkit.Clock)) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			c := testkit.NewClock(time.Date(2030, 1, 1, 12, 0, 0, 0, time.UTC))
			fn(t, storetest.Open(t, e.NewURL(t), store.WithClock(c.Now)), c)
		})
	}
}

func newUser(t testing.TB, s *store.Store, name string) uuid.UUID {
	t.Helper()
	u, err := s.CreateUser(context.Background(), taskapi.User{Email: name + "@example.com", Username: name, IsActive: true}, "x")
	if err != nil {
		t.Fatal(err)
	}
	return u.ID
}

func idem(key, hash string) *store.IdempotencyKey {
	return &store.IdempotencyKey{Key: key, Method: "POST", Path: "/api/v1/tasks", RequestHash: hash}
}

func TestIdempotencyKeysExpireAndArePurged(t *testing.T) {
	eachWithClock(t, func(t *testing.T, s *store.Store, c *testkit.Clock) {
		ctx := context.Background()
		user := newUser(t, s, "alice")
		first, replayed, err := s.CreateTask(ctx, user, taskapi.Task{Title: "a"}, idem("k", "h1"))
		if err != nil || replayed {
			t.Fatalf("first: %v %v", replayed, err)
		}
		c.Advance(23 * time.Hour)
		again, replayed, err := s.CreateTask(ctx, user, taskapi.Task{Title: "a"}, idem("k", "h1"))
		if err != nil || !replayed {
			t.Fatalf("replay within 24h: %v %v", replayed, err)
		}
		if diff := cmp.Diff(first, again); diff != "" {
			t.Fatalf("replay within 24h returned another task (-first +replay):\n%s", diff)
		}
		if _, _, err := s.CreateTask(ctx, user, taskapi.Task{Title: "b"}, idem("k", "h2")); !errors.Is(err, taskapi.ErrInvalid) {
			t.Fatalf("other body within 24h: %v, want ErrInvalid", err)
		}
		// After 24 hours the key is free again, for any request.
		c.Advance(2 * time.Hour)
		second, replayed, err := s.CreateTask(ctx, user, taskapi.Task{Title: "b"}, idem("k", "h2"))
		if err != nil || replayed || second.ID == first.ID {
			t.Fatalf("after expiry: %v %v", replayed, err)
		}
		if _, _, err := s.CreateTask(ctx, user, taskapi.Task{Title: "c"}, idem("other", "h3")); err != nil {
			t.Fatal(err)
		}
		// Purging deletes only expired keys, at most limit at a time.
		if n, err := s.PurgeIdempotencyKeys(ctx, 10); err != nil || n != 0 {
			t.Fatalf("purge with nothing expired: %d %v", n, err)
		}
		c.Advance(25 * time.Hour)
		if n, err := s.PurgeIdempotencyKeys(ctx, 1); err != nil || n != 1 {
			t.Fatalf("purge 1: %d %v", n, err)
		}
		if n, err := s.PurgeIdempotencyKeys(ctx, 10); err != nil || n != 1 {
			t.Fatalf("purge rest: %d %v", n, err)
		}
	})
}

// InsertTasks crosses its statement batches, and a list pages through all
// of them exactly once.
func TestInsertTasksAndListAll(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		user := newUser(t, s, "bulk")
		const n = 1234
		tasks := make([]taskapi.Task, n)
		for i := range tasks {
			tasks[i] = taskapi.Task{Title: "task", Priority: taskapi.Priorities()[i%4]}
		}
		if _, err := s.InsertTasks(ctx, user, tasks); err != nil {
			t.Fatal(err)
		}
		seen := map[uuid.UUID]bool{}
		q := store.TaskQuery{Sort: taskapi.TaskSort{Key: taskapi.SortPriority, Desc: true}, Limit: 100}
		for {
			items, next, err := s.ListTasks(ctx, user, q)
			if err != nil {
				t.Fatal(err)
			}
			for _, it := range items {
				if seen[it.ID] {
					t.Fatalf("%s seen twice", it.ID)
				}
				seen[it.ID] = true
			}
			if next == "" {
				break
			}
			q.After = next
		}
		if len(seen) != n {
			t.Errorf("listed %d tasks, want %d", len(seen), n)
		}
		// A bad category fails the whole batch.
		foreign := uuid.Must(uuid.NewV7())
		if _, err := s.InsertTasks(ctx, user, []taskapi.Task{{Title: "x", CategoryID: &foreign}}); !errors.Is(err, taskapi.ErrInvalid) {
			t.Errorf("insert with unknown category: %v", err)
		}
	})
}

// A key saved by a release that kept HTTP responses cannot be replayed; it
// is refused rather than creating the task a second time.
func TestIdempotencyKeyFromEarlierReleaseIsRefused(t *testing.T) {
	eachWithClock(t, func(t *testing.T, s *store.Store, c *testkit.Clock) {
		ctx := context.Background()
		user := newUser(t, s, "alice")
		now := s.Now()
		err := store.Exec(s, `INSERT INTO idempotency_keys
			(user_id, key, method, path, request_hash, status_code, headers, body, created_at, expires_at)
			VALUES ($1, 'k', 'POST', '/api/v1/tasks', 'h1', 201, '{"Location":"/x"}', $2, $3, $4)`,
			user, []byte(`{"id":"x"}`), now, now.Add(store.IdempotencyTTL))
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.CreateTask(ctx, user, taskapi.Task{Title: "a"}, idem("k", "h1")); !errors.Is(err, taskapi.ErrInvalid) {
			t.Fatalf("legacy key: %v, want ErrInvalid", err)
		}
		c.Advance(store.IdempotencyTTL)
		if _, replayed, err := s.CreateTask(ctx, user, taskapi.Task{Title: "a"}, idem("k", "h1")); err != nil || replayed {
			t.Fatalf("legacy key after expiry: %v %v", replayed, err)
		}
	})
}

// A conditional write happens only at a version If-Match names; a missing
// row is ErrNotFound whatever the condition.
func TestWritesRequireAVersionOfIfMatch(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		user := newUser(t, s, "alice")
		task, _, err := s.CreateTask(ctx, user, taskapi.Task{Title: "a"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		title := "b"
		if _, err := s.UpdateTask(ctx, user, task.ID, taskapi.TaskPatch{Title: &title}, store.Versions{2}); !errors.Is(err, taskapi.ErrPreconditionFailed) {
			t.Fatalf("update at another version: %v", err)
		}
		if err := s.DeleteTask(ctx, user, task.ID, store.Versions{}); !errors.Is(err, taskapi.ErrPreconditionFailed) {
			t.Fatalf("delete with no version: %v", err)
		}
		name := "alicia"
		u, err := s.UpdateUser(ctx, user, store.UserChanges{Username: &name}, nil)
		if err != nil || u.Version != 2 {
			t.Fatalf("update user: version %d, %v", u.Version, err)
		}
		if _, err := s.UpdateUser(ctx, user, store.UserChanges{Username: &name, IfMatch: store.Versions{u.Version - 1}}, nil); !errors.Is(err, taskapi.ErrPreconditionFailed) {
			t.Fatalf("update user at an old version: %v", err)
		}
		if err := s.DeleteTask(ctx, user, task.ID, store.Versions{task.Version}); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteTask(ctx, user, task.ID, store.Versions{task.Version}); !errors.Is(err, taskapi.ErrNotFound) {
			t.Fatalf("delete a missing task: %v", err)
		}
	})
}
