package web

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/google/uuid"

	"github.com/taskapi/taskapi"
)

// bulkPost applies one action to the selected rows in one request, all or
// nothing, through the store's bulk operation (the API's POST
// /tasks/bulk).
func (a *App) bulkPost(w http.ResponseWriter, r *http.Request, rq *req) {
	back := listURL(r)
	var b taskapi.TaskBulk
	for _, s := range r.PostForm["ids"] {
		id, err := uuid.Parse(s)
		if err != nil {
			a.notFound(w, r, rq)
			return
		}
		b.IDs = append(b.IDs, id)
	}
	if len(b.IDs) == 0 {
		a.flash(w, "Select tasks first: tick their boxes, or press x on a row.")
		redirect(w, r, back)
		return
	}
	b.Action = taskapi.BulkUpdate
	verb := "Updated"
	switch r.PostForm.Get("action") {
	case "complete":
		s := taskapi.StatusCompleted
		b.Changes.Status, verb = &s, "Completed"
	case "reopen":
		s := taskapi.StatusTodo
		b.Changes.Status, verb = &s, "Reopened"
	case "priority":
		p := taskapi.Priority(r.PostForm.Get("priority"))
		b.Changes.Priority = &p
	case "move":
		if c := r.PostForm.Get("category_id"); c == "" {
			b.Changes.CategoryID = taskapi.Clear[uuid.UUID]()
		} else if id, err := uuid.Parse(c); err == nil {
			b.Changes.CategoryID = taskapi.SetTo(id)
		} else {
			a.notFound(w, r, rq)
			return
		}
		verb = "Moved"
	case "delete":
		b.Action, verb = taskapi.BulkDelete, "Deleted"
	case "tag":
		id, err := uuid.Parse(r.PostForm.Get("tag_id"))
		if err != nil {
			a.notFound(w, r, rq)
			return
		}
		b.Action, b.TagIDs, verb = taskapi.BulkAddTags, []uuid.UUID{id}, "Tagged"
	default:
		a.flash(w, "Choose what to do with the selected tasks.")
		redirect(w, r, back)
		return
	}
	if err := b.Validate(); err != nil {
		a.fail(w, r, rq, err)
		return
	}
	res, _, err := a.store.BulkTasks(r.Context(), rq.p.User.ID, b, nil)
	if err != nil {
		var fe *taskapi.FieldError
		if errors.As(err, &fe) || errors.Is(err, taskapi.ErrNotFound) {
			a.flash(w, "Nothing was changed: "+errText(err))
			redirect(w, r, back)
			return
		}
		a.fail(w, r, rq, err)
		return
	}
	a.flash(w, fmt.Sprintf("%s %d %s.", verb, res.Count, plural(res.Count, "task", "tasks")))
	redirect(w, r, back)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
