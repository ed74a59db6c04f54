package web_test

import (
	"net/http"
	"net/url"
	"testing"
)

func TestBulk(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		b := e.browser(t)
		b.signup("ada")
		for _, s := range []string{"one", "two", "three"} {
			b.post("/tasks", url.Values{"text": {s}})
		}
		ids := taskIDs(b.get("/all"))
		if len(ids) != 3 {
			t.Fatalf("ids %v", ids)
		}
		want(t, b.follow(b.post("/tasks/bulk", url.Values{"ids": ids[:2], "action": {"priority"}, "priority": {"URGENT"}, "back": {"/all"}})),
			http.StatusOK, "Updated 2 tasks.")
		want(t, b.follow(b.post("/tasks/bulk", url.Values{"ids": ids[:2], "action": {"complete"}, "back": {"/all"}})), http.StatusOK, "Completed 2 tasks.")
		if left := taskIDs(b.get("/all")); len(left) != 1 || left[0] != ids[2] {
			t.Errorf("open after bulk complete: %v", left)
		}
		// All or nothing: one task of someone else's and nothing changes.
		other := e.browser(t)
		other.signup("eve")
		other.post("/tasks", url.Values{"text": {"eve's"}})
		theirs := taskIDs(other.get("/all"))[0]
		want(t, b.follow(b.post("/tasks/bulk", url.Values{"ids": {ids[2], theirs}, "action": {"delete"}, "back": {"/all"}})), http.StatusOK, "Nothing was changed")
		if len(taskIDs(b.get("/all"))) != 1 || len(taskIDs(other.get("/all"))) != 1 {
			t.Error("a refused bulk delete deleted something")
		}
		want(t, b.follow(b.post("/tasks/bulk", url.Values{"ids": {ids[2]}, "action": {"delete"}, "back": {"/all"}})), http.StatusOK, "Deleted 1 task.")
		want(t, b.follow(b.post("/tasks/bulk", url.Values{"action": {"delete"}, "back": {"/all"}})), http.StatusOK, "Select tasks first")
	})
}
