package web_test

import (
	"net/http"
	"net/url"
	"strconv"
	"testing"

	"github.com/taskapi/taskapi/internal/store/storetest"
)

// BenchmarkAllPage50 is the cost of a list page of 50 tasks (the goal:
// rendered in under 20 ms), through the whole server on SQLite.
func BenchmarkAllPage50(b *testing.B) {
	e := newEnv(b, storetest.Engine{Name: "sqlite", NewURL: storetest.SQLiteURL})
	br := e.browser(b)
	br.signup("ada")
	for i := range 50 {
		br.post("/tasks", url.Values{"text": {"Task number " + strconv.Itoa(i) + " tomorrow 9am !high"}})
	}
	if n := len(taskIDs(br.get("/all"))); n != 50 {
		b.Fatalf("the page lists %d tasks", n)
	}
	for b.Loop() {
		if p := br.get("/all"); p.Status != http.StatusOK {
			b.Fatalf("status %d", p.Status)
		}
	}
}
