package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
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

// quickTask turns a quick-add line into a task to create, by the
// domain's rules (the API's POST /tasks/quick uses the same).
func (a *App) quickTask(r *http.Request, rq *req, text string) (taskapi.Task, taskapi.QuickAdd, error) {
	cats, tags := a.categories(r.Context(), rq), a.tags(r.Context(), rq)
	qa := taskapi.ParseQuickAddKeeping(text, declined(text, r.PostForm.Get("declined")), a.now(), rq.loc, taskapi.CategoryNames(cats), taskapi.TagNames(tags)...)
	t := qa.Task(cats)
	t.Tags = qa.TaskTags(tags)
	if err := taskapi.ValidateQuickAdd(text, qa); err != nil {
		return t, qa, err
	}
	return t, qa, t.Validate()
}

func (a *App) createTask(w http.ResponseWriter, r *http.Request, rq *req) {
	text := strings.TrimSpace(r.PostForm.Get("text"))
	back := listURL(r)
	t, _, err := a.quickTask(r, rq, text)
	if t.CategoryID == nil {
		if id, perr := uuid.Parse(r.PostForm.Get("category_id")); perr == nil {
			t.CategoryID = &id
		}
	}
	if err == nil {
		_, _, err = a.store.CreateTask(r.Context(), rq.p.User.ID, t, nil)
	}
	if err != nil {
		var fe *taskapi.FieldError
		if !errors.As(err, &fe) {
			a.fail(w, r, rq, err)
			return
		}
		msg := sentence(fe.Field + " " + fe.Message)
		if isJSON(r) {
			writeJSON(w, http.StatusUnprocessableEntity, map[string]string{"error": msg})
			return
		}
		a.flash(w, "Not added: "+msg)
		u, _ := url.Parse(back)
		q := u.Query()
		q.Set("quick", text)
		u.RawQuery = q.Encode()
		redirect(w, r, u.String())
		return
	}
	if isJSON(r) {
		writeJSON(w, http.StatusCreated, map[string]string{"ok": "created"})
		return
	}
	a.flash(w, "Added “"+t.Title+"”.")
	redirect(w, r, back)
}

// quickPreview answers the script that highlights, as the person types,
// what quick add understood.
func (a *App) quickPreview(w http.ResponseWriter, r *http.Request, rq *req) {
	text := r.PostForm.Get("text")
	if len(text) > taskapi.QuickAddMaxLen {
		text = text[:taskapi.QuickAddMaxLen]
	}
	cats, tags := a.categories(r.Context(), rq), a.tags(r.Context(), rq)
	qa := taskapi.ParseQuickAddKeeping(text, declined(text, r.PostForm.Get("declined")), a.now(), rq.loc, taskapi.CategoryNames(cats), taskapi.TagNames(tags)...)
	type span struct {
		Start int    `json:"start"`
		End   int    `json:"end"`
		Kind  string `json:"kind"`
		Text  string `json:"text"`
	}
	out := struct {
		Title    string   `json:"title"`
		Due      string   `json:"due,omitempty"`
		Priority string   `json:"priority,omitempty"`
		Category string   `json:"category,omitempty"`
		Repeat   string   `json:"repeat,omitempty"`
		Tags     []string `json:"tags,omitempty"`
		Spans    []span   `json:"spans"`
	}{Title: qa.Title, Category: qa.Category, Tags: qa.Tags, Spans: []span{}}
	if qa.Recurrence != nil && qa.DueDate != nil {
		out.Repeat = qa.Recurrence.Words(*qa.DueDate, rq.loc)
	}
	if qa.DueDate != nil {
		out.Due = dueWords(*qa.DueDate, a.now(), rq.loc, false).Words
	}
	if qa.Priority != nil {
		out.Priority = priorityName(*qa.Priority)
	}
	// Offsets in UTF-16 code units, as the script's strings count them.
	for _, s := range qa.Spans {
		out.Spans = append(out.Spans, span{Start: utf16Len(text[:s.Start]), End: utf16Len(text[:s.End]), Kind: string(s.Kind), Text: s.Text})
	}
	writeJSON(w, http.StatusOK, out)
}

// declined reads the parts of a quick-add text that the person turned
// back into plain text (Backspace just after a highlighted part): "3-11,20-25",
// [start, end) in UTF-16 code units as the script counts them, as byte
// ranges of text. What does not read as a range is left out.
func declined(text, field string) []taskapi.QuickRange {
	var out []taskapi.QuickRange
	for part := range strings.SplitSeq(field, ",") {
		a, b, ok := strings.Cut(part, "-")
		start, err1 := strconv.Atoi(a)
		end, err2 := strconv.Atoi(b)
		if !ok || err1 != nil || err2 != nil || start < 0 || end <= start || len(out) == 20 {
			continue
		}
		out = append(out, taskapi.QuickRange{Start: utf16Offset(text, start), End: utf16Offset(text, end)})
	}
	return out
}

// utf16Offset is the byte offset in s of n UTF-16 code units; len(s)+1
// when s is shorter, so that the range is refused.
func utf16Offset(s string, n int) int {
	units := 0
	for i, r := range s {
		if units >= n {
			if units > n {
				return -1 // inside a surrogate pair
			}
			return i
		}
		if r >= 0x10000 {
			units += 2
		} else {
			units++
		}
	}
	if units == n {
		return len(s)
	}
	return len(s) + 1
}

func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		if r >= 0x10000 {
			n += 2
		} else {
			n++
		}
	}
	return n
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
	return a.loadComments(r, rq, f)
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
		err = a.store.DeleteTask(ctx, rq.p.User.ID, id, nil)
	}
	if err != nil {
		a.fail(w, r, rq, err)
		return
	}
	undo := a.offerUndo(w, rq, t)
	if isJSON(r) {
		writeJSON(w, http.StatusOK, map[string]any{"ok": "deleted", "undo": undo})
		return
	}
	a.flash(w, "Deleted “"+t.Title+"”.")
	back := safeNext(r.PostForm.Get("back"))
	if strings.HasPrefix(back, "/tasks/") {
		back = "/today"
	}
	redirect(w, r, back)
}

var _ = store.TaskQuery{}
