package web

import (
	"crypto/hmac"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/taskapi/taskapi"
	"github.com/taskapi/taskapi/internal/store"
)

// The task detail's comments (templates/part_task_comments.html): the
// latest page of the thread, oldest first, "Show earlier" pages back by a
// signed keyset cursor (?comments=…); add, edit and delete.

// commentsPage is how many comments the section shows at a time.
const commentsPage = 20

// commentView is one comment as the section shows it.
type commentView struct {
	C      taskapi.Comment
	Ago    string // "2 h ago"
	Exact  string // for the tooltip
	ISO    string
	Edited bool
}

// commentsSection is what the section shows.
type commentsSection struct {
	Items []commentView
	Count int64
	// Earlier is the cursor of the page before the first comment shown;
	// "" when it is the first of the thread. Older is set when the page
	// shown is not the latest one (a "Show earlier" without script).
	Earlier string
	Older   bool
	Full    bool
	Max     int
	Focus   bool // the add field, after a no-script post
}

// loadComments fills the section with the page the URL asks for (the
// latest one by default).
func (a *App) loadComments(r *http.Request, rq *req, f *taskForm) error {
	s := commentsSection{Count: f.T.CommentCount, Max: taskapi.MaxCommentsPerTask,
		Full: f.T.CommentCount >= taskapi.MaxCommentsPerTask, Focus: r.URL.Query().Get("focus") == "comment"}
	page := store.Page{Limit: commentsPage}
	if c := r.URL.Query().Get("comments"); c != "" {
		at, ok := a.commentCursor(c, f.T.ID)
		if !ok {
			return taskapi.NewProblem(taskapi.ErrBadRequest, "This link to earlier comments is broken; open the task again.")
		}
		page.After, s.Older = at, true
	}
	if f.T.CommentCount == 0 {
		f.Comments = s
		return nil
	}
	items, next, err := a.store.ListRecentComments(r.Context(), rq.p.User.ID, f.T.ID, page)
	if err != nil {
		return fmt.Errorf("comments of %s: %w", f.T.ID, err)
	}
	if next != "" {
		s.Earlier = a.signCommentCursor(next, f.T.ID)
	}
	now := a.now()
	// Newest first from the store; the thread reads oldest first.
	for i := len(items) - 1; i >= 0; i-- {
		c := items[i]
		s.Items = append(s.Items, commentView{C: c, Ago: agoWords(c.CreatedAt, now, rq.loc), ISO: c.CreatedAt.Format(time.RFC3339),
			Exact: c.CreatedAt.In(rq.loc).Format("Monday 2 January 2006 15:04"), Edited: c.UpdatedAt.After(c.CreatedAt)})
	}
	f.Comments = s
	return nil
}

// A comments cursor is the store's position, bound to its task and signed,
// so that a tampered or borrowed one is refused.
func (a *App) signCommentCursor(p store.Position, taskID uuid.UUID) string {
	return string(p) + "~" + mac(a.keys.session, "comments\x00"+taskID.String()+"\x00"+string(p))
}

func (a *App) commentCursor(s string, taskID uuid.UUID) (store.Position, bool) {
	i := strings.LastIndexByte(s, '~')
	if i < 0 || !hmac.Equal([]byte(s[i+1:]), []byte(mac(a.keys.session, "comments\x00"+taskID.String()+"\x00"+s[:i]))) {
		return "", false
	}
	return store.Position(s[:i]), true
}

// agoWords says how long ago t was, briefly: "just now", "5 min ago",
// "2 h ago", "3 d ago", then the date ("2 Dec", "2 Dec 2025").
func agoWords(t, now time.Time, loc *time.Location) string {
	d := now.Sub(t)
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return fmt.Sprintf("%d min ago", int(d/time.Minute))
	case d < 24*time.Hour:
		return fmt.Sprintf("%d h ago", int(d/time.Hour))
	case d < 7*24*time.Hour:
		return fmt.Sprintf("%d d ago", int(d/(24*time.Hour)))
	case t.In(loc).Year() == now.In(loc).Year():
		return t.In(loc).Format("2 Jan")
	}
	return t.In(loc).Format("2 Jan 2006")
}

// commentBody reads a comment from a form: line ends as the API keeps
// them (\n), the rules checked by the store.
func commentBody(r *http.Request) string {
	return strings.ReplaceAll(r.PostForm.Get("body"), "\r\n", "\n")
}

// commentAdd adds a comment to the task.
func (a *App) commentAdd(w http.ResponseWriter, r *http.Request, rq *req) {
	id, ok := a.taskID(w, r, rq)
	if !ok {
		return
	}
	_, _, err := a.store.CreateComment(r.Context(), rq.p.User.ID, id, commentBody(r), nil)
	if msg, handled := a.commentErr(w, r, rq, err); !handled {
		return
	} else if msg != "" {
		a.backToTask(w, r, id, "Not added: "+msg, "comment", "comments-title-"+id.String())
		return
	}
	a.backToTask(w, r, id, "Comment added.", "comment", "comments-end-"+id.String())
}

// commentEdit replaces the body of one of the task's comments.
func (a *App) commentEdit(w http.ResponseWriter, r *http.Request, rq *req) {
	id, cid, ok := a.commentIDs(w, r, rq)
	if !ok {
		return
	}
	_, err := a.store.UpdateComment(r.Context(), rq.p.User.ID, id, cid, commentBody(r), nil)
	if msg, handled := a.commentErr(w, r, rq, err); !handled {
		return
	} else if msg != "" {
		a.backToTask(w, r, id, "Not saved: "+msg, "", "comment-"+cid.String())
		return
	}
	a.backToTask(w, r, id, "Comment saved.", "", "comment-"+cid.String())
}

// commentRemove deletes one of the task's comments (the page asked to
// confirm). Its route does not end in /delete: the panel's script takes
// such a form for the task's own delete.
func (a *App) commentRemove(w http.ResponseWriter, r *http.Request, rq *req) {
	id, cid, ok := a.commentIDs(w, r, rq)
	if !ok {
		return
	}
	err := a.store.DeleteComment(r.Context(), rq.p.User.ID, id, cid, nil)
	if errors.Is(err, taskapi.ErrNotFound) {
		// Deleted already (a second click, another tab): what was asked holds.
		if _, gerr := a.store.GetTask(r.Context(), rq.p.User.ID, id); gerr == nil {
			err = nil
		}
	}
	if err != nil {
		a.fail(w, r, rq, err)
		return
	}
	a.backToTask(w, r, id, "Comment deleted.", "", "comments-title-"+id.String())
}

func (a *App) commentIDs(w http.ResponseWriter, r *http.Request, rq *req) (task, comment uuid.UUID, ok bool) {
	task, ok = a.taskID(w, r, rq)
	if !ok {
		return
	}
	comment, err := uuid.Parse(r.PathValue("cid"))
	if err != nil {
		a.notFound(w, r, rq)
		return task, comment, false
	}
	return task, comment, true
}

// commentErr sorts out the error of a comment write: "" and true when
// there is none, a message for the person and true for a rule the input
// broke (too long, blank, a full thread), false when it answered already.
func (a *App) commentErr(w http.ResponseWriter, r *http.Request, rq *req, err error) (string, bool) {
	var fe *taskapi.FieldError
	switch {
	case err == nil:
		return "", true
	case errors.As(err, &fe):
		return fmt.Sprintf("a comment is 1 to %d characters, not blank.", taskapi.CommentBodyMaxLen), true
	case errors.Is(err, taskapi.ErrConflict):
		return strings.ToLower(errorMessage(err)[:1]) + errorMessage(err)[1:], true
	}
	a.fail(w, r, rq, err)
	return "", false
}
