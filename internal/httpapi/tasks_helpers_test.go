package httpapi_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"testing"

	"github.com/google/uuid"

	"github.com/taskapi/taskapi"
	"github.com/taskapi/taskapi/internal/httpapi"
)

// page is one page of a list as the API returns it.
type page[T any] struct {
	Items      []T     `json:"items"`
	NextCursor *string `json:"next_cursor"`
}

// createCategory makes a category through the API and returns it.
func (e *env) createCategory(t testing.TB, u testUser, name string) httpapi.CategoryBody {
	t.Helper()
	var c httpapi.CategoryBody
	e.do(t, request{Method: http.MethodPost, Path: "/api/v1/categories", Token: u.Token,
		Body: map[string]any{"name": name}}).want(t, http.StatusCreated).decode(t, &c)
	return c
}

// createTask makes a task through the API and returns it with its ETag.
func (e *env) createTask(t testing.TB, u testUser, body map[string]any) (httpapi.TaskBody, string) {
	t.Helper()
	var task httpapi.TaskBody
	r := e.do(t, request{Method: http.MethodPost, Path: "/api/v1/tasks", Token: u.Token, Body: body}).want(t, http.StatusCreated)
	r.decode(t, &task)
	return task, r.Header.Get("ETag")
}

// seedTasks inserts tasks straight into the store in one transaction: the
// fast way to get hundreds of them.
func (e *env) seedTasks(t testing.TB, u testUser, tasks []taskapi.Task) []taskapi.Task {
	t.Helper()
	out, err := e.Store.InsertTasks(context.Background(), u.User.ID, tasks)
	if err != nil {
		t.Fatalf("seed tasks: %v", err)
	}
	return out
}

// listAll pages through a list of tasks with the given query and page
// size, failing on a repeated task, and returns every task in order.
func (e *env) listAll(t testing.TB, u testUser, path string, query url.Values, limit int) []httpapi.TaskBody {
	t.Helper()
	var all []httpapi.TaskBody
	seen := map[string]bool{}
	q := url.Values{}
	for k, v := range query {
		q[k] = v
	}
	q.Set("limit", strconv.Itoa(limit))
	for pages := 0; ; pages++ {
		if pages > 1000 {
			t.Fatal("more than 1000 pages: the cursor does not advance")
		}
		var p page[httpapi.TaskBody]
		e.get(t, path+"?"+q.Encode(), u.Token).want(t, http.StatusOK).decode(t, &p)
		if len(p.Items) > limit {
			t.Fatalf("page of %d items for limit %d", len(p.Items), limit)
		}
		for _, it := range p.Items {
			if seen[it.ID] {
				t.Fatalf("task %s seen twice (page %d)", it.ID, pages)
			}
			seen[it.ID] = true
		}
		all = append(all, p.Items...)
		if p.NextCursor == nil {
			return all
		}
		if len(p.Items) != limit {
			t.Fatalf("a page of %d items with a next cursor (limit %d)", len(p.Items), limit)
		}
		q.Set("cursor", *p.NextCursor)
	}
}

func ids(tasks []httpapi.TaskBody) []string {
	out := make([]string, len(tasks))
	for i, t := range tasks {
		out[i] = t.ID
	}
	return out
}

func ptr[T any](v T) *T { return &v }

func mustUUID(t testing.TB, s string) uuid.UUID {
	t.Helper()
	id, err := uuid.Parse(s)
	if err != nil {
		t.Fatalf("not a UUID: %q", s)
	}
	return id
}
