package httpapi

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/taskapi/taskapi"
	"github.com/taskapi/taskapi/internal/auth"
	"github.com/taskapi/taskapi/internal/calendar"
	"github.com/taskapi/taskapi/internal/ratelimit"
	"github.com/taskapi/taskapi/internal/store"
)

// The calendar feed: a user's secret address GET /calendar/{secret}.ics,
// served outside /api/v1 to calendar apps (no login: the secret is the
// credential), and its management under /users/me/calendar (a signed-in
// session only).

// limitCalendarIP names the per-IP limit of the feed addresses.
const limitCalendarIP = "calendar_ip"

// CalendarFeedBody is the caller's calendar address as GET shows it: never
// the secret, which only the answer that made it holds.
type CalendarFeedBody struct {
	CreatedAt  time.Time  `json:"created_at" doc:"When this address was made"`
	LastUsedAt *time.Time `json:"last_used_at" doc:"When a calendar app last fetched it, to the minute; null if never"`
}

// CalendarFeedOutput is GET /users/me/calendar.
type CalendarFeedOutput struct {
	Body CalendarFeedBody
}

func (s *server) getCalendarFeed(ctx context.Context, caller taskapi.Principal, _ *struct{}) (*CalendarFeedOutput, error) {
	f, err := s.auth.CalendarFeed(ctx, caller)
	if err != nil {
		return nil, err
	}
	return &CalendarFeedOutput{Body: CalendarFeedBody{CreatedAt: f.CreatedAt, LastUsedAt: f.LastUsedAt}}, nil
}

// CreatedCalendarFeedOutput is the answer to POST /users/me/calendar: the
// only time the address is shown.
type CreatedCalendarFeedOutput struct {
	Status       int
	CacheControl string `header:"Cache-Control" doc:"no-store: the address is a secret"`
	Body         struct {
		CalendarFeedBody
		URL string `json:"url" format:"uri" doc:"The secret address to subscribe to (…/calendar/cal_….ics), shown this once; add ?category=ID or ?tag=ID to subscribe to one category or tag. Anyone who has it can read the tasks it serves."`
	}
}

func (s *server) createCalendarFeed(ctx context.Context, caller taskapi.Principal, _ *struct{}) (*CreatedCalendarFeedOutput, error) {
	f, secret, err := s.auth.NewCalendarFeed(ctx, caller)
	if err != nil {
		return nil, err
	}
	out := &CreatedCalendarFeedOutput{Status: http.StatusCreated, CacheControl: noStore}
	out.Body.CalendarFeedBody = CalendarFeedBody{CreatedAt: f.CreatedAt}
	out.Body.URL = auth.CalendarURL(s.cfg.BaseURL, secret)
	return out, nil
}

func (s *server) deleteCalendarFeed(ctx context.Context, caller taskapi.Principal, _ *struct{}) (*NoContent, error) {
	return nil, s.auth.DeleteCalendarFeed(ctx, caller)
}

// calendarHandler serves GET /calendar/{file}: the owner's tasks with a
// due date as iCalendar, within the filters of the query (category=ID,
// tag=ID), with a strong ETag of the document (the conditional-GET
// middleware answers 304). Each request takes from its client address's budget
// before anything else, so secrets cannot be tried in bulk; an unknown,
// replaced or revoked secret is 404, like a malformed one.
func (s *server) calendarHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		if err := s.takeCalendarIP(ctx, w); err != nil {
			s.writeError(w, r, err)
			return
		}
		secret, ok := strings.CutSuffix(r.PathValue("file"), ".ics")
		if !ok {
			writeProblem(w, http.StatusNotFound, "there is no calendar at this address")
			return
		}
		u, err := s.auth.CalendarFeedOwner(ctx, secret)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		body, truncated, err := s.calendarDocument(ctx, u, r.URL.Query())
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		sum := sha256.Sum256(body)
		h := w.Header()
		h.Set("Content-Type", "text/calendar; charset=utf-8")
		h.Set("Content-Disposition", `inline; filename="taskapi.ics"`)
		h.Set("ETag", `"`+base64.RawURLEncoding.EncodeToString(sum[:18])+`"`)
		// The address is a secret: no shared cache keeps it, and every
		// poll asks again (cheaply, with If-None-Match).
		h.Set("Cache-Control", "private, no-cache")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Robots-Tag", "noindex, nofollow")
		h.Set("X-Calendar-Truncated", strconv.FormatBool(truncated))
		h.Set("Content-Length", strconv.Itoa(len(body)))
		if r.Method == http.MethodHead {
			return
		}
		_, _ = w.Write(body)
	})
}

// calendarDocument renders the owner's feed within the query's filters.
func (s *server) calendarDocument(ctx context.Context, u taskapi.User, q url.Values) ([]byte, bool, error) {
	var filter taskapi.TaskFilter
	name := "taskapi · " + u.Username
	cats, err := s.allCategories(ctx, u.ID)
	if err != nil {
		return nil, false, err
	}
	byID := make(map[uuid.UUID]taskapi.Category, len(cats))
	for _, c := range cats {
		byID[c.ID] = c
	}
	if c := q.Get("category"); c != "" {
		id, err := uuid.Parse(c)
		if err != nil {
			return nil, false, taskapi.NewProblem(taskapi.ErrBadRequest, "category must be the ID of one of your categories")
		}
		cat, ok := byID[id]
		if !ok {
			return nil, false, taskapi.NewProblem(taskapi.ErrNotFound, "there is no such category in this calendar")
		}
		filter.CategoryID, name = &id, name+" · "+cat.Name
	}
	if tg := q.Get("tag"); tg != "" {
		id, err := uuid.Parse(tg)
		if err != nil {
			return nil, false, taskapi.NewProblem(taskapi.ErrBadRequest, "tag must be the ID of one of your tags")
		}
		tag, err := s.store.GetTag(ctx, u.ID, id)
		if errors.Is(err, taskapi.ErrNotFound) {
			return nil, false, taskapi.NewProblem(taskapi.ErrNotFound, "there is no such tag in this calendar")
		} else if err != nil {
			return nil, false, err
		}
		filter.AllTags, name = []uuid.UUID{id}, name+" · "+tag.Name
	}
	tasks, truncated, err := s.store.CalendarTasks(ctx, u.ID, filter)
	if err != nil {
		return nil, false, err
	}
	f := calendar.Feed{Name: name, Host: calendarHost(s.cfg.BaseURL), Loc: u.Location(),
		TaskURL: func(t taskapi.Task) string { return strings.TrimRight(s.cfg.BaseURL, "/") + "/tasks/" + t.ID.String() }}
	for _, t := range tasks {
		it := calendar.Item{Task: t}
		if t.CategoryID != nil {
			if c, ok := byID[*t.CategoryID]; ok {
				it.Categories = append(it.Categories, c.Name)
			}
		}
		for _, tg := range t.Tags {
			it.Categories = append(it.Categories, tg.Name)
		}
		f.Tasks = append(f.Tasks, it)
	}
	body, err := calendar.Write(f)
	return body, truncated, err
}

// allCategories reads every category of the user (at most the quota's
// 1,000), page by page, for the names the feed shows.
func (s *server) allCategories(ctx context.Context, userID uuid.UUID) ([]taskapi.Category, error) {
	var (
		out  []taskapi.Category
		page = store.Page{Limit: 100}
	)
	for {
		cats, next, err := s.store.ListCategories(ctx, userID, page)
		if err != nil {
			return nil, err
		}
		out = append(out, cats...)
		if next == "" {
			return out, nil
		}
		page.After = next
	}
}

// calendarHost is the host of the base URL, which makes the feed's UIDs
// unique beyond this server.
func calendarHost(base string) string {
	if u, err := url.Parse(base); err == nil && u.Hostname() != "" {
		return u.Hostname()
	}
	return "taskapi"
}

// takeCalendarIP takes one request from the client address's budget of
// the feed addresses, and sets the RateLimit headers.
func (s *server) takeCalendarIP(ctx context.Context, w http.ResponseWriter) error {
	if s.limiter == nil {
		return nil
	}
	limit := s.cfg.RateLimitCalendar
	res, err := s.limiter.Allow(ctx, limitCalendarIP+":"+clientKey(requestInfoFrom(ctx).client), limit)
	if err != nil {
		s.metrics.RateLimitError()
		s.log.ErrorContext(ctx, "rate limit decision failed; request let through",
			"limit", limitCalendarIP, "request_id", requestIDFrom(ctx), "err", err.Error())
		return nil
	}
	setRateLimitHeaders(w.Header().Set, res, limit)
	if !res.Allowed {
		return &ratelimit.ExceededError{Scope: limitCalendarIP, Reason: "too many calendar requests from your address", Result: res}
	}
	return nil
}

// writeError answers an error of a handler outside huma as problem+json,
// through the one mapping of errors to statuses (problem).
func (s *server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var (
		se huma.StatusError
		he huma.HeadersError
	)
	p := s.problem(r.Context(), err)
	if !errors.As(p, &se) {
		s.internalError(w, r, err)
		return
	}
	if errors.As(p, &he) {
		for k, v := range he.GetHeaders() {
			w.Header()[k] = v
		}
	}
	writeProblem(w, se.GetStatus(), se.Error())
}
