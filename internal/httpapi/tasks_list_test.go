package httpapi_test

import (
	"bytes"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/google/uuid"

	"github.com/taskapi/taskapi/internal/store/storetest"

	"github.com/taskapi/taskapi"
)

// listFixture is a user with a few hundred tasks made to trip up lists:
// ties on every sort key, titles differing only by case, non-ASCII titles,
// a quarter without due date, every status and priority, two categories.
type listFixture struct {
	user       testUser
	tasks      []taskapi.Task
	catA, catB uuid.UUID
	now        time.Time
}

func newListFixture(t *testing.T, e *env, name string, n int) listFixture {
	t.Helper()
	u := e.newUser(t, name)
	f := listFixture{user: u, now: e.Clock.Now().UTC().Truncate(time.Microsecond)}
	f.catA = mustUUID(t, e.createCategory(t, u, "A").ID)
	f.catB = mustUUID(t, e.createCategory(t, u, "B").ID)
	titles := []string{"alpha", "Alpha", "beta", "Émile", "zeta", "Zebra", "_under", "100% done", "a_b", "ALPHA"}
	descriptions := []*string{nil, ptr("find the Needle here"), ptr("nothing"), ptr("50% off_sale"), ptr("")}
	base := f.now.Add(-48 * time.Hour)
	tasks := make([]taskapi.Task, n)
	for i := range tasks {
		t := taskapi.Task{
			Title:       titles[i%len(titles)],
			Description: descriptions[i%len(descriptions)],
			Status:      taskapi.Statuses()[i%4],
			Priority:    taskapi.Priorities()[(i/3)%4],
			// Groups of three share created_at; updated_at ties in pairs.
			CreatedAt: base.Add(time.Duration(i/3) * time.Minute),
			UpdatedAt: base.Add(time.Duration(i/2)*time.Minute + 30*time.Second),
		}
		if i%4 != 1 {
			// Due dates spread around now, many equal.
			d := f.now.Add(time.Duration(i%15-7) * 6 * time.Hour)
			t.DueDate = &d
		}
		switch i % 3 {
		case 0:
			t.CategoryID = &f.catA
		case 1:
			t.CategoryID = &f.catB
		}
		tasks[i] = t
	}
	f.tasks = e.seedTasks(t, u, tasks)
	return f
}

// expectedOrder sorts tasks as the API must: by key then id, in the
// direction asked; tasks without a due date last in both directions.
func expectedOrder(tasks []taskapi.Task, sort taskapi.TaskSort) []string {
	sorted := slices.Clone(tasks)
	slices.SortFunc(sorted, func(a, b taskapi.Task) int {
		if sort.Key == taskapi.SortDueDate && (a.DueDate == nil) != (b.DueDate == nil) {
			if a.DueDate == nil {
				return 1
			}
			return -1
		}
		c := 0
		switch sort.Key {
		case taskapi.SortCreatedAt:
			c = a.CreatedAt.Compare(b.CreatedAt)
		case taskapi.SortUpdatedAt:
			c = a.UpdatedAt.Compare(b.UpdatedAt)
		case taskapi.SortDueDate:
			if a.DueDate != nil {
				c = a.DueDate.Compare(*b.DueDate)
			}
		case taskapi.SortPriority:
			c = a.Priority.Rank() - b.Priority.Rank()
		case taskapi.SortTitle:
			c = strings.Compare(taskapi.TitleSortKey(a.Title), taskapi.TitleSortKey(b.Title))
		}
		if c == 0 {
			c = bytes.Compare(a.ID[:], b.ID[:])
		}
		if sort.Desc {
			c = -c
		}
		return c
	})
	out := make([]string, len(sorted))
	for i, t := range sorted {
		out[i] = t.ID.String()
	}
	return out
}

func filterTasks(tasks []taskapi.Task, keep func(taskapi.Task) bool) []taskapi.Task {
	var out []taskapi.Task
	for _, t := range tasks {
		if keep(t) {
			out = append(out, t)
		}
	}
	return out
}

func notArchived(t taskapi.Task) bool { return t.Status != taskapi.StatusArchived }

// Every sort, both directions, paged through a few hundred tasks: each task
// appears exactly once and in the exact order computed here.
func TestTaskListEverySortPagesExactly(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		f := newListFixture(t, e, "pager", 320)
		visible := filterTasks(f.tasks, notArchived)
		for _, key := range taskapi.TaskSortKeys() {
			for _, desc := range []bool{false, true} {
				sort := taskapi.TaskSort{Key: key, Desc: desc}
				t.Run(sort.String(), func(t *testing.T) {
					got := e.listAll(t, f.user, "/api/v1/tasks", url.Values{"sort": {sort.String()}}, 37)
					if diff := cmp.Diff(expectedOrder(visible, sort), ids(got)); diff != "" {
						t.Errorf("order (-want +got):\n%s", diff)
					}
				})
			}
		}
		// The default is newest first, page size 20.
		var p page[struct{ ID string }]
		e.get(t, "/api/v1/tasks", f.user.Token).want(t, http.StatusOK).decode(t, &p)
		want := expectedOrder(visible, taskapi.DefaultTaskSort())[:20]
		var got []string
		for _, it := range p.Items {
			got = append(got, it.ID)
		}
		if diff := cmp.Diff(want, got); diff != "" || p.NextCursor == nil {
			t.Errorf("default page, next %v (-want +got):\n%s", p.NextCursor, diff)
		}
		// Pages of one and of a hundred work the same.
		for _, limit := range []int{1, 100} {
			got := e.listAll(t, f.user, "/api/v1/tasks", url.Values{"sort": {"-due_date"}, "status": {"TODO"}}, limit)
			todo := filterTasks(f.tasks, func(t taskapi.Task) bool { return t.Status == taskapi.StatusTodo })
			if diff := cmp.Diff(expectedOrder(todo, taskapi.TaskSort{Key: taskapi.SortDueDate, Desc: true}), ids(got)); diff != "" {
				t.Errorf("limit %d (-want +got):\n%s", limit, diff)
			}
		}
	})
}

// Every filter, alone and combined, against the same filter computed here.
func TestTaskListFilters(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		f := newListFixture(t, e, "filterer", 160)
		now := f.now
		at := func(d time.Duration) string { return now.Add(d).Format(time.RFC3339Nano) }
		due := func(t taskapi.Task, from, to *time.Duration) bool {
			if t.DueDate == nil {
				return false
			}
			return (from == nil || !t.DueDate.Before(now.Add(*from))) && (to == nil || t.DueDate.Before(now.Add(*to)))
		}
		open := func(t taskapi.Task) bool {
			return t.Status == taskapi.StatusTodo || t.Status == taskapi.StatusInProgress
		}
		contains := func(t taskapi.Task, q string) bool {
			q = strings.ToLower(q)
			return strings.Contains(strings.ToLower(t.Title), q) || t.Description != nil && strings.Contains(strings.ToLower(*t.Description), q)
		}
		h := func(d time.Duration) *time.Duration { return &d }
		tests := []struct {
			name  string
			query url.Values
			keep  func(taskapi.Task) bool
		}{
			{"default leaves archived out", nil, notArchived},
			{"one status", url.Values{"status": {"ARCHIVED"}}, func(t taskapi.Task) bool { return t.Status == taskapi.StatusArchived }},
			{"status list", url.Values{"status": {"TODO,COMPLETED"}}, func(t taskapi.Task) bool {
				return t.Status == taskapi.StatusTodo || t.Status == taskapi.StatusCompleted
			}},
			{"every status", url.Values{"status": {"TODO,IN_PROGRESS,COMPLETED,ARCHIVED"}}, func(taskapi.Task) bool { return true }},
			{"priority list", url.Values{"priority": {"LOW,URGENT"}}, func(t taskapi.Task) bool {
				return notArchived(t) && (t.Priority == taskapi.PriorityLow || t.Priority == taskapi.PriorityUrgent)
			}},
			{"category", url.Values{"category_id": {f.catA.String()}}, func(t taskapi.Task) bool {
				return notArchived(t) && t.CategoryID != nil && *t.CategoryID == f.catA
			}},
			{"due after", url.Values{"due_after": {at(0)}}, func(t taskapi.Task) bool { return notArchived(t) && due(t, h(0), nil) }},
			{"due before", url.Values{"due_before": {at(12 * time.Hour)}}, func(t taskapi.Task) bool {
				return notArchived(t) && due(t, nil, h(12*time.Hour))
			}},
			{"due window", url.Values{"due_after": {at(-12 * time.Hour)}, "due_before": {at(12 * time.Hour)}}, func(t taskapi.Task) bool {
				return notArchived(t) && due(t, h(-12*time.Hour), h(12*time.Hour))
			}},
			{"overdue", url.Values{"overdue": {"true"}}, func(t taskapi.Task) bool {
				return open(t) && t.DueDate != nil && t.DueDate.Before(e.Clock.Now())
			}},
			{"overdue=false filters nothing", url.Values{"overdue": {"false"}}, notArchived},
			{"search title, any case", url.Values{"q": {"ALP"}}, func(t taskapi.Task) bool { return notArchived(t) && contains(t, "alp") }},
			{"search description", url.Values{"q": {"needle"}}, func(t taskapi.Task) bool { return notArchived(t) && contains(t, "needle") }},
			{"search short", url.Values{"q": {"Ze"}}, func(t taskapi.Task) bool { return notArchived(t) && contains(t, "ze") }},
			{"search % is literal", url.Values{"q": {"0%"}}, func(t taskapi.Task) bool { return notArchived(t) && contains(t, "0%") }},
			{"search _ is literal", url.Values{"q": {"a_b"}}, func(t taskapi.Task) bool { return notArchived(t) && contains(t, "a_b") }},
			{"search long % and _", url.Values{"q": {"50% off_"}}, func(t taskapi.Task) bool { return notArchived(t) && contains(t, "50% off_") }},
			{"search quote", url.Values{"q": {`he "x`}}, func(taskapi.Task) bool { return false }},
			{"search non-ASCII", url.Values{"q": {"émi"}}, func(t taskapi.Task) bool { return notArchived(t) && contains(t, "émi") }},
			{"everything combined", url.Values{
				"status": {"TODO,IN_PROGRESS"}, "priority": {"MEDIUM,HIGH,URGENT"}, "category_id": {f.catB.String()},
				"due_after": {at(-40 * time.Hour)}, "due_before": {at(40 * time.Hour)}, "q": {"a"},
			}, func(t taskapi.Task) bool {
				return open(t) && t.Priority.Rank() >= 2 && t.CategoryID != nil && *t.CategoryID == f.catB &&
					due(t, h(-40*time.Hour), h(40*time.Hour)) && contains(t, "a")
			}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				want := filterTasks(f.tasks, tt.keep)
				for _, sort := range []string{"-created_at", "due_date", "-priority", "title"} {
					q := url.Values{"sort": {sort}}
					for k, v := range tt.query {
						q[k] = v
					}
					got := e.listAll(t, f.user, "/api/v1/tasks", q, 25)
					s, _ := taskapi.ParseTaskSort(sort)
					if diff := cmp.Diff(expectedOrder(want, s), ids(got)); diff != "" {
						t.Fatalf("sort %s (-want +got):\n%s", sort, diff)
					}
				}
			})
		}
		// The category's own list is the same as the filter.
		got := e.listAll(t, f.user, "/api/v1/categories/"+f.catA.String()+"/tasks", url.Values{"sort": {"title"}}, 30)
		want := filterTasks(f.tasks, func(t taskapi.Task) bool { return notArchived(t) && t.CategoryID != nil && *t.CategoryID == f.catA })
		if diff := cmp.Diff(expectedOrder(want, taskapi.TaskSort{Key: taskapi.SortTitle}), ids(got)); diff != "" {
			t.Errorf("category tasks (-want +got):\n%s", diff)
		}
	})
}

// Search follows changes to title and description (SQLite keeps its search
// index in sync with triggers).
func TestTaskSearchFollowsChanges(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		alice := e.newUser(t, "alice")
		task, _ := e.createTask(t, alice, map[string]any{"title": "Buy Oranges", "description": "at the MARKET"})
		search := func(q string) []string {
			var p page[struct{ ID string }]
			e.get(t, "/api/v1/tasks?q="+url.QueryEscape(q), alice.Token).want(t, http.StatusOK).decode(t, &p)
			var out []string
			for _, it := range p.Items {
				out = append(out, it.ID)
			}
			return out
		}
		if got := search("oRANGE"); len(got) != 1 || got[0] != task.ID {
			t.Fatalf("search oRANGE = %v", got)
		}
		if got := search("market"); len(got) != 1 {
			t.Fatalf("search market = %v", got)
		}
		e.do(t, request{Method: http.MethodPatch, Path: "/api/v1/tasks/" + task.ID, Token: alice.Token,
			Body: map[string]any{"title": "Buy apples", "description": nil}}).want(t, http.StatusOK)
		if got := search("orange"); len(got) != 0 {
			t.Errorf("old title still found: %v", got)
		}
		if got := search("market"); len(got) != 0 {
			t.Errorf("cleared description still found: %v", got)
		}
		if got := search("APPLE"); len(got) != 1 {
			t.Errorf("new title not found: %v", got)
		}
		e.do(t, request{Method: http.MethodDelete, Path: "/api/v1/tasks/" + task.ID, Token: alice.Token}).want(t, http.StatusNoContent)
		if got := search("apple"); len(got) != 0 {
			t.Errorf("deleted task found: %v", got)
		}
	})
}

// Bad list parameters are 422; bad cursors are 400, never 500.
func TestTaskListParameterErrors(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		f := newListFixture(t, e, "alice", 30)
		bob := e.newUser(t, "bob")
		first := func(query string, u testUser) string {
			var p page[struct{ ID string }]
			e.get(t, "/api/v1/tasks?"+query, u.Token).want(t, http.StatusOK).decode(t, &p)
			if p.NextCursor == nil {
				t.Fatalf("no next cursor for %s", query)
			}
			return *p.NextCursor
		}
		cursor := first("limit=5&sort=title", f.user)
		tampered := []byte(cursor)
		tampered[len(tampered)/2] ^= 1
		if tampered[len(tampered)/2] == '-' || tampered[len(tampered)/2] == '_' {
			tampered[len(tampered)/2] = 'A'
		}
		for _, tt := range []struct {
			name, query string
			user        testUser
			status      int
		}{
			{"limit 0", "limit=0", f.user, 422},
			{"limit 101", "limit=101", f.user, 422},
			{"limit not a number", "limit=ten", f.user, 422},
			{"bad sort", "sort=color", f.user, 422},
			{"bad status", "status=TODO,DONE", f.user, 422},
			{"bad priority", "priority=low", f.user, 422},
			{"bad due date", "due_before=yesterday", f.user, 422},
			{"due window reversed", "due_after=2030-01-02T00:00:00Z&due_before=2030-01-01T00:00:00Z", f.user, 422},
			{"bad overdue", "overdue=maybe", f.user, 422},
			{"bad category", "category_id=12", f.user, 422},
			{"q too long", "q=" + strings.Repeat("x", 201), f.user, 422},
			{"q with NUL", "q=a%00b", f.user, 422},
			{"q not UTF-8", "q=%ff%fe", f.user, 422},
			{"cursor garbage", "sort=title&cursor=!!!", f.user, 400},
			{"cursor random base64", "sort=title&cursor=aGVsbG8gd29ybGQgaGVsbG8gd29ybGQ", f.user, 400},
			{"cursor tampered", "sort=title&cursor=" + string(tampered), f.user, 400},
			{"cursor truncated", "sort=title&cursor=" + cursor[:len(cursor)-3], f.user, 400},
			{"cursor of another sort", "sort=-title&cursor=" + cursor, f.user, 400},
			{"cursor of another filter", "sort=title&status=TODO&cursor=" + cursor, f.user, 400},
			{"cursor of another user", "sort=title&cursor=" + cursor, bob, 400},
			{"cursor too long", "sort=title&cursor=" + strings.Repeat("A", 5000), f.user, 400},
			{"cursor of the category list", "cursor=" + url.QueryEscape(categoryCursor(t, e, f.user)), f.user, 400},
		} {
			t.Run(tt.name, func(t *testing.T) {
				e.get(t, "/api/v1/tasks?"+tt.query, tt.user.Token).wantProblem(t, tt.status)
			})
		}
		// The untouched cursor still works, and changing only the page size is fine.
		e.get(t, "/api/v1/tasks?sort=title&limit=7&cursor="+cursor, f.user.Token).want(t, http.StatusOK)
		if strings.Contains(e.Logs.String(), `"level":"ERROR"`) {
			t.Errorf("a bad parameter caused an internal error:\n%s", e.Logs.String())
		}
	})
}

func categoryCursor(t *testing.T, e *env, u testUser) string {
	t.Helper()
	e.createCategory(t, u, "C")
	var p page[struct{ ID string }]
	e.get(t, "/api/v1/categories?limit=1", u.Token).want(t, http.StatusOK).decode(t, &p)
	if p.NextCursor == nil {
		t.Fatal("no category cursor")
	}
	return *p.NextCursor
}

func TestTaskStats(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		// The server's clock at noon UTC, so that no midnight (UTC's, or
		// Kiritimati's at 10:00 UTC) falls between the seeding and the
		// requests whenever the test runs: "today" is one day for both.
		now := fixedNoon()
		e.Clock.Set(now)
		alice := e.newUser(t, "alice")
		bob := e.newUser(t, "bob")
		// Kiritimati is UTC+14: its "today" is mostly another UTC day.
		kiri, err := time.LoadLocation("Pacific/Kiritimati")
		if err != nil {
			t.Fatal(err)
		}
		startOfDay := func(loc *time.Location) time.Time {
			y, m, d := now.In(loc).Date()
			return time.Date(y, m, d, 0, 0, 0, 0, loc)
		}
		at := func(tm time.Time) *time.Time { return &tm }
		tasks := []taskapi.Task{
			{Title: "late", Status: taskapi.StatusTodo, Priority: taskapi.PriorityUrgent, DueDate: at(now.Add(-time.Hour))},
			{Title: "late but done", Status: taskapi.StatusCompleted, Priority: taskapi.PriorityHigh, DueDate: at(now.Add(-time.Hour))},
			{Title: "late, archived", Status: taskapi.StatusArchived, Priority: taskapi.PriorityLow, DueDate: at(now.Add(-time.Hour))},
			{Title: "late in progress", Status: taskapi.StatusInProgress, Priority: taskapi.PriorityLow, DueDate: at(now.Add(-48 * time.Hour))},
			{Title: "utc today end", Status: taskapi.StatusTodo, DueDate: at(startOfDay(time.UTC).Add(24*time.Hour - time.Second))},
			{Title: "kiri today end", Status: taskapi.StatusTodo, DueDate: at(startOfDay(kiri).Add(24*time.Hour - time.Second))},
			{Title: "no due", Status: taskapi.StatusTodo},
			{Title: "done long ago", Status: taskapi.StatusCompleted, CompletedAt: at(now.Add(-8 * 24 * time.Hour))},
		}
		e.seedTasks(t, alice, tasks)
		e.seedTasks(t, bob, []taskapi.Task{{Title: "bob's", Status: taskapi.StatusTodo, DueDate: at(now.Add(-time.Hour))}})

		countToday := func(loc *time.Location) int64 {
			var n int64
			start := startOfDay(loc)
			for _, t := range tasks {
				open := t.Status == taskapi.StatusTodo || t.Status == taskapi.StatusInProgress
				if open && t.DueDate != nil && !t.DueDate.Before(start) && t.DueDate.Before(start.AddDate(0, 0, 1)) {
					n++
				}
			}
			return n
		}
		type stats struct {
			ByStatus           map[string]int64 `json:"by_status"`
			ByPriority         map[string]int64 `json:"by_priority"`
			Overdue            int64            `json:"overdue"`
			DueToday           int64            `json:"due_today"`
			CompletedLast7Days int64            `json:"completed_last_7_days"`
		}
		for _, tz := range []string{"", "UTC", "Pacific/Kiritimati"} {
			t.Run("tz="+tz, func(t *testing.T) {
				var got stats
				e.get(t, "/api/v1/tasks/stats?tz="+url.QueryEscape(tz), alice.Token).want(t, http.StatusOK).decode(t, &got)
				loc := time.UTC
				if tz == "Pacific/Kiritimati" {
					loc = kiri
				}
				want := stats{
					ByStatus:   map[string]int64{"TODO": 4, "IN_PROGRESS": 1, "COMPLETED": 2, "ARCHIVED": 1},
					ByPriority: map[string]int64{"LOW": 2, "MEDIUM": 4, "HIGH": 1, "URGENT": 1},
					Overdue:    2, DueToday: countToday(loc), CompletedLast7Days: 1,
				}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("stats (-want +got):\n%s", diff)
				}
			})
		}
		for _, bad := range []string{"Mars/Olympus", "Local", "../../etc/passwd", strings.Repeat("A", 65)} {
			e.get(t, "/api/v1/tasks/stats?tz="+url.QueryEscape(bad), alice.Token).wantProblem(t, http.StatusUnprocessableEntity)
		}
		var empty stats
		e.get(t, "/api/v1/tasks/stats", e.newUser(t, "carol").Token).want(t, http.StatusOK).decode(t, &empty)
		if len(empty.ByStatus) != 4 || len(empty.ByPriority) != 4 || empty.ByStatus["TODO"] != 0 {
			t.Errorf("stats of a user without tasks: %+v", empty)
		}
	})
}

// Every list parameter takes its values comma-separated or repeated, or
// both at once; a parameter of one value given twice is refused, never
// read as its first value.
func TestListParametersRepeatedOrCommaSeparated(t *testing.T) {
	e := newEnv(t, storetest.Engines(t)[0])
	alice := e.newUser(t, "alice")
	for _, task := range []map[string]any{
		{"title": "todo low", "status": "TODO", "priority": "LOW"},
		{"title": "done high", "status": "COMPLETED", "priority": "HIGH"},
		{"title": "doing urgent", "status": "IN_PROGRESS", "priority": "URGENT"},
	} {
		e.createTask(t, alice, task)
	}
	titles := func(query string) []string {
		var p page[struct{ Title string }]
		e.get(t, "/api/v1/tasks?sort=title&"+query, alice.Token).want(t, http.StatusOK).decode(t, &p)
		var out []string
		for _, it := range p.Items {
			out = append(out, it.Title)
		}
		return out
	}
	for _, tt := range []struct {
		query string
		want  []string
	}{
		{"status=TODO,COMPLETED", []string{"done high", "todo low"}},
		{"status=TODO&status=COMPLETED", []string{"done high", "todo low"}},
		{"status=TODO,IN_PROGRESS&status=COMPLETED", []string{"doing urgent", "done high", "todo low"}},
		{"priority=LOW&priority=URGENT", []string{"doing urgent", "todo low"}},
		{"priority=LOW&status=TODO&status=IN_PROGRESS&priority=URGENT", []string{"doing urgent", "todo low"}},
	} {
		if diff := cmp.Diff(tt.want, titles(tt.query)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.query, diff)
		}
	}
	for _, query := range []string{"limit=1&limit=2", "sort=title&sort=-title", "q=a&q=b"} {
		e.get(t, "/api/v1/tasks?"+query, alice.Token).wantProblem(t, http.StatusBadRequest)
	}
	e.get(t, "/api/v1/tasks?status=TODO&status=DONE", alice.Token).wantProblem(t, http.StatusUnprocessableEntity)
}
