package store_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/taskapi/taskapi"
	"github.com/taskapi/taskapi/internal/store"
	"github.com/taskapi/taskapi/internal/store/storetest"
)

// searchMatches is what a search means: the title contains the text
// ignoring case, or the description contains it ignoring case — on
// SQLite, the case of ASCII letters only.
func searchMatches(engine string, t taskapi.Task, q string) bool {
	if strings.Contains(strings.ToLower(t.Title), strings.ToLower(q)) {
		return true
	}
	if t.Description == nil {
		return false
	}
	if engine == "sqlite" {
		return strings.Contains(asciiLower(*t.Description), asciiLower(q))
	}
	return strings.Contains(strings.ToLower(*t.Description), strings.ToLower(q))
}

func asciiLower(s string) string {
	return strings.Map(func(r rune) rune {
		if 'A' <= r && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}, s)
}

// searchFixture stores n tasks of one user whose titles and descriptions
// hold words of every frequency, and a few of another user that match
// every search.
func searchFixture(t *testing.T, s *store.Store, n int) (uuid.UUID, []taskapi.Task) {
	t.Helper()
	ctx := context.Background()
	user, other := newUser(t, s, "seeker"), newUser(t, s, "other")
	desc := func(s string) *string { return &s }
	due := time.Date(2030, 2, 1, 0, 0, 0, 0, time.UTC)
	tasks := make([]taskapi.Task, n)
	for i := range tasks {
		title := fmt.Sprintf("Task %d", i)
		switch {
		case i%17 == 5:
			title += " Zeppelin"
		case i%11 == 3:
			title = "ÉTÉ à Paris " + title
		case i%2 == 0:
			title = "Report " + title
		}
		tk := taskapi.Task{Title: title, Priority: taskapi.Priorities()[i%4], Status: taskapi.Statuses()[i%4]}
		switch i % 5 {
		case 1:
			tk.Description = desc("send the REPORT by friday")
		case 2:
			tk.Description = desc("Über 50% off_ — zePPelin museum")
		case 3:
			tk.Description = desc("")
		}
		if i%3 != 0 {
			d := due.Add(time.Duration(i%7) * time.Hour)
			tk.DueDate = &d
		}
		tasks[i] = tk
	}
	stored, err := s.InsertTasks(ctx, user, tasks)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.InsertTasks(ctx, other, []taskapi.Task{
		{Title: "Report zeppelin ÉTÉ", Description: desc("report Über 50% off_ pa")},
	}); err != nil {
		t.Fatal(err)
	}
	return user, stored
}

// listAllTasks walks every page of a list.
func listAllTasks(t *testing.T, s *store.Store, user uuid.UUID, q store.TaskQuery) []uuid.UUID {
	t.Helper()
	var out []uuid.UUID
	for range 1000 {
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
	t.Fatal("more than 1000 pages")
	return nil
}

// A search gives the same tasks in the same order as the list without it,
// filtered by the meaning of a search, whether SQLite finds them by
// walking the list, by the full-text index, or by either, page by page
// and word by word (PostgreSQL has one way; it runs each plan alike).
func TestTaskSearchPlans(t *testing.T) {
	plans := map[string]store.SearchPlan{
		"walk":  {Every: 1, IndexCost: 1e12},
		"index": {Every: 1, IndexCost: 0},
		// On these 120 tasks: common words walk, rare ones go to the index.
		"either": {Every: 3, IndexCost: 1},
	}
	for _, e := range storetest.Engines(t) {
		for pname, plan := range plans {
			t.Run(e.Name+"/"+pname, func(t *testing.T) {
				s := storetest.Open(t, e.NewURL(t), store.WithSearchPlan(plan))
				user, tasks := searchFixture(t, s, 120)
				byID := map[uuid.UUID]taskapi.Task{}
				for _, tk := range tasks {
					byID[tk.ID] = tk
				}
				filters := map[string]taskapi.TaskFilter{
					"default": {},
					"open":    {Statuses: []taskapi.Status{taskapi.StatusTodo, taskapi.StatusInProgress}},
					"due":     {DueBefore: new(time.Date(2030, 2, 1, 3, 0, 0, 0, time.UTC))},
				}
				for _, text := range []string{"report", "REPORT by", "zeppelin", "été à", "ÉTÉ", "50% off_", "pa", "é", "über", "ÜBER 50", "no such words", `"x`} {
					for fname, f := range filters {
						for _, sort := range []string{"-created_at", "due_date", "-priority", "title"} {
							ts, err := taskapi.ParseTaskSort(sort)
							if err != nil {
								t.Fatal(err)
							}
							all := listAllTasks(t, s, user, store.TaskQuery{Filter: f, Sort: ts, Limit: 100})
							want := slices.DeleteFunc(slices.Clone(all), func(id uuid.UUID) bool { return !searchMatches(e.Name, byID[id], text) })
							f.Query = text
							for _, limit := range []int{1, 4, 50} {
								got := listAllTasks(t, s, user, store.TaskQuery{Filter: f, Sort: ts, Limit: limit})
								if !slices.Equal(got, want) {
									t.Fatalf("q=%q filter %s sort %s limit %d: got %d tasks, want %d\ngot  %v\nwant %v",
										text, fname, sort, limit, len(got), len(want), got, want)
								}
							}
							f.Query = ""
						}
					}
				}
			})
		}
	}
}

// The full-text index follows a task's title and description through
// updates and deletes (SQLite keeps it with triggers).
func TestTaskSearchIndexFollowsChanges(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			ctx := context.Background()
			// Every search below goes to the index.
			s := storetest.Open(t, e.NewURL(t), store.WithSearchPlan(store.SearchPlan{Every: 1, IndexCost: 0}))
			user := newUser(t, s, "changer")
			tasks, err := s.InsertTasks(ctx, user, []taskapi.Task{{Title: "Orange Juice"}, {Title: "filler one"}, {Title: "filler two"}})
			if err != nil {
				t.Fatal(err)
			}
			search := func(q string) int {
				items, _, err := s.ListTasks(ctx, user, store.TaskQuery{Filter: taskapi.TaskFilter{Query: q}, Sort: taskapi.DefaultTaskSort(), Limit: 10})
				if err != nil {
					t.Fatal(err)
				}
				return len(items)
			}
			if n := search("orange"); n != 1 {
				t.Fatalf("orange: %d tasks", n)
			}
			title, desc := "Apple pie", "from the MARKET"
			if _, err := s.UpdateTask(ctx, user, tasks[0].ID, taskapi.TaskPatch{
				Title: &title, Description: taskapi.SetTo(desc),
			}, nil); err != nil {
				t.Fatal(err)
			}
			for q, want := range map[string]int{"orange": 0, "APPLE": 1, "market": 1, "filler": 2} {
				if n := search(q); n != want {
					t.Errorf("after update, %q: %d tasks, want %d", q, n, want)
				}
			}
			if err := s.DeleteTask(ctx, user, tasks[0].ID, nil); err != nil {
				t.Fatal(err)
			}
			if n := search("apple"); n != 0 {
				t.Errorf("after delete, apple: %d tasks", n)
			}
		})
	}
}

// Many searches at once, more than the store has connections, all finish:
// a search never holds one connection while it waits for another.
func TestTaskSearchConcurrent(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			s := storetest.Open(t, e.NewURL(t), store.WithSearchPlan(store.SearchPlan{Every: 1, IndexCost: 1}))
			user, _ := searchFixture(t, s, 120)
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			errs := make(chan error, 64)
			for i := range cap(errs) {
				go func() {
					q := []string{"report", "zeppelin", "été à", "no such words"}[i%4]
					var err error
					for range 5 {
						if _, _, err = s.ListTasks(ctx, user, store.TaskQuery{Filter: taskapi.TaskFilter{Query: q}, Sort: taskapi.DefaultTaskSort(), Limit: 10}); err != nil {
							break
						}
					}
					errs <- err
				}()
			}
			for range cap(errs) {
				if err := <-errs; err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}

// Writes that land between a search's walk and the read of its hits
// change nothing in the page: it is the tasks as the walk saw them, all
// the searcher's, even when a deleted hit's seq goes to another user's
// new task; and the next page goes on from there.
func TestTaskSearchPageIsOneSnapshot(t *testing.T) {
	ctx := context.Background()
	s := storetest.Open(t, storetest.SQLiteURL(t), store.WithSearchPlan(store.SearchPlan{Every: 1, IndexCost: 1e12}))
	alice, bob := newUser(t, s, "alice"), newUser(t, s, "bob")
	tasks, err := s.InsertTasks(ctx, alice, []taskapi.Task{{Title: "report 0"}, {Title: "report 1"}, {Title: "report 2"}})
	if err != nil {
		t.Fatal(err)
	}
	newest := tasks[2] // the largest seq: a new row may take it once it is gone
	changed := false
	store.SetAfterSearchWalk(s, func() {
		if changed {
			return
		}
		changed = true
		if err := s.DeleteTask(ctx, alice, newest.ID, nil); err != nil {
			t.Error(err)
		}
		if _, err := s.InsertTasks(ctx, bob, []taskapi.Task{{Title: "bob's secret"}}); err != nil {
			t.Error(err)
		}
		title := "renamed"
		if _, err := s.UpdateTask(ctx, alice, tasks[1].ID, taskapi.TaskPatch{Title: &title}, nil); err != nil {
			t.Error(err)
		}
	})
	q := store.TaskQuery{Filter: taskapi.TaskFilter{Query: "report"}, Sort: taskapi.TaskSort{Key: taskapi.SortCreatedAt, Desc: true}, Limit: 1}
	items, next, err := s.ListTasks(ctx, alice, q)
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 1 || items[0].ID != newest.ID || items[0].UserID != alice || next == "" {
		t.Fatalf("first page %+v, next %v: want the newest report as the walk saw it, and a next page", items, next)
	}
	// The later pages see the changes: the renamed task no longer matches.
	q.After = next
	var rest []uuid.UUID
	for range 10 {
		items, next, err = s.ListTasks(ctx, alice, q)
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range items {
			if it.UserID != alice {
				t.Fatalf("alice's search returned %+v", it)
			}
			rest = append(rest, it.ID)
		}
		if next == "" {
			break
		}
		q.After = next
	}
	if !slices.Equal(rest, []uuid.UUID{tasks[0].ID}) {
		t.Errorf("later pages %v, want only %v", rest, tasks[0].ID)
	}
}

// The hits of a walk are looked up by seq, whatever the user's number of
// tasks: the query must not walk an index on user_id (SQLite only: the
// walk is SQLite's).
func TestSearchHitsAreLookedUpBySeq(t *testing.T) {
	s := storetest.Open(t, storetest.SQLiteURL(t))
	rows, err := s.DB().QueryContext(context.Background(), "EXPLAIN QUERY PLAN "+store.SearchHitsSQL(s), uuid.Nil, "[1, 2, 3]")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan strings.Builder
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan.WriteString(detail + "\n")
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if p := plan.String(); !strings.Contains(p, "INTEGER PRIMARY KEY") || strings.Contains(p, "tasks_user_") {
		t.Errorf("plan:\n%s\nwant the tasks looked up by seq, and no index on user_id", p)
	}
}
