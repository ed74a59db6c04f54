package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/taskapi/taskapi"
)

var calendarURLRE = regexp.MustCompile(`value="(https?://[^"]+/calendar/cal_[A-Za-z0-9]{43}\.ics)"`)

// Settings → Calendar without JavaScript: make the address (shown once,
// with one per category and a webcal: link), the feed it serves, the
// last fetch, a new address replacing the old, turning it off.
func TestCalendarPage(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		b := e.browser(t)
		b.signup("cleo")
		b.post("/categories", url.Values{"name": {"Garden"}, "color": {"#16A34A"}})
		b.post("/tasks", url.Values{"text": {"Plant tulips tomorrow 10am #Garden"}})
		u, err := e.Store.GetUserByEmail(context.Background(), "cleo@example.com")
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := e.Store.CreateTag(context.Background(), u.ID, taskapi.Tag{Name: "errands"}, nil); err != nil {
			t.Fatal(err)
		}
		want(t, b.get("/settings"), http.StatusOK, `href="/settings/calendar"`)
		want(t, b.get("/settings/calendar"), http.StatusOK, "You have no calendar address.")

		p := b.post("/settings/calendar", nil)
		want(t, p, http.StatusOK, "You won’t be able to see it again.", "Only one category or tag", "Garden", "@errands", `href="webcal://`)
		if p.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("the answer with the address may be cached: %q", p.Header.Get("Cache-Control"))
		}
		links := calendarURLRE.FindAllStringSubmatch(p.Body, -1)
		if len(links) != 1 {
			t.Fatalf("%d plain addresses on the page", len(links))
		}
		feed := links[0][1]
		path := pathOf(t, feed)
		ics := b.get(path)
		want(t, ics, http.StatusOK, "BEGIN:VCALENDAR", "SUMMARY:Plant tulips", "CATEGORIES:Garden")
		want(t, b.get("/settings/calendar"), http.StatusOK, "Last fetched by a calendar app: just now")
		if strings.Contains(b.get("/settings/calendar").Body, "/calendar/cal_") {
			t.Error("the address is shown again")
		}

		// A new address: the old one stops working.
		p = b.post("/settings/calendar", nil)
		fresh := pathOf(t, calendarURLRE.FindStringSubmatch(p.Body)[1])
		want(t, b.get(path), http.StatusNotFound)
		want(t, b.get(fresh), http.StatusOK, "BEGIN:VCALENDAR")
		want(t, b.follow(b.post("/settings/calendar/off", nil)), http.StatusOK, "Calendar address turned off.", "You have no calendar address.")
		want(t, b.get(fresh), http.StatusNotFound)
	})
}

// pathOf is the path of an address the page shows (on the configured base
// URL, not the test server's).
func pathOf(t *testing.T, addr string) string {
	t.Helper()
	u, err := url.Parse(addr)
	if err != nil {
		t.Fatal(err)
	}
	return u.Path
}
