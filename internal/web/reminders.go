package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/taskapi/taskapi"
	"github.com/taskapi/taskapi/internal/store"
)

// The task detail's reminders section (templates/part_task_reminders.html),
// the notifications the page polls for (static/notify.js) and the reminder
// preferences on the settings page.

// reminderView is one reminder as the section lists it.
type reminderView struct {
	ID    string
	What  string // "30 minutes before due", "At a time"
	When  string // when it goes off, on the user's clock; "" while asleep
	State string // "", "Sent", "Skipped"
}

// remindersSection is what the section shows.
type remindersSection struct {
	Items  []reminderView
	HasDue bool
	Full   bool
	// Presets are the offsets offered when the task has a due date.
	Presets []reminderPreset
}

type reminderPreset struct{ Value, Label string }

var reminderPresets = []reminderPreset{
	{"PT0S", "At the due time"}, {"-PT10M", "10 minutes before"}, {"-PT30M", "30 minutes before"},
	{"-PT1H", "1 hour before"}, {"-PT3H", "3 hours before"}, {"-P1D", "1 day before"}, {"-P2D", "2 days before"},
}

// loadReminders fills the section from the task as read.
func loadReminders(rq *req, f *taskForm) {
	s := remindersSection{HasDue: f.T.DueDate != nil, Full: len(f.T.Reminders) >= taskapi.MaxRemindersPerTask, Presets: reminderPresets}
	for _, r := range f.T.Reminders {
		v := reminderView{ID: r.ID.String(), What: "At a set time"}
		if r.Relative != nil {
			v.What = offsetWords(*r.Relative)
		}
		if r.FireAt != nil {
			v.When = r.FireAt.In(rq.loc).Format("Mon 2 Jan 15:04")
		}
		switch r.State {
		case taskapi.ReminderSent:
			v.State = "Sent"
		case taskapi.ReminderSkipped:
			v.State = "Skipped"
		}
		s.Items = append(s.Items, v)
	}
	f.Reminders = s
}

// offsetWords says an offset from the due date in words: "1 day 2 hours
// before due", "at the due time".
func offsetWords(o taskapi.Offset) string {
	if o.Days == 0 && o.Time == 0 {
		return "At the due time"
	}
	plural := func(n int, unit string) string {
		if n == 1 {
			return "1 " + unit
		}
		return strconv.Itoa(n) + " " + unit + "s"
	}
	s := ""
	add := func(n int, unit string) {
		if n > 0 {
			if s != "" {
				s += " "
			}
			s += plural(n, unit)
		}
	}
	add(o.Days, "day")
	add(int(o.Time/time.Hour), "hour")
	add(int(o.Time%time.Hour/time.Minute), "minute")
	add(int(o.Time%time.Minute/time.Second), "second")
	if o.Negative {
		return s + " before due"
	}
	return s + " after due"
}

// reminderAdd adds one reminder: a preset offset from the due date, or a
// time on the user's clock.
func (a *App) reminderAdd(w http.ResponseWriter, r *http.Request, rq *req) {
	var add taskapi.Reminder
	switch at, preset := r.PostForm.Get("at"), r.PostForm.Get("preset"); {
	case at != "":
		t, err := time.ParseInLocation("2006-01-02T15:04", at, rq.loc)
		if err != nil {
			a.reminderDone(w, r, "That time could not be read.")
			return
		}
		add.At = &t
	case preset != "":
		o, err := taskapi.ParseOffset("relative", preset)
		if err != nil {
			a.reminderDone(w, r, "Choose when to be reminded.")
			return
		}
		add.Relative = &o
	default:
		a.reminderDone(w, r, "Choose when to be reminded.")
		return
	}
	a.changeReminders(w, r, rq, "Reminder added.", func(rs []taskapi.Reminder) []taskapi.Reminder { return append(rs, add) })
}

// reminderRemove removes one reminder.
func (a *App) reminderRemove(w http.ResponseWriter, r *http.Request, rq *req) {
	rid, err := uuid.Parse(r.PathValue("rid"))
	if err != nil {
		a.notFound(w, r, rq)
		return
	}
	a.changeReminders(w, r, rq, "Reminder removed.", func(rs []taskapi.Reminder) []taskapi.Reminder {
		out := rs[:0:0]
		for _, x := range rs {
			if x.ID != rid {
				out = append(out, x)
			}
		}
		return out
	})
}

// changeReminders replaces the task's reminders with edit(current) and
// goes back to the task. The reminders kept keep their state (the store
// matches them by the moment they ask for).
func (a *App) changeReminders(w http.ResponseWriter, r *http.Request, rq *req, done string, edit func([]taskapi.Reminder) []taskapi.Reminder) {
	a.patchFromDetail(w, r, rq, done, func(t taskapi.Task) taskapi.TaskPatch {
		rs := edit(append([]taskapi.Reminder(nil), t.Reminders...))
		return taskapi.TaskPatch{Reminders: &rs}
	}, func(fe *taskapi.FieldError) string {
		switch {
		case fe.Field == "reminders":
			return fmt.Sprintf("A task can have at most %d reminders.", taskapi.MaxRemindersPerTask)
		case strings.HasPrefix(fe.Message, "is the same"):
			return "That reminder is already set."
		case strings.HasSuffix(fe.Field, ".relative"):
			return "Give the task a due date first, or choose a time."
		}
		return "That reminder is not possible: the time " + fe.Message + "."
	})
}

// patchFromDetail applies the patch that build makes of the task as read,
// under that version, for a form of a detail section, and goes back to
// the task saying done, or what refused says of a field error.
func (a *App) patchFromDetail(w http.ResponseWriter, r *http.Request, rq *req, done string,
	build func(taskapi.Task) taskapi.TaskPatch, refused func(*taskapi.FieldError) string) {
	id, ok := a.taskID(w, r, rq)
	if !ok {
		return
	}
	ctx := r.Context()
	t, err := a.store.GetTask(ctx, rq.p.User.ID, id)
	if err != nil {
		a.fail(w, r, rq, err)
		return
	}
	_, err = a.store.UpdateTask(ctx, rq.p.User.ID, id, build(t), store.Versions{t.Version})
	var fe *taskapi.FieldError
	switch {
	case errors.As(err, &fe):
		done = refused(fe)
	case errors.Is(err, taskapi.ErrPreconditionFailed):
		done = "The task changed meanwhile; try again."
	case err != nil:
		a.fail(w, r, rq, err)
		return
	}
	a.flash(w, done)
	redirect(w, r, "/tasks/"+id.String()+"?back="+url.QueryEscape(safeNext(r.PostForm.Get("back"))))
}

// reminderDone goes back to the task with a message.
func (a *App) reminderDone(w http.ResponseWriter, r *http.Request, msg string) {
	a.flash(w, msg)
	redirect(w, r, "/tasks/"+r.PathValue("id")+"?back="+url.QueryEscape(safeNext(r.PostForm.Get("back"))))
}

// notificationJSON is a notification as the page's script shows it.
type notificationJSON struct {
	ID      string `json:"id"`
	Title   string `json:"title"`
	URL     string `json:"url"`
	Due     string `json:"due"`
	Created string `json:"created"`
}

// notificationsPoll answers the page's poll (static/notify.js): the unread
// notifications, newest first, at most 10.
func (a *App) notificationsPoll(w http.ResponseWriter, r *http.Request, rq *req) {
	items, next, err := a.store.ListNotifications(r.Context(), rq.p.User.ID, true, store.Page{Limit: 10})
	if err != nil {
		a.fail(w, r, rq, err)
		return
	}
	out := struct {
		Items []notificationJSON `json:"items"`
		More  bool               `json:"more"`
	}{Items: []notificationJSON{}, More: next != ""}
	for _, n := range items {
		j := notificationJSON{ID: n.ID.String(), Title: n.Title, Created: n.CreatedAt.In(rq.loc).Format("15:04")}
		if n.TaskID != nil {
			j.URL = "/tasks/" + n.TaskID.String()
		}
		if n.DueDate != nil {
			j.Due = n.DueDate.In(rq.loc).Format("Mon 2 Jan 15:04")
		}
		out.Items = append(out.Items, j)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_ = json.NewEncoder(w).Encode(out)
}

// notificationRead dismisses one notification, or all of them.
func (a *App) notificationRead(w http.ResponseWriter, r *http.Request, rq *req) {
	var id *uuid.UUID
	if s := r.PathValue("id"); s != "" {
		n, err := uuid.Parse(s)
		if err != nil {
			a.notFound(w, r, rq)
			return
		}
		id = &n
	}
	if err := a.store.ReadNotifications(r.Context(), rq.p.User.ID, id); err != nil && !errors.Is(err, taskapi.ErrNotFound) {
		a.fail(w, r, rq, err)
		return
	}
	if isJSON(r) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"ok":true}`))
		return
	}
	redirect(w, r, safeNext(r.PostForm.Get("back")))
}

// prefsForm is the reminders section of the settings page.
type prefsForm struct {
	P     taskapi.Preferences
	Hours []hourOption
	Zone  string
}

type hourOption struct {
	Value    int
	Label    string
	Selected bool
}

func (a *App) loadPrefs(r *http.Request, rq *req) (*prefsForm, error) {
	p, err := a.store.GetPreferences(r.Context(), rq.p.User.ID)
	if err != nil {
		return nil, err
	}
	f := &prefsForm{P: p, Zone: rq.loc.String()}
	for h := range 24 {
		f.Hours = append(f.Hours, hourOption{Value: h, Label: fmt.Sprintf("%02d:00", h), Selected: p.DigestHour != nil && *p.DigestHour == h})
	}
	return f, nil
}

// preferencesPost saves the reminder preferences.
func (a *App) preferencesPost(w http.ResponseWriter, r *http.Request, rq *req) {
	pf := r.PostForm
	emails := pf.Get("reminder_emails") == "on"
	patch := store.PreferencesPatch{ReminderEmails: &emails, DigestHour: taskapi.Clear[int]()}
	if h := pf.Get("digest_hour"); h != "" {
		n, err := strconv.Atoi(h)
		if err != nil {
			a.flash(w, "Choose an hour for the digest.")
			redirect(w, r, "/settings")
			return
		}
		patch.DigestHour = taskapi.SetTo(n)
	}
	version, _ := strconv.ParseInt(pf.Get("version"), 10, 64)
	_, err := a.store.UpdatePreferences(r.Context(), rq.p.User.ID, patch, store.Versions{version})
	switch {
	case errors.Is(err, taskapi.ErrPreconditionFailed):
		a.flash(w, "Your reminder settings changed elsewhere meanwhile; here they are. Try again.")
	case errors.Is(err, taskapi.ErrInvalid):
		a.flash(w, "Choose an hour for the digest.")
	case err != nil:
		a.fail(w, r, rq, err)
		return
	default:
		a.flash(w, "Reminder settings saved.")
	}
	redirect(w, r, "/settings#reminders-h")
}
