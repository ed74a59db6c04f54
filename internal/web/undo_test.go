package web_test

import (
	"net/http"
	"net/url"
	"testing"
	"time"
)

// TestUndoRestoresOnce: the undo of a delete brings the task back whole
// (its ID, subtasks and comments) and once, however often its cookie is
// replayed, and not after the offer ran out.
func TestUndoRestoresOnce(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		b := e.browser(t)
		b.signup("una")
		base, _ := url.Parse(e.URL)
		undoCookie := func() *http.Cookie {
			for _, c := range b.c.Jar.Cookies(base) {
				if c.Name == "taskapi_undo" {
					return c
				}
			}
			t.Fatal("no undo cookie after a delete")
			return nil
		}
		deleteOnly := func() {
			ids := taskIDs(b.get("/all"))
			if len(ids) != 1 {
				t.Fatalf("tasks before the delete: %v", ids)
			}
			b.get("/tasks/" + ids[0])
			b.follow(b.post("/tasks/"+ids[0]+"/delete", nil))
		}

		b.follow(b.post("/tasks", url.Values{"text": {"Water the ferns"}}))
		before := taskIDs(b.get("/all"))
		b.follow(b.post("/tasks/"+before[0]+"/subtasks", url.Values{"title": {"Fill the can"}}))
		b.follow(b.post("/tasks/"+before[0]+"/comments", url.Values{"body": {"The can is in the shed"}}))
		deleteOnly()
		kept := undoCookie()
		want(t, b.follow(b.post("/tasks/undo", nil)), http.StatusOK, "Restored “Water the ferns”.")
		// The same task comes back, with its subtask and its comment.
		want(t, b.get("/tasks/"+before[0]), http.StatusOK, "Fill the can", "The can is in the shed")
		for range 2 {
			b.c.Jar.SetCookies(base, []*http.Cookie{{Name: kept.Name, Value: kept.Value, Path: "/"}})
			b.follow(b.post("/tasks/undo", nil))
		}
		if ids := taskIDs(b.get("/all")); len(ids) != 1 {
			t.Fatalf("after one undo and two replays of its cookie: %d tasks, want 1", len(ids))
		}

		deleteOnly()
		undoCookie()
		e.Clock.Advance(31 * time.Second)
		want(t, b.follow(b.post("/tasks/undo", nil)), http.StatusOK, "There is nothing to undo any more.")
		if ids := taskIDs(b.get("/all")); len(ids) != 0 {
			t.Fatalf("undo after the offer ran out restored %v", ids)
		}
	})
}
