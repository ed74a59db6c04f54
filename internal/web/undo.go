package web

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/google/uuid"

	"github.com/taskapi/taskapi"
	"github.com/taskapi/taskapi/internal/store"
)

// A deleted task can be brought back for a short while: its fields ride
// in a signed cookie bound to the user (no server state, so any instance
// can restore it). A task whose fields do not fit a cookie is deleted
// without undo.
const (
	undoCookie = "taskapi_undo"
	undoFor    = 30 * time.Second
	undoMaxLen = 3000
)

type undoTask struct {
	// ID is the deleted task's: one restore per deletion (it keys the
	// restore's idempotent create). Exp ends the offer on the server too,
	// not only in the browser.
	ID          uuid.UUID  `json:"i"`
	Exp         int64      `json:"e"`
	Title       string     `json:"t"`
	Description *string    `json:"d,omitempty"`
	Status      string     `json:"s"`
	Priority    string     `json:"p"`
	Due         *time.Time `json:"u,omitempty"`
	CategoryID  *uuid.UUID `json:"c,omitempty"`
	// TagIDs come back as far as the user still has the tags.
	TagIDs []uuid.UUID `json:"g,omitempty"`
}

func (a *App) offerUndo(w http.ResponseWriter, rq *req, t taskapi.Task) bool {
	b, _ := json.Marshal(undoTask{ID: t.ID, Exp: a.now().Add(undoFor).Unix(), Title: t.Title, Description: t.Description, Status: string(t.Status), Priority: string(t.Priority),
		Due: t.DueDate, CategoryID: t.CategoryID, TagIDs: tagIDsOf(t.Tags)})
	v := base64.RawURLEncoding.EncodeToString(b)
	if len(v) > undoMaxLen {
		return false
	}
	a.setCookie(w, undoCookie, a.sign("undo\x00"+rq.p.User.ID.String(), v), undoFor)
	return true
}

// undoable reports whether this browser holds a deleted task of the user
// to restore.
func (a *App) undoable(r *http.Request, rq *req) (undoTask, bool) {
	var u undoTask
	if rq == nil || rq.p == nil {
		return u, false
	}
	v, ok := a.openSigned("undo\x00"+rq.p.User.ID.String(), a.cookie(r, undoCookie))
	if !ok {
		return u, false
	}
	b, err := base64.RawURLEncoding.DecodeString(v)
	if err != nil || json.Unmarshal(b, &u) != nil || a.now().Unix() > u.Exp {
		return u, false
	}
	return u, true
}

func (a *App) undoPost(w http.ResponseWriter, r *http.Request, rq *req) {
	u, ok := a.undoable(r, rq)
	back := listURL(r)
	if !ok {
		a.flash(w, "There is nothing to undo any more.")
		redirect(w, r, back)
		return
	}
	t := taskapi.Task{Title: u.Title, Description: u.Description, Status: taskapi.Status(u.Status), Priority: taskapi.Priority(u.Priority),
		DueDate: u.Due, CategoryID: u.CategoryID, Tags: a.restoreTags(r.Context(), rq, u.TagIDs)}
	if t.Status == taskapi.StatusCompleted {
		now := a.now()
		t.CompletedAt = &now
	}
	// A replayed cookie answers with the first restore instead of a copy.
	key := &store.IdempotencyKey{Key: "web-undo:" + u.ID.String(), Method: http.MethodPost, Path: "/undo", RequestHash: u.ID.String()}
	_, _, err := a.store.CreateTask(r.Context(), rq.p.User.ID, t, key)
	if err != nil && t.CategoryID != nil && errors.Is(err, taskapi.ErrInvalid) {
		// Its category was deleted meanwhile: the task comes back without.
		t.CategoryID = nil
		_, _, err = a.store.CreateTask(r.Context(), rq.p.User.ID, t, key)
	}
	if err != nil {
		a.fail(w, r, rq, err)
		return
	}
	a.setCookie(w, undoCookie, "", -1)
	if isJSON(r) {
		writeJSON(w, http.StatusCreated, map[string]string{"ok": "restored"})
		return
	}
	a.flash(w, "Restored “"+t.Title+"”.")
	redirect(w, r, back)
}
