package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/taskapi/taskapi"
	"github.com/taskapi/taskapi/internal/testkit"
)

// The reminders section of the task detail, the notifications the page
// polls for, and the reminder settings, without JavaScript.
func TestReminderPages(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		b := e.browser(t)
		b.signup("ada")
		b.post("/tasks", url.Values{"text": {"Call the dentist"}})
		u, err := e.Store.GetUserByEmail(context.Background(), "ada@example.com")
		if err != nil {
			t.Fatal(err)
		}
		id := taskIDs(b.get("/all"))[0]
		// Without a due date only a set time is offered.
		p := b.get("/tasks/" + id)
		want(t, p, http.StatusOK, "Reminders", "No reminders.", `name="at" type="datetime-local"`)
		if strings.Contains(p.Body, `name="preset"`) {
			t.Error("offsets from the due date offered for a task without one")
		}
		// A time on the user's clock (Europe/Paris, from sign-up).
		at := e.Clock.Now().In(time.UTC).Add(48 * time.Hour)
		local := at.In(mustZone(t, "Europe/Paris")).Format("2006-01-02T15:04")
		p = b.follow(b.post("/tasks/"+id+"/reminders", url.Values{"at": {local}, "back": {"/today"}}))
		want(t, p, http.StatusOK, "Reminder added.", "At a set time", at.In(mustZone(t, "Europe/Paris")).Format("Mon 2 Jan 15:04"))
		// An offset needs a due date: said, not an error page.
		want(t, b.follow(b.post("/tasks/"+id+"/reminders", url.Values{"preset": {"-PT30M"}})), http.StatusOK,
			"Give the task a due date first")
		// With one, the presets are offered and the reminder follows it.
		b.follow(b.post("/tasks/"+id, url.Values{"title": {"Call the dentist"}, "status": {"TODO"}, "priority": {"MEDIUM"},
			"due": {local}, "version": {versionOf(t, b.get("/tasks/"+id).Body)}}))
		p = b.follow(b.post("/tasks/"+id+"/reminders", url.Values{"preset": {"-PT30M"}}))
		want(t, p, http.StatusOK, "30 minutes before due", `name="preset"`)
		task, err := e.Store.GetTask(context.Background(), u.ID, uuid.MustParse(id))
		if err != nil || len(task.Reminders) != 2 || task.Reminders[1].FireAt == nil || !task.Reminders[1].FireAt.Equal(task.DueDate.Add(-30*time.Minute)) {
			t.Fatalf("reminders %+v, %v", task.Reminders, err)
		}
		// Remove one.
		p = b.follow(b.post("/tasks/"+id+"/reminders/"+task.Reminders[0].ID.String()+"/remove", nil))
		want(t, p, http.StatusOK, "Reminder removed.")
		if strings.Contains(p.Body, "At a set time") {
			t.Error("the removed reminder is still listed")
		}

		// Notifications: the poll lists a reminder that went off, and a
		// dismissal marks it read.
		var poll struct {
			Items []struct{ ID, Title, URL string }
		}
		getJSON(t, b, "/notifications", &poll)
		if len(poll.Items) != 0 {
			t.Fatalf("notifications before any went off: %+v", poll.Items)
		}
		soon := e.Clock.Now().Add(300 * time.Millisecond)
		rs := []taskapi.Reminder{{At: &soon}}
		if _, err := e.Store.UpdateTask(context.Background(), u.ID, task.ID, taskapi.TaskPatch{Reminders: &rs}, nil); err != nil {
			t.Fatal(err)
		}
		testkit.WaitFor(t, "the reminder to go off", func() bool { getJSON(t, b, "/notifications", &poll); return len(poll.Items) == 1 })
		if poll.Items[0].Title != "Call the dentist" || poll.Items[0].URL != "/tasks/"+id {
			t.Errorf("notification %+v", poll.Items[0])
		}
		b.get("/today") // for a fresh CSRF token
		r := b.post("/notifications/"+poll.Items[0].ID+"/read", url.Values{"back": {"/today"}})
		if r.Status != http.StatusSeeOther {
			t.Fatalf("dismiss: %d", r.Status)
		}
		getJSON(t, b, "/notifications", &poll)
		if len(poll.Items) != 0 {
			t.Errorf("still unread: %+v", poll.Items)
		}

		// Settings: emails off and a digest at 07:00.
		p = b.get("/settings")
		want(t, p, http.StatusOK, "Email me when a reminder goes off", "Daily digest", "Europe/Paris")
		version := regexp.MustCompile(`action="/settings/preferences"[^>]*>\s*<input type="hidden" name="csrf" value="[^"]*">\s*<input type="hidden" name="version" value="(\d+)"`).FindStringSubmatch(p.Body)
		if version == nil {
			t.Fatalf("no preferences version on the settings page")
		}
		p = b.follow(b.post("/settings/preferences", url.Values{"digest_hour": {"7"}, "version": {version[1]}}))
		want(t, p, http.StatusOK, "Reminder settings saved.", `<option value="7" selected>`)
		prefs, err := e.Store.GetPreferences(context.Background(), u.ID)
		if err != nil || prefs.ReminderEmails || prefs.DigestHour == nil || *prefs.DigestHour != 7 {
			t.Errorf("preferences %+v, %v", prefs, err)
		}
		// A stale form does not overwrite.
		want(t, b.follow(b.post("/settings/preferences", url.Values{"reminder_emails": {"on"}, "version": {version[1]}})),
			http.StatusOK, "changed elsewhere")
	})
}

func getJSON(t *testing.T, b *browser, path string, v any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, b.e.URL+path, nil)
	req.Header.Set("Accept", "application/json")
	res, err := b.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d", path, res.StatusCode)
	}
	if err := json.NewDecoder(res.Body).Decode(v); err != nil {
		t.Fatal(err)
	}
}

func mustZone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func versionOf(t *testing.T, body string) string {
	t.Helper()
	m := versionRE.FindStringSubmatch(body)
	if m == nil {
		t.Fatal("no version on the page")
	}
	return m[1]
}
