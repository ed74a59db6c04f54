package httpapi_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"
	"github.com/google/go-cmp/cmp"
	"github.com/teambition/rrule-go"

	"github.com/taskapi/taskapi"
	"github.com/taskapi/taskapi/internal/config"
	"github.com/taskapi/taskapi/internal/httpapi"
	"github.com/taskapi/taskapi/internal/ratelimit"
	"github.com/taskapi/taskapi/internal/store/storetest"
)

type calendarJSON struct {
	URL        string     `json:"url"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
}

// newCalendar makes u's calendar address and returns its path.
func (e *env) newCalendar(t testing.TB, u testUser) string {
	t.Helper()
	r := e.post(t, "/api/v1/users/me/calendar", u.Token, nil).want(t, http.StatusCreated)
	var c calendarJSON
	r.decode(t, &c)
	link, err := url.Parse(c.URL)
	if err != nil || !strings.HasPrefix(link.Path, "/calendar/cal_") || !strings.HasSuffix(link.Path, ".ics") ||
		r.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("create answer %s (Cache-Control %q)", r.Body, r.Header.Get("Cache-Control"))
	}
	return link.Path
}

// feed fetches a calendar and parses it with the iCalendar library.
func (e *env) feed(t testing.TB, path string) (*ics.Calendar, *response) {
	t.Helper()
	r := e.get(t, path, "").want(t, http.StatusOK)
	if ct := r.Header.Get("Content-Type"); ct != "text/calendar; charset=utf-8" {
		t.Fatalf("Content-Type %q", ct)
	}
	cal, err := ics.ParseCalendar(strings.NewReader(string(r.Body)))
	if err != nil {
		t.Fatalf("the feed does not parse: %v\n%s", err, r.Body)
	}
	return cal, r
}

func prop(c *ics.ComponentBase, p ics.ComponentProperty) string {
	if v := c.GetProperty(p); v != nil {
		return v.Value
	}
	return ""
}

// The feed: what it holds (open tasks with a due date, recently completed
// ones; not undated, archived or long-done ones), each as a VTODO and a
// VEVENT with stable UIDs, timed or all-day in the owner's zone, with
// category, priority, status, notes; parsed back with the iCalendar
// library. ETag and 304; a category filter; rotation and revocation.
func TestCalendarFeed(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		u := e.newUser(t, "cal")
		e.do(t, request{Method: http.MethodPatch, Path: "/api/v1/users/me", Token: u.Token,
			Body: map[string]any{"timezone": "Europe/Paris"}}).want(t, http.StatusOK)
		work := e.createCategory(t, u, "Work, mostly")
		meetings := e.createTag(t, u, "meetings", "")
		paris, _ := time.LoadLocation("Europe/Paris")
		now := e.Clock.Now()
		tomorrow := time.Date(now.Year(), now.Month(), now.Day()+1, 9, 30, 0, 0, paris)
		day := time.Date(now.Year(), now.Month(), now.Day()+3, 0, 0, 0, 0, paris)
		standup, _ := e.createTask(t, u, map[string]any{"title": "Standup", "due_date": tomorrow, "priority": "HIGH",
			"category_id": work.ID, "description": "Room 4; bring notes,\nand coffee", "tag_ids": []string{meetings.ID}})
		holiday, _ := e.createTask(t, u, map[string]any{"title": "Holiday", "due_date": day, "status": "COMPLETED"})
		e.createTask(t, u, map[string]any{"title": "Someday"})
		e.createTask(t, u, map[string]any{"title": "Shelved", "due_date": tomorrow, "status": "ARCHIVED"})
		e.createTask(t, u, map[string]any{"title": "Long done", "due_date": now.AddDate(0, 0, -40), "status": "COMPLETED"})

		path := e.newCalendar(t, u)
		cal, r := e.feed(t, path)
		if len(cal.Todos()) != 2 || len(cal.Events()) != 2 {
			t.Fatalf("%d todos, %d events, want 2 each:\n%s", len(cal.Todos()), len(cal.Events()), r.Body)
		}
		host := "127.0.0.1"
		todos := map[string]*ics.VTodo{}
		for _, td := range cal.Todos() {
			todos[td.Id()] = td
		}
		events := map[string]*ics.VEvent{}
		for _, ev := range cal.Events() {
			events[ev.Id()] = ev
		}
		if u, err := url.Parse(e.Config.BaseURL); err == nil {
			host = u.Hostname()
		}
		st, ok := todos[standup.ID+"@"+host]
		if !ok {
			t.Fatalf("no VTODO %s@%s among %v", standup.ID, host, todos)
		}
		got := map[string]string{
			"summary": prop(&st.ComponentBase, ics.ComponentPropertySummary), "status": prop(&st.ComponentBase, ics.ComponentPropertyStatus),
			"priority": prop(&st.ComponentBase, ics.ComponentPropertyPriority), "due": prop(&st.ComponentBase, ics.ComponentPropertyDue),
			"categories":  categoriesOf(&st.ComponentBase),
			"description": ics.FromText(prop(&st.ComponentBase, ics.ComponentPropertyDescription)),
			"dtstamp":     prop(&st.ComponentBase, ics.ComponentPropertyDtstamp),
			"url":         prop(&st.ComponentBase, ics.ComponentPropertyUrl),
		}
		want := map[string]string{"summary": "Standup", "status": "NEEDS-ACTION", "priority": "3",
			"due": tomorrow.UTC().Format("20060102T150405Z"), "categories": "Work, mostly|meetings",
			"description": "Room 4; bring notes,\nand coffee", "dtstamp": standup.UpdatedAt.UTC().Format("20060102T150405Z"),
			"url": strings.TrimRight(e.Config.BaseURL, "/") + "/tasks/" + standup.ID}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("the standup's VTODO (-want +got):\n%s", diff)
		}
		ev := events[standup.ID+"-due@"+host]
		if start, err := ev.GetStartAt(); err != nil || !start.Equal(tomorrow) {
			t.Errorf("event start %v, %v; want %v", start, err, tomorrow)
		}
		if end, err := ev.GetEndAt(); err != nil || end.Sub(tomorrow) != 30*time.Minute {
			t.Errorf("event end %v, %v", end, err)
		}
		// Due at 00:00 in Paris: a day, not a time; done, so it says so.
		hd := todos[holiday.ID+"@"+host]
		if due := hd.GetProperty(ics.ComponentPropertyDue); due == nil || due.Value != day.Format("20060102") ||
			prop(&hd.ComponentBase, ics.ComponentPropertyStatus) != "COMPLETED" ||
			prop(&hd.ComponentBase, ics.ComponentPropertyCompleted) == "" {
			t.Errorf("the holiday's VTODO: %+v", hd.Properties)
		}
		hev := events[holiday.ID+"-due@"+host]
		if start, err := hev.GetAllDayStartAt(); err != nil || start.Format("20060102") != day.Format("20060102") ||
			prop(&hev.ComponentBase, ics.ComponentPropertySummary) != "✓ Holiday" {
			t.Errorf("the holiday's event: %v, %v, %+v", start, err, hev.Properties)
		}
		if r.Header.Get("X-Calendar-Truncated") != "false" || r.Header.Get("Cache-Control") != "private, no-cache" {
			t.Errorf("headers %v", r.Header)
		}

		// ETag: a poll with it is 304 until a task changes.
		etag := r.Header.Get("ETag")
		poll := func(tag string) *response {
			return e.do(t, request{Method: http.MethodGet, Path: path, Header: http.Header{"If-None-Match": {tag}}})
		}
		poll(etag).want(t, http.StatusNotModified)
		e.patchTask(t, u, standup.ID, map[string]any{"title": "Standup (short)"}).want(t, http.StatusOK)
		if r := poll(etag).want(t, http.StatusOK); r.Header.Get("ETag") == etag {
			t.Error("the ETag did not change with a task")
		}

		// The fetch is recorded for the settings page.
		var c calendarJSON
		e.get(t, "/api/v1/users/me/calendar", u.Token).want(t, http.StatusOK).decode(t, &c)
		if c.LastUsedAt == nil || c.URL != "" {
			t.Errorf("GET answers %+v: last fetched, and never the address", c)
		}

		// One category only.
		cal, _ = e.feed(t, path+"?category="+work.ID)
		if len(cal.Todos()) != 1 || cal.Todos()[0].Id() != standup.ID+"@"+host {
			t.Errorf("the category's feed holds %d todos", len(cal.Todos()))
		}
		cal, _ = e.feed(t, path+"?tag="+meetings.ID)
		if len(cal.Todos()) != 1 || cal.Todos()[0].Id() != standup.ID+"@"+host {
			t.Errorf("the tag's feed holds %d todos", len(cal.Todos()))
		}
		e.get(t, path+"?tag=nope", "").wantProblem(t, http.StatusBadRequest)
		e.get(t, path+"?category=nope", "").wantProblem(t, http.StatusBadRequest)
		other := e.newUser(t, "other")
		theirs := e.createCategory(t, other, "Theirs")
		e.get(t, path+"?category="+theirs.ID, "").wantProblem(t, http.StatusNotFound)
		e.get(t, path+"?tag="+e.createTag(t, other, "theirs", "").ID, "").wantProblem(t, http.StatusNotFound)

		// A new address replaces the old one; turning it off ends it.
		fresh := e.newCalendar(t, u)
		e.get(t, path, "").wantProblem(t, http.StatusNotFound)
		e.feed(t, fresh)
		e.do(t, request{Method: http.MethodDelete, Path: "/api/v1/users/me/calendar", Token: u.Token}).want(t, http.StatusNoContent)
		e.get(t, fresh, "").wantProblem(t, http.StatusNotFound)
		e.get(t, "/api/v1/users/me/calendar", u.Token).wantProblem(t, http.StatusNotFound)
		e.do(t, request{Method: http.MethodDelete, Path: "/api/v1/users/me/calendar", Token: u.Token}).wantProblem(t, http.StatusNotFound)
		for _, bad := range []string{"/calendar/nope.ics", "/calendar/" + strings.TrimSuffix(strings.TrimPrefix(fresh, "/calendar/"), ".ics"),
			"/calendar/cal_" + strings.Repeat("A", 43) + ".ics"} {
			e.get(t, bad, "").wantProblem(t, http.StatusNotFound)
		}
		// A personal access token cannot make or read the address.
		tok := e.newToken(t, u.Token, "script", taskapi.ScopeAccountRead, taskapi.ScopeTasksWrite)
		e.post(t, "/api/v1/users/me/calendar", tok.Token, nil).wantProblem(t, http.StatusForbidden)
	})
}

// The feed is bounded: the 1,000 open tasks due first, and says so.
func TestCalendarFeedBound(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		u := e.newUser(t, "busy")
		start := e.Clock.Now().Truncate(time.Hour)
		var seed []taskapi.Task
		for i := range taskapi.MaxCalendarTasks + 5 {
			due := start.Add(time.Duration(i) * time.Hour)
			seed = append(seed, taskapi.Task{Title: "t" + strconv.Itoa(i), DueDate: &due})
		}
		e.seedTasks(t, u, seed)
		cal, r := e.feed(t, e.newCalendar(t, u))
		if n := len(cal.Todos()); n != taskapi.MaxCalendarTasks || r.Header.Get("X-Calendar-Truncated") != "true" {
			t.Fatalf("%d todos, truncated %q", n, r.Header.Get("X-Calendar-Truncated"))
		}
		last := cal.Todos()[len(cal.Todos())-1]
		if s := prop(&last.ComponentBase, ics.ComponentPropertySummary); s != "t"+strconv.Itoa(taskapi.MaxCalendarTasks-1) {
			t.Errorf("the last task is %q: not the earliest due first", s)
		}
	})
}

// The feed addresses are limited per client IP, before the secret is
// looked at: unknown secrets cannot be tried in bulk.
func TestCalendarFeedRateLimit(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine.Name, func(t *testing.T) {
			e := newEnv(t, engine, func(c *config.Config) {
				c.RateLimit = true
				c.RateLimitCalendar = ratelimit.Limit{Burst: 3, Period: time.Hour}
			})
			u := e.newUser(t, "limited")
			path := e.newCalendar(t, u)
			e.feed(t, path)
			e.get(t, "/calendar/cal_"+strings.Repeat("b", 43)+".ics", "").wantProblem(t, http.StatusNotFound)
			e.get(t, "/calendar/guess.ics", "").wantProblem(t, http.StatusNotFound)
			r := e.get(t, path, "")
			r.wantProblem(t, http.StatusTooManyRequests)
			if r.Header.Get("Retry-After") == "" {
				t.Error("429 without Retry-After")
			}
			// The API's own budget is not the feed's.
			e.get(t, "/api/v1/users/me/calendar", u.Token).want(t, http.StatusOK)
		})
	}
}

// Recurring tasks are series: the feed's RRULE, expanded from its start by
// an RRULE library, gives exactly the occurrences the API lists — across
// the change to summer time (09:00 Paris stays 09:00), for a monthly rule
// on the 31st (months without one skipped), with COUNT lowered by what is
// past. A task that repeats from completion shows its current date only.
func TestCalendarFeedRecurrence(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		u := e.newUser(t, "rec")
		e.do(t, request{Method: http.MethodPatch, Path: "/api/v1/users/me", Token: u.Token,
			Body: map[string]any{"timezone": "Europe/Paris"}}).want(t, http.StatusOK)
		paris, _ := time.LoadLocation("Europe/Paris")
		now := e.Clock.Now().In(paris)
		monday := time.Date(now.Year(), now.Month(), now.Day()+1, 9, 0, 0, 0, paris)
		for monday.Weekday() != time.Monday {
			monday = monday.AddDate(0, 0, 1)
		}
		weekly, _ := e.createTask(t, u, map[string]any{"title": "Team sync", "due_date": monday,
			"recurrence": map[string]any{"rule": "FREQ=WEEKLY;BYDAY=MO;COUNT=30"}})
		// One done: the series in the feed starts at the second, 29 left.
		e.patchTask(t, u, weekly.ID, map[string]any{"status": "COMPLETED"}).want(t, http.StatusOK)
		end := time.Date(now.Year(), 12, 31, 0, 0, 0, 0, paris)
		if !end.After(now) {
			end = end.AddDate(1, 0, 0)
		}
		monthly, _ := e.createTask(t, u, map[string]any{"title": "Pay rent", "due_date": end,
			"recurrence": map[string]any{"rule": "FREQ=MONTHLY;BYMONTHDAY=31;COUNT=8"}})
		after, _ := e.createTask(t, u, map[string]any{"title": "Water plants", "due_date": monday,
			"recurrence": map[string]any{"rule": "FREQ=DAILY;INTERVAL=3", "repeat_from": "completion"}})

		cal, r := e.feed(t, e.newCalendar(t, u))
		if len(cal.Timezones()) != 1 || !strings.Contains(string(r.Body), "TZID:Europe/Paris") ||
			!strings.Contains(string(r.Body), "BEGIN:DAYLIGHT") {
			t.Fatalf("no VTIMEZONE for Europe/Paris:\n%s", r.Body)
		}
		events := map[string]*ics.VEvent{}
		for _, ev := range cal.Events() {
			events[strings.SplitN(ev.Id(), "-due@", 2)[0]] = ev
		}
		for _, c := range []struct {
			task  httpapi.TaskBody
			rule  string
			count int
		}{
			{weekly, "FREQ=WEEKLY;BYDAY=MO;COUNT=29", 29},
			{monthly, "FREQ=MONTHLY;BYMONTHDAY=31;COUNT=8", 8},
		} {
			ev := events[c.task.ID]
			if got := prop(&ev.ComponentBase, ics.ComponentPropertyRrule); got != c.rule {
				t.Errorf("%s: RRULE %q, want %q", c.task.Title, got, c.rule)
			}
			// A date (all-day) starts at 00:00 on the owner's clock.
			start, err := ev.GetStartAt()
			if len(prop(&ev.ComponentBase, ics.ComponentPropertyDtStart)) == len("20060102") {
				start, err = ev.GetAllDayStartAt()
				start = time.Date(start.Year(), start.Month(), start.Day(), 0, 0, 0, 0, paris)
			}
			if err != nil {
				t.Fatalf("%s: start: %v", c.task.Title, err)
			}
			opt, err := rrule.StrToROptionInLocation(c.rule, paris)
			if err != nil {
				t.Fatal(err)
			}
			opt.Dtstart = start.In(paris)
			rr, err := rrule.NewRRule(*opt)
			if err != nil {
				t.Fatal(err)
			}
			var fromFeed []time.Time
			for _, o := range rr.All() {
				fromFeed = append(fromFeed, o.UTC())
			}
			var occ struct {
				Items []struct {
					DueDate time.Time `json:"due_date"`
				} `json:"items"`
			}
			e.get(t, "/api/v1/tasks/"+c.task.ID+"/occurrences?limit=100&to="+url.QueryEscape(start.AddDate(4, 0, 0).Format(time.RFC3339)),
				u.Token).want(t, http.StatusOK).decode(t, &occ)
			var fromAPI []time.Time
			for _, o := range occ.Items {
				fromAPI = append(fromAPI, o.DueDate.UTC())
			}
			if len(fromFeed) != c.count || !cmp.Equal(fromFeed, fromAPI) {
				t.Errorf("%s: the feed's series\n%v\nthe API's occurrences\n%v", c.task.Title, fromFeed, fromAPI)
			}
		}
		if got := prop(&events[after.ID].ComponentBase, ics.ComponentPropertyRrule); got != "" {
			t.Errorf("a task repeating from completion has RRULE %q", got)
		}
	})
}

// categoriesOf joins the values of a component's CATEGORIES properties
// (one per name) with |.
func categoriesOf(c *ics.ComponentBase) string {
	var names []string
	for _, p := range c.GetProperties(ics.ComponentPropertyCategories) {
		names = append(names, ics.FromText(p.Value))
	}
	return strings.Join(names, "|")
}
