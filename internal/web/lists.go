package web

import (
	"crypto/hmac"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/taskapi/taskapi"
	"github.com/taskapi/taskapi/internal/store"
)

// row is a task as a list shows it.
type row struct {
	T        taskapi.Task
	Due      *due
	Cat      *taskapi.Category
	Done     bool
	Priority string // lower case, for the class of the checkbox ring
	// Parent is the title of a subtask's parent, on lists that show
	// subtasks (withParents in subtasks.go).
	Parent string
	// Repeat is the task's rule in words, "" when it does not repeat
	// (recurrence.go).
	Repeat string
}

type section struct {
	Heading string
	Rows    []row
}

// listQuery is a list's filters as they stand in the URL.
type listQuery struct {
	Q, Status, Priority, Sort, DueFrom, DueTo string
	// Tag is the tag filter: tag IDs, comma-separated (tags.go).
	Tag string
}

// listPage is any list of tasks.
type listPage struct {
	Heading, Sub, Kind string
	Sections           []section
	Count              int
	Query              listQuery
	Filters            bool   // whether the list offers filters
	Next               string // URL of the next page, "" on the last
	Empty              string
	Category           *taskapi.Category
	Categories         []taskapi.Category
	Quick              quickForm
	Back               string
	Statuses           []taskapi.Status
	Priorities         []taskapi.Priority
	Sorts              []sortOption
	FilterErr          string
	// TagChips are the active tag filters, each removable.
	TagChips []tagChip
}

type sortOption struct{ Value, Label string }

func sortOptions() []sortOption {
	return []sortOption{{"", "Newest first"}, {"created_at", "Oldest first"}, {"due_date", "Due date"}, {"-priority", "Priority"},
		{"title", "Title"}, {"-updated_at", "Recently changed"}}
}

// quickForm is the quick-add line: what was typed and what went wrong.
type quickForm struct {
	Text, Error, Placeholder string
}

// pageSize is how many tasks a list shows before "Load more".
const pageSize = 50

func (a *App) rows(tasks []taskapi.Task, cats []taskapi.Category, rq *req) []row {
	byID := make(map[uuid.UUID]*taskapi.Category, len(cats))
	for i := range cats {
		byID[cats[i].ID] = &cats[i]
	}
	now := a.now()
	out := make([]row, 0, len(tasks))
	for _, t := range tasks {
		r := row{T: t, Done: t.Status == taskapi.StatusCompleted, Priority: strings.ToLower(string(t.Priority))}
		if t.DueDate != nil {
			d := dueWords(*t.DueDate, now, rq.loc, r.Done || t.Status == taskapi.StatusArchived)
			r.Due = &d
		}
		if t.CategoryID != nil {
			r.Cat = byID[*t.CategoryID]
		}
		r.Repeat = rowRepeat(t, rq.loc)
		out = append(out, r)
	}
	return out
}

func (a *App) newListPage(r *http.Request, rq *req, kind, heading string) *listPage {
	return &listPage{Kind: kind, Heading: heading, Back: r.URL.RequestURI(), Categories: a.categories(r.Context(), rq),
		Statuses: taskapi.Statuses(), Priorities: taskapi.Priorities(), Sorts: sortOptions(),
		Quick: quickForm{Placeholder: "Add a task — try “Call Ana tomorrow 3pm !high #Work”"}}
}

func (a *App) renderList(w http.ResponseWriter, r *http.Request, rq *req, lp *listPage) {
	for _, s := range lp.Sections {
		lp.Count += len(s.Rows)
	}
	a.withParents(r.Context(), rq, lp.Sections)
	a.render(w, r, rq, http.StatusOK, "list", view{Title: lp.Heading, Page: lp})
}

func openStatuses() []taskapi.Status {
	return []taskapi.Status{taskapi.StatusTodo, taskapi.StatusInProgress}
}

func (a *App) todayPage(w http.ResponseWriter, r *http.Request, rq *req) {
	ctx := r.Context()
	lp := a.newListPage(r, rq, "today", "Today")
	now := a.now()
	start := dayStart(now, rq.loc)
	end := start.AddDate(0, 0, 1)
	lp.Sub = now.In(rq.loc).Format("Monday 2 January")
	uid := rq.p.User.ID
	sort := taskapi.TaskSort{Key: taskapi.SortDueDate}
	overdue, _, err := a.store.ListTasks(ctx, uid, store.TaskQuery{Filter: taskapi.TaskFilter{Statuses: openStatuses(),
		DueBefore: &start}, Sort: sort, Limit: 100})
	if err != nil {
		a.fail(w, r, rq, err)
		return
	}
	today, _, err := a.store.ListTasks(ctx, uid, store.TaskQuery{Filter: taskapi.TaskFilter{Statuses: openStatuses(),
		DueAfter: &start, DueBefore: &end}, Sort: sort, Limit: 100})
	if err != nil {
		a.fail(w, r, rq, err)
		return
	}
	if len(overdue) > 0 {
		lp.Sections = append(lp.Sections, section{Heading: "Overdue", Rows: a.rows(overdue, lp.Categories, rq)})
	}
	if len(today) > 0 || len(overdue) > 0 {
		h := ""
		if len(overdue) > 0 {
			h = "Today"
		}
		lp.Sections = append(lp.Sections, section{Heading: h, Rows: a.rows(today, lp.Categories, rq)})
	}
	lp.Empty = "Nothing due today. Add a task, or look at Upcoming."
	a.renderList(w, r, rq, lp)
}

func (a *App) upcomingPage(w http.ResponseWriter, r *http.Request, rq *req) {
	lp := a.newListPage(r, rq, "upcoming", "Upcoming")
	now := a.now()
	from := dayStart(now, rq.loc).AddDate(0, 0, 1)
	to := from.AddDate(0, 0, 7)
	lp.Sub = "The next 7 days"
	tasks, _, err := a.store.ListTasks(r.Context(), rq.p.User.ID, store.TaskQuery{Filter: taskapi.TaskFilter{Statuses: openStatuses(),
		DueAfter: &from, DueBefore: &to}, Sort: taskapi.TaskSort{Key: taskapi.SortDueDate}, Limit: 100})
	if err != nil {
		a.fail(w, r, rq, err)
		return
	}
	rows := a.rows(tasks, lp.Categories, rq)
	for _, rw := range rows {
		h := dayHeading(rw.Due.DayStart, now, rq.loc)
		if n := len(lp.Sections); n == 0 || lp.Sections[n-1].Heading != h {
			lp.Sections = append(lp.Sections, section{Heading: h})
		}
		s := &lp.Sections[len(lp.Sections)-1]
		s.Rows = append(s.Rows, rw)
	}
	lp.Empty = "Nothing planned for the next 7 days. Add a task with a date, such as “Dentist friday 10am”."
	a.renderList(w, r, rq, lp)
}

func (a *App) allPage(w http.ResponseWriter, r *http.Request, rq *req) {
	lp := a.newListPage(r, rq, "all", "All tasks")
	lp.Empty = "No open tasks. Add one above."
	a.filteredList(w, r, rq, lp, taskapi.TaskFilter{})
}

func (a *App) completedPage(w http.ResponseWriter, r *http.Request, rq *req) {
	lp := a.newListPage(r, rq, "completed", "Completed")
	lp.Empty = "Nothing completed yet. Tick a task to see it here."
	a.filteredList(w, r, rq, lp, taskapi.TaskFilter{Statuses: []taskapi.Status{taskapi.StatusCompleted}})
}

func (a *App) categoryPage(w http.ResponseWriter, r *http.Request, rq *req) {
	id, err := uuid.Parse(r.PathValue("id"))
	if err != nil {
		a.notFound(w, r, rq)
		return
	}
	c, err := a.store.GetCategory(r.Context(), rq.p.User.ID, id)
	if err != nil {
		a.fail(w, r, rq, err)
		return
	}
	lp := a.newListPage(r, rq, "category", c.Name)
	lp.Category = &c
	lp.Quick.Placeholder = "Add a task to " + c.Name
	lp.Empty = "No open tasks in " + c.Name + ". Add one above."
	a.filteredList(w, r, rq, lp, taskapi.TaskFilter{CategoryID: &c.ID})
}

// filteredList reads the filters, sort and cursor from the URL and shows
// one page of the list.
func (a *App) filteredList(w http.ResponseWriter, r *http.Request, rq *req, lp *listPage, base taskapi.TaskFilter) {
	q := r.URL.Query()
	lp.Filters = true
	lp.Query = listQuery{Q: strings.TrimSpace(q.Get("q")), Status: q.Get("status"), Priority: q.Get("priority"), Sort: q.Get("sort"),
		DueFrom: q.Get("due_from"), DueTo: q.Get("due_to"), Tag: q.Get("tag")}
	f := base
	if f.Statuses == nil {
		f.Statuses = openStatuses()
	}
	if lp.Query.Status != "" {
		f.Statuses = nil
		for _, s := range strings.Split(lp.Query.Status, ",") {
			f.Statuses = append(f.Statuses, taskapi.Status(strings.ToUpper(strings.TrimSpace(s))))
		}
	}
	for _, p := range strings.Split(lp.Query.Priority, ",") {
		if p = strings.TrimSpace(p); p != "" {
			f.Priorities = append(f.Priorities, taskapi.Priority(strings.ToUpper(p)))
		}
	}
	if c := q.Get("category"); c != "" && base.CategoryID == nil {
		if id, err := uuid.Parse(c); err == nil {
			f.CategoryID = &id
		}
	}
	f.Query = lp.Query.Q
	var tags []taskapi.Tag
	f.AllTags, tags = a.tagFilter(r.Context(), rq, lp.Query.Tag)
	lp.TagChips = tagChips(r.URL, tags)
	f.TopLevel = topLevelOnly(lp.Query)
	var err error
	if f.DueAfter, err = parseDay(lp.Query.DueFrom, rq.loc, 0); err == nil {
		f.DueBefore, err = parseDay(lp.Query.DueTo, rq.loc, 1)
	}
	sortText := lp.Query.Sort
	if sortText == "" && lp.Kind == "completed" {
		sortText = "-updated_at"
	}
	sort, serr := taskapi.ParseTaskSort(sortText)
	if err == nil {
		err = serr
	}
	if err == nil {
		err = f.Validate()
	}
	var after store.Position
	if err == nil && q.Get("cursor") != "" {
		after, err = a.decodeCursor(q.Get("cursor"), sort)
	}
	if err != nil {
		lp.FilterErr = "These filters are not valid: " + errText(err)
		a.renderList(w, r, rq, lp)
		return
	}
	tasks, next, err := a.store.ListTasks(r.Context(), rq.p.User.ID, store.TaskQuery{Filter: f, Sort: sort, Limit: pageSize, After: after})
	if err != nil {
		a.fail(w, r, rq, err)
		return
	}
	lp.Sections = []section{{Rows: a.rows(tasks, lp.Categories, rq)}}
	if next != "" {
		nq := r.URL.Query()
		nq.Set("cursor", a.encodeCursor(next, sort))
		lp.Next = r.URL.Path + "?" + nq.Encode()
	}
	if lp.Query != (listQuery{}) {
		lp.Empty = "No task matches these filters."
	}
	a.renderList(w, r, rq, lp)
}

func errText(err error) string {
	var fe *taskapi.FieldError
	if errors.As(err, &fe) {
		return fe.Field + " " + fe.Message + "."
	}
	return "the link is broken."
}

// parseDay reads a YYYY-MM-DD day in loc; plusDays moves it (1 for an
// end that includes its day).
func parseDay(s string, loc *time.Location, plusDays int) (*time.Time, error) {
	if s == "" {
		return nil, nil
	}
	d, err := time.ParseInLocation("2006-01-02", s, loc)
	if err != nil {
		return nil, taskapi.Invalid("date", "must be a day such as 2026-12-24")
	}
	d = d.AddDate(0, 0, plusDays)
	return &d, nil
}

// A list cursor is the store's position and the sort it belongs to,
// signed so that a tampered one is refused.
type cursorBody struct {
	Sort string         `json:"s"`
	At   store.Position `json:"c"`
}

func (a *App) encodeCursor(c store.Position, sort taskapi.TaskSort) string {
	b, _ := json.Marshal(cursorBody{Sort: sort.String(), At: c})
	body := base64.RawURLEncoding.EncodeToString(b)
	return body + "." + mac(a.keys.session, "cursor\x00"+body)
}

func (a *App) decodeCursor(s string, sort taskapi.TaskSort) (store.Position, error) {
	bad := taskapi.Invalid("cursor", "is not one of this list's")
	body, sig, ok := strings.Cut(s, ".")
	if !ok || !hmac.Equal([]byte(sig), []byte(mac(a.keys.session, "cursor\x00"+body))) {
		return "", bad
	}
	raw, err := base64.RawURLEncoding.DecodeString(body)
	if err != nil {
		return "", bad
	}
	var cb cursorBody
	if err := json.Unmarshal(raw, &cb); err != nil || cb.Sort != sort.String() {
		return "", bad
	}
	return cb.At, nil
}

// listURL is where a form goes back to: the page it was posted from, if
// it is one of ours.
func listURL(r *http.Request) string {
	back := r.PostForm.Get("back")
	if u, err := url.Parse(back); err == nil && u.Host == "" && u.Scheme == "" {
		return safeNext(back)
	}
	return "/today"
}
