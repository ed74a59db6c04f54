package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/taskapi/taskapi"
	"github.com/taskapi/taskapi/internal/auth"
)

// allowIP takes one request from the client's budget on the account
// routes open to anyone: the API's auth_ip limit, under the same key, so
// the web pages and the API share it. It answers 429 itself when the
// budget is spent.
func (a *App) allowIP(w http.ResponseWriter, r *http.Request, rq *req) bool {
	if a.limiter == nil {
		return true
	}
	res, err := a.limiter.Allow(r.Context(), "auth_ip:"+a.clientKey(r), a.cfg.RateLimitAuth)
	if err != nil {
		a.log.ErrorContext(r.Context(), "rate limit decision failed; request let through", "limit", "auth_ip", "err", err.Error())
		return true
	}
	if !res.Allowed {
		a.tooMany(w, r, rq, res.RetryAfter)
		return false
	}
	return true
}

func (a *App) client(r *http.Request) auth.ClientInfo {
	return auth.ClientInfo{UserAgent: r.UserAgent(), IP: a.clientIP(r)}
}

// form is the state of an account form: what was typed (never the
// passwords) and the errors by field.
type form struct {
	Values map[string]string
	Errors fieldErrors
	Error  string
	Next   string
	Token  string
	Done   bool
}

func newForm(r *http.Request, fields ...string) *form {
	f := &form{Values: map[string]string{}, Errors: fieldErrors{}}
	for _, k := range fields {
		f.Values[k] = strings.TrimSpace(r.FormValue(k))
	}
	return f
}

func (a *App) home(w http.ResponseWriter, r *http.Request, rq *req) {
	if rq.p != nil {
		redirect(w, r, "/today")
		return
	}
	redirect(w, r, "/login")
}

func (a *App) loginPage(w http.ResponseWriter, r *http.Request, rq *req) {
	f := newForm(r)
	f.Next = safeNext(r.URL.Query().Get("next"))
	a.render(w, r, rq, http.StatusOK, "login", view{Title: "Log in", Page: f})
}

func (a *App) loginPost(w http.ResponseWriter, r *http.Request, rq *req) {
	f := newForm(r, "username")
	f.Next = safeNext(r.PostForm.Get("next"))
	if !a.allowIP(w, r, rq) {
		return
	}
	password := r.PostForm.Get("password")
	if f.Values["username"] == "" || password == "" {
		f.Error = "Enter your username or email and your password."
		a.render(w, r, rq, http.StatusUnprocessableEntity, "login", view{Title: "Log in", Page: f})
		return
	}
	ctx := r.Context()
	pair, err := a.auth.Login(ctx, f.Values["username"], password, a.client(r))
	if err != nil {
		var p *taskapi.Problem
		if errors.Is(err, taskapi.ErrUnauthorized) || errors.Is(err, taskapi.ErrForbidden) && errors.As(err, &p) {
			f.Error = "That username or password is wrong."
			if errors.Is(err, auth.ErrAccountDisabled) {
				f.Error = "This account is disabled. Contact an administrator."
			}
			a.render(w, r, rq, http.StatusUnauthorized, "login", view{Title: "Log in", Page: f})
			return
		}
		a.fail(w, r, rq, err)
		return
	}
	a.setCookie(w, sessionCookie, a.sessionValue(pair.SessionID), webSessionAge)
	redirect(w, r, f.Next)
}

func (a *App) signupPage(w http.ResponseWriter, r *http.Request, rq *req) {
	a.render(w, r, rq, http.StatusOK, "signup", view{Title: "Sign up", Page: newForm(r)})
}

func (a *App) signupPost(w http.ResponseWriter, r *http.Request, rq *req) {
	f := newForm(r, "email", "username", "full_name", "timezone")
	if !a.allowIP(w, r, rq) {
		return
	}
	ctx := r.Context()
	reg := auth.Registration{Email: f.Values["email"], Username: f.Values["username"], Password: r.PostForm.Get("password")}
	if n := f.Values["full_name"]; n != "" {
		reg.FullName = &n
	}
	if tz := f.Values["timezone"]; tz != "" && taskapi.ValidateTimeZone(tz) == nil {
		reg.TimeZone = tz
	}
	u, err := a.auth.Register(ctx, reg)
	if err != nil {
		if fe, ok := formError(err, nil); ok {
			f.Errors = fe
		} else if errors.Is(err, taskapi.ErrConflict) {
			var p *taskapi.Problem
			msg := "That email or username is taken."
			if errors.As(err, &p) {
				msg = sentence(p.Message)
			}
			if strings.Contains(strings.ToLower(msg), "username") {
				f.Errors["username"] = msg
			} else {
				f.Errors["email"] = msg
			}
		} else {
			a.fail(w, r, rq, err)
			return
		}
		a.render(w, r, rq, http.StatusUnprocessableEntity, "signup", view{Title: "Sign up", Page: f})
		return
	}
	pair, err := a.auth.StartSession(ctx, u.ID, a.client(r))
	if err != nil {
		a.fail(w, r, rq, err)
		return
	}
	a.setCookie(w, sessionCookie, a.sessionValue(pair.SessionID), webSessionAge)
	a.flash(w, "Welcome! We sent a link to "+u.Email+" to verify your address.")
	redirect(w, r, "/today")
}

func (a *App) logoutPost(w http.ResponseWriter, r *http.Request, rq *req) {
	if err := a.auth.EndSession(r.Context(), rq.p.User.ID, rq.p.SessionID); err != nil && !errors.Is(err, taskapi.ErrNotFound) {
		a.fail(w, r, rq, err)
		return
	}
	a.setCookie(w, sessionCookie, "", -1)
	a.flash(w, "You are logged out.")
	redirect(w, r, "/login")
}

func (a *App) forgotPage(w http.ResponseWriter, r *http.Request, rq *req) {
	f := newForm(r)
	if rq.p != nil {
		f.Values["email"] = rq.p.User.Email
	}
	a.render(w, r, rq, http.StatusOK, "forgot", view{Title: "Forgot password", Page: f})
}

func (a *App) forgotPost(w http.ResponseWriter, r *http.Request, rq *req) {
	f := newForm(r, "email")
	if !a.allowIP(w, r, rq) {
		return
	}
	if err := a.auth.ForgotPassword(r.Context(), f.Values["email"]); err != nil {
		if fe, ok := formError(err, nil); ok {
			f.Errors = fe
			a.render(w, r, rq, http.StatusUnprocessableEntity, "forgot", view{Title: "Forgot password", Page: f})
			return
		}
		a.fail(w, r, rq, err)
		return
	}
	f.Done = true
	a.render(w, r, rq, http.StatusOK, "forgot", view{Title: "Forgot password", Page: f})
}

func (a *App) resendPage(w http.ResponseWriter, r *http.Request, rq *req) {
	f := newForm(r)
	if rq.p != nil {
		f.Values["email"] = rq.p.User.Email
	}
	a.render(w, r, rq, http.StatusOK, "resend", view{Title: "Resend verification", Page: f})
}

func (a *App) resendPost(w http.ResponseWriter, r *http.Request, rq *req) {
	f := newForm(r, "email")
	if rq.p != nil && f.Values["email"] == "" {
		f.Values["email"] = rq.p.User.Email
	}
	if !a.allowIP(w, r, rq) {
		return
	}
	if err := a.auth.ResendVerification(r.Context(), f.Values["email"]); err != nil {
		if fe, ok := formError(err, nil); ok {
			f.Errors = fe
			a.render(w, r, rq, http.StatusUnprocessableEntity, "resend", view{Title: "Resend verification", Page: f})
			return
		}
		a.fail(w, r, rq, err)
		return
	}
	if rq.p != nil {
		a.flash(w, "We sent a new link to "+f.Values["email"]+". It may take a minute to arrive.")
		redirect(w, r, safeNext(r.PostForm.Get("next")))
		return
	}
	f.Done = true
	a.render(w, r, rq, http.StatusOK, "resend", view{Title: "Resend verification", Page: f})
}

// verifyEmail is the page the verification email links to. It works
// whether or not the person is logged in (maybe on another device).
func (a *App) verifyEmail(w http.ResponseWriter, r *http.Request, rq *req) {
	if !a.allowIP(w, r, rq) {
		return
	}
	f := newForm(r)
	u, err := a.auth.VerifyEmail(r.Context(), r.URL.Query().Get("token"))
	if err != nil {
		if errors.Is(err, taskapi.ErrBadRequest) || errors.Is(err, taskapi.ErrNotFound) {
			f.Error = "This link is invalid, already used or expired."
			a.render(w, r, rq, http.StatusBadRequest, "verify", view{Title: "Verify email", Page: f})
			return
		}
		a.fail(w, r, rq, err)
		return
	}
	f.Done = true
	f.Values["email"] = u.Email
	if rq.p != nil && rq.p.User.ID == u.ID {
		rq.p.User.IsVerified = true
	}
	a.render(w, r, rq, http.StatusOK, "verify", view{Title: "Email verified", Page: f})
}

// resetPage is the page the reset email links to.
func (a *App) resetPage(w http.ResponseWriter, r *http.Request, rq *req) {
	f := newForm(r)
	f.Token = r.URL.Query().Get("token")
	if f.Token == "" {
		f.Error = "This link has no token. Ask for a new email."
	}
	a.render(w, r, rq, http.StatusOK, "reset", view{Title: "Choose a new password", Page: f})
}

func (a *App) resetPost(w http.ResponseWriter, r *http.Request, rq *req) {
	f := newForm(r)
	f.Token = r.PostForm.Get("token")
	if !a.allowIP(w, r, rq) {
		return
	}
	err := a.auth.ResetPassword(r.Context(), f.Token, r.PostForm.Get("new_password"))
	if err != nil {
		switch fe, ok := formError(err, nil); {
		case ok:
			f.Errors = fe
		case errors.Is(err, taskapi.ErrBadRequest):
			f.Error = "This link is invalid, already used or expired. Ask for a new email."
		case errors.Is(err, auth.ErrAccountDisabled):
			f.Error = "This account is disabled. Contact an administrator."
		default:
			a.fail(w, r, rq, err)
			return
		}
		a.render(w, r, rq, http.StatusUnprocessableEntity, "reset", view{Title: "Choose a new password", Page: f})
		return
	}
	// Every session of the account ended, this browser's included.
	a.setCookie(w, sessionCookie, "", -1)
	a.flash(w, "Your password is changed. Log in with the new one.")
	redirect(w, r, "/login")
}
