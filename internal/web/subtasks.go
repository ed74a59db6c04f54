package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/google/uuid"

	"github.com/taskapi/taskapi"
	"github.com/taskapi/taskapi/internal/store"
)

// The task detail's subtasks (templates/part_task_subtasks.html): the
// checklist of the direct subtasks with their progress, adding one,
// reordering, and the breadcrumb of a subtask's parents. Completing one
// is the list's toggle (POST /tasks/{id}/toggle) sent back to the parent.

// maxChecklist is how many subtasks the checklist shows; a task with more
// says so and the rest are a search away (the API pages through them all).
const maxChecklist = 100

// subtaskView is one line of the checklist.
type subtaskView struct {
	T           taskapi.Task
	Done        bool
	Priority    string // lower case, for the ring's colour
	Due         *due
	First, Last bool // no move up / down
}

// crumb is one ancestor in a subtask's breadcrumb.
type crumb struct {
	ID    uuid.UUID
	Title string
}

// subtasksSection is what the section shows.
type subtasksSection struct {
	Items   []subtaskView
	Done    int
	Total   int64
	Percent int
	More    bool // more than maxChecklist
	CanAdd  bool // the task is not at the deepest level
	Crumbs  []crumb
	Focus   string // the control to focus after a no-script post: "add" or a move button's ID
	// Self is this detail's URL, where a subtask's toggle goes back to.
	Self string
}

// loadSubtasks fills the section: the checklist and, for a subtask, the
// titles of its parents (at most MaxTaskDepth-1 reads, each by key).
func (a *App) loadSubtasks(r *http.Request, rq *req, f *taskForm) error {
	ctx, uid := r.Context(), rq.p.User.ID
	s := subtasksSection{Total: f.T.SubtaskCount, Done: int(f.T.CompletedSubtaskCount), Focus: r.URL.Query().Get("focus"),
		Self: "/tasks/" + f.T.ID.String() + "?back=" + url.QueryEscape(f.Back)}
	if s.Total > 0 {
		s.Percent = int(int64(s.Done) * 100 / s.Total)
		kids, next, err := a.store.ListSubtasks(ctx, uid, f.T.ID, store.Page{Limit: maxChecklist})
		if err != nil {
			return fmt.Errorf("subtasks of %s: %w", f.T.ID, err)
		}
		s.More = next != ""
		now := a.now()
		for i, k := range kids {
			v := subtaskView{T: k, Done: k.Status == taskapi.StatusCompleted, Priority: strings.ToLower(string(k.Priority)),
				First: i == 0, Last: i == len(kids)-1 && !s.More}
			if k.DueDate != nil {
				d := dueWords(*k.DueDate, now, rq.loc, v.Done || k.Status == taskapi.StatusArchived)
				v.Due = &d
			}
			s.Items = append(s.Items, v)
		}
	}
	depth := 1
	for at := f.T.ParentID; at != nil && depth < taskapi.MaxTaskDepth; depth++ {
		p, err := a.store.GetTask(ctx, uid, *at)
		if err != nil {
			return fmt.Errorf("parent of %s: %w", f.T.ID, err)
		}
		s.Crumbs = append([]crumb{{ID: p.ID, Title: p.Title}}, s.Crumbs...)
		at = p.ParentID
	}
	s.CanAdd = depth < taskapi.MaxTaskDepth
	f.Subtasks = s
	return nil
}

// backToTask answers a form of the detail's sections: the flash, then the
// task's detail again, with what to focus (for the page without script;
// the panel's script focuses the form's data-refocus).
func (a *App) backToTask(w http.ResponseWriter, r *http.Request, taskID uuid.UUID, msg, focus, anchor string) {
	if msg != "" {
		a.flash(w, msg)
	}
	q := url.Values{"back": {safeNext(r.PostForm.Get("back"))}}
	if focus != "" {
		q.Set("focus", focus)
	}
	to := "/tasks/" + taskID.String() + "?" + q.Encode()
	if anchor != "" {
		to += "#" + anchor
	}
	redirect(w, r, to)
}

// subtaskAdd adds a subtask at the end of the task's checklist. The line
// is read as quick add reads one ("Call Ana tomorrow !high"); without a
// category it takes its parent's.
func (a *App) subtaskAdd(w http.ResponseWriter, r *http.Request, rq *req) {
	id, ok := a.taskID(w, r, rq)
	if !ok {
		return
	}
	// Another user's task is not found, as a page (not "parent_id must
	// name one of your tasks" on a page that would not open).
	if _, err := a.store.GetTask(r.Context(), rq.p.User.ID, id); err != nil {
		a.fail(w, r, rq, err)
		return
	}
	text := strings.TrimSpace(r.PostForm.Get("title"))
	t, _, err := a.quickTask(r, rq, text)
	t.ParentID = &id
	if err == nil {
		_, _, err = a.store.CreateTask(r.Context(), rq.p.User.ID, t, nil)
	}
	var fe *taskapi.FieldError
	switch {
	case err == nil:
		a.backToTask(w, r, id, "Added subtask “"+t.Title+"”.", "add", "subtasks-title-"+id.String())
	case errors.As(err, &fe) && fe.Field == "parent_id":
		a.backToTask(w, r, id, "Not added: "+sentence(fe.Message), "add", "subtasks-title-"+id.String())
	case errors.As(err, &fe):
		a.backToTask(w, r, id, "Not added: "+sentence(fe.Field+" "+fe.Message), "add", "subtasks-title-"+id.String())
	case errors.Is(err, taskapi.ErrQuotaExceeded):
		a.backToTask(w, r, id, "Not added: "+errorMessage(err), "add", "")
	default:
		a.fail(w, r, rq, err)
	}
}

// errorMessage is the message of a client-facing error.
func errorMessage(err error) string {
	var p *taskapi.Problem
	if errors.As(err, &p) {
		return sentence(p.Message)
	}
	return "That did not work."
}

// subtaskMove moves a subtask one place up or down among its siblings
// (dir "up" or "down"), with the store's position: it goes just before the
// sibling above it, or just after the one below.
func (a *App) subtaskMove(w http.ResponseWriter, r *http.Request, rq *req) {
	id, ok := a.taskID(w, r, rq)
	if !ok {
		return
	}
	ctx, uid := r.Context(), rq.p.User.ID
	dir := r.PostForm.Get("dir")
	t, err := a.store.GetTask(ctx, uid, id)
	if err != nil {
		a.fail(w, r, rq, err)
		return
	}
	if t.ParentID == nil || (dir != "up" && dir != "down") {
		a.errorPage(w, r, rq, http.StatusUnprocessableEntity, "That did not work", "Only a subtask moves up or down, among its parent's subtasks.")
		return
	}
	focus := "subtask-" + dir + "-" + id.String()
	m, err := a.neighbour(ctx, uid, t, dir == "up")
	if err == nil && m != nil {
		_, err = a.store.MoveTask(ctx, uid, id, *m, nil)
	}
	if err != nil && !errors.Is(err, taskapi.ErrInvalid) {
		a.fail(w, r, rq, err)
		return
	}
	msg := ""
	if err != nil {
		// A sibling that went meanwhile: the list shows the order as it is.
		msg = "The subtasks changed meanwhile; here they are."
	}
	a.backToTask(w, r, *t.ParentID, msg, focus, "subtask-"+id.String())
}

// neighbour is the move that swaps t with the sibling above (or below)
// it; nil when t is first (or last) already.
func (a *App) neighbour(ctx context.Context, userID uuid.UUID, t taskapi.Task, up bool) (*store.TaskMove, error) {
	var prev *taskapi.Task
	page := store.Page{Limit: maxChecklist}
	for {
		kids, next, err := a.store.ListSubtasks(ctx, userID, *t.ParentID, page)
		if err != nil {
			return nil, err
		}
		for i := range kids {
			k := kids[i]
			if k.ID == t.ID {
				if up {
					if prev == nil {
						return nil, nil
					}
					return &store.TaskMove{Before: &prev.ID}, nil
				}
				if i+1 < len(kids) {
					return &store.TaskMove{After: &kids[i+1].ID}, nil
				}
				if next == "" {
					return nil, nil
				}
				more, _, err := a.store.ListSubtasks(ctx, userID, *t.ParentID, store.Page{Limit: 1, After: next})
				if err != nil || len(more) == 0 {
					return nil, err
				}
				return &store.TaskMove{After: &more[0].ID}, nil
			}
			prev = &k
		}
		if next == "" {
			return nil, fmt.Errorf("move subtask: %w", taskapi.Invalid("id", "is no longer a subtask of its parent"))
		}
		page.After = next
	}
}

// withParents gives the rows of subtasks the title of their parent, for
// lists that show subtasks beside top-level tasks (Today, Upcoming, a
// search): one query for the whole page.
func (a *App) withParents(ctx context.Context, rq *req, sections []section) {
	var ids []uuid.UUID
	seen := map[uuid.UUID]bool{}
	for _, s := range sections {
		for _, rw := range s.Rows {
			if p := rw.T.ParentID; p != nil && !seen[*p] {
				seen[*p] = true
				ids = append(ids, *p)
			}
		}
	}
	if len(ids) == 0 {
		return
	}
	titles, err := a.store.TaskTitles(ctx, rq.p.User.ID, ids)
	if err != nil {
		// The hint is a nicety: the list shows without it.
		a.log.WarnContext(ctx, "web: parent titles", "err", err.Error())
		return
	}
	for i := range sections {
		for j := range sections[i].Rows {
			if p := sections[i].Rows[j].T.ParentID; p != nil {
				sections[i].Rows[j].Parent = titles[*p]
			}
		}
	}
}

// topLevelOnly reports whether a list shows top-level tasks only, as
// Todoist's project lists do (subtasks then show in their parent's
// detail): yes, unless the person searches or filters, when every task
// that matches is shown, a subtask with its parent's title.
func topLevelOnly(q listQuery) bool {
	q.Sort = ""
	return q == listQuery{}
}
