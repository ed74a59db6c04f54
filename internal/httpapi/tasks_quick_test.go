package httpapi_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/taskapi/taskapi/internal/httpapi"
)

func TestQuickTask(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		u := e.newUser(t, "ada")
		home := e.createCategory(t, u, "Home")
		var me httpapi.UserBody
		e.do(t, request{Method: http.MethodPatch, Path: "/api/v1/users/me", Token: u.Token,
			Body: map[string]any{"timezone": "Europe/Paris"}}).want(t, http.StatusOK).decode(t, &me)
		if me.TimeZone != "Europe/Paris" {
			t.Fatalf("timezone %q", me.TimeZone)
		}
		paris, _ := time.LoadLocation("Europe/Paris")
		tomorrow9 := func() time.Time {
			n := e.Clock.Now().In(paris)
			return time.Date(n.Year(), n.Month(), n.Day()+1, 9, 0, 0, 0, paris).UTC()
		}
		text := "Pay rent tomorrow 9am !high #Home"

		before := tomorrow9()
		var dry httpapi.QuickTaskBody
		e.do(t, request{Method: http.MethodPost, Path: "/api/v1/tasks/quick", Token: u.Token,
			Body: map[string]any{"text": text, "dry_run": true}}).want(t, http.StatusOK).decode(t, &dry)
		after := tomorrow9()
		if dry.DueDate == nil || !dry.DueDate.Equal(before) && !dry.DueDate.Equal(after) {
			t.Errorf("due %v, want %v", dry.DueDate, before)
		}
		wantSpans := []httpapi.QuickSpanBody{{9, 17, "due", "tomorrow"}, {18, 21, "due", "9am"}, {22, 27, "priority", "!high"}, {28, 33, "category", "#Home"}}
		if d := cmp.Diff(wantSpans, dry.Spans); d != "" {
			t.Errorf("spans (-want +got)\n%s", d)
		}
		if dry.Title != "Pay rent" || dry.Priority != "HIGH" || dry.CategoryID == nil || *dry.CategoryID != home.ID || dry.Task != nil {
			t.Errorf("dry run: %+v", dry)
		}
		if tasks := e.listAll(t, u, "/api/v1/tasks", nil, 100); len(tasks) != 0 {
			t.Fatalf("dry_run created %d tasks", len(tasks))
		}

		r := e.do(t, request{Method: http.MethodPost, Path: "/api/v1/tasks/quick", Token: u.Token, Body: map[string]any{"text": text}}).
			want(t, http.StatusCreated)
		var made httpapi.QuickTaskBody
		r.decode(t, &made)
		if made.Task == nil || made.Task.Title != "Pay rent" || made.Task.Priority != "HIGH" || r.Header.Get("Location") != "/api/v1/tasks/"+made.Task.ID {
			t.Fatalf("created: %+v, Location %q", made.Task, r.Header.Get("Location"))
		}
		got := e.get(t, "/api/v1/tasks/"+made.Task.ID, u.Token).want(t, http.StatusOK)
		if got.Header.Get("ETag") != r.Header.Get("ETag") {
			t.Errorf("ETag %q, want %q", r.Header.Get("ETag"), got.Header.Get("ETag"))
		}

		// Nothing left for a title, or an unknown category kept in it.
		e.do(t, request{Method: http.MethodPost, Path: "/api/v1/tasks/quick", Token: u.Token, Body: map[string]any{"text": "tomorrow !high"}}).
			wantProblem(t, http.StatusUnprocessableEntity)
		var kept httpapi.QuickTaskBody
		e.do(t, request{Method: http.MethodPost, Path: "/api/v1/tasks/quick", Token: u.Token,
			Body: map[string]any{"text": "Sow seeds #Garden", "dry_run": true}}).want(t, http.StatusOK).decode(t, &kept)
		if kept.Title != "Sow seeds #Garden" || kept.CategoryID != nil {
			t.Errorf("unknown category: %+v", kept)
		}
		// A part declined stays in the title, unrecognised; offsets in characters.
		var declined httpapi.QuickTaskBody
		e.do(t, request{Method: http.MethodPost, Path: "/api/v1/tasks/quick", Token: u.Token,
			Body: map[string]any{"text": "Lire « Tomorrow » demain p2", "dry_run": true, "declined": []map[string]int{{"start": 7, "end": 15}}}}).
			want(t, http.StatusOK).decode(t, &declined)
		if declined.Title != "Lire « Tomorrow » demain" || declined.DueDate != nil || declined.Priority != "HIGH" ||
			!cmp.Equal(declined.Spans, []httpapi.QuickSpanBody{{25, 27, "priority", "p2"}}) {
			t.Errorf("declined: %+v", declined)
		}
		// Another user's categories are not matched.
		v := e.newUser(t, "eve")
		var other httpapi.QuickTaskBody
		e.do(t, request{Method: http.MethodPost, Path: "/api/v1/tasks/quick", Token: v.Token,
			Body: map[string]any{"text": "x #Home", "dry_run": true}}).want(t, http.StatusOK).decode(t, &other)
		if other.CategoryID != nil {
			t.Errorf("matched another user's category: %+v", other)
		}
		e.do(t, request{Method: http.MethodPatch, Path: "/api/v1/users/me", Token: u.Token,
			Body: map[string]any{"timezone": "Mars/Olympus"}}).wantProblem(t, http.StatusUnprocessableEntity)
	})
}
