package httpapi_test

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/taskapi/taskapi"
	"github.com/taskapi/taskapi/internal/httpapi"
)

// bulk posts a bulk request and returns its answer.
func (e *env) bulk(t testing.TB, u testUser, body map[string]any, status int) httpapi.BulkBody {
	t.Helper()
	var out httpapi.BulkBody
	r := e.do(t, request{Method: http.MethodPost, Path: "/api/v1/tasks/bulk", Token: u.Token, Body: body})
	if status >= 400 {
		r.wantProblem(t, status)
		return out
	}
	r.want(t, status).decode(t, &out)
	return out
}

// Tag filters page through the same keyset walk as every list: whatever
// the sort and page size, the pages of a filtered list are the unfiltered
// list with the others left out, none skipped, none repeated.
func TestTaskTagFilters(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		alice, bob := e.newUser(t, "alice"), e.newUser(t, "bob")
		a, b, c := e.createTag(t, alice, "a", ""), e.createTag(t, alice, "b", ""), e.createTag(t, alice, "c", "")
		base := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
		var seed []taskapi.Task
		for i := 0; i < 30; i++ {
			task := taskapi.Task{Title: "t", Priority: taskapi.Priorities()[i%4], CreatedAt: base.Add(time.Duration(i/3) * time.Minute)}
			if i%4 != 0 {
				due := base.Add(time.Duration(i%5) * time.Hour)
				task.DueDate = &due
			}
			seed = append(seed, task)
		}
		tasks := e.seedTasks(t, alice, seed)
		var withA, withB []string
		for i, task := range tasks {
			if i%2 == 0 {
				withA = append(withA, task.ID.String())
			}
			if i%3 == 0 {
				withB = append(withB, task.ID.String())
			}
		}
		e.bulk(t, alice, map[string]any{"ids": withA, "action": "add_tags", "tag_ids": []string{a.ID}}, http.StatusOK)
		e.bulk(t, alice, map[string]any{"ids": withB, "action": "add_tags", "tag_ids": []string{b.ID}}, http.StatusOK)
		has := func(task httpapi.TaskBody, id string) bool {
			return slices.ContainsFunc(task.Tags, func(g httpapi.TaskTagBody) bool { return g.ID == id })
		}
		for _, sort := range []string{"-created_at", "priority", "due_date", "-due_date"} {
			all := e.listAll(t, alice, "/api/v1/tasks", url.Values{"sort": {sort}}, 100)
			for _, tt := range []struct {
				query url.Values
				keep  func(httpapi.TaskBody) bool
			}{
				{url.Values{"tag": {a.ID}}, func(x httpapi.TaskBody) bool { return has(x, a.ID) }},
				{url.Values{"tag": {a.ID + "," + b.ID}}, func(x httpapi.TaskBody) bool { return has(x, a.ID) && has(x, b.ID) }},
				{url.Values{"tag": {a.ID, b.ID}}, func(x httpapi.TaskBody) bool { return has(x, a.ID) && has(x, b.ID) }},
				{url.Values{"any_tag": {a.ID + "," + b.ID}}, func(x httpapi.TaskBody) bool { return has(x, a.ID) || has(x, b.ID) }},
				{url.Values{"any_tag": {b.ID + "," + c.ID}, "priority": {"LOW,HIGH"}}, func(x httpapi.TaskBody) bool {
					return has(x, b.ID) && (x.Priority == "LOW" || x.Priority == "HIGH")
				}},
				{url.Values{"tag": {c.ID}}, func(httpapi.TaskBody) bool { return false }},
			} {
				var want []string
				for _, x := range all {
					if tt.keep(x) {
						want = append(want, x.ID)
					}
				}
				for _, limit := range []int{1, 4, 7} {
					q := url.Values{"sort": {sort}}
					for k, v := range tt.query {
						q[k] = v
					}
					got := ids(e.listAll(t, alice, "/api/v1/tasks", q, limit))
					if diff := cmp.Diff(want, got); diff != "" && (len(want) > 0 || len(got) > 0) {
						t.Errorf("sort %s, %v, limit %d (-want +got):\n%s", sort, tt.query, limit, diff)
					}
				}
			}
		}

		// Another user's tag is not found; a malformed one is a field error.
		bobs := e.createTag(t, bob, "bobs", "")
		e.get(t, "/api/v1/tasks?tag="+bobs.ID, alice.Token).wantProblem(t, http.StatusNotFound)
		e.get(t, "/api/v1/tasks?any_tag="+a.ID+","+bobs.ID, alice.Token).wantProblem(t, http.StatusNotFound)
		if p := e.get(t, "/api/v1/tasks?tag=nope", alice.Token).wantProblem(t, http.StatusUnprocessableEntity); len(p.Errors) == 0 ||
			!strings.HasPrefix(p.Errors[0].Location, "query.tag") {
			t.Errorf("problem %+v, want query.tag", p)
		}
		e.get(t, "/api/v1/tasks?tag="+a.ID, bob.Token).wantProblem(t, http.StatusNotFound)
		// A cursor belongs to its filter.
		var first page[httpapi.TaskBody]
		e.get(t, "/api/v1/tasks?limit=2&tag="+a.ID, alice.Token).want(t, http.StatusOK).decode(t, &first)
		e.get(t, "/api/v1/tasks?limit=2&tag="+b.ID+"&cursor="+url.QueryEscape(*first.NextCursor), alice.Token).wantProblem(t, http.StatusBadRequest)
	})
}

func TestBulkTags(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		alice, bob := e.newUser(t, "alice"), e.newUser(t, "bob")
		a, b := e.createTag(t, alice, "a", ""), e.createTag(t, alice, "b", "")
		bobsTag := e.createTag(t, bob, "x", "")
		bobsTask, _ := e.createTask(t, bob, map[string]any{"title": "bob's"})
		t1, _ := e.createTask(t, alice, map[string]any{"title": "1", "tag_ids": []string{a.ID}})
		t2, _ := e.createTask(t, alice, map[string]any{"title": "2"})
		sub, _ := e.createTask(t, alice, map[string]any{"title": "sub", "parent_id": t2.ID})
		etagOf := func(id string) string {
			return e.get(t, "/api/v1/tasks/"+id, alice.Token).want(t, http.StatusOK).Header.Get("ETag")
		}
		e1, e2 := etagOf(t1.ID), etagOf(t2.ID)

		// t1 has a already: only t2 changes.
		res := e.bulk(t, alice, map[string]any{"ids": []string{t1.ID, t2.ID}, "action": "add_tags", "tag_ids": []string{a.ID}}, http.StatusOK)
		if res.Action != "add_tags" || res.Count != 2 || len(res.Items) != 2 || res.Items[0].ID != t1.ID ||
			fmt.Sprint(tagNames(res.Items[1])) != "[a]" {
			t.Fatalf("bulk add: %+v", res)
		}
		if etagOf(t1.ID) != e1 || etagOf(t2.ID) == e2 {
			t.Error("versions: only the task whose tags changed gets a new one")
		}
		var s httpapi.TaskBody
		e.get(t, "/api/v1/tasks/"+sub.ID, alice.Token).want(t, http.StatusOK).decode(t, &s)
		if len(s.Tags) != 0 {
			t.Errorf("a subtask took its parent's bulk tags: %v", tagNames(s))
		}
		e.bulk(t, alice, map[string]any{"ids": []string{t1.ID, t2.ID}, "action": "add_tags", "tag_ids": []string{b.ID, a.ID}}, http.StatusOK)

		// All or nothing: a foreign task is 404, a foreign tag 422.
		e.bulk(t, alice, map[string]any{"ids": []string{t1.ID, bobsTask.ID}, "action": "remove_tags", "tag_ids": []string{a.ID}}, http.StatusNotFound)
		p := e.do(t, request{Method: http.MethodPost, Path: "/api/v1/tasks/bulk", Token: alice.Token, Body: map[string]any{
			"ids": []string{t1.ID}, "action": "add_tags", "tag_ids": []string{bobsTag.ID}}}).wantProblem(t, http.StatusUnprocessableEntity)
		if len(p.Errors) != 1 || p.Errors[0].Location != "body.tag_ids" {
			t.Errorf("problem %+v, want body.tag_ids", p)
		}
		for _, body := range []map[string]any{
			{"ids": []string{t1.ID}, "action": "add_tags"},
			{"ids": []string{t1.ID}, "action": "remove_tags", "tag_ids": []string{}},
			{"ids": []string{t1.ID}, "action": "update", "changes": map[string]any{"priority": "LOW"}, "tag_ids": []string{a.ID}},
			{"ids": []string{t1.ID}, "action": "add_tags", "tag_ids": []string{a.ID}, "changes": map[string]any{"priority": "LOW"}},
		} {
			e.bulk(t, alice, body, http.StatusUnprocessableEntity)
		}
		e.get(t, "/api/v1/tasks/"+t1.ID, alice.Token).want(t, http.StatusOK).decode(t, &s)
		if fmt.Sprint(tagNames(s)) != "[a b]" {
			t.Fatalf("a refused bulk changed tags: %v", tagNames(s))
		}

		res = e.bulk(t, alice, map[string]any{"ids": []string{t2.ID, t1.ID}, "action": "remove_tags", "tag_ids": []string{a.ID}}, http.StatusOK)
		for _, it := range res.Items {
			if fmt.Sprint(tagNames(it)) != "[b]" {
				t.Errorf("after remove_tags %s has %v", it.Title, tagNames(it))
			}
		}
	})
}
