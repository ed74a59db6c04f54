package httpapi_test

import (
	"net/http"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/taskapi/taskapi/internal/httpapi"
)

// Due dates must fall in the years 1–9999 once in UTC: RFC 3339, and so
// JSON, writes four-digit years only, and SQLite compares the stored text.
// An offset can carry a date written in range out of it.
func TestTaskDueDateRange(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		alice := e.newUser(t, "alice")
		task, _ := e.createTask(t, alice, map[string]any{"title": "dated"})
		out := []string{
			"9999-12-31T23:00:00-05:00", // 10000-01-01 in UTC
			"0001-01-01T00:30:00+01:00", // year 0 in UTC
			"0000-06-01T00:00:00Z",
		}
		for _, due := range out {
			p := e.do(t, request{Method: http.MethodPost, Path: "/api/v1/tasks", Token: alice.Token,
				Body: map[string]any{"title": "t", "due_date": due}}).wantProblem(t, http.StatusUnprocessableEntity)
			wantLocation(t, p, "body.due_date")
			p = e.do(t, request{Method: http.MethodPatch, Path: "/api/v1/tasks/" + task.ID, Token: alice.Token,
				Body: map[string]any{"due_date": due}}).wantProblem(t, http.StatusUnprocessableEntity)
			wantLocation(t, p, "body.due_date")
			for _, param := range []string{"due_before", "due_after"} {
				p := e.get(t, "/api/v1/tasks?"+url.Values{param: {due}}.Encode(), alice.Token).wantProblem(t, http.StatusUnprocessableEntity)
				wantLocation(t, p, "query."+param)
			}
		}
		// The edges are fine, and lists that hold them still render and
		// sort in time order on both engines.
		first, _ := e.createTask(t, alice, map[string]any{"title": "first", "due_date": "0001-01-01T00:00:00Z"})
		last, _ := e.createTask(t, alice, map[string]any{"title": "last", "due_date": "9999-12-31T18:59:59.999999-05:00"})
		mid, _ := e.createTask(t, alice, map[string]any{"title": "mid", "due_date": "2030-01-01T00:00:00Z"})
		if !last.DueDate.Equal(time.Date(9999, 12, 31, 23, 59, 59, 999999000, time.UTC)) {
			t.Errorf("last due %v", last.DueDate)
		}
		got := ids(e.listAll(t, alice, "/api/v1/tasks", url.Values{"sort": {"due_date"}}, 2))
		if want := []string{first.ID, mid.ID, last.ID, task.ID}; !slices.Equal(got, want) {
			t.Errorf("due_date order %v, want %v", got, want)
		}
		got = ids(e.listAll(t, alice, "/api/v1/tasks", url.Values{"sort": {"-due_date"}}, 2))
		if want := []string{last.ID, mid.ID, first.ID, task.ID}; !slices.Equal(got, want) {
			t.Errorf("-due_date order %v, want %v", got, want)
		}
		var patched httpapi.TaskBody
		e.do(t, request{Method: http.MethodPatch, Path: "/api/v1/tasks/" + task.ID, Token: alice.Token,
			Body: map[string]any{"due_date": "9999-12-31T23:59:59Z"}}).want(t, http.StatusOK).decode(t, &patched)
		if patched.DueDate == nil || patched.DueDate.Year() != 9999 {
			t.Errorf("patched due %v", patched.DueDate)
		}
	})
}

// wantLocation fails t unless the problem has an error at loc.
func wantLocation(t testing.TB, p problem, loc string) {
	t.Helper()
	for _, d := range p.Errors {
		if d.Location == loc {
			return
		}
	}
	t.Errorf("no error at %s: %+v", loc, p)
}

// 0001-01-01T00:00:00Z is Go's zero time, yet a filter at that instant is a
// filter like any other: it leaves out tasks without a due date.
func TestTaskDueFilterAtTheFirstInstant(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		alice := e.newUser(t, "alice")
		first, _ := e.createTask(t, alice, map[string]any{"title": "first", "due_date": "0001-01-01T00:00:00Z"})
		later, _ := e.createTask(t, alice, map[string]any{"title": "later", "due_date": "2030-01-01T00:00:00Z"})
		e.createTask(t, alice, map[string]any{"title": "undated"})
		list := func(q url.Values) []string {
			t.Helper()
			return ids(e.listAll(t, alice, "/api/v1/tasks", q, 10))
		}
		if got, want := list(url.Values{"due_after": {"0001-01-01T00:00:00Z"}, "sort": {"due_date"}}), []string{first.ID, later.ID}; !slices.Equal(got, want) {
			t.Errorf("due_after the first instant: %v, want %v", got, want)
		}
		if got := list(url.Values{"due_before": {"0001-01-01T00:00:00Z"}}); len(got) != 0 {
			t.Errorf("due_before the first instant: %v, want none", got)
		}
		if got := list(url.Values{"due_after": {""}}); len(got) != 3 {
			t.Errorf("an empty due_after is no filter: %d tasks", len(got))
		}
		p := e.get(t, "/api/v1/tasks?due_after=tomorrow", alice.Token).wantProblem(t, http.StatusUnprocessableEntity)
		wantLocation(t, p, "query.due_after")
	})
}

// Instants are kept to the microsecond, as the databases keep them: the
// answer to a PATCH shows what was stored, the same PATCH again changes
// nothing (same ETag and updated_at), and a filter at a client's instant
// agrees with a due date set to it, on both engines.
func TestTaskTimesKeptToTheMicrosecond(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		alice := e.newUser(t, "alice")
		const nanos = "2030-05-06T09:08:09.123456789+02:00"
		stored := time.Date(2030, 5, 6, 7, 8, 9, 123456000, time.UTC)
		created, _ := e.createTask(t, alice, map[string]any{"title": "precise", "due_date": nanos})
		if !created.DueDate.Equal(stored) {
			t.Errorf("created due %v, want %v", created.DueDate, stored)
		}
		other, _ := e.createTask(t, alice, map[string]any{"title": "patched"})
		path := "/api/v1/tasks/" + other.ID
		patch := func(body map[string]any) (httpapi.TaskBody, string) {
			t.Helper()
			var b httpapi.TaskBody
			r := e.do(t, request{Method: http.MethodPatch, Path: path, Token: alice.Token, Body: body}).want(t, http.StatusOK)
			r.decode(t, &b)
			return b, r.Header.Get("ETag")
		}
		body := map[string]any{"due_date": nanos, "title": "patched", "priority": "MEDIUM", "status": "TODO", "description": nil, "category_id": nil}
		first, tag := patch(body)
		if !first.DueDate.Equal(stored) || first.DueDate.Nanosecond() != 123456000 {
			t.Errorf("patched due %v, want %v", first.DueDate, stored)
		}
		var got httpapi.TaskBody
		e.get(t, path, alice.Token).want(t, http.StatusOK).decode(t, &got)
		if !got.DueDate.Equal(*first.DueDate) {
			t.Errorf("read back %v, PATCH answered %v", got.DueDate, first.DueDate)
		}
		// The same patch again, and a patch of every field to its value,
		// change nothing: neither the version nor updated_at moves.
		for range 2 {
			again, againTag := patch(body)
			if againTag != tag || !again.UpdatedAt.Equal(first.UpdatedAt) || !again.DueDate.Equal(stored) {
				t.Errorf("a repeated patch changed the task: ETag %s → %s, updated_at %v → %v", tag, againTag, first.UpdatedAt, again.UpdatedAt)
			}
		}
		// Filters at the client's instant agree with the stored due date.
		if got := ids(e.listAll(t, alice, "/api/v1/tasks", url.Values{"due_after": {nanos}}, 10)); len(got) != 2 {
			t.Errorf("due_after the due date: %d tasks, want both", len(got))
		}
		if got := ids(e.listAll(t, alice, "/api/v1/tasks", url.Values{"due_before": {nanos}}, 10)); len(got) != 0 {
			t.Errorf("due_before the due date: %v, want none", got)
		}
	})
}
