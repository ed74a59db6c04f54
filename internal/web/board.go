package web

import (
	"net/http"
	"strings"

	"github.com/google/uuid"

	"github.com/taskapi/taskapi"
	"github.com/taskapi/taskapi/internal/store"
)

type column struct {
	Status  taskapi.Status
	Name    string
	Rows    []row
	More    bool
	Targets []taskapi.Status // where a card of this column can move
}

type boardPage struct {
	Columns    []column
	Query      listQuery
	Categories []taskapi.Category
	Priorities []taskapi.Priority
	Back       string
	FilterErr  string
}

// boardColumnSize is how many cards a column shows.
const boardColumnSize = 50

func (a *App) boardPage(w http.ResponseWriter, r *http.Request, rq *req) {
	q := r.URL.Query()
	bp := &boardPage{Query: listQuery{Q: strings.TrimSpace(q.Get("q")), Priority: q.Get("priority"), Status: q.Get("category")},
		Categories: a.categories(r.Context(), rq), Priorities: taskapi.Priorities(), Back: r.URL.RequestURI()}
	var f taskapi.TaskFilter
	f.Query = bp.Query.Q
	if p := bp.Query.Priority; p != "" {
		f.Priorities = []taskapi.Priority{taskapi.Priority(strings.ToUpper(p))}
	}
	if c := q.Get("category"); c != "" {
		if id, err := uuid.Parse(c); err == nil {
			f.CategoryID = &id
		}
	}
	// Cards are top-level tasks, their subtasks counted on them, as on the
	// lists; a search or a priority shows every match (subtasks.go).
	f.TopLevel = topLevelOnly(listQuery{Q: bp.Query.Q, Priority: bp.Query.Priority})
	statuses := []taskapi.Status{taskapi.StatusTodo, taskapi.StatusInProgress, taskapi.StatusCompleted}
	sort := taskapi.TaskSort{Key: taskapi.SortPriority, Desc: true}
	for _, s := range statuses {
		cf := f
		cf.Statuses = []taskapi.Status{s}
		if err := cf.Validate(); err != nil {
			bp.FilterErr = "These filters are not valid: " + errText(err)
			break
		}
		col := column{Status: s, Name: statusName(s)}
		if s == taskapi.StatusCompleted {
			col.Name = "Done"
			sort = taskapi.TaskSort{Key: taskapi.SortUpdatedAt, Desc: true}
		}
		tasks, next, err := a.store.ListTasks(r.Context(), rq.p.User.ID, store.TaskQuery{Filter: cf, Sort: sort, Limit: boardColumnSize})
		if err != nil {
			a.fail(w, r, rq, err)
			return
		}
		col.Rows, col.More = a.rows(tasks, bp.Categories, rq), next != ""
		for _, t := range statuses {
			if t != s {
				col.Targets = append(col.Targets, t)
			}
		}
		bp.Columns = append(bp.Columns, col)
	}
	a.render(w, r, rq, http.StatusOK, "board", view{Title: "Board", Page: bp})
}

// statusPost moves a task to a status (a board card's buttons, and drag
// and drop).
func (a *App) statusPost(w http.ResponseWriter, r *http.Request, rq *req) {
	id, ok := a.taskID(w, r, rq)
	if !ok {
		return
	}
	s := taskapi.Status(r.PostForm.Get("status"))
	t, err := a.store.UpdateTask(r.Context(), rq.p.User.ID, id, taskapi.TaskPatch{Status: &s}, nil)
	if err != nil {
		if isJSON(r) {
			writeJSON(w, http.StatusUnprocessableEntity, map[string]string{"error": "This task could not be moved: " + errText(err)})
			return
		}
		a.fail(w, r, rq, err)
		return
	}
	if isJSON(r) {
		writeJSON(w, http.StatusOK, map[string]any{"status": t.Status, "title": t.Title})
		return
	}
	a.flash(w, "Moved “"+t.Title+"” to "+statusName(t.Status)+".")
	redirect(w, r, listURL(r))
}
