package httpapi_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/taskapi/taskapi/internal/httpapi"
	"github.com/taskapi/taskapi/internal/store/storetest"
)

func TestTaskCRUD(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		alice := e.newUser(t, "alice")
		cat := e.createCategory(t, alice, "Work")
		due := time.Date(2030, 5, 6, 7, 8, 9, 123456000, time.FixedZone("CEST", 2*3600))

		r := e.do(t, request{Method: http.MethodPost, Path: "/api/v1/tasks", Token: alice.Token, Body: map[string]any{
			"title": "Write report", "description": "quarterly", "priority": "HIGH",
			"due_date": due.Format(time.RFC3339Nano), "category_id": cat.ID,
		}}).want(t, http.StatusCreated)
		var task httpapi.TaskBody
		r.decode(t, &task)
		if r.Header.Get("Location") != "/api/v1/tasks/"+task.ID || r.Header.Get("ETag") == "" {
			t.Fatalf("Location %q, ETag %q", r.Header.Get("Location"), r.Header.Get("ETag"))
		}
		created := taskFacts{Title: "Write report", Status: "TODO", Priority: "HIGH", Description: ptr("quarterly"),
			CategoryID: &cat.ID, DueDate: &due}
		if diff := cmp.Diff(created, factsOf(task)); diff != "" {
			t.Fatalf("created (-want +got):\n%s", diff)
		}
		if task.DueDate.Location() != time.UTC {
			t.Errorf("due_date %s is not in UTC", task.DueDate)
		}
		etag := r.Header.Get("ETag")

		g := e.get(t, "/api/v1/tasks/"+task.ID, alice.Token).want(t, http.StatusOK)
		if g.Header.Get("ETag") != etag {
			t.Errorf("GET ETag %q, POST ETag %q", g.Header.Get("ETag"), etag)
		}

		// Merge-patch: left-out fields stay; the ETag changes.
		var patched httpapi.TaskBody
		p := e.do(t, request{Method: http.MethodPatch, Path: "/api/v1/tasks/" + task.ID, Token: alice.Token,
			Body: map[string]any{"title": "Write the report", "status": "COMPLETED"}}).want(t, http.StatusOK)
		p.decode(t, &patched)
		want := created
		want.Title, want.Status, want.Completed = "Write the report", "COMPLETED", true
		if diff := cmp.Diff(want, factsOf(patched)); diff != "" {
			t.Fatalf("patched (-want +got):\n%s", diff)
		}
		if p.Header.Get("ETag") == etag || p.Header.Get("ETag") == "" {
			t.Errorf("ETag did not change on update: %q", p.Header.Get("ETag"))
		}
		if !patched.UpdatedAt.After(task.UpdatedAt) && !patched.UpdatedAt.Equal(task.UpdatedAt) {
			t.Errorf("updated_at went back")
		}
		// null clears nullable fields; completed_at follows the status.
		e.do(t, request{Method: http.MethodPatch, Path: "/api/v1/tasks/" + task.ID, Token: alice.Token,
			Header: http.Header{"Content-Type": {"application/merge-patch+json"}},
			Body:   `{"description": null, "due_date": null, "category_id": null, "status": "IN_PROGRESS"}`}).
			want(t, http.StatusOK).decode(t, &patched)
		if diff := cmp.Diff(taskFacts{Title: "Write the report", Status: "IN_PROGRESS", Priority: "HIGH"}, factsOf(patched)); diff != "" {
			t.Fatalf("after nulls (-want +got):\n%s", diff)
		}
		// A patch that changes nothing keeps the version.
		before := e.get(t, "/api/v1/tasks/"+task.ID, alice.Token).Header.Get("ETag")
		same := e.do(t, request{Method: http.MethodPatch, Path: "/api/v1/tasks/" + task.ID, Token: alice.Token,
			Body: map[string]any{"status": "IN_PROGRESS"}}).want(t, http.StatusOK)
		if same.Header.Get("ETag") != before {
			t.Errorf("a no-op patch changed the ETag")
		}

		e.do(t, request{Method: http.MethodDelete, Path: "/api/v1/tasks/" + task.ID, Token: alice.Token}).want(t, http.StatusNoContent)
		e.get(t, "/api/v1/tasks/"+task.ID, alice.Token).wantProblem(t, http.StatusNotFound)
		e.do(t, request{Method: http.MethodDelete, Path: "/api/v1/tasks/" + task.ID, Token: alice.Token}).wantProblem(t, http.StatusNotFound)
	})
}

func TestTaskCompletedAtIsServerManaged(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		alice := e.newUser(t, "alice")
		done, _ := e.createTask(t, alice, map[string]any{"title": "born done", "status": "COMPLETED"})
		if done.CompletedAt == nil {
			t.Fatal("a task created COMPLETED has no completed_at")
		}
		// Staying COMPLETED keeps the first completion time.
		var again httpapi.TaskBody
		e.do(t, request{Method: http.MethodPatch, Path: "/api/v1/tasks/" + done.ID, Token: alice.Token,
			Body: map[string]any{"status": "COMPLETED", "title": "still done"}}).want(t, http.StatusOK).decode(t, &again)
		if again.CompletedAt == nil || !again.CompletedAt.Equal(*done.CompletedAt) {
			t.Errorf("completed_at moved: %v → %v", done.CompletedAt, again.CompletedAt)
		}
		// The client cannot write it.
		e.do(t, request{Method: http.MethodPatch, Path: "/api/v1/tasks/" + done.ID, Token: alice.Token,
			Body: map[string]any{"completed_at": nil}}).wantProblem(t, http.StatusUnprocessableEntity)
		e.do(t, request{Method: http.MethodPost, Path: "/api/v1/tasks", Token: alice.Token,
			Body: map[string]any{"title": "x", "completed_at": "2020-01-01T00:00:00Z"}}).wantProblem(t, http.StatusUnprocessableEntity)
		e.do(t, request{Method: http.MethodPatch, Path: "/api/v1/tasks/" + done.ID, Token: alice.Token,
			Body: map[string]any{"status": "ARCHIVED"}}).want(t, http.StatusOK).decode(t, &again)
		if again.CompletedAt != nil {
			t.Errorf("completed_at kept after leaving COMPLETED")
		}
	})
}

func TestTaskValidation(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		alice := e.newUser(t, "alice")
		bob := e.newUser(t, "bob")
		bobsCategory := e.createCategory(t, bob, "Bob's")
		task, _ := e.createTask(t, alice, map[string]any{"title": "valid"})
		long := func(n int) string { return strings.Repeat("é", n) }
		tests := []struct {
			name     string
			method   string
			body     any
			status   int
			location string
		}{
			{"missing title", "POST", map[string]any{"priority": "LOW"}, 422, "body.title"},
			{"empty title", "POST", map[string]any{"title": ""}, 422, "body.title"},
			{"blank title", "POST", map[string]any{"title": "   "}, 422, "body.title"},
			{"title too long", "POST", map[string]any{"title": long(201)}, 422, "body.title"},
			{"title of 200", "POST", map[string]any{"title": long(200)}, 201, ""},
			{"NUL in title", "POST", map[string]any{"title": "a\u0000b"}, 422, "body.title"},
			{"description too long", "POST", map[string]any{"title": "t", "description": long(10001)}, 422, "body.description"},
			{"description of 10000", "POST", map[string]any{"title": "t", "description": long(10000)}, 201, ""},
			{"bad status", "POST", map[string]any{"title": "t", "status": "DONE"}, 422, "body.status"},
			{"lower-case status", "POST", map[string]any{"title": "t", "status": "todo"}, 422, "body.status"},
			{"bad priority", "POST", map[string]any{"title": "t", "priority": "CRITICAL"}, 422, "body.priority"},
			{"bad due date", "POST", map[string]any{"title": "t", "due_date": "tomorrow"}, 422, "body.due_date"},
			{"category not a uuid", "POST", map[string]any{"title": "t", "category_id": "42"}, 422, "body.category_id"},
			{"unknown category", "POST", map[string]any{"title": "t", "category_id": "0190a0a0-0000-7000-8000-000000000000"}, 422, "body.category_id"},
			{"someone else's category", "POST", map[string]any{"title": "t", "category_id": bobsCategory.ID}, 422, "body.category_id"},
			{"id is read-only", "POST", map[string]any{"title": "t", "id": "0190a0a0-0000-7000-8000-000000000000"}, 422, "body.id"},
			{"user_id is read-only", "POST", map[string]any{"title": "t", "user_id": bob.User.ID.String()}, 422, "body.user_id"},
			{"created_at is read-only", "POST", map[string]any{"title": "t", "created_at": "2020-01-01T00:00:00Z"}, 422, "body.created_at"},
			{"malformed JSON", "POST", `{"title": "t"`, 400, ""},
			{"patch null title", "PATCH", map[string]any{"title": nil}, 422, "body.title"},
			{"patch null status", "PATCH", map[string]any{"status": nil}, 422, "body.status"},
			{"patch null priority", "PATCH", map[string]any{"priority": nil}, 422, "body.priority"},
			{"patch blank title", "PATCH", map[string]any{"title": " "}, 422, "body.title"},
			{"patch bad status", "PATCH", map[string]any{"status": "NOPE"}, 422, "body.status"},
			{"patch someone else's category", "PATCH", map[string]any{"category_id": bobsCategory.ID}, 422, "body.category_id"},
			{"patch id", "PATCH", map[string]any{"id": task.ID}, 422, "body.id"},
			{"patch updated_at", "PATCH", map[string]any{"updated_at": "2020-01-01T00:00:00Z"}, 422, "body.updated_at"},
			{"patch not an object", "PATCH", `[1]`, 422, ""},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				path := "/api/v1/tasks"
				if tt.method == "PATCH" {
					path += "/" + task.ID
				}
				r := e.do(t, request{Method: tt.method, Path: path, Token: alice.Token, Body: tt.body})
				if tt.status < 400 {
					r.want(t, tt.status)
					return
				}
				p := r.wantProblem(t, tt.status)
				if tt.location == "" {
					return
				}
				for _, d := range p.Errors {
					if d.Location == tt.location {
						return
					}
				}
				t.Errorf("no error at %s: %s", tt.location, r.Body)
			})
		}
		// The task is untouched by every refused patch.
		var got httpapi.TaskBody
		e.get(t, "/api/v1/tasks/"+task.ID, alice.Token).want(t, http.StatusOK).decode(t, &got)
		if diff := cmp.Diff(task, got); diff != "" {
			t.Errorf("a refused patch changed the task (-before +after):\n%s", diff)
		}
		// Path IDs are checked; content types too.
		e.get(t, "/api/v1/tasks/not-a-uuid", alice.Token).wantProblem(t, http.StatusUnprocessableEntity)
		e.do(t, request{Method: http.MethodPost, Path: "/api/v1/tasks", Token: alice.Token, Body: "title=x",
			Header: http.Header{"Content-Type": {"text/plain"}}}).wantProblem(t, http.StatusUnsupportedMediaType)
	})
}

func TestTaskETagPreconditions(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		alice := e.newUser(t, "alice")
		task, etag := e.createTask(t, alice, map[string]any{"title": "guarded"})
		path := "/api/v1/tasks/" + task.ID
		patch := func(ifMatch string, title string) *response {
			h := http.Header{}
			if ifMatch != "" {
				h.Set("If-Match", ifMatch)
			}
			return e.do(t, request{Method: http.MethodPatch, Path: path, Token: alice.Token, Header: h, Body: map[string]any{"title": title}})
		}
		r := patch(etag, "first").want(t, http.StatusOK)
		newTag := r.Header.Get("ETag")
		// The old ETag is stale now: 412, and the task keeps the first change.
		patch(etag, "lost update").wantProblem(t, http.StatusPreconditionFailed)
		// Weak tags never match (strong comparison); lists and * do.
		patch("W/"+newTag, "weak").wantProblem(t, http.StatusPreconditionFailed)
		patch(`"nope", `+newTag, "listed").want(t, http.StatusOK)
		patch("*", "star").want(t, http.StatusOK)
		patch("not-quoted", "bad").wantProblem(t, http.StatusBadRequest)
		var got httpapi.TaskBody
		g := e.get(t, path, alice.Token).want(t, http.StatusOK)
		g.decode(t, &got)
		if got.Title != "star" {
			t.Errorf("title %q", got.Title)
		}
		// DELETE honours If-Match too.
		e.do(t, request{Method: http.MethodDelete, Path: path, Token: alice.Token, Header: http.Header{"If-Match": {newTag}}}).
			wantProblem(t, http.StatusPreconditionFailed)
		e.do(t, request{Method: http.MethodDelete, Path: path, Token: alice.Token, Header: http.Header{"If-Match": {g.Header.Get("ETag")}}}).
			want(t, http.StatusNoContent)
		// A missing task is 404 whatever If-Match says.
		patch(etag, "gone").wantProblem(t, http.StatusNotFound)
	})
}

// If-Match is checked in the write against the version an ETag names, and
// an ETag names one resource: another task's tag of the same version, or a
// well-formed tag the server never made, does not match.
func TestIfMatchNamesOneResource(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		alice := e.newUser(t, "alice")
		first, firstTag := e.createTask(t, alice, map[string]any{"title": "first"})
		second, secondTag := e.createTask(t, alice, map[string]any{"title": "second"})
		if firstTag == secondTag {
			t.Fatalf("two tasks share the ETag %s", firstTag)
		}
		patch := func(id, ifMatch string) *response {
			return e.do(t, request{Method: http.MethodPatch, Path: "/api/v1/tasks/" + id, Token: alice.Token,
				Header: http.Header{"If-Match": {ifMatch}}, Body: map[string]any{"title": "changed"}})
		}
		patch(first.ID, secondTag).wantProblem(t, http.StatusPreconditionFailed)
		patch(first.ID, `"AQAAAAAAAAAAAAAAAAAA"`).wantProblem(t, http.StatusPreconditionFailed)
		e.do(t, request{Method: http.MethodDelete, Path: "/api/v1/tasks/" + second.ID, Token: alice.Token,
			Header: http.Header{"If-Match": {firstTag}}}).wantProblem(t, http.StatusPreconditionFailed)
		patch(first.ID, firstTag).want(t, http.StatusOK)
	})
}

// A missing required field is reported at its own location, like every
// other invalid field, on every operation with a required body field.
func TestMissingRequiredFieldIsNamed(t *testing.T) {
	e := newEnv(t, storetest.Engines(t)[0])
	alice := e.newUser(t, "alice")
	tests := []struct {
		path  string
		token string
		body  map[string]any
		want  []string
	}{
		{"/api/v1/auth/register", "", map[string]any{"email": "a@example.com", "username": "abc"}, []string{"body.password"}},
		{"/api/v1/auth/login", "", map[string]any{}, []string{"body.password", "body.username"}},
		{"/api/v1/tasks", alice.Token, map[string]any{}, []string{"body.title"}},
		{"/api/v1/tasks/bulk", alice.Token, map[string]any{"action": "delete"}, []string{"body.ids"}},
		{"/api/v1/categories", alice.Token, map[string]any{}, []string{"body.name"}},
	}
	for _, tt := range tests {
		p := e.post(t, tt.path, tt.token, tt.body).wantProblem(t, http.StatusUnprocessableEntity)
		var got []string
		for _, d := range p.Errors {
			got = append(got, d.Location)
		}
		slices.Sort(got)
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s: locations (-want +got):\n%s", tt.path, diff)
		}
	}
}

// A GET whose If-None-Match names the current ETag is 304 with no body;
// a stale or foreign tag gets the resource.
func TestIfNoneMatchIsNotModified(t *testing.T) {
	e := newEnv(t, storetest.Engines(t)[0])
	alice := e.newUser(t, "alice")
	task, tag := e.createTask(t, alice, map[string]any{"title": "cached"})
	path := "/api/v1/tasks/" + task.ID
	get := func(path, inm string) *response {
		return e.do(t, request{Method: http.MethodGet, Path: path, Token: alice.Token, Header: http.Header{"If-None-Match": {inm}}})
	}
	r := get(path, tag)
	if r.Status != http.StatusNotModified || len(r.Body) != 0 || r.Header.Get("ETag") != tag {
		t.Errorf("matching tag: %d %q ETag %q", r.Status, r.Body, r.Header.Get("ETag"))
	}
	for _, inm := range []string{`"other", ` + tag, "W/" + tag, "*"} {
		if r := get(path, inm); r.Status != http.StatusNotModified {
			t.Errorf("If-None-Match %s: %d", inm, r.Status)
		}
	}
	get(path, `"stale"`).want(t, http.StatusOK)
	me := e.get(t, "/api/v1/users/me", alice.Token).want(t, http.StatusOK)
	if r := get("/api/v1/users/me", me.Header.Get("ETag")); r.Status != http.StatusNotModified {
		t.Errorf("users/me with its ETag: %d", r.Status)
	}
	e.do(t, request{Method: http.MethodPatch, Path: path, Token: alice.Token, Body: map[string]any{"title": "changed"}}).want(t, http.StatusOK)
	get(path, tag).want(t, http.StatusOK)
}
