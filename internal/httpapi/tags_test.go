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

// createTag makes a tag through the API and returns it.
func (e *env) createTag(t testing.TB, u testUser, name, color string) httpapi.TagBody {
	t.Helper()
	body := map[string]any{"name": name}
	if color != "" {
		body["color"] = color
	}
	var tag httpapi.TagBody
	e.do(t, request{Method: http.MethodPost, Path: "/api/v1/tags", Token: u.Token, Body: body}).want(t, http.StatusCreated).decode(t, &tag)
	return tag
}

// tagNames are the names of a task's tags, in order.
func tagNames(task httpapi.TaskBody) []string {
	out := []string{}
	for _, tag := range task.Tags {
		out = append(out, tag.Name)
	}
	return out
}

func TestTagCRUD(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		alice, bob := e.newUser(t, "alice"), e.newUser(t, "bob")
		key := http.Header{"Idempotency-Key": {"tag-1"}}
		r := e.do(t, request{Method: http.MethodPost, Path: "/api/v1/tags", Token: alice.Token, Header: key,
			Body: map[string]any{"name": "errand"}}).want(t, http.StatusCreated)
		var tag httpapi.TagBody
		r.decode(t, &tag)
		ignoreServerSet := cmpopts.IgnoreFields(httpapi.TagBody{}, "ID", "CreatedAt", "UpdatedAt")
		if diff := cmp.Diff(httpapi.TagBody{Name: "errand", Color: "#6B7280"}, tag, ignoreServerSet); diff != "" {
			t.Fatalf("created (-want +got):\n%s", diff)
		}
		etag := r.Header.Get("ETag")
		if r.Header.Get("Location") != "/api/v1/tags/"+tag.ID || etag == "" {
			t.Fatalf("Location %q ETag %q", r.Header.Get("Location"), etag)
		}
		// A repeat with the same key answers the first tag and makes none.
		again := e.do(t, request{Method: http.MethodPost, Path: "/api/v1/tags", Token: alice.Token, Header: key,
			Body: map[string]any{"name": "errand"}}).want(t, http.StatusCreated)
		var replay httpapi.TagBody
		again.decode(t, &replay)
		if replay.ID != tag.ID {
			t.Fatalf("replay made tag %s, first was %s", replay.ID, tag.ID)
		}
		e.do(t, request{Method: http.MethodPost, Path: "/api/v1/tags", Token: alice.Token, Header: key,
			Body: map[string]any{"name": "other"}}).wantProblem(t, http.StatusUnprocessableEntity)
		if g := e.get(t, "/api/v1/tags/"+tag.ID, alice.Token).want(t, http.StatusOK); g.Header.Get("ETag") != etag {
			t.Errorf("GET ETag %q, POST ETag %q", g.Header.Get("ETag"), etag)
		}

		pr := e.do(t, request{Method: http.MethodPatch, Path: "/api/v1/tags/" + tag.ID, Token: alice.Token,
			Header: http.Header{"If-Match": {etag}, "Content-Type": {"application/merge-patch+json"}},
			Body:   map[string]any{"name": "Errands", "color": "#a1b2c3"}}).want(t, http.StatusOK)
		var p httpapi.TagBody
		pr.decode(t, &p)
		if diff := cmp.Diff(httpapi.TagBody{Name: "Errands", Color: "#A1B2C3"}, p, ignoreServerSet); diff != "" {
			t.Fatalf("patched (-want +got):\n%s", diff)
		}
		if pr.Header.Get("ETag") == etag {
			t.Fatal("the ETag did not change with the tag")
		}
		e.do(t, request{Method: http.MethodPatch, Path: "/api/v1/tags/" + tag.ID, Token: alice.Token,
			Header: http.Header{"If-Match": {etag}}, Body: map[string]any{"name": "Stale"}}).wantProblem(t, http.StatusPreconditionFailed)
		e.do(t, request{Method: http.MethodDelete, Path: "/api/v1/tags/" + tag.ID, Token: alice.Token,
			Header: http.Header{"If-Match": {etag}}}).wantProblem(t, http.StatusPreconditionFailed)

		// Another user's tag does not exist for bob.
		e.get(t, "/api/v1/tags/"+tag.ID, bob.Token).wantProblem(t, http.StatusNotFound)
		e.do(t, request{Method: http.MethodPatch, Path: "/api/v1/tags/" + tag.ID, Token: bob.Token,
			Body: map[string]any{"name": "mine"}}).wantProblem(t, http.StatusNotFound)
		e.do(t, request{Method: http.MethodDelete, Path: "/api/v1/tags/" + tag.ID, Token: bob.Token}).wantProblem(t, http.StatusNotFound)
		var bobs page[httpapi.TagBody]
		e.get(t, "/api/v1/tags", bob.Token).want(t, http.StatusOK).decode(t, &bobs)
		if len(bobs.Items) != 0 {
			t.Errorf("bob lists %d tags", len(bobs.Items))
		}

		e.do(t, request{Method: http.MethodDelete, Path: "/api/v1/tags/" + tag.ID, Token: alice.Token,
			Header: http.Header{"If-Match": {pr.Header.Get("ETag")}}}).want(t, http.StatusNoContent)
		e.get(t, "/api/v1/tags/"+tag.ID, alice.Token).wantProblem(t, http.StatusNotFound)
	})
}

func TestTagValidation(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		alice := e.newUser(t, "alice")
		home := e.createTag(t, alice, "Home", "")
		e.createTag(t, alice, "Work", "")
		for _, tt := range []struct {
			name   string
			method string
			body   any
			status int
		}{
			{"name missing", "POST", map[string]any{"color": "#FFFFFF"}, 422},
			{"name blank", "POST", map[string]any{"name": "   "}, 422},
			{"name too long", "POST", map[string]any{"name": strings.Repeat("n", 51)}, 422},
			{"name of 50", "POST", map[string]any{"name": strings.Repeat("ü", 50)}, 201},
			{"color not hex", "POST", map[string]any{"name": "t1", "color": "#GGGGGG"}, 422},
			{"duplicate name", "POST", map[string]any{"name": "Work"}, 409},
			{"duplicate name in other case", "POST", map[string]any{"name": "wORK"}, 409},
			{"unknown field", "POST", map[string]any{"name": "t2", "user_id": alice.User.ID}, 422},
			{"rename to a taken name", "PATCH", map[string]any{"name": "WORK"}, 409},
			{"rename to own name in other case", "PATCH", map[string]any{"name": "HOME"}, 200},
			{"patch null name", "PATCH", map[string]any{"name": nil}, 422},
		} {
			t.Run(tt.name, func(t *testing.T) {
				path := "/api/v1/tags"
				if tt.method == "PATCH" {
					path += "/" + home.ID
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
		e.createTag(t, e.newUser(t, "bob"), "work", "")
	})
}

func TestTagList(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		alice := e.newUser(t, "alice")
		var want []string
		for i := 0; i < 12; i++ {
			name := fmt.Sprintf("tag %02d", 11-i)
			if i%2 == 0 {
				name = strings.ToUpper(name)
			}
			e.createTag(t, alice, name, "")
			want = append(want, fmt.Sprintf("tag %02d", i))
		}
		var got []string
		q := url.Values{"limit": {"5"}}
		for pages := 0; pages < 10; pages++ {
			var p page[httpapi.TagBody]
			e.get(t, "/api/v1/tags?"+q.Encode(), alice.Token).want(t, http.StatusOK).decode(t, &p)
			for _, tag := range p.Items {
				got = append(got, strings.ToLower(tag.Name))
			}
			if p.NextCursor == nil {
				break
			}
			q.Set("cursor", *p.NextCursor)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("tags by name ignoring case (-want +got):\n%s", diff)
		}
		e.get(t, "/api/v1/tags?cursor=abc", alice.Token).wantProblem(t, http.StatusBadRequest)
	})
}

func TestTaskTags(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		alice, bob := e.newUser(t, "alice"), e.newUser(t, "bob")
		work, home := e.createTag(t, alice, "work", "#112233"), e.createTag(t, alice, "Home", "")
		bobs := e.createTag(t, bob, "bobs", "")

		task, etag := e.createTask(t, alice, map[string]any{"title": "t", "tag_ids": []string{work.ID, home.ID, work.ID}})
		if diff := cmp.Diff([]httpapi.TaskTagBody{{ID: home.ID, Name: "Home", Color: "#6B7280"}, {ID: work.ID, Name: "work", Color: "#112233"}}, task.Tags); diff != "" {
			t.Fatalf("tags of the new task, by name (-want +got):\n%s", diff)
		}
		untagged, _ := e.createTask(t, alice, map[string]any{"title": "u"})
		if untagged.Tags == nil || len(untagged.Tags) != 0 {
			t.Errorf("a task without tags shows %v, want []", untagged.Tags)
		}

		// Another user's tag, or none at all, is a 422 naming the field;
		// nothing is created or changed.
		for _, body := range []map[string]any{
			{"title": "x", "tag_ids": []string{bobs.ID}},
			{"title": "x", "tag_ids": []string{work.ID, "0190a0a0-0000-7000-8000-000000000000"}},
		} {
			p := e.do(t, request{Method: http.MethodPost, Path: "/api/v1/tasks", Token: alice.Token, Body: body}).wantProblem(t, http.StatusUnprocessableEntity)
			if len(p.Errors) != 1 || p.Errors[0].Location != "body.tag_ids" {
				t.Errorf("problem %+v, want one error at body.tag_ids", p)
			}
		}
		p := e.do(t, request{Method: http.MethodPatch, Path: "/api/v1/tasks/" + task.ID, Token: alice.Token,
			Body: map[string]any{"tag_ids": []string{home.ID, bobs.ID}}}).wantProblem(t, http.StatusUnprocessableEntity)
		if len(p.Errors) != 1 || p.Errors[0].Location != "body.tag_ids" {
			t.Errorf("problem %+v, want one error at body.tag_ids", p)
		}
		tooMany := make([]string, 51)
		for i := range tooMany {
			tooMany[i] = work.ID
		}
		e.do(t, request{Method: http.MethodPatch, Path: "/api/v1/tasks/" + task.ID, Token: alice.Token,
			Body: map[string]any{"tag_ids": tooMany}}).wantProblem(t, http.StatusUnprocessableEntity)
		var got httpapi.TaskBody
		g := e.get(t, "/api/v1/tasks/"+task.ID, alice.Token).want(t, http.StatusOK)
		g.decode(t, &got)
		if g.Header.Get("ETag") != etag || len(got.Tags) != 2 {
			t.Fatalf("a refused patch changed the task: tags %v", tagNames(got))
		}

		// A patch replaces the set; the same set is no change.
		patch := func(tagIDs any) (httpapi.TaskBody, string) {
			var out httpapi.TaskBody
			r := e.do(t, request{Method: http.MethodPatch, Path: "/api/v1/tasks/" + task.ID, Token: alice.Token,
				Body: map[string]any{"tag_ids": tagIDs}}).want(t, http.StatusOK)
			r.decode(t, &out)
			return out, r.Header.Get("ETag")
		}
		if _, same := patch([]string{work.ID, home.ID}); same != etag {
			t.Error("the same set of tags changed the ETag")
		}
		got, etag2 := patch([]string{work.ID})
		if diff := cmp.Diff([]string{"work"}, tagNames(got)); diff != "" || etag2 == etag {
			t.Errorf("after replacing the set (-want +got):\n%s; ETag changed: %v", diff, etag2 != etag)
		}
		if got, _ = patch(nil); len(got.Tags) != 0 {
			t.Errorf("null left tags %v", tagNames(got))
		}
		patch([]string{work.ID, home.ID})

		// Renaming a tag shows in its tasks, and in their ETags, but an
		// If-Match from before still holds (the task's version stays);
		// deleting it takes it off them, with a new version.
		beforeRename := e.get(t, "/api/v1/tasks/"+task.ID, alice.Token).want(t, http.StatusOK).Header.Get("ETag")
		e.do(t, request{Method: http.MethodPatch, Path: "/api/v1/tags/" + work.ID, Token: alice.Token,
			Body: map[string]any{"name": "Office"}}).want(t, http.StatusOK)
		g = e.get(t, "/api/v1/tasks/"+task.ID, alice.Token).want(t, http.StatusOK)
		g.decode(t, &got)
		if diff := cmp.Diff([]string{"Home", "Office"}, tagNames(got)); diff != "" || g.Header.Get("ETag") == beforeRename {
			t.Errorf("after a rename (-want +got):\n%s; ETag changed: %v", diff, g.Header.Get("ETag") != beforeRename)
		}
		e.do(t, request{Method: http.MethodPatch, Path: "/api/v1/tasks/" + task.ID, Token: alice.Token,
			Header: http.Header{"If-Match": {beforeRename}}, Body: map[string]any{"title": "t"}}).want(t, http.StatusOK)
		before := g.Header.Get("ETag")
		e.do(t, request{Method: http.MethodDelete, Path: "/api/v1/tags/" + home.ID, Token: alice.Token}).want(t, http.StatusNoContent)
		g = e.get(t, "/api/v1/tasks/"+task.ID, alice.Token).want(t, http.StatusOK)
		g.decode(t, &got)
		if diff := cmp.Diff([]string{"Office"}, tagNames(got)); diff != "" || g.Header.Get("ETag") == before {
			t.Errorf("after deleting a tag (-want +got):\n%s; ETag changed: %v", diff, g.Header.Get("ETag") != before)
		}

		// A tag is per task: a subtask neither takes nor gives its parent's.
		sub, _ := e.createTask(t, alice, map[string]any{"title": "sub", "parent_id": task.ID})
		if len(sub.Tags) != 0 {
			t.Errorf("a new subtask has its parent's tags %v", tagNames(sub))
		}
		var subs page[httpapi.TaskBody]
		e.do(t, request{Method: http.MethodPatch, Path: "/api/v1/tasks/" + sub.ID, Token: alice.Token,
			Body: map[string]any{"tag_ids": []string{work.ID}}}).want(t, http.StatusOK)
		e.get(t, "/api/v1/tasks/"+task.ID+"/subtasks", alice.Token).want(t, http.StatusOK).decode(t, &subs)
		if len(subs.Items) != 1 || fmt.Sprint(tagNames(subs.Items[0])) != "[Office]" {
			t.Errorf("subtasks list %+v", subs.Items)
		}

		// Quick add takes @name for an existing tag; an unknown one stays.
		var quick httpapi.QuickTaskBody
		e.do(t, request{Method: http.MethodPost, Path: "/api/v1/tasks/quick", Token: alice.Token,
			Body: map[string]any{"text": "Call Ana @office @nobody"}}).want(t, http.StatusCreated).decode(t, &quick)
		if quick.Task == nil || quick.Title != "Call Ana @nobody" || fmt.Sprint(tagNames(*quick.Task)) != "[Office]" ||
			fmt.Sprint(quick.TagIDs) != "["+work.ID+"]" {
			t.Errorf("quick add: %+v", quick)
		}
	})
}
