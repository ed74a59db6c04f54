package web

// Quick add in the web app: the line typed in the list's field, its live
// preview with the recognised parts, and the parts the person declined.

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/google/uuid"

	"github.com/taskapi/taskapi"
)

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
