package store_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/taskapi/taskapi"
	"github.com/taskapi/taskapi/internal/store"
	"github.com/taskapi/taskapi/internal/store/storetest"
)

// benchTasksEnv sets how many tasks the benchmark user has; the default
// keeps `go test -bench .` short, TASKAPI_BENCH_TASKS=1000000 shows that a
// page costs the same a million tasks in.
const benchTasksEnv = "TASKAPI_BENCH_TASKS"

// BenchmarkTasks measures the task store on each engine: a page of 50 at
// the start and deep into a big list (which must cost the same), and
// create, get and update of single tasks.
func BenchmarkTasks(b *testing.B) {
	n := 20000
	if v := os.Getenv(benchTasksEnv); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 1000 {
			b.Fatalf("%s=%q: want a number of tasks, at least 1000", benchTasksEnv, v)
		}
	}
	for _, e := range storetest.Engines(b) {
		b.Run(e.Name, func(b *testing.B) {
			s := storetest.Open(b, e.NewURL(b))
			user, tasks := seedBench(b, s, n)
			ctx := context.Background()
			for _, sort := range []taskapi.TaskSort{taskapi.DefaultTaskSort(), {Key: taskapi.SortDueDate}, {Key: taskapi.SortPriority, Desc: true}, {Key: taskapi.SortTitle}} {
				// The deep cursor sits 95% into the list.
				deep := store.TaskPosition(tasks[n*95/100], sort.Key)
				for _, at := range []struct {
					name  string
					after store.Position
				}{{"first", ""}, {"deep", deep}} {
					b.Run(fmt.Sprintf("list/%s/%s", sort, at.name), func(b *testing.B) {
						q := store.TaskQuery{Sort: sort, Limit: 50, After: at.after}
						for b.Loop() {
							items, _, err := s.ListTasks(ctx, user, q)
							if err != nil || len(items) == 0 {
								b.Fatalf("list: %d items, %v", len(items), err)
							}
						}
					})
				}
			}
			// A page of a search for words from common to rare: the first
			// three fill a page by walking the list (on SQLite), the last
			// needs the full-text index (or, on PostgreSQL, the trigram one).
			for _, word := range []string{"alpha", "bravo", "charlie", "delta"} {
				b.Run("search/"+word, func(b *testing.B) {
					q := store.TaskQuery{Filter: taskapi.TaskFilter{Query: word}, Sort: taskapi.DefaultTaskSort(), Limit: 50}
					for b.Loop() {
						items, _, err := s.ListTasks(ctx, user, q)
						if err != nil || len(items) == 0 {
							b.Fatalf("search: %d items, %v", len(items), err)
						}
					}
				})
			}
			b.Run("create", func(b *testing.B) {
				for b.Loop() {
					if _, _, err := s.CreateTask(ctx, user, taskapi.Task{Title: "bench create", Priority: taskapi.PriorityHigh}, nil); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("get", func(b *testing.B) {
				i := 0
				for b.Loop() {
					if _, err := s.GetTask(ctx, user, tasks[i%len(tasks)].ID); err != nil {
						b.Fatal(err)
					}
					i += 7919
				}
			})
			b.Run("update", func(b *testing.B) {
				i := 0
				for b.Loop() {
					title := "bench update " + strconv.Itoa(i)
					if _, err := s.UpdateTask(ctx, user, tasks[i%len(tasks)].ID, taskapi.TaskPatch{Title: &title}, nil); err != nil {
						b.Fatal(err)
					}
					i += 7919
				}
			})
		})
	}
}

// benchWord is the word that the k-th benchmark task's title ends with,
// if any: "alpha" in one task in 2, "bravo" in 1 in 20, "charlie" in 1 in
// 200, "delta" in 1 in 5,000.
func benchWord(k int) string {
	switch {
	case k%5000 == 7:
		return " delta"
	case k%200 == 3:
		return " charlie"
	case k%20 == 1:
		return " bravo"
	case k%2 == 0:
		return " alpha"
	}
	return ""
}

// seedBench gives one user n tasks with varied keys (and another user a
// few, so that every query must really filter by user), then refreshes the
// planner's statistics as a running database would have them.
func seedBench(b *testing.B, s *store.Store, n int) (uuid.UUID, []taskapi.Task) {
	b.Helper()
	ctx := context.Background()
	user, other := newUser(b, s, "bench"), newUser(b, s, "other")
	base := time.Now().UTC().Add(-time.Duration(n) * time.Second)
	const batch = 10000
	var all []taskapi.Task
	for start := 0; start < n; start += batch {
		tasks := make([]taskapi.Task, min(batch, n-start))
		for i := range tasks {
			k := start + i
			t := taskapi.Task{
				Title:     fmt.Sprintf("Task %07d%s", (k*7919)%n, benchWord(k)),
				Status:    taskapi.Statuses()[k%3], // no ARCHIVED: every task is in the default list
				Priority:  taskapi.Priorities()[k%4],
				CreatedAt: base.Add(time.Duration(k) * time.Second),
			}
			if k%5 != 0 {
				d := base.Add(time.Duration((k*31)%n) * time.Minute)
				t.DueDate = &d
			}
			tasks[i] = t
		}
		out, err := s.InsertTasks(ctx, user, tasks)
		if err != nil {
			b.Fatal(err)
		}
		all = append(all, out...)
	}
	others := make([]taskapi.Task, 100)
	for i := range others {
		others[i] = taskapi.Task{Title: "someone else's"}
	}
	if _, err := s.InsertTasks(ctx, other, others); err != nil {
		b.Fatal(err)
	}
	if _, err := s.DB().ExecContext(ctx, "ANALYZE"); err != nil {
		b.Fatal(err)
	}
	return user, all
}
