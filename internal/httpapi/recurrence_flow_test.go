package httpapi_test

import (
	"net/http"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/taskapi/taskapi/internal/httpapi"
)

// Two clients completing the same occurrence at once, each with the ETag
// it read: the task advances once, one completion is recorded, the other
// client gets 412. Skips that name the occurrence they skip advance once
// too, without If-Match.
func TestRecurrenceCompletionRace(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		e.Clock.Set(fixedNoon())
		u := e.newUser(t, "racer")
		due := at(t, "UTC", 2027, 6, 7, 9, 0)
		task, etag := e.createTask(t, u, map[string]any{"title": "Stand-up", "due_date": due,
			"recurrence": map[string]any{"rule": "FREQ=DAILY"}})
		const n = 8
		statuses := make([]int, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				statuses[i] = e.do(t, request{Method: http.MethodPatch, Path: "/api/v1/tasks/" + task.ID, Token: u.Token,
					Header: http.Header{"If-Match": {etag}}, Body: map[string]any{"status": "COMPLETED"}}).Status
			}()
		}
		wg.Wait()
		won := 0
		for _, s := range statuses {
			switch s {
			case http.StatusOK:
				won++
			case http.StatusPreconditionFailed:
			default:
				t.Errorf("status %d", s)
			}
		}
		got, _ := e.task(t, u, task.ID)
		if won != 1 || !got.DueDate.Equal(due.AddDate(0, 0, 1)) || got.Recurrence.Occurrence != 2 {
			t.Errorf("%d completions won, task due %v occurrence %d; want 1, %v, 2", won, got.DueDate, got.Recurrence.Occurrence, due.AddDate(0, 0, 1))
		}
		if h := e.completions(t, u, task.ID, ""); len(h.Body.Items) != 1 {
			t.Errorf("history %+v, want one completion", h.Body.Items)
		}

		// Skips of the occurrence due now, all at once: one skip.
		cur := *got.DueDate
		for range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				e.post(t, "/api/v1/tasks/"+task.ID+"/skip", u.Token, map[string]any{"occurrence": cur}).want(t, http.StatusOK)
			}()
		}
		wg.Wait()
		got, _ = e.task(t, u, task.ID)
		if !got.DueDate.Equal(cur.AddDate(0, 0, 1)) || got.Recurrence.Occurrence != 3 {
			t.Errorf("after %d skips of one occurrence: due %v occurrence %d", n, got.DueDate, got.Recurrence.Occurrence)
		}
		if h := e.completions(t, u, task.ID, ""); len(h.Body.Items) != 1 {
			t.Errorf("a skip recorded a completion: %+v", h.Body.Items)
		}
	})
}

// Skip: the next occurrence without a completion, ETag-guarded; 422 for a
// task that does not repeat and at the last occurrence.
func TestRecurrenceSkip(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		e.Clock.Set(fixedNoon())
		u := e.newUser(t, "skipper")
		due := at(t, "Europe/Paris", 2027, 6, 7, 9, 0)
		task, etag := e.createTask(t, u, map[string]any{"title": "Gym", "due_date": due,
			"recurrence": map[string]any{"rule": "FREQ=WEEKLY;COUNT=2"}})
		skip := func(etag string) *response {
			return e.do(t, request{Method: http.MethodPost, Path: "/api/v1/tasks/" + task.ID + "/skip", Token: u.Token,
				Header: http.Header{"If-Match": {etag}}})
		}
		r := skip(etag).want(t, http.StatusOK)
		var skipped httpapi.TaskBody
		r.decode(t, &skipped)
		if !skipped.DueDate.Equal(due.AddDate(0, 0, 7)) || skipped.Status != "TODO" || r.Header.Get("ETag") == etag {
			t.Errorf("skipped: due %v %s, ETag %s", skipped.DueDate, skipped.Status, r.Header.Get("ETag"))
		}
		skip(etag).wantProblem(t, http.StatusPreconditionFailed)
		wantField(t, skip(r.Header.Get("ETag")), "body.recurrence")
		plain, plainTag := e.createTask(t, u, map[string]any{"title": "Once", "due_date": due})
		wantField(t, e.do(t, request{Method: http.MethodPost, Path: "/api/v1/tasks/" + plain.ID + "/skip", Token: u.Token,
			Header: http.Header{"If-Match": {plainTag}}}), "body.recurrence")
		if h := e.completions(t, u, task.ID, ""); len(h.Body.Items) != 0 {
			t.Errorf("skips recorded completions: %+v", h.Body.Items)
		}
		stranger := e.newUser(t, "stranger")
		e.post(t, "/api/v1/tasks/"+task.ID+"/skip", stranger.Token, nil).want(t, http.StatusNotFound)
		e.get(t, "/api/v1/tasks/"+task.ID+"/completions", stranger.Token).want(t, http.StatusNotFound)
		e.get(t, "/api/v1/tasks/"+task.ID+"/occurrences", stranger.Token).want(t, http.StatusNotFound)
	})
}

// Repeating from completion: the next date counts from the day it was
// done, at the due date's time of day, in the owner's zone.
func TestRecurrenceFromCompletion(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		e.Clock.Set(fixedNoon())
		u := e.newUser(t, "everybang")
		e.inZone(t, u, "Europe/Paris")
		due := at(t, "Europe/Paris", 2027, 6, 7, 9, 0)
		task, etag := e.createTask(t, u, map[string]any{"title": "Water the plants", "due_date": due,
			"recurrence": map[string]any{"rule": "FREQ=DAILY;INTERVAL=3", "repeat_from": "completion"}})
		done, _ := e.complete(t, u, task.ID, etag)
		paris, _ := time.LoadLocation("Europe/Paris")
		now := e.Clock.Now().In(paris)
		want := time.Date(now.Year(), now.Month(), now.Day()+3, 9, 0, 0, 0, paris).UTC()
		if !done.DueDate.Equal(want) || done.Recurrence.From != "completion" {
			t.Errorf("due %v, want %v (three days after today, 09:00 Paris)", done.DueDate, want)
		}
	})
}

// Completing in bulk advances each recurring task, ends a series at its
// last occurrence, and completes the others; a recurring parent's
// completed subtasks start again with its next occurrence; relative
// reminders follow the next due date.
func TestRecurrenceBulkSubtasksReminders(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		e.Clock.Set(fixedNoon())
		u := e.newUser(t, "bulky")
		due := at(t, "UTC", 2027, 6, 7, 9, 0)
		weekly, _ := e.createTask(t, u, map[string]any{"title": "Weekly review", "due_date": due,
			"reminders":  []map[string]any{{"relative": "-PT30M"}},
			"recurrence": map[string]any{"rule": "FREQ=WEEKLY"}})
		last, _ := e.createTask(t, u, map[string]any{"title": "Last one", "due_date": due,
			"recurrence": map[string]any{"rule": "FREQ=DAILY;COUNT=1"}})
		plain, _ := e.createTask(t, u, map[string]any{"title": "Plain", "due_date": due})
		sub1, _ := e.createTask(t, u, map[string]any{"title": "Inbox zero", "parent_id": weekly.ID})
		sub2, _ := e.createTask(t, u, map[string]any{"title": "Plan week", "parent_id": weekly.ID})
		e.patchTask(t, u, sub1.ID, map[string]any{"status": "COMPLETED"}).want(t, http.StatusOK)

		e.post(t, "/api/v1/tasks/bulk", u.Token, map[string]any{"ids": []string{weekly.ID, last.ID, plain.ID},
			"action": "update", "changes": map[string]any{"status": "COMPLETED"}}).want(t, http.StatusOK)
		w, _ := e.task(t, u, weekly.ID)
		next := due.AddDate(0, 0, 7)
		if w.Status != "TODO" || !w.DueDate.Equal(next) || w.CompletedAt != nil {
			t.Errorf("weekly after bulk: %s due %v", w.Status, w.DueDate)
		}
		if rm := w.Reminders[0]; rm.FireAt == nil || !rm.FireAt.Equal(next.Add(-30*time.Minute)) || rm.State != "PENDING" {
			t.Errorf("reminder %+v, want PENDING at %v", rm, next.Add(-30*time.Minute))
		}
		for _, id := range []string{sub1.ID, sub2.ID} {
			if s, _ := e.task(t, u, id); s.Status != "TODO" {
				t.Errorf("subtask %s is %s after its recurring parent advanced, want TODO", s.Title, s.Status)
			}
		}
		for _, id := range []string{last.ID, plain.ID} {
			if x, _ := e.task(t, u, id); x.Status != "COMPLETED" || x.CompletedAt == nil {
				t.Errorf("%s is %s, want COMPLETED", x.Title, x.Status)
			}
		}
		if h := e.completions(t, u, weekly.ID, ""); len(h.Body.Items) != 1 || !h.Body.Items[0].DueDate.Equal(due) {
			t.Errorf("weekly history %+v", h.Body.Items)
		}
		if h := e.completions(t, u, last.ID, ""); len(h.Body.Items) != 1 {
			t.Errorf("last history %+v", h.Body.Items)
		}

		// Through PATCH too: the reminder follows once more, and the
		// subtasks the completion cascaded to are open again.
		_, etag := e.task(t, u, weekly.ID)
		w, _ = e.complete(t, u, weekly.ID, etag)
		if !w.DueDate.Equal(next.AddDate(0, 0, 7)) || !w.Reminders[0].FireAt.Equal(next.AddDate(0, 0, 7).Add(-30*time.Minute)) {
			t.Errorf("after PATCH: due %v, reminder %+v", w.DueDate, w.Reminders[0])
		}
		if w.SubtaskCount != 2 || w.CompletedSubtaskCount != 0 {
			t.Errorf("subtasks %d, completed %d; want 2, 0", w.SubtaskCount, w.CompletedSubtaskCount)
		}

		// A subtask may repeat too; the subtasks list shows it.
		e.patchTask(t, u, sub2.ID, map[string]any{"due_date": due, "recurrence": map[string]any{"rule": "FREQ=DAILY"}}).want(t, http.StatusOK)
		var subs httpapi.TaskListOutput
		e.get(t, "/api/v1/tasks/"+weekly.ID+"/subtasks", u.Token).want(t, http.StatusOK).decode(t, &subs.Body)
		if len(subs.Body.Items) != 2 || subs.Body.Items[1].Recurrence == nil || subs.Body.Items[0].Recurrence != nil {
			t.Errorf("subtasks %+v", subs.Body.Items)
		}

		// The stats count each completion on its day: four today.
		var st httpapi.TaskStatsOutput
		e.get(t, "/api/v1/tasks/stats", u.Token).want(t, http.StatusOK).decode(t, &st.Body)
		days := st.Body.CompletionsPerDay
		today := e.Clock.Now().UTC().Format(time.DateOnly)
		if len(days) != 7 || days[6].Date != today || days[6].Count != 4 {
			t.Errorf("completions per day %+v, want 7 days ending %s with 4 (weekly twice, last, plain)", days, today)
		}
	})
}

// The occurrences list is bounded (100 at most, 5 years at most) and
// pages on with next_from; the history pages by cursor.
func TestRecurrenceListsBounded(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		e.Clock.Set(fixedNoon())
		u := e.newUser(t, "bounds")
		due := at(t, "UTC", 2027, 1, 1, 9, 0)
		task, etag := e.createTask(t, u, map[string]any{"title": "Daily", "due_date": due,
			"recurrence": map[string]any{"rule": "FREQ=DAILY"}})
		path := "/api/v1/tasks/" + task.ID + "/occurrences?"
		from := due.Format(time.RFC3339)
		e.get(t, path+url.Values{"from": {from}, "limit": {"101"}}.Encode(), u.Token).wantProblem(t, http.StatusUnprocessableEntity)
		wantField(t, e.get(t, path+url.Values{"from": {from}, "to": {due.AddDate(6, 0, 0).Format(time.RFC3339)}}.Encode(), u.Token), "query.to")
		wantField(t, e.get(t, path+url.Values{"from": {from}, "to": {from}}.Encode(), u.Token), "query.to")
		var page httpapi.OccurrenceListOutput
		e.get(t, path+url.Values{"from": {from}, "limit": {"100"}}.Encode(), u.Token).want(t, http.StatusOK).decode(t, &page.Body)
		if len(page.Body.Items) != 100 || page.Body.NextFrom == nil || page.Body.Items[99].Occurrence != 100 {
			t.Fatalf("%d occurrences, next_from %v", len(page.Body.Items), page.Body.NextFrom)
		}
		e.get(t, path+url.Values{"from": {page.Body.NextFrom.Format(time.RFC3339Nano)}, "limit": {"1"}}.Encode(), u.Token).
			want(t, http.StatusOK).decode(t, &page.Body)
		if len(page.Body.Items) != 1 || page.Body.Items[0].Occurrence != 101 || !page.Body.Items[0].DueDate.Equal(due.AddDate(0, 0, 100)) {
			t.Errorf("next page %+v", page.Body.Items)
		}

		for range 3 {
			_, etag = e.complete(t, u, task.ID, etag)
		}
		first := e.completions(t, u, task.ID, "?limit=2")
		if len(first.Body.Items) != 2 || first.Body.NextCursor == nil || first.Body.Items[0].Occurrence != 3 {
			t.Fatalf("first page %+v", first.Body)
		}
		second := e.completions(t, u, task.ID, "?limit=2&cursor="+url.QueryEscape(*first.Body.NextCursor))
		if len(second.Body.Items) != 1 || second.Body.NextCursor != nil || second.Body.Items[0].Occurrence != 1 {
			t.Errorf("second page %+v", second.Body)
		}
	})
}

// Quick add reads repeat phrases: the task is created repeating, due at
// the rule's first occurrence to come.
func TestRecurrenceQuickAdd(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		u := e.newUser(t, "quick")
		var out httpapi.QuickTaskBody
		e.post(t, "/api/v1/tasks/quick", u.Token, map[string]any{"text": "Water the ferns every! 3 days"}).
			want(t, http.StatusCreated).decode(t, &out)
		if out.Task == nil || out.Task.Recurrence == nil || out.Task.Recurrence.Rule != "FREQ=DAILY;INTERVAL=3" ||
			out.Task.Recurrence.From != "completion" || out.Task.Title != "Water the ferns" || out.Task.DueDate == nil {
			t.Fatalf("quick task %+v", out.Task)
		}
		if want := []httpapi.QuickSpanBody{{16, 29, "recurrence", "every! 3 days"}}; !cmp.Equal(want, out.Spans) {
			t.Errorf("spans %+v, want %+v", out.Spans, want)
		}
	})
}
