package httpapi_test

import (
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/taskapi/taskapi/internal/httpapi"
)

// Recurrence through HTTP, on both engines. The dates are in 2027 and
// later, after the test clock's now (fixedNoon), so "the first
// occurrence after both the due date and now" is the next one of the
// schedule.

// fixedNoon is when the tests whose outcome hangs on the date run, on the
// server's clock, set before anything else: the recurrence tests' dates,
// fixed for the DST changes, the 31st and the leap day they test, stay in
// the future whatever the day the tests really run, and noon UTC is far
// from midnight in the zones the tests use.
func fixedNoon() time.Time { return time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC) }

// at is a wall-clock time in the named zone, as an instant in UTC.
func at(t testing.TB, zone string, y int, m time.Month, d, h, min int) time.Time {
	t.Helper()
	loc, err := time.LoadLocation(zone)
	if err != nil {
		t.Fatal(err)
	}
	return time.Date(y, m, d, h, min, 0, 0, loc).UTC()
}

// inZone gives u the time zone zone.
func (e *env) inZone(t testing.TB, u testUser, zone string) {
	t.Helper()
	e.do(t, request{Method: http.MethodPatch, Path: "/api/v1/users/me", Token: u.Token,
		Body: map[string]any{"timezone": zone}}).want(t, http.StatusOK)
}

// complete completes a task with its ETag and returns the answer.
func (e *env) complete(t testing.TB, u testUser, id, etag string) (httpapi.TaskBody, string) {
	t.Helper()
	var task httpapi.TaskBody
	r := e.do(t, request{Method: http.MethodPatch, Path: "/api/v1/tasks/" + id, Token: u.Token,
		Header: http.Header{"If-Match": {etag}}, Body: map[string]any{"status": "COMPLETED"}}).want(t, http.StatusOK)
	r.decode(t, &task)
	return task, r.Header.Get("ETag")
}

func (e *env) completions(t testing.TB, u testUser, id, query string) httpapi.CompletionListOutput {
	t.Helper()
	var out httpapi.CompletionListOutput
	e.get(t, "/api/v1/tasks/"+id+"/completions"+query, u.Token).want(t, http.StatusOK).decode(t, &out.Body)
	return out
}

// TestRecurrenceRules completes recurring tasks and checks each next due
// date against dates worked out from a calendar, in the owner's zone: DST
// changes in Paris and New York, a leap day, month ends, BYSETPOS, COUNT
// and UNTIL. The occurrences list must agree.
func TestRecurrenceRules(t *testing.T) {
	const paris, ny = "Europe/Paris", "America/New_York"
	cases := []struct {
		name, zone, rule string
		due              time.Time
		next             []time.Time // the due dates after each completion
		stays            bool        // after the last of next, one more completion ends the series
	}{
		{"Monday 09:00 in Paris across spring forward", paris, "FREQ=WEEKLY;BYDAY=MO", at(t, paris, 2027, 3, 22, 9, 0),
			[]time.Time{at(t, paris, 2027, 3, 29, 9, 0), at(t, paris, 2027, 4, 5, 9, 0)}, false},
		{"Monday 09:00 in Paris across fall back", paris, "FREQ=WEEKLY;BYDAY=MO", at(t, paris, 2027, 10, 25, 9, 0),
			[]time.Time{at(t, paris, 2027, 11, 1, 9, 0)}, false},
		{"daily 08:30 in New York across spring forward", ny, "FREQ=DAILY", at(t, ny, 2027, 3, 13, 8, 30),
			[]time.Time{at(t, ny, 2027, 3, 14, 8, 30), at(t, ny, 2027, 3, 15, 8, 30)}, false},
		{"daily 01:30 in New York across fall back", ny, "FREQ=DAILY", at(t, ny, 2027, 11, 6, 1, 30),
			[]time.Time{time.Date(2027, 11, 7, 5, 30, 0, 0, time.UTC) /* the first 01:30, EDT */, at(t, ny, 2027, 11, 8, 1, 30)}, false},
		{"daily 02:30 in New York: spring forward's gap moves it to 03:30 that day", ny, "FREQ=DAILY", at(t, ny, 2027, 3, 13, 2, 30),
			[]time.Time{time.Date(2027, 3, 14, 7, 30, 0, 0, time.UTC) /* 03:30 EDT */, at(t, ny, 2027, 3, 15, 2, 30)}, false},
		{"leap day", paris, "FREQ=YEARLY;BYMONTHDAY=29;BYMONTH=2", at(t, paris, 2028, 2, 29, 10, 0),
			[]time.Time{at(t, paris, 2032, 2, 29, 10, 0)}, false},
		{"monthly on the 31st skips short months", paris, "FREQ=MONTHLY;BYMONTHDAY=31", at(t, paris, 2027, 1, 31, 9, 0),
			[]time.Time{at(t, paris, 2027, 3, 31, 9, 0), at(t, paris, 2027, 5, 31, 9, 0)}, false},
		{"last day of the month", ny, "FREQ=MONTHLY;BYMONTHDAY=-1", at(t, ny, 2027, 1, 31, 18, 0),
			[]time.Time{at(t, ny, 2027, 2, 28, 18, 0), at(t, ny, 2027, 3, 31, 18, 0)}, false},
		{"last weekday of the month", paris, "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1", at(t, paris, 2027, 1, 29, 17, 0),
			[]time.Time{at(t, paris, 2027, 2, 26, 17, 0), at(t, paris, 2027, 3, 31, 17, 0)}, false},
		{"COUNT=3 is exhausted", paris, "FREQ=DAILY;COUNT=3", at(t, paris, 2027, 6, 1, 7, 0),
			[]time.Time{at(t, paris, 2027, 6, 2, 7, 0), at(t, paris, 2027, 6, 3, 7, 0)}, true},
		{"UNTIL ends the series", ny, "FREQ=WEEKLY;UNTIL=20270615T235959Z", at(t, ny, 2027, 6, 1, 12, 0),
			[]time.Time{at(t, ny, 2027, 6, 8, 12, 0), at(t, ny, 2027, 6, 15, 12, 0)}, true},
	}
	eachEngine(t, func(t *testing.T, e *env) {
		e.Clock.Set(fixedNoon())
		for i, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				u := e.newUser(t, "rules"+string(rune('a'+i)))
				e.inZone(t, u, c.zone)
				task, etag := e.createTask(t, u, map[string]any{"title": c.name, "due_date": c.due,
					"recurrence": map[string]any{"rule": c.rule}})
				if task.Recurrence == nil || task.Recurrence.Rule != c.rule || task.Recurrence.From != "due" || task.Recurrence.Occurrence != 1 {
					t.Fatalf("recurrence %+v", task.Recurrence)
				}
				// The occurrences list shows the same dates; after the last
				// one of a series that ends, nothing more.
				want := append([]time.Time{c.due}, c.next...)
				limit := len(want)
				if c.stays {
					limit++
				}
				var occ httpapi.OccurrenceListOutput
				e.get(t, "/api/v1/tasks/"+task.ID+"/occurrences?"+url.Values{"from": {c.due.Format(time.RFC3339)},
					"to": {c.due.AddDate(5, 0, 0).Format(time.RFC3339)}, "limit": {strconv.Itoa(limit)}}.Encode(), u.Token).
					want(t, http.StatusOK).decode(t, &occ.Body)
				var listed []time.Time
				for _, o := range occ.Body.Items {
					listed = append(listed, o.DueDate)
				}
				if d := cmp.Diff(want, listed); d != "" {
					t.Errorf("occurrences (-want +got):\n%s", d)
				}
				for n, next := range c.next {
					task, etag = e.complete(t, u, task.ID, etag)
					if task.Status != "TODO" || task.DueDate == nil || !task.DueDate.Equal(next) || task.CompletedAt != nil ||
						task.Recurrence.Occurrence != n+2 {
						t.Fatalf("after completion %d: %s due %v, completed %v, occurrence %d; want TODO due %v",
							n+1, task.Status, task.DueDate, task.CompletedAt, task.Recurrence.Occurrence, next)
					}
				}
				if c.stays {
					last := *task.DueDate
					task, _ = e.complete(t, u, task.ID, etag)
					if task.Status != "COMPLETED" || !task.DueDate.Equal(last) || task.CompletedAt == nil {
						t.Errorf("after the last occurrence: %s due %v", task.Status, task.DueDate)
					}
				}
				hist := e.completions(t, u, task.ID, "")
				wantDone := len(c.next)
				if c.stays {
					wantDone++
				}
				if len(hist.Body.Items) != wantDone {
					t.Fatalf("history %+v, want %d completions", hist.Body.Items, wantDone)
				}
				if first := hist.Body.Items[len(hist.Body.Items)-1]; !first.DueDate.Equal(c.due) || first.Occurrence != 1 {
					t.Errorf("oldest completion %+v, want occurrence 1 due %v", first, c.due)
				}
			})
		}
	})
}

// Bad recurrences are a 422 naming the field, and change nothing.
func TestRecurrenceRefused(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		e.Clock.Set(fixedNoon())
		u := e.newUser(t, "refused")
		due := at(t, "UTC", 2027, 5, 3, 9, 0)
		for _, c := range []struct {
			name  string
			body  map[string]any
			field string
		}{
			{"no due date", map[string]any{"title": "x", "recurrence": map[string]any{"rule": "FREQ=DAILY"}}, "body.due_date"},
			{"not an RRULE", map[string]any{"title": "x", "due_date": due, "recurrence": map[string]any{"rule": "every day"}}, "body.recurrence.rule"},
			{"hourly", map[string]any{"title": "x", "due_date": due, "recurrence": map[string]any{"rule": "FREQ=HOURLY"}}, "body.recurrence.rule"},
			{"secondly", map[string]any{"title": "x", "due_date": due, "recurrence": map[string]any{"rule": "FREQ=SECONDLY"}}, "body.recurrence.rule"},
			{"no occurrence", map[string]any{"title": "x", "due_date": due,
				"recurrence": map[string]any{"rule": "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30"}}, "body.recurrence.rule"},
			{"UNTIL before the due date", map[string]any{"title": "x", "due_date": due,
				"recurrence": map[string]any{"rule": "FREQ=DAILY;UNTIL=20270101"}}, "body.recurrence.rule"},
			{"reminder after UNTIL", map[string]any{"title": "x", "due_date": due, "reminders": []map[string]any{{"at": due.AddDate(0, 1, 0)}},
				"recurrence": map[string]any{"rule": "FREQ=DAILY;UNTIL=20270510"}}, "body.reminders[0].at"},
			{"bad repeat_from", map[string]any{"title": "x", "due_date": due,
				"recurrence": map[string]any{"rule": "FREQ=DAILY", "repeat_from": "whenever"}}, "body.recurrence.repeat_from"},
		} {
			t.Run(c.name, func(t *testing.T) {
				wantField(t, e.do(t, request{Method: http.MethodPost, Path: "/api/v1/tasks", Token: u.Token, Body: c.body}), c.field)
			})
		}
		var list httpapi.TaskListOutput
		e.get(t, "/api/v1/tasks", u.Token).want(t, http.StatusOK).decode(t, &list.Body)
		if len(list.Body.Items) != 0 {
			t.Fatalf("refused creates left %d tasks", len(list.Body.Items))
		}

		task, etag := e.createTask(t, u, map[string]any{"title": "Weekly", "due_date": due,
			"recurrence": map[string]any{"rule": "FREQ=WEEKLY;UNTIL=20270601"}})
		wantField(t, e.patchTask(t, u, task.ID, map[string]any{"due_date": nil}), "body.due_date")
		wantField(t, e.patchTask(t, u, task.ID, map[string]any{"recurrence": map[string]any{"rule": "FREQ=MINUTELY"}}), "body.recurrence.rule")
		wantField(t, e.patchTask(t, u, task.ID, map[string]any{"reminders": []map[string]any{{"at": due.AddDate(0, 2, 0)}}}), "body.reminders[0].at")
		if _, got := e.task(t, u, task.ID); got != etag {
			t.Error("a refused patch changed the task")
		}
		// Stopping the repeat: the task stays, without a recurrence.
		var plain httpapi.TaskBody
		e.patchTask(t, u, task.ID, map[string]any{"recurrence": nil}).want(t, http.StatusOK).decode(t, &plain)
		if plain.Recurrence != nil {
			t.Errorf("recurrence %+v after null", plain.Recurrence)
		}
	})
}
