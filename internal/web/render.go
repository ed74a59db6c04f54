package web

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/taskapi/taskapi"
	"github.com/taskapi/taskapi/internal/ratelimit"
)

//go:embed templates
var templatesFS embed.FS

// views holds the web app's templates, parsed once into one set: the
// layout, the shared parts, and each page's "content" under the name
// "page:NAME". A set per page (the layout and the parts cloned for each)
// held about 4 MB more of live heap, for nothing.
type views struct {
	set *template.Template
}

func newViews(as *assets) (*views, error) {
	funcs := template.FuncMap{
		"asset":      as.url,
		"lower":      strings.ToLower,
		"prioName":   priorityName,
		"statusName": statusName,
		"linkify":    linkify,
		"add":        func(a, b int) int { return a + b },
		"deref": func(s *string) string {
			if s == nil {
				return ""
			}
			return *s
		},
		"rowctx": func(csrf, back string, r row) rowCtx { return rowCtx{CSRF: csrf, Back: back, Row: r} },
	}
	set, err := template.New("layout.html").Funcs(funcs).ParseFS(templatesFS, "templates/layout.html", "templates/parts.html",
		"templates/task_detail.html")
	if err != nil {
		return nil, fmt.Errorf("web templates: %w", err)
	}
	// Partials (part_*.html) are shared by every page: the task detail's
	// sections fill its slots with them.
	if parts, _ := fs.Glob(templatesFS, "templates/part_*.html"); len(parts) > 0 {
		if _, err := set.ParseFS(templatesFS, parts...); err != nil {
			return nil, fmt.Errorf("web templates: %w", err)
		}
	}
	pages, err := fs.Glob(templatesFS, "templates/page_*.html")
	if err != nil {
		return nil, err
	}
	for _, p := range pages {
		if err := addPage(set, funcs, p); err != nil {
			return nil, fmt.Errorf("web templates: %w", err)
		}
	}
	return &views{set: set}, nil
}

// addPage parses a page file on its own, where its "content" does not
// clash with the other pages', and moves its templates into set: the
// content as "page:NAME", anything else it defines under its own name,
// which no other file may use.
func addPage(set *template.Template, funcs template.FuncMap, file string) error {
	base := path.Base(file)
	t, err := template.New(base).Funcs(funcs).ParseFS(templatesFS, file)
	if err != nil {
		return err
	}
	name := strings.TrimSuffix(strings.TrimPrefix(base, "page_"), ".html")
	for _, x := range t.Templates() {
		tname := x.Name()
		switch {
		case tname == base || x.Tree == nil:
			continue // the file's own text outside its definitions
		case tname == "content":
			tname = pageTemplate(name)
		case set.Lookup(tname) != nil:
			return fmt.Errorf("%s: template %q is defined twice", file, tname)
		}
		if _, err := set.AddParseTree(tname, x.Tree); err != nil {
			return fmt.Errorf("%s: %w", file, err)
		}
	}
	return nil
}

// pageTemplate is the name of a page's content in the set.
func pageTemplate(page string) string { return "page:" + page }

// csp is the Content-Security-Policy of every page: our own script and
// stylesheet only, nothing inline, nothing from another origin.
const csp = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
	"form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// view is what every page template gets.
type view struct {
	Title  string
	User   *taskapi.User
	CSRF   string
	Nav    *nav
	Flash  string
	Path   string
	Page   any
	Status int
	Theme  string
	// Undo offers to restore the task just deleted.
	Undo bool
	// FormAnswer says the page answers a form (a refused save, a
	// conflict: it shows what was typed): live.js leaves it as it is.
	FormAnswer bool
	// LiveAfter is the user's feed position read before the page's data:
	// live.js follows the changes after it, so none made while the page
	// loaded is missed. Empty when not read.
	LiveAfter string
	// Content is the page's own part, rendered before the layout.
	Content template.HTML
}

func setPageHeaders(h http.Header) {
	h.Set("Content-Security-Policy", csp)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Cache-Control", "no-store")
}

// render writes a page. A template error is logged and answered with a
// plain error page, never its text.
func (a *App) render(w http.ResponseWriter, r *http.Request, rq *req, status int, name string, v view) {
	a.renderTemplate(w, r, rq, status, name, "layout.html", v)
}

// renderTemplate writes page name: "layout.html" for the whole page, or
// one template of it (the task detail for the side panel).
func (a *App) renderTemplate(w http.ResponseWriter, r *http.Request, rq *req, status int, name, tmpl string, v view) {
	if rq != nil {
		v.CSRF = rq.csrf
		if rq.p != nil {
			u := rq.p.User
			v.User = &u
		}
		if v.Flash == "" {
			v.Flash = rq.flash
		}
		_, v.Undo = a.undoable(r, rq)
		if v.User != nil && v.Nav == nil && name != "error" && tmpl == "layout.html" {
			v.Nav = a.loadNav(r.Context(), rq)
		}
	}
	v.Path = r.URL.Path
	v.Status = status
	if rq != nil {
		v.LiveAfter = rq.liveAfter
	}
	v.FormAnswer = r.Method != http.MethodGet && r.Method != http.MethodHead
	v.Theme = themeOf(r)
	set := a.views.set
	if set.Lookup(pageTemplate(name)) == nil {
		a.log.ErrorContext(r.Context(), "web: no such page template", "page", name)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	var buf bytes.Buffer
	var err error
	if tmpl == "layout.html" {
		// The page's content first (escaped by its template), then the
		// layout around it.
		if err = set.ExecuteTemplate(&buf, pageTemplate(name), v); err == nil {
			v.Content = template.HTML(buf.String())
			buf.Reset()
			err = set.ExecuteTemplate(&buf, tmpl, v)
		}
	} else {
		err = set.ExecuteTemplate(&buf, tmpl, v)
	}
	if err != nil {
		a.log.ErrorContext(r.Context(), "web: render", "page", name, "err", err.Error())
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = w.Write([]byte("Something went wrong on our side. Please try again."))
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
}

// errorPage is a page that says what went wrong, in words.
type errorPage struct {
	Heading, Message string
	Retry            int
}

func (a *App) errorPage(w http.ResponseWriter, r *http.Request, rq *req, status int, heading, msg string) {
	a.render(w, r, rq, status, "error", view{Title: heading, Page: errorPage{Heading: heading, Message: msg}})
}

func (a *App) notFound(w http.ResponseWriter, r *http.Request, rq *req) {
	a.errorPage(w, r, rq, http.StatusNotFound, "Not found", "There is nothing here. It may have been deleted, or the link is wrong.")
}

// fail answers an error that is not a field error: the domain's kinds
// become pages with a status; anything else is logged and answered with
// a generic page.
func (a *App) fail(w http.ResponseWriter, r *http.Request, rq *req, err error) {
	var limited *ratelimit.ExceededError
	var p *taskapi.Problem
	msg := func(def string) string {
		if errors.As(err, &p) {
			return p.Message
		}
		return def
	}
	switch {
	case errors.As(err, &limited):
		a.tooMany(w, r, rq, limited.Result.RetryAfter)
	case errors.Is(err, taskapi.ErrNotFound):
		a.notFound(w, r, rq)
	case errors.Is(err, taskapi.ErrForbidden):
		a.errorPage(w, r, rq, http.StatusForbidden, "Not allowed", msg("You are not allowed to do this."))
	case errors.Is(err, taskapi.ErrUnauthorized):
		a.errorPage(w, r, rq, http.StatusUnauthorized, "Please log in again", msg("Your session has ended."))
	case errors.Is(err, taskapi.ErrBadRequest):
		a.errorPage(w, r, rq, http.StatusBadRequest, "That did not work", msg("The request could not be understood."))
	case errors.Is(err, taskapi.ErrInvalid):
		a.errorPage(w, r, rq, http.StatusUnprocessableEntity, "That did not work", msg("The input is invalid."))
	case errors.Is(err, taskapi.ErrPreconditionFailed):
		a.errorPage(w, r, rq, http.StatusConflict, "It changed meanwhile", "This was changed by someone else since you opened the page. Reload it and try again.")
	case errors.Is(err, taskapi.ErrConflict):
		a.errorPage(w, r, rq, http.StatusConflict, "That did not work", msg("It conflicts with something that exists."))
	case errors.Is(err, context.DeadlineExceeded):
		a.errorPage(w, r, rq, http.StatusServiceUnavailable, "Too slow", "That took too long. Please try again.")
	default:
		a.log.ErrorContext(r.Context(), "web: internal error", "path", r.URL.Path, "err", err.Error())
		a.errorPage(w, r, rq, http.StatusInternalServerError, "Something went wrong", "Something went wrong on our side. It has been logged; please try again.")
	}
}

func (a *App) tooMany(w http.ResponseWriter, r *http.Request, rq *req, after time.Duration) {
	secs := max(1, int((after+time.Second-1)/time.Second))
	w.Header().Set("Retry-After", fmt.Sprint(secs))
	a.render(w, r, rq, http.StatusTooManyRequests, "error", view{Title: "Too many attempts", Page: errorPage{
		Heading: "Too many attempts", Retry: secs,
		Message: fmt.Sprintf("Please wait %d seconds, then try again.", secs)}})
}

// fieldErrors collects the field errors of a form, by field name.
type fieldErrors map[string]string

// formError turns err into field errors when it is one; ok is false for
// any other error.
func formError(err error, rename map[string]string) (fieldErrors, bool) {
	var fe *taskapi.FieldError
	if errors.As(err, &fe) {
		f := fe.Field
		if n, ok := rename[f]; ok {
			f = n
		}
		return fieldErrors{f: sentence(fe.Message)}, true
	}
	return nil, false
}

// sentence makes a rule's message read as a sentence: "must be 3 to 50
// characters" → "Must be 3 to 50 characters.".
func sentence(s string) string {
	if s == "" {
		return s
	}
	s = strings.ToUpper(s[:1]) + s[1:]
	if !strings.HasSuffix(s, ".") {
		s += "."
	}
	return s
}
