package store_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/taskapi/taskapi"
	"github.com/taskapi/taskapi/internal/store"
	"github.com/taskapi/taskapi/internal/store/storetest"
)

// worstSearch is the search of the audit: a text LIKE has to try at every
// offset of a long description, which holds it nowhere.
var worstSearch = strings.Repeat("a", 199) + "b"

// longTasks stores n tasks of user with 10,000-byte descriptions, every
// third of which ends with the worst search's text.
func longTasks(t *testing.T, s *store.Store, user uuid.UUID, n int) []taskapi.Task {
	t.Helper()
	tasks := make([]taskapi.Task, n)
	for i := range tasks {
		d := strings.Repeat("a", 10_000)
		if i%3 == 0 {
			d = d[:10_000-len(worstSearch)] + worstSearch
		}
		tasks[i] = taskapi.Task{Title: "long", Description: &d}
	}
	stored, err := s.InsertTasks(context.Background(), user, tasks)
	if err != nil {
		t.Fatal(err)
	}
	return stored
}

// On SQLite one page of a search spends at most the plan's budget, long
// texts counted by their length: a page that reaches it ends early with a
// cursor, and the pages together hold every match, in order.
func TestSearchWalkBudget(t *testing.T) {
	plan := store.SearchPlan{Every: 256, IndexCost: 3, Budget: 2_000}
	s := storetest.Open(t, storetest.SQLiteURL(t), store.WithSearchPlan(plan))
	user := newUser(t, s, "walker")
	stored := longTasks(t, s, user, 60)
	var spent []float64
	store.TraceSearch(s, func(_ int, sp float64) { spent = append(spent, sp) }, nil)

	q := store.TaskQuery{Filter: taskapi.TaskFilter{Query: worstSearch}, Sort: taskapi.DefaultTaskSort(), Limit: 50}
	items, next, err := s.ListTasks(context.Background(), user, q)
	if err != nil {
		t.Fatal(err)
	}
	if next == "" || len(items) >= 20 {
		t.Fatalf("first page: %d tasks, next %v; want a page cut short by the budget", len(items), next)
	}
	// One task of 10,000 bytes against 200 characters costs 3,001 tasks
	// walked: the walk stops at the first task past the budget.
	if spent[0] > plan.Budget+3_100 {
		t.Errorf("first page spent %.0f, budget %.0f", spent[0], plan.Budget)
	}
	var want []uuid.UUID
	for i := len(stored) - 1; i >= 0; i-- {
		if i%3 == 0 {
			want = append(want, stored[i].ID)
		}
	}
	got := listAllTasks(t, s, user, q)
	if !slices.Equal(got, want) {
		t.Fatalf("all pages: got %d tasks, want %d", len(got), len(want))
	}
}

// On SQLite a word that many other users' tasks hold never makes one
// user's search list them all through the full-text index: the index is
// asked for one more than the plan's IndexCandidates at most, and the walk
// goes on instead.
func TestSearchIndexDoesNotReadEveryUsersTasks(t *testing.T) {
	plan := store.SearchPlan{Every: 8, IndexCost: 0, IndexCandidates: 40}
	s := storetest.Open(t, storetest.SQLiteURL(t), store.WithSearchPlan(plan))
	ctx := context.Background()
	seeker, crowd := newUser(t, s, "seeker"), newUser(t, s, "crowd")
	many := make([]taskapi.Task, 400)
	for i := range many {
		many[i] = taskapi.Task{Title: "common meeting"}
	}
	if _, err := s.InsertTasks(ctx, crowd, many); err != nil {
		t.Fatal(err)
	}
	mine := make([]taskapi.Task, 200)
	for i := range mine {
		mine[i] = taskapi.Task{Title: "plain"}
		if i%50 == 0 {
			mine[i].Title = "a meeting"
		}
	}
	stored, err := s.InsertTasks(ctx, seeker, mine)
	if err != nil {
		t.Fatal(err)
	}
	var probes []int
	store.TraceSearch(s, nil, func(found int) { probes = append(probes, found) })
	got := listAllTasks(t, s, seeker, store.TaskQuery{Filter: taskapi.TaskFilter{Query: "meeting"}, Sort: taskapi.DefaultTaskSort(), Limit: 10})
	var want []uuid.UUID
	for i := len(stored) - 1; i >= 0; i -= 1 {
		if i%50 == 0 {
			want = append(want, stored[i].ID)
		}
	}
	if !slices.Equal(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	if len(probes) == 0 {
		t.Fatal("the walk never looked at the index; the test does not test it")
	}
	for _, n := range probes {
		if n > plan.IndexCandidates+1 {
			t.Errorf("the index listed %d tasks, more than %d", n, plan.IndexCandidates+1)
		}
	}
}

// A search that runs into the plan's timeout stops (a statement_timeout
// on PostgreSQL) and fails with ErrSearchTooLong, which the API answers
// with 503.
func TestSearchTimeout(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			s := storetest.Open(t, e.NewURL(t), store.WithSearchPlan(store.SearchPlan{
				Every: 256, IndexCost: 3, Budget: 1e12, Timeout: 5 * time.Millisecond,
			}))
			user := newUser(t, s, "patient")
			longTasks(t, s, user, 300)
			start := time.Now()
			_, _, err := s.ListTasks(context.Background(), user, store.TaskQuery{
				Filter: taskapi.TaskFilter{Query: strings.Repeat("a", 198) + "c"}, Sort: taskapi.DefaultTaskSort(), Limit: 100,
			})
			if !errors.Is(err, store.ErrSearchTooLong) || !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("err = %v, want ErrSearchTooLong", err)
			}
			if d := time.Since(start); d > time.Second {
				t.Errorf("the search stopped after %s", d)
			}
		})
	}
}

// On SQLite a search handed over to the full-text index reads the index's
// candidates and looks each up by seq, whatever the sort, cursor and
// filters: never a walk of the user's tasks (or a category's) in the
// list's order checking each against the candidates, which for a text
// fewer than a page of a million tasks hold reads all million. So the
// index's cost stays bounded by the plan's IndexCandidates.
func TestSearchIndexLooksCandidatesUpBySeq(t *testing.T) {
	ctx := context.Background()
	s := storetest.Open(t, storetest.SQLiteURL(t))
	user := newUser(t, s, "indexed")
	cat, _, err := s.CreateCategory(ctx, user, taskapi.Category{Name: "work"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	due := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	task, _, err := s.CreateTask(ctx, user, taskapi.Task{Title: "a zeppelin", CategoryID: &cat.ID, DueDate: &due}, nil)
	if err != nil {
		t.Fatal(err)
	}
	filters := map[string]taskapi.TaskFilter{
		"default":  {},
		"open":     {Statuses: []taskapi.Status{taskapi.StatusTodo, taskapi.StatusInProgress}},
		"category": {CategoryID: &cat.ID},
		"due":      {DueBefore: &due, Priorities: []taskapi.Priority{taskapi.PriorityHigh}},
		"overdue":  {Overdue: true, TopLevel: true},
	}
	for fname, f := range filters {
		f.Query = "zeppelin"
		for _, key := range taskapi.TaskSortKeys() {
			for _, desc := range []bool{false, true} {
				for _, after := range []store.Position{"", store.TaskPosition(task, key)} {
					q := store.TaskQuery{Filter: f, Sort: taskapi.TaskSort{Key: key, Desc: desc}, Limit: 50, After: after}
					query, args := store.SearchIndexSQL(t, s, user, q)
					plan := explainOrdered(t, ctx, s, query, args)
					if !strings.Contains(plan, "SEARCH tasks USING INTEGER PRIMARY KEY") || strings.Contains(plan, "INDEX tasks_") {
						t.Errorf("filter %s, sort %s, after %q: plan\n%s\nwant the index's candidates looked up by seq", fname, q.Sort, after, plan)
					}
				}
			}
		}
	}
}
