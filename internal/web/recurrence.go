package web

import (
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

// The task detail's repeat section (templates/part_task_recurrence.html):
// a picker of common rules or a custom RRULE, what it counts from, the
// rule in words, a Skip button and the history of completions. Rows show
// the rule as a repeat icon (rowRepeat), and completing a recurring task
// in a list answers its next date (toggleTask).

// recurrencePreset is one choice of the picker; Rule "" is none, "custom"
// the text field.
type recurrencePreset struct{ Value, Label, Rule string }

// recurrenceSection is what the section shows.
type recurrenceSection struct {
	Words string // the rule in words; "" when the task does not repeat
	// Occurrence is the due date the Skip form skips (RFC 3339).
	Occurrence string
	Preset     string // the preset the rule is, "custom", or ""
	Presets    []recurrencePreset
	Rule       string
	From       string
	HasDue     bool
	CanSkip    bool
	// Next are the coming dates after the current one, in words.
	Next    []string
	History []completionView
}

// completionView is one completion of the history.
type completionView struct {
	When, ISO, Occurrence string
}

// historyShown is how many completions the section lists.
const historyShown = 10

// recurrencePresets are the picker's choices for a task due at due (in
// loc): each weekly, monthly and yearly preset repeats on the due date's
// own day.
func recurrencePresets(due *time.Time, loc *time.Location) []recurrencePreset {
	out := []recurrencePreset{{"", "Does not repeat", ""}, {"daily", "Every day", "FREQ=DAILY"},
		{"weekdays", "Every weekday (Mon–Fri)", "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"}}
	if due != nil {
		d := due.In(loc)
		day := strings.ToUpper(d.Weekday().String()[:2])
		out = append(out,
			recurrencePreset{"weekly", "Every week on " + d.Weekday().String(), "FREQ=WEEKLY;BYDAY=" + day},
			recurrencePreset{"monthly", "Every month on the " + ordinalDay(d.Day()), "FREQ=MONTHLY;BYMONTHDAY=" + strconv.Itoa(d.Day())},
			recurrencePreset{"yearly", "Every year on " + d.Format("2 January"),
				fmt.Sprintf("FREQ=YEARLY;BYMONTH=%d;BYMONTHDAY=%d", d.Month(), d.Day())})
	}
	return append(out, recurrencePreset{"custom", "Custom rule (RRULE)…", ""})
}

func ordinalDay(n int) string {
	switch {
	case n%10 == 1 && n != 11:
		return strconv.Itoa(n) + "st"
	case n%10 == 2 && n != 12:
		return strconv.Itoa(n) + "nd"
	case n%10 == 3 && n != 13:
		return strconv.Itoa(n) + "rd"
	}
	return strconv.Itoa(n) + "th"
}

// loadRecurrence fills the section from the task as read.
func (a *App) loadRecurrence(r *http.Request, rq *req, f *taskForm) error {
	t := f.T
	s := recurrenceSection{HasDue: t.DueDate != nil, Presets: recurrencePresets(t.DueDate, rq.loc), From: "due"}
	if rec := t.Recurrence; rec != nil && t.DueDate != nil {
		s.Words, s.Rule, s.From, s.Preset = rec.Words(*t.DueDate, rq.loc), rec.Rule, string(rec.From), "custom"
		for _, p := range s.Presets {
			if p.Rule != "" && p.Rule == rec.Rule {
				s.Preset = p.Value
			}
		}
		s.CanSkip, s.Occurrence = t.Status.Open(), t.DueDate.Format(time.RFC3339Nano)
		occ, _, err := rec.Occurrences(*t.DueDate, *t.DueDate, t.DueDate.AddDate(2, 0, 0), 4, rq.loc)
		if err == nil && len(occ) > 1 {
			year := a.now().In(rq.loc).Year()
			for _, o := range occ[1:] {
				day, layout := o.At.In(rq.loc), "Mon 2 Jan"
				if day.Year() != year {
					layout = "Mon 2 Jan 2006"
				}
				s.Next = append(s.Next, day.Format(layout))
			}
		}
	}
	done, _, err := a.store.ListCompletions(r.Context(), rq.p.User.ID, t.ID, store.Page{Limit: historyShown})
	if err != nil {
		return err
	}
	for _, c := range done {
		s.History = append(s.History, completionView{When: c.CompletedAt.In(rq.loc).Format("Mon 2 Jan 2006, 15:04"),
			ISO: c.CompletedAt.Format(time.RFC3339), Occurrence: c.DueDate.In(rq.loc).Format("Mon 2 Jan")})
	}
	f.Recurrence = s
	return nil
}

// rowRepeat is the rule of a row's task in words, "" when it does not
// repeat.
func rowRepeat(t taskapi.Task, loc *time.Location) string {
	if t.Recurrence == nil || t.DueDate == nil {
		return ""
	}
	return t.Recurrence.Words(*t.DueDate, loc)
}

// recurrencePost sets or clears the task's rule from the picker.
func (a *App) recurrencePost(w http.ResponseWriter, r *http.Request, rq *req) {
	id, ok := a.taskID(w, r, rq)
	if !ok {
		return
	}
	pf := r.PostForm
	version, _ := strconv.ParseInt(pf.Get("version"), 10, 64)
	t, err := a.store.GetTask(r.Context(), rq.p.User.ID, id)
	if err != nil {
		a.fail(w, r, rq, err)
		return
	}
	var patch taskapi.TaskPatch
	rule := ""
	for _, p := range recurrencePresets(t.DueDate, rq.loc) {
		if p.Value == pf.Get("preset") {
			rule = p.Rule
		}
	}
	if pf.Get("preset") == "custom" {
		rule = pf.Get("rule")
	}
	msg := "Repeat removed."
	if rule == "" && pf.Get("preset") != "" {
		a.recurrenceDone(w, r, "Type a rule such as FREQ=WEEKLY;BYDAY=MO,TH, or choose one.")
		return
	}
	if rule == "" {
		patch.Recurrence = taskapi.Clear[taskapi.Recurrence]()
	} else {
		rec, err := taskapi.ParseRecurrence(rule, pf.Get("repeat_from"))
		if err != nil {
			a.recurrenceDone(w, r, recurrenceProblem(err))
			return
		}
		patch.Recurrence = taskapi.SetTo(rec)
		// A new rule moves the task to its first date on or after the due
		// date: "every last Friday" on a task due Thursday is due Friday.
		if t.DueDate != nil && !taskapi.SameRule(t.Recurrence, &rec) {
			if first, ok := rec.FirstOn(*t.DueDate, rq.loc); ok && !first.Equal(*t.DueDate) {
				patch.DueDate = taskapi.SetTo(first)
			}
		}
		words := rec.Words(dueOr(patch.DueDate.Value, dueOr(t.DueDate, a.now())), rq.loc)
		msg = "Repeats " + strings.ToLower(words[:1]) + words[1:] + "."
	}
	_, err = a.store.UpdateTask(r.Context(), rq.p.User.ID, id, patch, store.Versions{version})
	switch {
	case errors.Is(err, taskapi.ErrPreconditionFailed):
		msg = "The task changed meanwhile; try again."
	case errors.Is(err, taskapi.ErrInvalid):
		msg = recurrenceProblem(err)
	case err != nil:
		a.fail(w, r, rq, err)
		return
	}
	a.recurrenceDone(w, r, msg)
}

// dueOr is *due, or else when.
func dueOr(due *time.Time, when time.Time) time.Time {
	if due != nil {
		return *due
	}
	return when
}

// recurrenceProblem says a refused rule in words.
func recurrenceProblem(err error) string {
	var fe *taskapi.FieldError
	if !errors.As(err, &fe) {
		return "That repeat is not possible."
	}
	if fe.Field == "due_date" {
		return "Give the task a due date first: a repeating task needs one."
	}
	return "That repeat is not possible: the rule " + fe.Message + "."
}

// skipPost moves the task to its next occurrence. The form names the
// occurrence it skips, so a double submit skips once.
func (a *App) skipPost(w http.ResponseWriter, r *http.Request, rq *req) {
	id, ok := a.taskID(w, r, rq)
	if !ok {
		return
	}
	var occurrence *time.Time
	if at, err := time.Parse(time.RFC3339Nano, r.PostForm.Get("occurrence")); err == nil {
		occurrence = &at
	}
	t, err := a.store.SkipTask(r.Context(), rq.p.User.ID, id, occurrence, nil)
	msg := ""
	switch {
	case errors.Is(err, taskapi.ErrInvalid):
		msg = "Nothing to skip: this is the last occurrence, or the task does not repeat."
	case err != nil:
		a.fail(w, r, rq, err)
		return
	default:
		msg = "Skipped. Next: " + t.DueDate.In(rq.loc).Format("Mon 2 Jan") + "."
	}
	a.recurrenceDone(w, r, msg)
}

// undoCompletionPost takes back a recurring task's last completion: the
// Undo of the toast that said its next date.
func (a *App) undoCompletionPost(w http.ResponseWriter, r *http.Request, rq *req) {
	id, ok := a.taskID(w, r, rq)
	if !ok {
		return
	}
	t, err := a.store.UndoCompletion(r.Context(), rq.p.User.ID, id)
	msg := ""
	switch {
	case errors.Is(err, taskapi.ErrConflict):
		msg = "The task changed since it was completed; the completion stays."
	case err != nil:
		a.fail(w, r, rq, err)
		return
	default:
		msg = "Back to " + t.DueDate.In(rq.loc).Format("Mon 2 Jan") + "."
	}
	if isJSON(r) {
		status := http.StatusOK
		if err != nil {
			status = http.StatusConflict
			writeJSON(w, status, map[string]string{"error": msg})
			return
		}
		writeJSON(w, status, map[string]string{"ok": msg})
		return
	}
	a.flash(w, msg)
	redirect(w, r, listURL(r))
}

// recurrenceDone goes back to the task with a message.
func (a *App) recurrenceDone(w http.ResponseWriter, r *http.Request, msg string) {
	a.flash(w, msg)
	redirect(w, r, "/tasks/"+r.PathValue("id")+"?back="+url.QueryEscape(safeNext(r.PostForm.Get("back"))))
}

// completeOccurrence completes a recurring task from its row. The row's
// form names the occurrence it shows (its due date): when the task has
// moved on from it already (a double click, a replayed post, another
// tab), nothing changes and the answer is the task as it is, so one click
// never advances a task twice.
func (a *App) completeOccurrence(w http.ResponseWriter, r *http.Request, rq *req, id uuid.UUID) {
	occurrence, err := time.Parse(time.RFC3339, r.PostForm.Get("occurrence"))
	if err != nil {
		a.notFound(w, r, rq)
		return
	}
	ctx := r.Context()
	moved := func(t taskapi.Task) bool {
		return t.DueDate == nil || !t.DueDate.Truncate(time.Second).Equal(occurrence) || t.Status == taskapi.StatusCompleted
	}
	t, err := a.store.GetTask(ctx, rq.p.User.ID, id)
	if err == nil && !moved(t) {
		status := taskapi.StatusCompleted
		var done taskapi.Task
		done, err = a.store.UpdateTask(ctx, rq.p.User.ID, id, taskapi.TaskPatch{Status: &status}, store.Versions{t.Version})
		if err == nil {
			t = done
		} else if errors.Is(err, taskapi.ErrPreconditionFailed) {
			// Another request got there first: answer what it did.
			if t, err = a.store.GetTask(ctx, rq.p.User.ID, id); err == nil && !moved(t) {
				err = errors.New("the task changed meanwhile")
			}
		}
	}
	if err != nil {
		if isJSON(r) && errors.Is(err, taskapi.ErrNotFound) {
			writeJSON(w, http.StatusNotFound, map[string]string{"error": "This task no longer exists."})
			return
		}
		a.fail(w, r, rq, err)
		return
	}
	next := ""
	if t.Status != taskapi.StatusCompleted && t.DueDate != nil {
		next = t.DueDate.In(rq.loc).Format("Mon 2 Jan")
	}
	if isJSON(r) {
		out := map[string]any{"status": t.Status, "title": t.Title, "next": next, "undo": "/tasks/" + id.String() + "/completions/undo"}
		if next != "" {
			d := dueWords(*t.DueDate, a.now(), rq.loc, false)
			out["due"] = map[string]string{"words": d.Words, "class": d.Class, "iso": d.ISO, "full": d.Full}
		}
		writeJSON(w, http.StatusOK, out)
		return
	}
	if next != "" {
		a.flash(w, "Completed “"+t.Title+"”. Next: "+next+".")
	} else {
		a.flash(w, "Completed “"+t.Title+"”.")
	}
	redirect(w, r, listURL(r))
}
