package web

import (
	"crypto/subtle"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/taskapi/taskapi"
	"github.com/taskapi/taskapi/internal/store"
)

// access says who may open a route.
type access int

const (
	anyone access = iota // logged in or not (email links)
	guest                // only when logged out (login, signup): others go to Today
	member               // logged in
	admin                // logged in as a superuser
)

type route struct {
	pattern string
	access  access
	handle  func(http.ResponseWriter, *http.Request, *req)
}

// req is what a page handler knows about its request.
type req struct {
	p     *taskapi.Principal
	csrf  string
	flash string
	loc   *time.Location
	// liveAfter is the user's feed position before the page read its data
	// (see view.LiveAfter).
	liveAfter string
}

// routes lists every page, one per line.
func (a *App) routes() []route {
	return []route{
		{"GET /{$}", anyone, a.home},
		{"GET /login", guest, a.loginPage},
		{"POST /login", guest, a.loginPost},
		{"GET /signup", guest, a.signupPage},
		{"POST /signup", guest, a.signupPost},
		{"POST /logout", member, a.logoutPost},
		{"GET /forgot-password", anyone, a.forgotPage},
		{"POST /forgot-password", anyone, a.forgotPost},
		{"GET /resend-verification", anyone, a.resendPage},
		{"POST /resend-verification", anyone, a.resendPost},
		{"GET /verify-email", anyone, a.verifyEmail},
		{"GET /reset-password", anyone, a.resetPage},
		{"POST /reset-password", anyone, a.resetPost},
		{"POST /theme", anyone, a.themePost},

		{"GET /today", member, a.todayPage},
		{"GET /upcoming", member, a.upcomingPage},
		{"GET /all", member, a.allPage},
		{"GET /completed", member, a.completedPage},
		{"GET /categories/{id}", member, a.categoryPage},
		{"POST /tasks", member, a.createTask},
		{"POST /tasks/quick-preview", member, a.quickPreview},
		{"POST /tasks/bulk", member, a.bulkPost},
		{"POST /tasks/undo", member, a.undoPost},
		{"GET /tasks/{id}", member, a.taskPage},
		{"POST /tasks/{id}", member, a.updateTask},
		{"POST /tasks/{id}/toggle", member, a.toggleTask},
		{"POST /tasks/{id}/status", member, a.statusPost},
		{"GET /board", member, a.boardPage},
		{"POST /tasks/{id}/delete", member, a.deleteTask},
		{"POST /tasks/{id}/recurrence", member, a.recurrencePost},
		{"POST /tasks/{id}/skip", member, a.skipPost},
		{"POST /tasks/{id}/completions/undo", member, a.undoCompletionPost},
		{"POST /tasks/{id}/reminders", member, a.reminderAdd},
		{"POST /tasks/{id}/reminders/{rid}/remove", member, a.reminderRemove},
		{"POST /tasks/{id}/subtasks", member, a.subtaskAdd},
		{"POST /tasks/{id}/move", member, a.subtaskMove},
		{"POST /tasks/{id}/comments", member, a.commentAdd},
		{"POST /tasks/{id}/comments/{cid}", member, a.commentEdit},
		{"POST /tasks/{id}/comments/{cid}/remove", member, a.commentRemove},
		{"GET /notifications", member, a.notificationsPoll},
		{"GET /events", member, a.liveEvents},
		{"POST /notifications/read", member, a.notificationRead},
		{"POST /notifications/{id}/read", member, a.notificationRead},
		{"GET /categories", member, a.categoriesPage},
		{"POST /categories", member, a.createCategory},
		{"POST /categories/{id}", member, a.updateCategory},
		{"POST /categories/{id}/delete", member, a.deleteCategory},
		{"GET /tags", member, a.tagsPage},
		{"POST /tags", member, a.createTagPost},
		{"POST /tags/{id}", member, a.updateTagPost},
		{"POST /tags/{id}/delete", member, a.deleteTagPost},
		{"POST /tasks/{id}/tags", member, a.taskTagAdd},
		{"POST /tasks/{id}/tags/{tid}/remove", member, a.taskTagRemove},

		{"GET /overview", member, a.overviewPage},
		{"GET /admin", admin, a.adminPage},
		{"POST /admin/users/{id}", admin, a.adminUpdate},
		{"POST /admin/users/{id}/delete", admin, a.adminDelete},
		{"GET /settings", member, a.settingsPage},
		{"POST /settings/profile", member, a.profilePost},
		{"POST /settings/password", member, a.passwordPost},
		{"POST /settings/preferences", member, a.preferencesPost},
		{"POST /settings/sessions/{id}/end", member, a.endSessionPost},
		{"POST /settings/sessions/end-all", member, a.endAllPost},
		{"POST /settings/delete", member, a.deleteAccountPost},
		{"GET /settings/webhooks", member, a.webhooksPage},
		{"POST /settings/webhooks", member, a.createWebhook},
		{"GET /settings/webhooks/{id}", member, a.webhookPage},
		{"POST /settings/webhooks/{id}/{action}", member, a.webhookAction},
		{"GET /settings/calendar", member, a.calendarPage},
		{"POST /settings/calendar", member, a.calendarPost},
		{"POST /settings/calendar/off", member, a.calendarOff},
		{"GET /settings/tokens", member, a.tokensPage},
		{"POST /settings/tokens", member, a.createTokenPost},
		{"POST /settings/tokens/{id}/revoke", member, a.revokeTokenPost},
	}
}

// maxFormBytes bounds a form body; a task's description is the largest
// field (10,000 characters, up to 40 KB in UTF-8).
const maxFormBytes = 128 << 10

// wrap applies what every page needs, in order: the page headers, the
// cross-origin check on unsafe methods (Sec-Fetch-Site / Origin), the
// session, the CSRF token for browsers that send neither header, and the
// route's access rule.
func (a *App) wrap(rt route) http.Handler {
	cop := http.NewCrossOriginProtection()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		setPageHeaders(w.Header())
		rq := &req{loc: time.UTC}
		if err := cop.Check(r); err != nil {
			a.errorPage(w, r, rq, http.StatusForbidden, "Request refused",
				"This form was sent from another site, so it was refused. Go back, reload the page and try again.")
			return
		}
		p, err := a.principal(r.Context(), r)
		if err != nil {
			a.fail(w, r, rq, err)
			return
		}
		rq.p = p
		if p != nil {
			rq.loc = p.User.Location()
			// The change feed names who made each write.
			r = r.WithContext(store.WithActor(r.Context(), store.PrincipalActor(*p)))
		} else if a.cookie(r, anonCookie) == "" {
			anon := randomToken()
			a.setCookie(w, anonCookie, anon, 0)
			r.AddCookie(&http.Cookie{Name: a.cookieName(anonCookie), Value: anon})
		}
		rq.csrf = a.csrfToken(r, p)
		// A page's live refresh (X-Live) leaves the flash to the page the
		// browser opens next.
		if f := a.cookie(r, flashCookie); f != "" && r.Header.Get("X-Live") == "" {
			rq.flash, _ = url.QueryUnescape(f)
			a.setCookie(w, flashCookie, "", -1)
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
			if err := r.ParseForm(); err != nil {
				a.errorPage(w, r, rq, http.StatusBadRequest, "That did not work", "The form could not be read.")
				return
			}
			sent := r.PostForm.Get("csrf")
			if sent == "" {
				sent = r.Header.Get("X-CSRF-Token")
			}
			if rq.csrf == "" || subtle.ConstantTimeCompare([]byte(sent), []byte(rq.csrf)) != 1 {
				if p == nil && rt.access == member {
					a.toLogin(w, r)
					return
				}
				a.errorPage(w, r, rq, http.StatusForbidden, "This form has expired",
					"The page was open too long or your session changed. Reload the page and try again.")
				return
			}
		}
		switch rt.access {
		case guest:
			if p != nil {
				http.Redirect(w, r, "/today", http.StatusSeeOther)
				return
			}
		case member, admin:
			if p == nil {
				a.toLogin(w, r)
				return
			}
			if rt.access == admin && !p.User.IsSuperuser {
				a.notFound(w, r, rq)
				return
			}
		}
		if p != nil && r.Method == http.MethodGet && r.Header.Get("X-Panel") == "" && r.Header.Get("X-Live") == "" && !isJSON(r) {
			if head, err := a.store.ChangeHead(r.Context(), p.User.ID); err == nil {
				rq.liveAfter = strconv.FormatInt(head, 10)
			}
		}
		rt.handle(w, r, rq)
	})
}

// toLogin sends a visitor without a session to the login page, and back
// here afterwards (for a GET; a form post goes back to its page).
func (a *App) toLogin(w http.ResponseWriter, r *http.Request) {
	next := r.URL.RequestURI()
	if r.Method != http.MethodGet {
		next = "/today"
		if ref, err := url.Parse(r.Referer()); err == nil && ref.Host == r.Host {
			next = ref.RequestURI()
		}
	}
	if isJSON(r) || strings.Contains(r.Header.Get("Accept"), "text/event-stream") {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write([]byte(`{"error":"log in again","login":"/login"}`))
		return
	}
	http.Redirect(w, r, "/login?next="+url.QueryEscape(next), http.StatusSeeOther)
}

// safeNext keeps a redirect target on this site: a path, never a URL
// with a host or scheme.
func safeNext(next string) string {
	// Browsers drop tabs and line breaks from a Location and read a
	// backslash as a slash, so "/\t/evil.example" would leave the site.
	u, err := url.Parse(next)
	if next == "" || next[0] != '/' || strings.HasPrefix(next, "//") || err != nil || u.Scheme != "" || u.Host != "" ||
		strings.ContainsFunc(next, func(r rune) bool { return r < 0x20 || r == 0x7f || r == '\\' }) {
		return "/today"
	}
	return next
}

// flash sets a message for the next page the browser opens.
func (a *App) flash(w http.ResponseWriter, msg string) {
	a.setCookie(w, flashCookie, url.QueryEscape(msg), time.Minute)
}

// redirect answers a form post: 303 to the next page.
func redirect(w http.ResponseWriter, r *http.Request, to string) {
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// isJSON reports whether the script asked for a JSON answer.
func isJSON(r *http.Request) bool {
	return strings.Contains(r.Header.Get("Accept"), "application/json")
}
