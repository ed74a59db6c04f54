package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/google/uuid"

	"github.com/taskapi/taskapi"
	"github.com/taskapi/taskapi/internal/auth"
	"github.com/taskapi/taskapi/internal/store"
)

type sessionRow struct {
	S        taskapi.Session
	Current  bool
	Device   string
	LastUsed string
	Created  string
}

type settingsPage struct {
	Profile   *form
	Password  *form
	Delete    *form
	Sessions  []sessionRow
	TimeZones []string
	// Prefs is the reminders section (reminders.go).
	Prefs *prefsForm
	// Tokens counts the personal access tokens that still work.
	Tokens int
}

// commonZones are offered first in the time zone picker; any IANA name
// can be typed.
var commonZones = []string{"UTC", "Europe/London", "Europe/Paris", "Europe/Berlin", "Europe/Madrid", "Europe/Rome",
	"Europe/Amsterdam", "Europe/Stockholm", "Europe/Warsaw", "Europe/Athens", "Europe/Istanbul", "Europe/Moscow",
	"Africa/Cairo", "Africa/Lagos", "Africa/Johannesburg", "Asia/Dubai", "Asia/Kolkata", "Asia/Bangkok", "Asia/Singapore",
	"Asia/Shanghai", "Asia/Tokyo", "Asia/Seoul", "Australia/Sydney", "Pacific/Auckland", "America/Sao_Paulo",
	"America/Argentina/Buenos_Aires", "America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles",
	"America/Anchorage", "Pacific/Honolulu"}

func (a *App) settings(r *http.Request, rq *req) (*settingsPage, error) {
	u := rq.p.User
	sp := &settingsPage{Profile: newForm(r), Password: newForm(r), Delete: newForm(r), TimeZones: commonZones}
	sp.Profile.Values = map[string]string{"username": u.Username, "full_name": derefStr(u.FullName), "email": u.Email, "timezone": u.TimeZone}
	sessions, _, err := a.store.ListSessions(r.Context(), u.ID, store.Page{Limit: 100})
	if err != nil {
		return nil, err
	}
	if sp.Prefs, err = a.loadPrefs(r, rq); err != nil {
		return nil, err
	}
	for _, s := range sessions {
		sp.Sessions = append(sp.Sessions, sessionRow{S: s, Current: s.ID == rq.p.SessionID, Device: device(s.UserAgent),
			LastUsed: s.LastUsedAt.In(rq.loc).Format("2 Jan 2006 15:04"), Created: s.CreatedAt.In(rq.loc).Format("2 Jan 2006")})
	}
	toks, _, err := a.store.ListAccessTokens(r.Context(), u.ID, store.Page{Limit: taskapi.MaxAccessTokens + 50})
	if err != nil {
		return nil, err
	}
	for _, t := range toks {
		if !t.Expired(a.now()) {
			sp.Tokens++
		}
	}
	return sp, nil
}

func derefStr(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// device names a browser from its user agent, roughly.
func device(ua string) string {
	browser := "A browser"
	switch {
	case ua == "":
		return "Unknown device"
	case strings.Contains(ua, "Edg/"):
		browser = "Edge"
	case strings.Contains(ua, "Firefox/"):
		browser = "Firefox"
	case strings.Contains(ua, "Chrome/") || strings.Contains(ua, "Chromium/"):
		browser = "Chrome"
	case strings.Contains(ua, "Safari/"):
		browser = "Safari"
	case !strings.Contains(ua, "Mozilla/"):
		return ua
	}
	for _, os := range []string{"Android", "iPhone", "iPad", "Windows", "Mac OS X", "Linux"} {
		if strings.Contains(ua, os) {
			if os == "Mac OS X" {
				os = "macOS"
			}
			return browser + " on " + os
		}
	}
	return browser
}

func (a *App) renderSettings(w http.ResponseWriter, r *http.Request, rq *req, status int, sp *settingsPage) {
	a.render(w, r, rq, status, "settings", view{Title: "Settings", Page: sp})
}

func (a *App) settingsPage(w http.ResponseWriter, r *http.Request, rq *req) {
	sp, err := a.settings(r, rq)
	if err != nil {
		a.fail(w, r, rq, err)
		return
	}
	a.renderSettings(w, r, rq, http.StatusOK, sp)
}

func (a *App) profilePost(w http.ResponseWriter, r *http.Request, rq *req) {
	f := newForm(r, "username", "full_name", "email", "timezone")
	ch := auth.ProfileChanges{Username: ptr(f.Values["username"]), FullName: ptr(f.Values["full_name"]), Email: ptr(f.Values["email"]),
		CurrentPassword: r.PostForm.Get("current_password")}
	if tz := f.Values["timezone"]; tz != "" {
		ch.TimeZone = &tz
	}
	ctx := r.Context()
	_, err := a.auth.UpdateProfile(ctx, *rq.p, ch)
	if err != nil {
		sp, serr := a.settings(r, rq)
		if serr != nil {
			a.fail(w, r, rq, serr)
			return
		}
		sp.Profile = f
		switch fe, ok := formError(err, nil); {
		case ok:
			f.Errors = fe
		case errors.Is(err, auth.ErrWrongPassword):
			f.Errors["current_password"] = "This password is wrong."
		case errors.Is(err, taskapi.ErrConflict):
			f.Error = "That username or email is taken."
		default:
			a.fail(w, r, rq, err)
			return
		}
		a.renderSettings(w, r, rq, http.StatusUnprocessableEntity, sp)
		return
	}
	a.flash(w, "Profile saved.")
	redirect(w, r, "/settings")
}

func ptr(s string) *string { return &s }

func (a *App) passwordPost(w http.ResponseWriter, r *http.Request, rq *req) {
	ctx := r.Context()
	err := a.auth.ChangePassword(ctx, *rq.p, r.PostForm.Get("current_password"), r.PostForm.Get("new_password"))
	if err != nil {
		sp, serr := a.settings(r, rq)
		if serr != nil {
			a.fail(w, r, rq, serr)
			return
		}
		switch fe, ok := formError(err, nil); {
		case ok:
			sp.Password.Errors = fe
		case errors.Is(err, auth.ErrWrongPassword):
			sp.Password.Errors["current_password"] = "This password is wrong."
		default:
			a.fail(w, r, rq, err)
			return
		}
		a.renderSettings(w, r, rq, http.StatusUnprocessableEntity, sp)
		return
	}
	a.flash(w, "Password changed. Your other devices are signed out.")
	redirect(w, r, "/settings")
}

func (a *App) endSessionPost(w http.ResponseWriter, r *http.Request, rq *req) {
	id, err := uuid.Parse(r.PathValue("id"))
	if err != nil {
		a.notFound(w, r, rq)
		return
	}
	if err := a.auth.EndSession(r.Context(), rq.p.User.ID, id); err != nil {
		a.fail(w, r, rq, err)
		return
	}
	if id == rq.p.SessionID {
		a.setCookie(w, sessionCookie, "", -1)
		a.flash(w, "You are signed out on this device.")
		redirect(w, r, "/login")
		return
	}
	a.flash(w, "That device is signed out.")
	redirect(w, r, "/settings")
}

func (a *App) endAllPost(w http.ResponseWriter, r *http.Request, rq *req) {
	if err := a.auth.LogoutAll(r.Context(), rq.p.User.ID); err != nil {
		a.fail(w, r, rq, err)
		return
	}
	a.setCookie(w, sessionCookie, "", -1)
	a.flash(w, "You are signed out everywhere.")
	redirect(w, r, "/login")
}

func (a *App) deleteAccountPost(w http.ResponseWriter, r *http.Request, rq *req) {
	ctx := r.Context()
	err := a.auth.DeleteAccount(ctx, *rq.p, r.PostForm.Get("password"), nil)
	if err != nil {
		sp, serr := a.settings(r, rq)
		if serr != nil {
			a.fail(w, r, rq, serr)
			return
		}
		if errors.Is(err, auth.ErrWrongPassword) {
			sp.Delete.Errors["password"] = "This password is wrong."
		} else if fe, ok := formError(err, nil); ok {
			sp.Delete.Errors = fe
		} else {
			a.fail(w, r, rq, err)
			return
		}
		a.renderSettings(w, r, rq, http.StatusUnprocessableEntity, sp)
		return
	}
	a.setCookie(w, sessionCookie, "", -1)
	a.flash(w, "Your account and its tasks are deleted. Goodbye!")
	redirect(w, r, "/signup")
}
