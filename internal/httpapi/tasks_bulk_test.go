package httpapi_test

import (
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/google/uuid"

	"github.com/taskapi/taskapi/internal/httpapi"
)

func TestBulkUpdateAndDelete(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		alice := e.newUser(t, "alice")
		cat := e.createCategory(t, alice, "Cat")
		done, _ := e.createTask(t, alice, map[string]any{"title": "already done", "status": "COMPLETED"})
		var ids []string
		for i := 0; i < 4; i++ {
			task, _ := e.createTask(t, alice, map[string]any{"title": "t", "priority": "LOW"})
			ids = append(ids, task.ID)
		}
		bulk := func(body map[string]any) *response {
			return e.do(t, request{Method: http.MethodPost, Path: "/api/v1/tasks/bulk", Token: alice.Token, Body: body})
		}
		var res httpapi.BulkBody
		// Repeated IDs count once; items come in the order asked.
		bulk(map[string]any{"ids": []string{ids[2], done.ID, ids[0], ids[2]}, "action": "update",
			"changes": map[string]any{"status": "COMPLETED", "priority": "URGENT", "category_id": cat.ID}}).
			want(t, http.StatusOK).decode(t, &res)
		if diff := cmp.Diff([]string{ids[2], done.ID, ids[0]}, idsOf(res.Items)); res.Action != "update" || res.Count != 3 || diff != "" {
			t.Fatalf("bulk result %s %d, IDs (-want +got):\n%s", res.Action, res.Count, diff)
		}
		for _, it := range res.Items {
			want := taskFacts{Title: it.Title, Status: "COMPLETED", Priority: "URGENT", CategoryID: &cat.ID, Completed: true}
			if diff := cmp.Diff(want, factsOf(it)); diff != "" {
				t.Errorf("bulk-updated task (-want +got):\n%s", diff)
			}
		}
		if !res.Items[1].CompletedAt.Equal(*done.CompletedAt) {
			t.Errorf("a task already COMPLETED got a new completed_at")
		}
		// Leaving COMPLETED clears completed_at; null takes tasks out of their category.
		bulk(map[string]any{"ids": []string{ids[2]}, "action": "update", "changes": map[string]any{"status": "TODO", "category_id": nil}}).
			want(t, http.StatusOK).decode(t, &res)
		if diff := cmp.Diff(taskFacts{Title: "t", Status: "TODO", Priority: "URGENT"}, factsOf(res.Items[0])); diff != "" {
			t.Errorf("after second bulk (-want +got):\n%s", diff)
		}
		bulk(map[string]any{"ids": []string{ids[0], ids[1]}, "action": "delete"}).want(t, http.StatusOK).decode(t, &res)
		if diff := cmp.Diff(httpapi.BulkBody{Action: "delete", Count: 2, Items: []httpapi.TaskBody{}}, res, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("delete result (-want +got):\n%s", diff)
		}
		e.get(t, "/api/v1/tasks/"+ids[0], alice.Token).wantProblem(t, http.StatusNotFound)
		e.get(t, "/api/v1/tasks/"+ids[3], alice.Token).want(t, http.StatusOK)
	})
}

func TestBulkAllOrNothing(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		alice := e.newUser(t, "alice")
		bob := e.newUser(t, "bob")
		mine, _ := e.createTask(t, alice, map[string]any{"title": "mine", "priority": "LOW"})
		mine2, _ := e.createTask(t, alice, map[string]any{"title": "mine too", "priority": "LOW"})
		bobs, _ := e.createTask(t, bob, map[string]any{"title": "bob's", "priority": "LOW"})
		bobsCat := e.createCategory(t, bob, "Bob's")
		missing := uuid.Must(uuid.NewV7()).String()
		bulk := func(body map[string]any) *response {
			return e.do(t, request{Method: http.MethodPost, Path: "/api/v1/tasks/bulk", Token: alice.Token, Body: body})
		}
		for _, tt := range []struct {
			name   string
			body   map[string]any
			status int
		}{
			{"one foreign id", map[string]any{"ids": []string{mine.ID, bobs.ID}, "action": "update", "changes": map[string]any{"priority": "HIGH"}}, 404},
			{"one missing id", map[string]any{"ids": []string{mine.ID, mine2.ID, missing}, "action": "update", "changes": map[string]any{"priority": "HIGH"}}, 404},
			{"delete with a foreign id", map[string]any{"ids": []string{mine.ID, bobs.ID}, "action": "delete"}, 404},
			{"delete with a missing id", map[string]any{"ids": []string{missing, mine2.ID}, "action": "delete"}, 404},
			{"foreign category", map[string]any{"ids": []string{mine.ID}, "action": "update", "changes": map[string]any{"category_id": bobsCat.ID}}, 422},
			{"no ids", map[string]any{"ids": []string{}, "action": "delete"}, 422},
			{"101 ids", map[string]any{"ids": manyIDs(101), "action": "delete"}, 422},
			{"not uuids", map[string]any{"ids": []string{"1"}, "action": "delete"}, 422},
			{"bad action", map[string]any{"ids": []string{mine.ID}, "action": "archive"}, 422},
			{"update without changes", map[string]any{"ids": []string{mine.ID}, "action": "update"}, 422},
			{"update with empty changes", map[string]any{"ids": []string{mine.ID}, "action": "update", "changes": map[string]any{}}, 422},
			{"delete with changes", map[string]any{"ids": []string{mine.ID}, "action": "delete", "changes": map[string]any{"priority": "HIGH"}}, 422},
			{"change a title", map[string]any{"ids": []string{mine.ID}, "action": "update", "changes": map[string]any{"title": "x"}}, 422},
			{"bad status", map[string]any{"ids": []string{mine.ID}, "action": "update", "changes": map[string]any{"status": "DONE"}}, 422},
		} {
			t.Run(tt.name, func(t *testing.T) {
				bulk(tt.body).wantProblem(t, tt.status)
			})
		}
		// Nothing changed anywhere.
		for _, id := range []string{mine.ID, mine2.ID} {
			var got httpapi.TaskBody
			e.get(t, "/api/v1/tasks/"+id, alice.Token).want(t, http.StatusOK).decode(t, &got)
			if diff := cmp.Diff(taskFacts{Title: got.Title, Status: "TODO", Priority: "LOW"}, factsOf(got)); diff != "" {
				t.Errorf("a refused bulk changed %s (-want +got):\n%s", id, diff)
			}
		}
		var got httpapi.TaskBody
		e.get(t, "/api/v1/tasks/"+bobs.ID, bob.Token).want(t, http.StatusOK).decode(t, &got)
		if got.Priority != "LOW" {
			t.Errorf("bob's task changed: %+v", got)
		}
		// 100 IDs is the limit, not over it (all missing here: 404, not 422).
		bulk(map[string]any{"ids": manyIDs(100), "action": "delete"}).wantProblem(t, http.StatusNotFound)
	})
}

func manyIDs(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = uuid.Must(uuid.NewV7()).String()
	}
	return out
}

// A bulk update bumps the version (ETag) and updated_at only of the tasks
// it changes, as a PATCH does.
func TestBulkUpdateKeepsUnchangedTasks(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		alice := e.newUser(t, "alice")
		cat := e.createCategory(t, alice, "Cat")
		same, sameTag := e.createTask(t, alice, map[string]any{"title": "same", "status": "COMPLETED", "priority": "HIGH", "category_id": cat.ID})
		moved, movedTag := e.createTask(t, alice, map[string]any{"title": "moved", "status": "COMPLETED", "priority": "LOW"})
		var res httpapi.BulkBody
		e.do(t, request{Method: http.MethodPost, Path: "/api/v1/tasks/bulk", Token: alice.Token, Body: map[string]any{
			"ids": []string{same.ID, moved.ID}, "action": "update",
			"changes": map[string]any{"status": "COMPLETED", "priority": "HIGH", "category_id": cat.ID},
		}}).want(t, http.StatusOK).decode(t, &res)
		if res.Count != 2 || !res.Items[0].UpdatedAt.Equal(same.UpdatedAt) || res.Items[1].Priority != "HIGH" {
			t.Fatalf("bulk result %+v", res)
		}
		if tag := e.get(t, "/api/v1/tasks/"+same.ID, alice.Token).Header.Get("ETag"); tag != sameTag {
			t.Errorf("the unchanged task got a new ETag: %s → %s", sameTag, tag)
		}
		if tag := e.get(t, "/api/v1/tasks/"+moved.ID, alice.Token).Header.Get("ETag"); tag == movedTag {
			t.Errorf("the changed task kept its ETag")
		}
		// Clearing a category that is already clear is no change either.
		e.do(t, request{Method: http.MethodPost, Path: "/api/v1/tasks/bulk", Token: alice.Token, Body: map[string]any{
			"ids": []string{same.ID}, "action": "update", "changes": map[string]any{"category_id": nil},
		}}).want(t, http.StatusOK)
		cleared := e.get(t, "/api/v1/tasks/"+same.ID, alice.Token).Header.Get("ETag")
		e.do(t, request{Method: http.MethodPost, Path: "/api/v1/tasks/bulk", Token: alice.Token, Body: map[string]any{
			"ids": []string{same.ID}, "action": "update", "changes": map[string]any{"category_id": nil},
		}}).want(t, http.StatusOK)
		if tag := e.get(t, "/api/v1/tasks/"+same.ID, alice.Token).Header.Get("ETag"); tag != cleared {
			t.Errorf("clearing a clear category changed the ETag")
		}
	})
}
