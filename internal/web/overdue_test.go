package web_test

import (
	"context"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/taskapi/taskapi"
)

// TestOverdueSameEverywhere: the web app's rows and overview, the API's
// overdue filter and its stats agree on which tasks are overdue, with an
// all-day task (due at 00:00 in the person's zone) due today not among them.
func TestOverdueSameEverywhere(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		paris, _ := time.LoadLocation("Europe/Paris")
		// Noon on the server's clock: "today" in Paris is the same day for
		// the tasks made here and for every page and count read after.
		now := e.atNoon(paris)
		b := e.browser(t)
		b.signup("ada") // in Europe/Paris
		uid := uuid.MustParse(apiGet(t, e, b, "/api/v1/users/me")["id"].(string))
		day := func(n int) time.Time { return time.Date(now.Year(), now.Month(), now.Day()+n, 0, 0, 0, 0, paris) }
		hourAgo := now.Add(-time.Hour).Truncate(time.Minute)
		if hourAgo.Hour() == 0 && hourAgo.Minute() == 0 {
			hourAgo = hourAgo.Add(-time.Minute) // a time of day, not all day
		}
		tasks := []struct {
			title   string
			due     time.Time
			status  taskapi.Status
			overdue bool
		}{
			{"all day today", day(0), taskapi.StatusTodo, false},
			{"all day yesterday", day(-1), taskapi.StatusTodo, true},
			{"an hour ago", hourAgo, taskapi.StatusInProgress, true},
			{"in an hour", now.Add(time.Hour).Truncate(time.Minute), taskapi.StatusTodo, false},
			{"done yesterday", day(-1), taskapi.StatusCompleted, false},
		}
		var want []string
		for _, tt := range tasks {
			due := tt.due.UTC()
			if _, _, err := e.Store.CreateTask(context.Background(), uid, taskapi.Task{Title: tt.title, Status: tt.status,
				Priority: taskapi.PriorityMedium, DueDate: &due}, nil); err != nil {
				t.Fatal(err)
			}
			if tt.overdue {
				want = append(want, tt.title)
			}
		}
		slices.Sort(want)

		// The API: the filter (in the user's zone) and the stats (in tz).
		var api []string
		for _, it := range apiGet(t, e, b, "/api/v1/tasks?overdue=true&limit=100")["items"].([]any) {
			api = append(api, it.(map[string]any)["title"].(string))
		}
		slices.Sort(api)
		if !slices.Equal(api, want) {
			t.Errorf("API overdue=true: %v, want %v", api, want)
		}
		if n := apiGet(t, e, b, "/api/v1/tasks/stats?tz=Europe/Paris")["overdue"].(float64); int(n) != len(want) {
			t.Errorf("API stats: %v overdue, want %d", n, len(want))
		}

		// The web app: the rows in red, and the overview's count.
		rowRE := regexp.MustCompile(`(?s)class="task-title"[^>]*>([^<]+)</a>.*?</li>`)
		var web []string
		for _, path := range []string{"/all", "/completed"} {
			for _, m := range rowRE.FindAllStringSubmatch(b.get(path).Body, -1) {
				if regexp.MustCompile(`due-overdue`).MatchString(m[0]) {
					web = append(web, m[1])
				}
			}
		}
		slices.Sort(web)
		if !slices.Equal(web, want) {
			t.Errorf("web rows in red: %v, want %v", web, want)
		}
		ov := b.get("/overview")
		if m := regexp.MustCompile(`stat-value tnum">(\d+)</span><span class="stat-label">overdue`).FindStringSubmatch(ov.Body); m == nil || m[1] != "2" {
			t.Errorf("overview overdue: %v, want 2", m)
		}
	})
}
