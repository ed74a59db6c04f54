package store_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/google/uuid"

	"github.com/taskapi/taskapi"
	"github.com/taskapi/taskapi/internal/store"
	"github.com/taskapi/taskapi/internal/testkit"
)

// tagFixture is a user with tasks whose sort keys tie often (so the ID
// tie-break is exercised), some archived, a quarter without a due date,
// and tags from common to rare.
type tagFixture struct {
	user  uuid.UUID
	tasks []taskapi.Task
	// tags by name; has[tag][task] says which task has which tag.
	tags map[string]uuid.UUID
	has  map[uuid.UUID]map[uuid.UUID]bool
}

// tagShares puts each tag on the tasks whose index k passes its test.
var tagShares = map[string]func(k int) bool{
	"common": func(k int) bool { return k%3 == 0 },
	"half":   func(k int) bool { return k%2 == 1 },
	"rare":   func(k int) bool { return k%47 == 5 },
	"rare2":  func(k int) bool { return k%53 == 20 },
	"none":   func(int) bool { return false },
}

func newTagFixture(t *testing.T, s *store.Store, n int) *tagFixture {
	t.Helper()
	ctx := context.Background()
	f := &tagFixture{user: newUser(t, s, "tagger"), tags: map[string]uuid.UUID{}, has: map[uuid.UUID]map[uuid.UUID]bool{}}
	other := newUser(t, s, "other")
	base := time.Date(2029, 6, 1, 0, 0, 0, 0, time.UTC)
	tasks := make([]taskapi.Task, n)
	for k := range tasks {
		task := taskapi.Task{
			Title:     fmt.Sprintf("Task %d", k%17), // titles tie in groups
			Status:    taskapi.Statuses()[k%len(taskapi.Statuses())],
			Priority:  taskapi.Priorities()[(k/3)%4],
			CreatedAt: base.Add(time.Duration(k/2) * time.Minute), // pairs tie
			UpdatedAt: base.Add(time.Duration(k%11) * time.Hour),
		}
		if k%4 != 0 {
			d := base.Add(time.Duration(k%29) * 24 * time.Hour)
			task.DueDate = &d
		}
		tasks[k] = task
	}
	var err error
	if f.tasks, err = s.InsertTasks(ctx, f.user, tasks); err != nil {
		t.Fatal(err)
	}
	for name, share := range tagShares {
		tag, _, err := s.CreateTag(ctx, f.user, taskapi.Tag{Name: name}, nil)
		if err != nil {
			t.Fatal(err)
		}
		f.tags[name] = tag.ID
		f.has[tag.ID] = map[uuid.UUID]bool{}
		for k, task := range f.tasks {
			if share(k) {
				// Rows inserted as any writer may (a restore, a seeder):
				// the trigger fills in the task's keys.
				if err := store.Exec(s, `INSERT INTO task_tags (task_id, tag_id) VALUES ($1, $2)`, task.ID, tag.ID); err != nil {
					t.Fatal(err)
				}
				f.has[tag.ID][task.ID] = true
			}
		}
		// Another user's task with the same tag name must never show.
		otherTag, _, err := s.CreateTag(ctx, other, taskapi.Tag{Name: name}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.CreateTask(ctx, other, taskapi.Task{Title: "not yours", Tags: []taskapi.TaskTag{{ID: otherTag.ID}}}, nil); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

// ids returns the IDs of tags by name.
func (f *tagFixture) ids(names ...string) []uuid.UUID {
	out := make([]uuid.UUID, len(names))
	for i, n := range names {
		out[i] = f.tags[n]
	}
	return out
}

// keeps reports whether the task passes the tag conditions of filter.
func (f *tagFixture) keeps(filter taskapi.TaskFilter, id uuid.UUID) bool {
	for _, tag := range filter.AllTags {
		if !f.has[tag][id] {
			return false
		}
	}
	if len(filter.AnyTags) == 0 {
		return true
	}
	return slices.ContainsFunc(filter.AnyTags, func(tag uuid.UUID) bool { return f.has[tag][id] })
}

// readAll pages through q with its limit, failing on a page repeated
// past the limit, and returns the IDs in order.
func readAll(t *testing.T, s *store.Store, user uuid.UUID, q store.TaskQuery) []uuid.UUID {
	t.Helper()
	var out []uuid.UUID
	for pages := 0; ; pages++ {
		if pages > 1000 {
			t.Fatal("more than 1000 pages: the list does not end")
		}
		items, next, err := s.ListTasks(context.Background(), user, q)
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range items {
			out = append(out, it.ID)
		}
		if next == "" {
			return out
		}
		q.After = next
	}
}

// Every tag filter, in every order, pages through the same tasks as the
// unfiltered list read whole and filtered here: no skip, no repeat, the
// same order, whichever rows the list walks (one tag's, the rarest of
// several, or several merged).
func TestTagListsPageAsTheWholeList(t *testing.T) {
	eachWithClock(t, func(t *testing.T, s *store.Store, c *testkit.Clock) {
		f := newTagFixture(t, s, 240)
		due := time.Date(2029, 6, 10, 0, 0, 0, 0, time.UTC)
		filters := []struct {
			name   string
			filter taskapi.TaskFilter
			walks  []string // the tags walked
		}{
			{"common", taskapi.TaskFilter{AllTags: f.ids("common")}, []string{"common"}},
			{"rare", taskapi.TaskFilter{AllTags: f.ids("rare")}, []string{"rare"}},
			{"none", taskapi.TaskFilter{AllTags: f.ids("none")}, []string{"none"}},
			{"common and rare", taskapi.TaskFilter{AllTags: f.ids("common", "rare")}, []string{"rare"}},
			{"half and common", taskapi.TaskFilter{AllTags: f.ids("half", "common")}, []string{"common"}},
			{"any of two rare", taskapi.TaskFilter{AnyTags: f.ids("rare", "rare2")}, []string{"rare", "rare2"}},
			{"any of rare and common", taskapi.TaskFilter{AnyTags: f.ids("rare", "common")}, []string{"rare", "common"}},
			{"any of one", taskapi.TaskFilter{AnyTags: f.ids("rare2")}, []string{"rare2"}},
			{"half and any of two rare", taskapi.TaskFilter{AllTags: f.ids("half"), AnyTags: f.ids("rare", "rare2")}, []string{"rare", "rare2"}},
			{"common and any of half, rare", taskapi.TaskFilter{AllTags: f.ids("common"), AnyTags: f.ids("half", "rare")}, []string{"common"}},
			{"common, TODO", taskapi.TaskFilter{AllTags: f.ids("common"), Statuses: []taskapi.Status{taskapi.StatusTodo}}, []string{"common"}},
			{"common, HIGH or URGENT", taskapi.TaskFilter{AllTags: f.ids("common"), Priorities: []taskapi.Priority{taskapi.PriorityHigh, taskapi.PriorityUrgent}}, []string{"common"}},
			{"half, due after", taskapi.TaskFilter{AllTags: f.ids("half"), DueAfter: &due}, []string{"half"}},
			{"any of two rare, due before", taskapi.TaskFilter{AnyTags: f.ids("rare", "rare2"), DueBefore: &due}, []string{"rare", "rare2"}},
			{"common, overdue", taskapi.TaskFilter{AllTags: f.ids("common"), Overdue: true}, []string{"common"}},
			{"common, search", taskapi.TaskFilter{AllTags: f.ids("common"), Query: "task 1"}, nil},
			{"rare, top level", taskapi.TaskFilter{AllTags: f.ids("rare"), TopLevel: true}, []string{"rare"}},
		}
		c.Advance(24 * 365 * time.Hour) // every due date in the past: overdue means something
		for _, tc := range filters {
			if diff := cmp.Diff(f.ids(tc.walks...), store.TagWalkOf(t, s, f.user, tc.filter), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("%s: walks (-want +got):\n%s", tc.name, diff)
			}
			for _, key := range taskapi.TaskSortKeys() {
				for _, desc := range []bool{false, true} {
					sort := taskapi.TaskSort{Key: key, Desc: desc}
					whole := tc.filter
					whole.AllTags, whole.AnyTags = nil, nil
					var want []uuid.UUID
					for _, id := range readAll(t, s, f.user, store.TaskQuery{Filter: whole, Sort: sort, Limit: 1000}) {
						if f.keeps(tc.filter, id) {
							want = append(want, id)
						}
					}
					for _, limit := range []int{1, 7} {
						got := readAll(t, s, f.user, store.TaskQuery{Filter: tc.filter, Sort: sort, Limit: limit})
						if diff := cmp.Diff(want, got); diff != "" {
							t.Errorf("%s, sort %s, pages of %d (-want +got):\n%s", tc.name, sort, limit, diff)
						}
					}
				}
			}
		}
	})
}
