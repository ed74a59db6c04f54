package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/taskapi/taskapi"
	"github.com/taskapi/taskapi/internal/store"
)

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func statusName(s taskapi.Status) string {
	switch s {
	case taskapi.StatusTodo:
		return "To do"
	case taskapi.StatusInProgress:
		return "In progress"
	case taskapi.StatusCompleted:
		return "Completed"
	case taskapi.StatusArchived:
		return "Archived"
	}
	return string(s)
}

func priorityName(p taskapi.Priority) string {
	switch p {
	case taskapi.PriorityUrgent:
		return "Urgent"
	case taskapi.PriorityHigh:
		return "High"
	case taskapi.PriorityLow:
		return "Low"
	}
	return "Medium"
}

func (a *App) taskID(w http.ResponseWriter, r *http.Request, rq *req) (uuid.UUID, bool) {
	id, err := uuid.Parse(r.PathValue("id"))
	if err != nil {
		a.notFound(w, r, rq)
		return uuid.Nil, false
	}
	return id, true
}

func (a *App) toggleTask(w http.ResponseWriter, r *http.Request, rq *req) {
	id, ok := a.taskID(w, r, rq)
	if !ok {
		return
	}
	if r.PostForm.Get("occurrence") != "" && r.PostForm.Get("done") != "0" {
		a.completeOccurrence(w, r, rq, id) // a recurring task's row (recurrence.go)
		return
	}
	// The form says the state it wants, so that a double click or a
	// replayed post does not flip the task back.
	status := taskapi.StatusCompleted
	if r.PostForm.Get("done") == "0" {
		status = taskapi.StatusTodo
	}
	t, err := a.store.UpdateTask(r.Context(), rq.p.User.ID, id, taskapi.TaskPatch{Status: &status}, nil)
	if err != nil {
		if isJSON(r) && errors.Is(err, taskapi.ErrNotFound) {
			writeJSON(w, http.StatusNotFound, map[string]string{"error": "This task no longer exists."})
			return
		}
		a.fail(w, r, rq, err)
		return
	}
	if isJSON(r) {
		writeJSON(w, http.StatusOK, map[string]any{"status": t.Status, "title": t.Title})
		return
	}
	if t.Status == taskapi.StatusCompleted {
		a.flash(w, "Completed “"+t.Title+"”.")
	} else {
		a.flash(w, "Reopened “"+t.Title+"”.")
	}
	redirect(w, r, listURL(r))
}

// taskForm is the detail page of a task: its fields as typed, the
// version the form was read at, and what went wrong.
type taskForm struct {
	T          taskapi.Task
	Title      string
	Desc       string
	Status     string
	Priority   string
	Due        string // datetime-local in the user's zone
	CategoryID string
	Version    int64
	Errors     fieldErrors
	Conflict   bool
	Categories []taskapi.Category
	Statuses   []taskapi.Status
	Priorities []taskapi.Priority
	Back       string
	Created    string
	Updated    string
	// Panel is set when the detail is shown beside the list (the script's
	// side panel) rather than as its own page; Row is then the task's list
	// row as saved, for the script to put in the list, and Saved what to
	// tell the person (a save, or the flash of the section form that
	// redirected here).
	Panel bool
	Row   *row
	Saved string
	// Reminders is the reminders section (reminders.go).
	Reminders remindersSection
	// Subtasks and Comments are their sections (subtasks.go, comments.go).
	Subtasks subtasksSection
	Comments commentsSection
	// Recurrence is the repeat section (recurrence.go).
	Recurrence recurrenceSection
	// Tags is the tags section (tags.go).
	Tags tagsSection
	// Activity is the task's recent history (activity.go).
	Activity activitySection
}

// isPanel reports whether the script asks for the task detail alone, for
// its side panel, instead of the whole page.
func isPanel(r *http.Request) bool {
	return r.Header.Get("X-Panel") == "1"
}

// loadDetail fills what the detail's sections show (templates/part_task_*.html),
// for the page and the panel alike. A section adds its field to taskForm and
// its load here.
func (a *App) loadDetail(r *http.Request, rq *req, f *taskForm) error {
	f.Categories = a.categories(r.Context(), rq)
	loadReminders(rq, f)
	if err := a.loadRecurrence(r, rq, f); err != nil {
		return err
	}
	a.loadTags(r, rq, f)
	if err := a.loadSubtasks(r, rq, f); err != nil {
		return err
	}
	if err := a.loadComments(r, rq, f); err != nil {
		return err
	}
	return a.loadActivity(r.Context(), rq, f)
}

// showDetail writes the task detail: the whole page, or, for the panel,
// the detail alone with the task's list row.
func (a *App) showDetail(w http.ResponseWriter, r *http.Request, rq *req, status int, f *taskForm) {
	w.Header().Add("Vary", "X-Panel")
	if err := a.loadDetail(r, rq, f); err != nil {
		a.fail(w, r, rq, err)
		return
	}
	if !isPanel(r) {
		a.render(w, r, rq, status, "task", view{Title: f.T.Title, Page: f})
		return
	}
	f.Panel = true
	if f.Saved == "" {
		f.Saved = rq.flash
	}
	rows := a.rows([]taskapi.Task{f.T}, f.Categories, rq)
	f.Row = &rows[0]
	a.renderTemplate(w, r, rq, status, "task", "task_detail", view{Title: f.T.Title, Page: f})
}

func (a *App) taskFormOf(t taskapi.Task, rq *req) *taskForm {
	f := &taskForm{T: t, Title: t.Title, Status: string(t.Status), Priority: string(t.Priority), Version: t.Version,
		Errors: fieldErrors{}, Statuses: taskapi.Statuses(), Priorities: taskapi.Priorities(),
		Created: t.CreatedAt.In(rq.loc).Format("2 Jan 2006 15:04"), Updated: t.UpdatedAt.In(rq.loc).Format("2 Jan 2006 15:04")}
	if t.Description != nil {
		f.Desc = *t.Description
	}
	if t.DueDate != nil {
		f.Due = t.DueDate.In(rq.loc).Format("2006-01-02T15:04")
	}
	if t.CategoryID != nil {
		f.CategoryID = t.CategoryID.String()
	}
	return f
}

func (a *App) taskPage(w http.ResponseWriter, r *http.Request, rq *req) {
	id, ok := a.taskID(w, r, rq)
	if !ok {
		return
	}
	t, err := a.store.GetTask(r.Context(), rq.p.User.ID, id)
	if err != nil {
		a.fail(w, r, rq, err)
		return
	}
	f := a.taskFormOf(t, rq)
	f.Back = safeNext(r.URL.Query().Get("back"))
	a.showDetail(w, r, rq, http.StatusOK, f)
}

func (a *App) updateTask(w http.ResponseWriter, r *http.Request, rq *req) {
	id, ok := a.taskID(w, r, rq)
	if !ok {
		return
	}
	ctx := r.Context()
	pf := r.PostForm
	f := &taskForm{Title: pf.Get("title"), Desc: pf.Get("description"), Status: pf.Get("status"), Priority: pf.Get("priority"),
		Due: pf.Get("due"), CategoryID: pf.Get("category_id"), Errors: fieldErrors{}, Statuses: taskapi.Statuses(),
		Priorities: taskapi.Priorities(), Back: safeNext(pf.Get("back"))}
	f.Version, _ = strconv.ParseInt(pf.Get("version"), 10, 64)
	title := strings.TrimSpace(f.Title)
	desc := strings.ReplaceAll(f.Desc, "\r\n", "\n")
	status, prio := taskapi.Status(f.Status), taskapi.Priority(f.Priority)
	patch := taskapi.TaskPatch{Title: &title, Status: &status, Priority: &prio}
	if strings.TrimSpace(desc) == "" {
		patch.Description = taskapi.Clear[string]()
	} else {
		patch.Description = taskapi.SetTo(desc)
	}
	if f.Due == "" {
		patch.DueDate = taskapi.Clear[time.Time]()
	} else if d, err := time.ParseInLocation("2006-01-02T15:04", f.Due, rq.loc); err == nil {
		patch.DueDate = taskapi.SetTo(d.UTC())
	} else {
		f.Errors["due_date"] = "Enter a date and time, such as 2026-12-24 09:00."
	}
	if f.CategoryID == "" {
		patch.CategoryID = taskapi.Clear[uuid.UUID]()
	} else if cid, err := uuid.Parse(f.CategoryID); err == nil {
		patch.CategoryID = taskapi.SetTo(cid)
	} else {
		f.Errors["category_id"] = "Pick one of your categories."
	}
	var t taskapi.Task
	var err error
	if len(f.Errors) == 0 {
		t, err = a.store.UpdateTask(ctx, rq.p.User.ID, id, patch, store.Versions{f.Version})
	}
	switch {
	case len(f.Errors) > 0:
	case err == nil && isPanel(r):
		// The panel stays open on the task as saved.
		saved := a.taskFormOf(t, rq)
		saved.Back, saved.Saved = f.Back, "Saved “"+t.Title+"”."
		a.showDetail(w, r, rq, http.StatusOK, saved)
		return
	case err == nil:
		a.flash(w, "Saved “"+t.Title+"”.")
		redirect(w, r, f.Back)
		return
	case errors.Is(err, taskapi.ErrPreconditionFailed):
		cur, gerr := a.store.GetTask(ctx, rq.p.User.ID, id)
		if gerr != nil {
			a.fail(w, r, rq, gerr)
			return
		}
		// The form keeps what was typed; saving again overwrites the other
		// change knowingly, from the version now current.
		f.Conflict, f.T, f.Version = true, cur, cur.Version
		f.Created, f.Updated = cur.CreatedAt.In(rq.loc).Format("2 Jan 2006 15:04"), cur.UpdatedAt.In(rq.loc).Format("2 Jan 2006 15:04")
	default:
		fe, ok := formError(err, nil)
		if !ok {
			a.fail(w, r, rq, err)
			return
		}
		f.Errors = fe
	}
	if f.T.ID == uuid.Nil {
		cur, gerr := a.store.GetTask(ctx, rq.p.User.ID, id)
		if gerr != nil {
			a.fail(w, r, rq, gerr)
			return
		}
		f.T = cur
		f.Created, f.Updated = cur.CreatedAt.In(rq.loc).Format("2 Jan 2006 15:04"), cur.UpdatedAt.In(rq.loc).Format("2 Jan 2006 15:04")
	}
	status409 := http.StatusUnprocessableEntity
	if f.Conflict {
		status409 = http.StatusConflict
	}
	a.showDetail(w, r, rq, status409, f)
}

func (a *App) deleteTask(w http.ResponseWriter, r *http.Request, rq *req) {
	id, ok := a.taskID(w, r, rq)
	if !ok {
		return
	}
	ctx := r.Context()
	t, err := a.store.GetTask(ctx, rq.p.User.ID, id)
	if err == nil {
		err = a.store.DeleteTaskUndoable(ctx, rq.p.User.ID, id, nil)
	}
	if err != nil {
		a.fail(w, r, rq, err)
		return
	}
	a.offerUndo(w, rq, t)
	if isJSON(r) {
		writeJSON(w, http.StatusOK, map[string]any{"ok": "deleted", "undo": true})
		return
	}
	a.flash(w, "Deleted “"+t.Title+"”.")
	back := safeNext(r.PostForm.Get("back"))
	if strings.HasPrefix(back, "/tasks/") {
		back = "/today"
	}
	redirect(w, r, back)
}
