package web

import (
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"strings"

	"github.com/taskapi/taskapi"
	"github.com/taskapi/taskapi/internal/auth"
	"github.com/taskapi/taskapi/internal/store"
)

// The Calendar page (Settings → Calendar): a secret address that calendar
// apps subscribe to, serving the tasks with a due date (the feed itself
// is the API server's GET /calendar/{secret}.ics). Make one (its address
// shown once, in the answer to the form: it is kept only as a hash),
// make a new one (the old stops working), or turn it off.

// calendarLink is one address to subscribe to: all tasks, one category or
// one tag.
type calendarLink struct {
	Label, URL, ID string
	// Webcal is the address as webcal://, typed as a URL the template
	// may put in an href: it is made from the configured base URL.
	Webcal template.URL
}

type calendarPage struct {
	Feed     *taskapi.CalendarFeed
	Created  string
	LastUsed string
	// Links are the new address and its per-category variants, only in the
	// answer that made it.
	Links           []calendarLink
	Max, DoneWithin int
}

func (a *App) calendarView(r *http.Request, rq *req) (*calendarPage, error) {
	p := &calendarPage{Max: taskapi.MaxCalendarTasks, DoneWithin: taskapi.CalendarCompletedDays}
	f, err := a.auth.CalendarFeed(r.Context(), *rq.p)
	switch {
	case errors.Is(err, taskapi.ErrNotFound):
		return p, nil
	case err != nil:
		return nil, err
	}
	p.Feed, p.Created, p.LastUsed = &f, f.CreatedAt.In(rq.loc).Format("2 January 2006 15:04"), "never"
	if f.LastUsedAt != nil {
		p.LastUsed = agoWords(*f.LastUsedAt, a.now(), rq.loc)
	}
	return p, nil
}

func (a *App) calendarPage(w http.ResponseWriter, r *http.Request, rq *req) {
	p, err := a.calendarView(r, rq)
	if err != nil {
		a.fail(w, r, rq, err)
		return
	}
	a.render(w, r, rq, http.StatusOK, "calendar", view{Title: "Calendar", Page: p})
}

// calendarPost makes a new address, replacing the one there was, and
// shows it this once.
func (a *App) calendarPost(w http.ResponseWriter, r *http.Request, rq *req) {
	_, secret, err := a.auth.NewCalendarFeed(r.Context(), *rq.p)
	if err != nil {
		a.fail(w, r, rq, err)
		return
	}
	p, err := a.calendarView(r, rq)
	if err != nil {
		a.fail(w, r, rq, err)
		return
	}
	base := auth.CalendarURL(a.cfg.BaseURL, secret)
	p.Links = append(p.Links, link("All your tasks with a due date", base, "cal-all"))
	for _, c := range a.categories(r.Context(), rq) {
		p.Links = append(p.Links, link(c.Name, base+"?category="+url.QueryEscape(c.ID.String()), "cal-"+c.ID.String()))
	}
	tags, _, err := a.store.ListTags(r.Context(), rq.p.User.ID, store.Page{Limit: categoriesMax})
	if err != nil {
		a.fail(w, r, rq, err)
		return
	}
	for _, t := range tags {
		p.Links = append(p.Links, link("@"+t.Name, base+"?tag="+url.QueryEscape(t.ID.String()), "cal-"+t.ID.String()))
	}
	// The answer holds a secret: no cache keeps it.
	w.Header().Set("Cache-Control", "no-store")
	a.render(w, r, rq, http.StatusOK, "calendar", view{Title: "Calendar", Page: p})
}

func link(label, u, id string) calendarLink {
	l := calendarLink{Label: label, URL: u, ID: id}
	// webcal: opens the calendar app's subscribe dialog on most systems.
	if rest, ok := strings.CutPrefix(u, "https://"); ok {
		l.Webcal = template.URL("webcal://" + rest)
	} else if rest, ok := strings.CutPrefix(u, "http://"); ok {
		l.Webcal = template.URL("webcal://" + rest)
	}
	return l
}

// calendarOff turns the address off.
func (a *App) calendarOff(w http.ResponseWriter, r *http.Request, rq *req) {
	err := a.auth.DeleteCalendarFeed(r.Context(), *rq.p)
	if err != nil && !errors.Is(err, taskapi.ErrNotFound) {
		a.fail(w, r, rq, err)
		return
	}
	a.flash(w, "Calendar address turned off. Calendars subscribed to it stop updating.")
	redirect(w, r, "/settings/calendar")
}
