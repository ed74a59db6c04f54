package httpapi_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/taskapi/taskapi/internal/auth"
	"github.com/taskapi/taskapi/internal/httpapi"
	"github.com/taskapi/taskapi/internal/mail"
)

// Reminders through HTTP: the wire shape, the field errors, the email a
// real SMTP server receives, the notification, and the preferences.
func TestReminders(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		e.runWorker(t)
		alice := e.newUser(t, "alice")
		due := e.Clock.Now().Add(2 * time.Hour).UTC().Truncate(time.Second)
		soon := e.Clock.Now().Add(time.Minute).UTC().Truncate(time.Second)
		task, etag := e.createTask(t, alice, map[string]any{"title": "Water the plants", "due_date": due,
			"reminders": []map[string]any{{"relative": "-PT30M"}, {"at": soon}, {"relative": "-P0D"}}})
		if len(task.Reminders) != 3 {
			t.Fatalf("reminders %+v", task.Reminders)
		}
		r0, r1, r2 := task.Reminders[0], task.Reminders[1], task.Reminders[2]
		if *r0.Relative != "-PT30M" || r0.At != nil || !r0.FireAt.Equal(due.Add(-30*time.Minute)) || r0.State != "PENDING" {
			t.Errorf("relative reminder %+v", r0)
		}
		if r1.Relative != nil || !r1.At.Equal(soon) || !r1.FireAt.Equal(soon) || r1.SentAt != nil {
			t.Errorf("absolute reminder %+v", r1)
		}
		if *r2.Relative != "PT0S" || !r2.FireAt.Equal(due) {
			t.Errorf("zero offset %+v (the canonical form is PT0S)", r2)
		}

		// Bad input is a 422 naming the field, and changes nothing.
		eleven := make([]map[string]any, 11)
		for i := range eleven {
			eleven[i] = map[string]any{"at": due.Add(time.Duration(i) * time.Minute)}
		}
		for _, tc := range []struct {
			body  map[string]any
			field string
		}{
			{map[string]any{"reminders": eleven}, "reminders"},
			{map[string]any{"reminders": []map[string]any{{"relative": "-P1M"}}}, "reminders[0].relative"},
			{map[string]any{"reminders": []map[string]any{{"relative": "PT"}}}, "reminders[0].relative"},
			{map[string]any{"reminders": []map[string]any{{"at": due}, {"relative": "30 minutes"}}}, "reminders[1].relative"},
			{map[string]any{"reminders": []map[string]any{{"at": due, "relative": "-PT1M"}}}, "reminders[0]"},
			{map[string]any{"due_date": nil, "reminders": []map[string]any{{"relative": "-PT1M"}}}, "reminders[0].relative"},
		} {
			p := e.do(t, request{Method: http.MethodPatch, Path: "/api/v1/tasks/" + task.ID, Token: alice.Token, Body: tc.body}).
				wantProblem(t, http.StatusUnprocessableEntity)
			named := false
			for _, fe := range p.Errors {
				named = named || strings.HasSuffix(fe.Location, tc.field)
			}
			if !named {
				t.Errorf("%v: errors %+v do not name %s", tc.body, p.Errors, tc.field)
			}
		}
		if g := e.get(t, "/api/v1/tasks/"+task.ID, alice.Token); g.Header.Get("ETag") != etag {
			t.Errorf("a refused patch changed the task")
		}

		// The absolute one goes off: one email to alice's address, one
		// notification, and the state says SENT.
		w := mail.NewReminderWorker(e.Store, mail.NewTemplates(e.Config.BaseURL), nil, mail.ReminderOptions{MailQueued: e.worker.Notify})
		e.Clock.Advance(time.Minute)
		if n, _, err := w.RunOnce(context.Background()); err != nil || n != 1 {
			t.Fatalf("RunOnce: %d reminders, %v", n, err)
		}
		m := e.Mail.Wait(t, "alice@example.com", "Reminder: Water the plants", 0)
		if !strings.Contains(m.Text, e.Config.BaseURL+"/tasks/"+task.ID) || !strings.Contains(m.HTML, "Water the plants") {
			t.Errorf("reminder email:\n%s\n%s", m.Text, m.HTML)
		}
		var got httpapi.TaskBody
		e.get(t, "/api/v1/tasks/"+task.ID, alice.Token).want(t, http.StatusOK).decode(t, &got)
		if got.Reminders[1].State != "SENT" || got.Reminders[1].SentAt == nil {
			t.Errorf("after going off: %+v", got.Reminders[1])
		}
		var page httpapi.NotificationListOutput
		e.get(t, "/api/v1/notifications?unread=true", alice.Token).want(t, http.StatusOK).decode(t, &page.Body)
		if len(page.Body.Items) != 1 || *page.Body.Items[0].TaskID != task.ID || page.Body.Items[0].Title != "Water the plants" {
			t.Fatalf("notifications %+v", page.Body.Items)
		}
		bob := e.newUser(t, "bob")
		e.post(t, "/api/v1/notifications/"+page.Body.Items[0].ID+"/read", bob.Token, nil).want(t, http.StatusNotFound)
		e.post(t, "/api/v1/notifications/"+page.Body.Items[0].ID+"/read", alice.Token, nil).want(t, http.StatusNoContent)
		e.get(t, "/api/v1/notifications?unread=true", alice.Token).want(t, http.StatusOK).decode(t, &page.Body)
		if len(page.Body.Items) != 0 {
			t.Errorf("still unread: %+v", page.Body.Items)
		}

		// Preferences: defaults, an ETag-guarded patch, 422 on a bad hour.
		pr := e.get(t, "/api/v1/users/me/preferences", alice.Token).want(t, http.StatusOK)
		var prefs httpapi.PreferencesBody
		pr.decode(t, &prefs)
		if !prefs.ReminderEmails || prefs.DigestHour != nil {
			t.Errorf("default preferences %+v", prefs)
		}
		tag := pr.Header.Get("ETag")
		// The clock follows real time: a digest hour half a day away cannot
		// come round while the test advances it by two hours.
		hour := (e.Clock.Now().UTC().Hour() + 12) % 24
		pp := e.do(t, request{Method: http.MethodPatch, Path: "/api/v1/users/me/preferences", Token: alice.Token,
			Header: http.Header{"If-Match": {tag}}, Body: map[string]any{"reminder_emails": false, "digest_hour": hour}}).want(t, http.StatusOK)
		pp.decode(t, &prefs)
		if prefs.ReminderEmails || prefs.DigestHour == nil || *prefs.DigestHour != hour || pp.Header.Get("ETag") == tag {
			t.Errorf("patched preferences %+v, ETag %s", prefs, pp.Header.Get("ETag"))
		}
		e.do(t, request{Method: http.MethodPatch, Path: "/api/v1/users/me/preferences", Token: alice.Token,
			Header: http.Header{"If-Match": {tag}}, Body: map[string]any{"digest_hour": nil}}).want(t, http.StatusPreconditionFailed)
		e.do(t, request{Method: http.MethodPatch, Path: "/api/v1/users/me/preferences", Token: alice.Token,
			Body: map[string]any{"digest_hour": 24}}).wantProblem(t, http.StatusUnprocessableEntity)

		// With emails off, the next reminder is a notification only.
		e.Clock.Advance(2 * time.Hour)
		if n, _, err := w.RunOnce(context.Background()); err != nil || n != 2 {
			t.Fatalf("RunOnce: %d reminders, %v", n, err)
		}
		pair, err := e.Auth.StartSession(context.Background(), alice.User.ID, auth.ClientInfo{}) // the first token expired
		if err != nil {
			t.Fatal(err)
		}
		alice.Token = pair.AccessToken
		e.get(t, "/api/v1/notifications?unread=true", alice.Token).want(t, http.StatusOK).decode(t, &page.Body)
		if len(page.Body.Items) != 2 {
			t.Errorf("%d unread notifications, want 2", len(page.Body.Items))
		}
		e.post(t, "/api/v1/notifications/read", alice.Token, nil).want(t, http.StatusNoContent)
		// The outbox holds the one email queued: none for the second round.
		if rows, err := e.Store.OutboxStatus(context.Background(), 10); err != nil || len(rows) != 1 {
			t.Errorf("outbox %+v, %v", rows, err)
		}
	})
}
