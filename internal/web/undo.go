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

// A deleted task can be brought back for a short while, whole: the store
// keeps what the delete took away (DeleteTaskUndoable), and a signed
// cookie bound to the user says which task this browser may restore and
// until when (no server session state, so any instance can restore it).
const (
	undoCookie = "taskapi_undo"
	undoFor    = 30 * time.Second
)

type undoTask struct {
	// ID is the deleted task's; Exp ends the offer on the server too, not
	// only in the browser.
	ID  uuid.UUID `json:"i"`
	Exp int64     `json:"e"`
}

func (a *App) offerUndo(w http.ResponseWriter, rq *req, t taskapi.Task) {
	b, _ := json.Marshal(undoTask{ID: t.ID, Exp: a.now().Add(undoFor).Unix()})
	a.setCookie(w, undoCookie, a.sign("undo\x00"+rq.p.User.ID.String(), base64.RawURLEncoding.EncodeToString(b)), undoFor)
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
		a.nothingToUndo(w, r, back)
		return
	}
	// The store restores once: a replayed cookie finds nothing left.
	t, err := a.store.RestoreTask(r.Context(), rq.p.User.ID, u.ID, time.Unix(u.Exp, 0).Add(-undoFor-time.Second))
	if errors.Is(err, store.ErrNothingToRestore) {
		a.setCookie(w, undoCookie, "", -1)
		a.nothingToUndo(w, r, back)
		return
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

func (a *App) nothingToUndo(w http.ResponseWriter, r *http.Request, back string) {
	const text = "There is nothing to undo any more."
	if isJSON(r) {
		writeJSON(w, http.StatusGone, map[string]string{"error": text})
		return
	}
	a.flash(w, text)
	redirect(w, r, back)
}
