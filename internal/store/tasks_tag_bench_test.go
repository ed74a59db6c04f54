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

// BenchmarkTagLists measures a page of 50 of a list filtered by tag for
// a user with 1,000 tasks and one with TASKAPI_BENCH_TASKS (20,000 unless
// set), side by side, in every sort: by a tag on every third task, by one
// on 20 tasks whatever the size, by both, and by any of two rare ones.
// The two sizes share the database, and each pair runs back to back, so
// their ratio is what growing costs; TASKAPI_BENCH_ROUNDS runs them all
// that many times over, for a machine that is not quiet.
//
// TASKAPI_BENCH_SCALE_URL names instead a database that `go run ./bench
// scale` left (SQLite with --keep, or its PostgreSQL database): the large
// user is then the bench's scale user (a million or ten million tasks,
// which a test could not seed in reasonable time) with its tags, and the
// user with 1,000 tasks is seeded into that database beside it.
func BenchmarkTagLists(b *testing.B) {
	rounds := benchEnvInt(b, "TASKAPI_BENCH_ROUNDS", 1)
	if url := os.Getenv("TASKAPI_BENCH_SCALE_URL"); url != "" {
		s := storetest.Open(b, url)
		// The small user of an earlier run goes first, as bench scale's own.
		if err := store.Exec(s, `DELETE FROM users WHERE username = 'tags1000'`); err != nil {
			b.Fatal(err)
		}
		small, smallTags := seedTagBench(b, s, 1000)
		large, largeTags := benchScaleUser(b, s)
		if s.Engine() == "postgres" {
			// SQLite's server runs without statistics: none are made here.
			if err := store.Exec(s, "ANALYZE"); err != nil {
				b.Fatal(err)
			}
		}
		benchTagLists(b, s, rounds, []uuid.UUID{small, large}, []map[string]uuid.UUID{smallTags, largeTags}, []string{"1000", "scale"})
		return
	}
	large := max(benchEnvInt(b, benchTasksEnv, 20000), 1000)
	for _, e := range storetest.Engines(b) {
		b.Run(e.Name, func(b *testing.B) {
			s := storetest.Open(b, e.NewURL(b))
			sizes := []int{1000, large}
			users := make([]uuid.UUID, len(sizes))
			tags := make([]map[string]uuid.UUID, len(sizes))
			for i, n := range sizes {
				users[i], tags[i] = seedTagBench(b, s, n)
			}
			if err := store.Exec(s, "ANALYZE"); err != nil {
				b.Fatal(err)
			}
			benchTagLists(b, s, rounds, users, tags, []string{"1000", strconv.Itoa(large)})
		})
	}
}

// benchEnvInt reads a positive number from the environment variable env,
// def when it is not set.
func benchEnvInt(b *testing.B, env string, def int) int {
	s := os.Getenv(env)
	if s == "" {
		return def
	}
	v, err := strconv.Atoi(s)
	if err != nil || v < 1 {
		b.Fatalf("%s=%q: want a positive number", env, s)
	}
	return v
}

// benchTagLists runs the pages of BenchmarkTagLists, rounds times over,
// for users (a small one, then a large one) with their tags, named by
// sizes.
func benchTagLists(b *testing.B, s *store.Store, rounds int, users []uuid.UUID, tags []map[string]uuid.UUID, sizes []string) {
	type workload struct {
		name   string
		filter func(tags map[string]uuid.UUID) taskapi.TaskFilter
	}
	workloads := []workload{
		{"list", func(map[string]uuid.UUID) taskapi.TaskFilter { return taskapi.TaskFilter{} }},
		{"tag", func(t map[string]uuid.UUID) taskapi.TaskFilter {
			return taskapi.TaskFilter{AllTags: []uuid.UUID{t["common"]}}
		}},
		{"tag-rare", func(t map[string]uuid.UUID) taskapi.TaskFilter {
			return taskapi.TaskFilter{AllTags: []uuid.UUID{t["rare"]}}
		}},
		{"tag-all", func(t map[string]uuid.UUID) taskapi.TaskFilter {
			return taskapi.TaskFilter{AllTags: []uuid.UUID{t["common"], t["rare"]}}
		}},
		{"tag-any", func(t map[string]uuid.UUID) taskapi.TaskFilter {
			return taskapi.TaskFilter{AnyTags: []uuid.UUID{t["rare"], t["rare2"]}}
		}},
	}
	sorts := []taskapi.TaskSort{taskapi.DefaultTaskSort(), {Key: taskapi.SortDueDate}, {Key: taskapi.SortPriority, Desc: true},
		{Key: taskapi.SortTitle}, {Key: taskapi.SortUpdatedAt, Desc: true}}
	ctx := context.Background()
	for range rounds {
		for _, wl := range workloads {
			for _, sort := range sorts {
				for i, n := range sizes {
					b.Run(fmt.Sprintf("%s/%s/%s", wl.name, sort, n), func(b *testing.B) {
						q := store.TaskQuery{Filter: wl.filter(tags[i]), Sort: sort, Limit: 50}
						for b.Loop() {
							if _, _, err := s.ListTasks(ctx, users[i], q); err != nil {
								b.Fatal(err)
							}
						}
					})
				}
			}
		}
	}
}

// benchScaleUser finds the user that `go run ./bench scale` seeds and its
// tags (names as the bench gives them: one on every third task, two on 20
// tasks each).
func benchScaleUser(b *testing.B, s *store.Store) (uuid.UUID, map[string]uuid.UUID) {
	b.Helper()
	ctx := context.Background()
	var user uuid.UUID
	if err := s.DB().QueryRowContext(ctx, `SELECT id FROM users WHERE username = 'bench_scale'`).Scan(&user); err != nil {
		b.Fatalf("the scale user of go run ./bench scale: %v", err)
	}
	tags := map[string]uuid.UUID{}
	for name, bench := range map[string]string{"common": "Bench tag", "rare": "Bench rare", "rare2": "Bench rare 2"} {
		var id uuid.UUID
		if err := s.DB().QueryRowContext(ctx, `SELECT id FROM tags WHERE user_id = $1 AND name = $2`, user, bench).Scan(&id); err != nil {
			b.Fatalf("tag %q of the scale user: %v", bench, err)
		}
		tags[name] = id
	}
	return user, tags
}

// seedTagBench gives a new user n tasks with varied keys and three tags:
// "common" on every third task, "rare" and "rare2" on 20 tasks each,
// spread over the user's history.
func seedTagBench(b *testing.B, s *store.Store, n int) (uuid.UUID, map[string]uuid.UUID) {
	b.Helper()
	ctx := context.Background()
	user := newUser(b, s, fmt.Sprintf("tags%d", n))
	base := time.Now().UTC().Add(-time.Duration(n) * time.Second)
	const batch = 10000
	for start := 0; start < n; start += batch {
		tasks := make([]taskapi.Task, min(batch, n-start))
		for i := range tasks {
			k := start + i
			t := taskapi.Task{
				Title:     fmt.Sprintf("Task %07d", (k*7919)%n),
				Status:    taskapi.Statuses()[(k/4)%4], // not in step with the priority
				Priority:  taskapi.Priorities()[k%4],
				CreatedAt: base.Add(time.Duration(k) * time.Second),
				UpdatedAt: base.Add(time.Duration((k*104729)%n) * time.Second),
			}
			if k%5 != 0 {
				d := base.Add(time.Duration((k*31)%n) * time.Minute)
				t.DueDate = &d
			}
			tasks[i] = t
		}
		if _, err := s.InsertTasks(ctx, user, tasks); err != nil {
			b.Fatal(err)
		}
	}
	tags := map[string]uuid.UUID{}
	step := n / 20
	for name, where := range map[string]string{"common": "n % 3 = 0", "rare": "n % " + strconv.Itoa(step) + " = 1",
		"rare2": "n % " + strconv.Itoa(step) + " = " + strconv.Itoa(step/2)} {
		tag, _, err := s.CreateTag(ctx, user, taskapi.Tag{Name: name}, nil)
		if err != nil {
			b.Fatal(err)
		}
		tags[name] = tag.ID
		if err := store.Exec(s, `INSERT INTO task_tags (task_id, tag_id) SELECT id, $2 FROM
			(SELECT id, row_number() OVER (ORDER BY created_at, id) AS n FROM tasks WHERE user_id = $1) t WHERE `+where, user, tag.ID); err != nil {
			b.Fatal(err)
		}
	}
	return user, tags
}
