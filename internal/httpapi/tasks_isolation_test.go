package httpapi_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/taskapi/taskapi/internal/httpapi"
)

// Another user's task or category is 404 on every route (422 where it is
// named as a field value), and nothing of it leaks or changes.
func TestOwnershipIsolation(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		alice := e.newUser(t, "alice")
		bob := e.newUser(t, "bob")
		aliceCat := e.createCategory(t, alice, "Private")
		aliceTask, aliceETag := e.createTask(t, alice, map[string]any{"title": "secret plan", "description": "top secret", "category_id": aliceCat.ID})
		bobTask, _ := e.createTask(t, bob, map[string]any{"title": "bob's"})
		aliceCatETag := e.get(t, "/api/v1/categories/"+aliceCat.ID, alice.Token).Header.Get("ETag")

		for _, tt := range []struct {
			name   string
			req    request
			status int
		}{
			{"get task", request{Method: "GET", Path: "/api/v1/tasks/" + aliceTask.ID}, 404},
			{"patch task", request{Method: "PATCH", Path: "/api/v1/tasks/" + aliceTask.ID, Body: map[string]any{"title": "mine"}}, 404},
			{"patch task with its ETag", request{Method: "PATCH", Path: "/api/v1/tasks/" + aliceTask.ID, Body: map[string]any{"title": "mine"},
				Header: http.Header{"If-Match": {aliceETag}}}, 404},
			{"delete task", request{Method: "DELETE", Path: "/api/v1/tasks/" + aliceTask.ID}, 404},
			{"get category", request{Method: "GET", Path: "/api/v1/categories/" + aliceCat.ID}, 404},
			{"patch category", request{Method: "PATCH", Path: "/api/v1/categories/" + aliceCat.ID, Body: map[string]any{"name": "mine"}}, 404},
			{"delete category", request{Method: "DELETE", Path: "/api/v1/categories/" + aliceCat.ID, Header: http.Header{"If-Match": {aliceCatETag}}}, 404},
			{"category tasks", request{Method: "GET", Path: "/api/v1/categories/" + aliceCat.ID + "/tasks"}, 404},
			{"filter by category", request{Method: "GET", Path: "/api/v1/tasks?category_id=" + aliceCat.ID}, 404},
			{"bulk update", request{Method: "POST", Path: "/api/v1/tasks/bulk", Body: map[string]any{"ids": []string{aliceTask.ID}, "action": "update",
				"changes": map[string]any{"status": "ARCHIVED"}}}, 404},
			{"bulk delete", request{Method: "POST", Path: "/api/v1/tasks/bulk", Body: map[string]any{"ids": []string{aliceTask.ID}, "action": "delete"}}, 404},
			{"create in her category", request{Method: "POST", Path: "/api/v1/tasks", Body: map[string]any{"title": "x", "category_id": aliceCat.ID}}, 422},
			{"move into her category", request{Method: "PATCH", Path: "/api/v1/tasks/" + bobTask.ID, Body: map[string]any{"category_id": aliceCat.ID}}, 422},
			{"bulk move into her category", request{Method: "POST", Path: "/api/v1/tasks/bulk", Body: map[string]any{"ids": []string{bobTask.ID}, "action": "update",
				"changes": map[string]any{"category_id": aliceCat.ID}}}, 422},
		} {
			t.Run(tt.name, func(t *testing.T) {
				tt.req.Token = bob.Token
				r := e.do(t, tt.req)
				r.wantProblem(t, tt.status)
				if strings.Contains(string(r.Body), "secret") || strings.Contains(string(r.Body), "Private") {
					t.Errorf("the answer leaks alice's data: %s", r.Body)
				}
			})
		}
		// Bob's lists and stats hold only his own.
		var p page[httpapi.TaskBody]
		e.get(t, "/api/v1/tasks?status=TODO,IN_PROGRESS,COMPLETED,ARCHIVED&q=secret", bob.Token).want(t, http.StatusOK).decode(t, &p)
		if len(p.Items) != 0 {
			t.Errorf("bob's search finds alice's task")
		}
		e.get(t, "/api/v1/tasks?limit=100", bob.Token).want(t, http.StatusOK).decode(t, &p)
		if diff := cmp.Diff([]string{bobTask.ID}, idsOf(p.Items)); diff != "" {
			t.Errorf("bob's list (-want +got):\n%s", diff)
		}
		var cats page[httpapi.CategoryBody]
		e.get(t, "/api/v1/categories", bob.Token).want(t, http.StatusOK).decode(t, &cats)
		if len(cats.Items) != 0 {
			t.Errorf("bob sees categories: %+v", cats.Items)
		}
		var stats struct {
			ByStatus map[string]int64 `json:"by_status"`
		}
		e.get(t, "/api/v1/tasks/stats", bob.Token).want(t, http.StatusOK).decode(t, &stats)
		if stats.ByStatus["TODO"] != 1 {
			t.Errorf("bob's stats count others' tasks: %+v", stats)
		}
		// Alice's things are untouched.
		var got httpapi.TaskBody
		r := e.get(t, "/api/v1/tasks/"+aliceTask.ID, alice.Token).want(t, http.StatusOK)
		r.decode(t, &got)
		if diff := cmp.Diff(aliceTask, got); diff != "" || r.Header.Get("ETag") != aliceETag {
			t.Errorf("alice's task changed: ETag %s → %s (-before +after):\n%s", aliceETag, r.Header.Get("ETag"), diff)
		}
		var c httpapi.CategoryBody
		e.get(t, "/api/v1/categories/"+aliceCat.ID, alice.Token).want(t, http.StatusOK).decode(t, &c)
		aliceCat.TaskCount = 1
		if diff := cmp.Diff(aliceCat, c); diff != "" {
			t.Errorf("alice's category changed (-want +got):\n%s", diff)
		}
		// Without a token, every route is 401.
		for _, path := range []string{"/api/v1/tasks", "/api/v1/tasks/stats", "/api/v1/categories", "/api/v1/tasks/" + aliceTask.ID} {
			e.get(t, path, "").wantProblem(t, http.StatusUnauthorized)
		}
	})
}
