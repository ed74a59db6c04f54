package httpapi_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/taskapi/taskapi/internal/httpapi"
)

func TestCategoryCRUD(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		alice := e.newUser(t, "alice")
		r := e.do(t, request{Method: http.MethodPost, Path: "/api/v1/categories", Token: alice.Token,
			Body: map[string]any{"name": "Home"}}).want(t, http.StatusCreated)
		var c httpapi.CategoryBody
		r.decode(t, &c)
		ignoreServerSet := cmpopts.IgnoreFields(httpapi.CategoryBody{}, "ID", "CreatedAt", "UpdatedAt")
		if diff := cmp.Diff(httpapi.CategoryBody{Name: "Home", Color: "#6B7280"}, c, ignoreServerSet); diff != "" {
			t.Fatalf("created (-want +got):\n%s", diff)
		}
		if r.Header.Get("Location") != "/api/v1/categories/"+c.ID || r.Header.Get("ETag") == "" {
			t.Fatalf("Location %q ETag %q", r.Header.Get("Location"), r.Header.Get("ETag"))
		}
		etag := r.Header.Get("ETag")
		g := e.get(t, "/api/v1/categories/"+c.ID, alice.Token).want(t, http.StatusOK)
		if g.Header.Get("ETag") != etag {
			t.Errorf("GET ETag differs from POST ETag")
		}
		// Colours are stored upper case.
		var p httpapi.CategoryBody
		pr := e.do(t, request{Method: http.MethodPatch, Path: "/api/v1/categories/" + c.ID, Token: alice.Token,
			Header: http.Header{"If-Match": {etag}, "Content-Type": {"application/merge-patch+json"}},
			Body:   map[string]any{"color": "#a1b2c3"}}).want(t, http.StatusOK)
		pr.decode(t, &p)
		if diff := cmp.Diff(httpapi.CategoryBody{Name: "Home", Color: "#A1B2C3"}, p, ignoreServerSet); diff != "" {
			t.Fatalf("patched (-want +got):\n%s", diff)
		}
		if pr.Header.Get("ETag") == etag {
			t.Fatalf("the ETag did not change with the color")
		}
		e.do(t, request{Method: http.MethodPatch, Path: "/api/v1/categories/" + c.ID, Token: alice.Token,
			Header: http.Header{"If-Match": {etag}}, Body: map[string]any{"name": "Stale"}}).wantProblem(t, http.StatusPreconditionFailed)
		e.do(t, request{Method: http.MethodDelete, Path: "/api/v1/categories/" + c.ID, Token: alice.Token,
			Header: http.Header{"If-Match": {etag}}}).wantProblem(t, http.StatusPreconditionFailed)
		e.do(t, request{Method: http.MethodDelete, Path: "/api/v1/categories/" + c.ID, Token: alice.Token,
			Header: http.Header{"If-Match": {pr.Header.Get("ETag")}}}).want(t, http.StatusNoContent)
		e.get(t, "/api/v1/categories/"+c.ID, alice.Token).wantProblem(t, http.StatusNotFound)
	})
}

func TestCategoryValidation(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		alice := e.newUser(t, "alice")
		work := e.createCategory(t, alice, "Work")
		e.createCategory(t, alice, "Home")
		for _, tt := range []struct {
			name   string
			method string
			body   any
			status int
		}{
			{"name missing", "POST", map[string]any{"color": "#FFFFFF"}, 422},
			{"name empty", "POST", map[string]any{"name": ""}, 422},
			{"name blank", "POST", map[string]any{"name": "  "}, 422},
			{"name too long", "POST", map[string]any{"name": strings.Repeat("n", 51)}, 422},
			{"name of 50", "POST", map[string]any{"name": strings.Repeat("ü", 50)}, 201},
			{"color without #", "POST", map[string]any{"name": "c1", "color": "FFFFFF"}, 422},
			{"color short", "POST", map[string]any{"name": "c2", "color": "#FFF"}, 422},
			{"color not hex", "POST", map[string]any{"name": "c3", "color": "#GGGGGG"}, 422},
			{"color named", "POST", map[string]any{"name": "c4", "color": "red"}, 422},
			{"duplicate name", "POST", map[string]any{"name": "Work"}, 409},
			{"duplicate name in other case", "POST", map[string]any{"name": "wORK"}, 409},
			{"task_count is read-only", "POST", map[string]any{"name": "c5", "task_count": 3}, 422},
			{"rename to a taken name", "PATCH", map[string]any{"name": "HOME"}, 409},
			{"rename to own name in other case", "PATCH", map[string]any{"name": "WORK"}, 200},
			{"patch null name", "PATCH", map[string]any{"name": nil}, 422},
			{"patch null color", "PATCH", map[string]any{"color": nil}, 422},
			{"patch bad color", "PATCH", map[string]any{"color": "#12345G"}, 422},
		} {
			t.Run(tt.name, func(t *testing.T) {
				path := "/api/v1/categories"
				if tt.method == "PATCH" {
					path += "/" + work.ID
				}
				r := e.do(t, request{Method: tt.method, Path: path, Token: alice.Token, Body: tt.body})
				if tt.status < 400 {
					r.want(t, tt.status)
				} else {
					r.wantProblem(t, tt.status)
				}
			})
		}
		// Another user may use the same names.
		e.createCategory(t, e.newUser(t, "bob"), "work")
	})
}

func TestCategoryListAndTaskCount(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		alice := e.newUser(t, "alice")
		var want []string
		for i := 0; i < 23; i++ {
			name := fmt.Sprintf("cat %02d", 22-i)
			if i%2 == 0 {
				name = strings.ToUpper(name)
			}
			e.createCategory(t, alice, name)
		}
		for i := 0; i < 23; i++ {
			want = append(want, fmt.Sprintf("cat %02d", i))
		}
		var got []string
		q := url.Values{"limit": {"5"}}
		for pages := 0; pages < 10; pages++ {
			var p page[httpapi.CategoryBody]
			e.get(t, "/api/v1/categories?"+q.Encode(), alice.Token).want(t, http.StatusOK).decode(t, &p)
			for _, c := range p.Items {
				got = append(got, strings.ToLower(c.Name))
			}
			if p.NextCursor == nil {
				break
			}
			q.Set("cursor", *p.NextCursor)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("categories by name ignoring case (-want +got):\n%s", diff)
		}
		e.get(t, "/api/v1/categories?limit=0", alice.Token).wantProblem(t, http.StatusUnprocessableEntity)
		e.get(t, "/api/v1/categories?cursor=abc", alice.Token).wantProblem(t, http.StatusBadRequest)

		// task_count follows creates, moves, bulk moves and deletes.
		a, b := e.createCategory(t, alice, "A"), e.createCategory(t, alice, "B")
		count := func(id string) int64 {
			var c httpapi.CategoryBody
			e.get(t, "/api/v1/categories/"+id, alice.Token).want(t, http.StatusOK).decode(t, &c)
			return c.TaskCount
		}
		var tasks []string
		for i := 0; i < 5; i++ {
			task, _ := e.createTask(t, alice, map[string]any{"title": "t", "category_id": a.ID})
			tasks = append(tasks, task.ID)
		}
		e.do(t, request{Method: http.MethodPatch, Path: "/api/v1/tasks/" + tasks[0], Token: alice.Token,
			Body: map[string]any{"category_id": b.ID}}).want(t, http.StatusOK)
		e.do(t, request{Method: http.MethodPatch, Path: "/api/v1/tasks/" + tasks[1], Token: alice.Token,
			Body: map[string]any{"category_id": nil}}).want(t, http.StatusOK)
		e.do(t, request{Method: http.MethodDelete, Path: "/api/v1/tasks/" + tasks[2], Token: alice.Token}).want(t, http.StatusNoContent)
		if diff := cmp.Diff([2]int64{2, 1}, [2]int64{count(a.ID), count(b.ID)}); diff != "" {
			t.Fatalf("task counts of A and B (-want +got):\n%s", diff)
		}
		e.do(t, request{Method: http.MethodPost, Path: "/api/v1/tasks/bulk", Token: alice.Token, Body: map[string]any{
			"ids": []string{tasks[3], tasks[4], tasks[1]}, "action": "update", "changes": map[string]any{"category_id": b.ID},
		}}).want(t, http.StatusOK)
		if diff := cmp.Diff([2]int64{0, 4}, [2]int64{count(a.ID), count(b.ID)}); diff != "" {
			t.Fatalf("task counts of A and B after the bulk move (-want +got):\n%s", diff)
		}
		e.do(t, request{Method: http.MethodPost, Path: "/api/v1/tasks/bulk", Token: alice.Token, Body: map[string]any{
			"ids": []string{tasks[3], tasks[0]}, "action": "delete",
		}}).want(t, http.StatusOK)
		var p page[httpapi.CategoryBody]
		e.get(t, "/api/v1/categories?limit=100", alice.Token).want(t, http.StatusOK).decode(t, &p)
		for _, c := range p.Items {
			if c.ID == b.ID && c.TaskCount != 2 || c.ID == a.ID && c.TaskCount != 0 {
				t.Errorf("listed %s with task_count %d", c.Name, c.TaskCount)
			}
		}
	})
}

func TestCategoryDeleteKeepsTasks(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		alice := e.newUser(t, "alice")
		cat := e.createCategory(t, alice, "Doomed")
		other := e.createCategory(t, alice, "Other")
		inside, etag := e.createTask(t, alice, map[string]any{"title": "inside", "category_id": cat.ID})
		outside, _ := e.createTask(t, alice, map[string]any{"title": "outside", "category_id": other.ID})
		e.do(t, request{Method: http.MethodDelete, Path: "/api/v1/categories/" + cat.ID, Token: alice.Token}).want(t, http.StatusNoContent)

		var got httpapi.TaskBody
		g := e.get(t, "/api/v1/tasks/"+inside.ID, alice.Token).want(t, http.StatusOK)
		g.decode(t, &got)
		if diff := cmp.Diff(taskFacts{Title: "inside", Status: "TODO", Priority: "MEDIUM"}, factsOf(got)); diff != "" {
			t.Fatalf("task after its category went (-want +got):\n%s", diff)
		}
		// Its representation changed, so its ETag did too.
		if g.Header.Get("ETag") == etag {
			t.Errorf("ETag unchanged although category_id changed")
		}
		e.get(t, "/api/v1/tasks/"+outside.ID, alice.Token).want(t, http.StatusOK).decode(t, &got)
		if diff := cmp.Diff(taskFacts{Title: "outside", Status: "TODO", Priority: "MEDIUM", CategoryID: &other.ID}, factsOf(got)); diff != "" {
			t.Errorf("a task of another category changed (-want +got):\n%s", diff)
		}
		e.get(t, "/api/v1/categories/"+cat.ID+"/tasks", alice.Token).wantProblem(t, http.StatusNotFound)
		e.get(t, "/api/v1/tasks?category_id="+cat.ID, alice.Token).wantProblem(t, http.StatusNotFound)
		// The name is free again.
		e.createCategory(t, alice, "doomed")
	})
}
