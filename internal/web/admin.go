package web

import (
	"crypto/hmac"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/google/uuid"

	"github.com/taskapi/taskapi"
	"github.com/taskapi/taskapi/internal/auth"
	"github.com/taskapi/taskapi/internal/store"
)

type adminPage struct {
	Q     string
	Users []adminUser
	Next  string
}

type adminUser struct {
	U       taskapi.User
	Self    bool
	Created string
}

// adminPageSize is how many accounts the admin page lists at once.
const adminPageSize = 50

func (a *App) adminPage(w http.ResponseWriter, r *http.Request, rq *req) {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	var after store.Position
	if c := r.URL.Query().Get("cursor"); c != "" {
		pos, ok := a.openSigned("users\x00"+q, c)
		if !ok {
			a.errorPage(w, r, rq, http.StatusBadRequest, "That did not work", "This link is broken; start the search again.")
			return
		}
		after = store.Position(pos)
	}
	users, next, err := a.store.ListUsers(r.Context(), q, store.Page{Limit: adminPageSize, After: after})
	if err != nil {
		a.fail(w, r, rq, err)
		return
	}
	ap := &adminPage{Q: q}
	for _, u := range users {
		ap.Users = append(ap.Users, adminUser{U: u, Self: u.ID == rq.p.User.ID, Created: u.CreatedAt.In(rq.loc).Format("2 Jan 2006")})
	}
	if next != "" {
		ap.Next = "/admin?" + url.Values{"q": {q}, "cursor": {a.sign("users\x00"+q, string(next))}}.Encode()
	}
	a.render(w, r, rq, http.StatusOK, "admin", view{Title: "Administration", Page: ap})
}

// sign and openSigned protect an opaque value carried in a URL.
func (a *App) sign(scope, v string) string {
	return v + "~" + mac(a.keys.session, scope+"\x00"+v)
}

func (a *App) openSigned(scope, s string) (string, bool) {
	i := strings.LastIndexByte(s, '~')
	if i < 0 || !hmac.Equal([]byte(mac(a.keys.session, scope+"\x00"+s[:i])), []byte(s[i+1:])) {
		return "", false
	}
	return s[:i], true
}

func (a *App) adminUpdate(w http.ResponseWriter, r *http.Request, rq *req) {
	id, err := uuid.Parse(r.PathValue("id"))
	if err != nil {
		a.notFound(w, r, rq)
		return
	}
	yes, no := true, false
	var ch auth.AdminChanges
	switch r.PostForm.Get("action") {
	case "disable":
		ch.IsActive = &no
	case "enable":
		ch.IsActive = &yes
	case "verify":
		ch.IsVerified = &yes
	case "promote":
		ch.IsSuperuser = &yes
	case "demote":
		ch.IsSuperuser = &no
	default:
		a.errorPage(w, r, rq, http.StatusBadRequest, "That did not work", "Unknown action.")
		return
	}
	u, err := a.auth.AdminUpdate(r.Context(), *rq.p, id, ch)
	a.adminDone(w, r, rq, err, func() string { return "Saved " + u.Username + "." })
}

// adminDone answers an administrator's action: back to the list with what
// happened, or with why the rules refused it (acting on oneself); any
// other error is the failure page.
func (a *App) adminDone(w http.ResponseWriter, r *http.Request, rq *req, err error, done func() string) {
	back := "/admin?" + url.Values{"q": {r.PostForm.Get("q")}}.Encode()
	var p *taskapi.Problem
	switch {
	case err == nil:
		a.flash(w, done())
	case errors.Is(err, taskapi.ErrForbidden) && errors.As(err, &p):
		a.flash(w, sentence(p.Message))
	default:
		a.fail(w, r, rq, err)
		return
	}
	redirect(w, r, back)
}

func (a *App) adminDelete(w http.ResponseWriter, r *http.Request, rq *req) {
	id, err := uuid.Parse(r.PathValue("id"))
	if err != nil {
		a.notFound(w, r, rq)
		return
	}
	err = a.auth.AdminDelete(r.Context(), *rq.p, id, nil)
	a.adminDone(w, r, rq, err, func() string { return "The account is deleted." })
}
