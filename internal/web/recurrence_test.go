package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/taskapi/taskapi/internal/store"
)

var occurrenceRE = regexp.MustCompile(`name="occurrence" value="([^"]+)"`)

// Recurring tasks without JavaScript: quick add, the row's repeat mark,
// the repeat section (picker, skip, history), and completing from the row
// twice with the same form, which advances once.
func TestRecurrencePages(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		b := e.browser(t)
		b.signup("rhea")
		b.post("/tasks", url.Values{"text": {"Water the plants every day 9am"}})
		all := b.get("/all")
		want(t, all, http.StatusOK, `class="repeat-mark" title="Every day"`)
		id := taskIDs(all)[0]
		u, err := e.Store.GetUserByEmail(context.Background(), "rhea@example.com")
		if err != nil {
			t.Fatal(err)
		}
		task, err := e.Store.GetTask(context.Background(), u.ID, uuid.MustParse(id))
		if err != nil || task.Recurrence == nil || task.Recurrence.Rule != "FREQ=DAILY" {
			t.Fatalf("quick-added task %+v, %v", task.Recurrence, err)
		}
		// Days on the person's clock: 09:00 in Paris stays 09:00 across a
		// change of summer time, so a day on is not always 24 hours on.
		first := task.DueDate.In(mustZone(t, "Europe/Paris"))

		p := b.get("/tasks/" + id)
		want(t, p, http.StatusOK, "Repeat", "Every day", "Skip this occurrence", `<option value="daily" selected>`)

		// Complete from the row; the same form again (a double click)
		// changes nothing more.
		m := occurrenceRE.FindStringSubmatch(all.Body)
		if m == nil {
			t.Fatal("the row's complete form names no occurrence")
		}
		form := url.Values{"done": {"1"}, "occurrence": {m[1]}, "back": {"/all"}}
		want(t, b.follow(b.post("/tasks/"+id+"/toggle", form)), http.StatusOK, "Completed “Water the plants”. Next: ")
		want(t, b.follow(b.post("/tasks/"+id+"/toggle", form)), http.StatusOK)
		done, _, err := e.Store.ListCompletions(context.Background(), u.ID, task.ID, store.Page{Limit: 10})
		if err != nil || len(done) != 1 {
			t.Fatalf("completions %+v, %v; want one", done, err)
		}
		task, _ = e.Store.GetTask(context.Background(), u.ID, task.ID)
		if task.Status != "TODO" || !task.DueDate.Equal(first.AddDate(0, 0, 1)) {
			t.Errorf("after completing: %s due %v, want TODO due %v", task.Status, task.DueDate, first.AddDate(0, 0, 1))
		}

		// The overview counts it, though the task is open again.
		want(t, b.get("/overview"), http.StatusOK, "Completed per day as a table (1 in 30 days)")

		// Undo takes the completion back; completing again records it anew.
		want(t, b.follow(b.post("/tasks/"+id+"/completions/undo", url.Values{"back": {"/all"}})), http.StatusOK, "Back to ")
		task, _ = e.Store.GetTask(context.Background(), u.ID, task.ID)
		if done, _, _ = e.Store.ListCompletions(context.Background(), u.ID, task.ID, store.Page{Limit: 10}); len(done) != 0 ||
			!task.DueDate.Equal(first) || task.Recurrence.Occurrence != 1 {
			t.Fatalf("after undo: due %v occurrence %d, %d completions", task.DueDate, task.Recurrence.Occurrence, len(done))
		}
		b.follow(b.post("/tasks/"+id+"/toggle", form))

		// Skip: the next day again, and the history lists the completion.
		p = b.get("/tasks/" + id)
		want(t, p, http.StatusOK, "Completed", "Due "+first.In(mustZone(t, "Europe/Paris")).Format("Mon 2 Jan"))
		occ := occurrenceRE.FindStringSubmatch(p.Body)[1]
		want(t, b.follow(b.post("/tasks/"+id+"/skip", url.Values{"occurrence": {occ}})), http.StatusOK, "Skipped. Next: ")
		b.follow(b.post("/tasks/"+id+"/skip", url.Values{"occurrence": {occ}})) // the same skip again: once
		task, _ = e.Store.GetTask(context.Background(), u.ID, task.ID)
		if !task.DueDate.Equal(first.AddDate(0, 0, 2)) {
			t.Errorf("after a skip posted twice: due %v, want %v", task.DueDate, first.AddDate(0, 0, 2))
		}
		// After a skip, the completion before it can no longer be undone.
		want(t, b.follow(b.post("/tasks/"+id+"/completions/undo", nil)), http.StatusOK, "The task changed since it was completed")

		// The picker: a preset, a custom rule refused, then none.
		version := func() string { return versionOf(t, b.get("/tasks/"+id).Body) }
		want(t, b.follow(b.post("/tasks/"+id+"/recurrence", url.Values{"preset": {"weekdays"}, "repeat_from": {"due"}, "version": {version()}})),
			http.StatusOK, "Repeats every weekday.")
		want(t, b.follow(b.post("/tasks/"+id+"/recurrence", url.Values{"preset": {"custom"}, "rule": {"FREQ=HOURLY"}, "version": {version()}})),
			http.StatusOK, "That repeat is not possible")
		want(t, b.follow(b.post("/tasks/"+id+"/recurrence", url.Values{"preset": {"custom"}, "rule": {"FREQ=MONTHLY;BYDAY=-1FR"},
			"repeat_from": {"completion"}, "version": {version()}})), http.StatusOK, "Repeats monthly on the last Friday after completion.")
		p = b.follow(b.post("/tasks/"+id+"/recurrence", url.Values{"preset": {""}, "version": {version()}}))
		want(t, p, http.StatusOK, "Repeat removed.")
		if strings.Contains(p.Body, "Skip this occurrence") {
			t.Error("a task that no longer repeats offers Skip")
		}
	})
}
