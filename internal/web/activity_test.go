package web_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/google/uuid"

	"github.com/taskapi/taskapi"
)

// The task detail shows the task's recent history in words, with who made
// each change: you, from the pages, or the system.
func TestTaskActivitySection(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		b := e.browser(t)
		b.signup("ada")
		b.post("/tasks", url.Values{"text": {"Call the dentist"}})
		id := taskIDs(b.get("/all"))[0]
		b.follow(b.post("/tasks/"+id, url.Values{"title": {"Call the dentist"}, "status": {"TODO"}, "priority": {"HIGH"},
			"version": {versionOf(t, b.get("/tasks/"+id).Body)}}))
		u, err := e.Store.GetUserByEmail(context.Background(), "ada@example.com")
		if err != nil {
			t.Fatal(err)
		}
		done := taskapi.StatusCompleted
		if _, err := e.Store.UpdateTask(context.Background(), u.ID, uuid.MustParse(id), taskapi.TaskPatch{Status: &done}, nil); err != nil {
			t.Fatal(err)
		}
		want(t, b.get("/tasks/"+id), http.StatusOK, "Activity",
			"status To do → Completed</span> <span class=\"muted small\">· taskapi ·",
			"priority Medium → High</span> <span class=\"muted small\">· you ·",
			"created the task</span> <span class=\"muted small\">· you · <time")
	})
}
