package httpapi_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/taskapi/taskapi/internal/httpapi"
)

// subtask makes a task under parent (nil: top level).
func (e *env) subtask(t testing.TB, u testUser, title string, parent *httpapi.TaskBody, more ...map[string]any) httpapi.TaskBody {
	t.Helper()
	task, _ := e.subtaskETag(t, u, title, parent, more...)
	return task
}

// subtaskETag is subtask, with the new task's ETag.
func (e *env) subtaskETag(t testing.TB, u testUser, title string, parent *httpapi.TaskBody, more ...map[string]any) (httpapi.TaskBody, string) {
	t.Helper()
	body := map[string]any{"title": title}
	if parent != nil {
		body["parent_id"] = parent.ID
	}
	for _, m := range more {
		for k, v := range m {
			body[k] = v
		}
	}
	return e.createTask(t, u, body)
}

func (e *env) task(t testing.TB, u testUser, id string) (httpapi.TaskBody, string) {
	t.Helper()
	var task httpapi.TaskBody
	r := e.get(t, "/api/v1/tasks/"+id, u.Token).want(t, http.StatusOK)
	r.decode(t, &task)
	return task, r.Header.Get("ETag")
}

func (e *env) patchTask(t testing.TB, u testUser, id string, body map[string]any) *response {
	t.Helper()
	return e.do(t, request{Method: http.MethodPatch, Path: "/api/v1/tasks/" + id, Token: u.Token, Body: body})
}

// wantField checks a 422 that names field.
func wantField(t testing.TB, r *response, field string) {
	t.Helper()
	p := r.wantProblem(t, http.StatusUnprocessableEntity)
	for _, e := range p.Errors {
		if e.Location == field {
			return
		}
	}
	t.Fatalf("422 does not name %s: %s", field, r.Body)
}

// Trees: a parent must be the caller's task, trees are at most 4 levels
// deep, a task can be neither its own parent nor its subtask's child, and
// null makes a task top-level again. Bad input changes nothing.
func TestSubtaskParentRules(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		u, other := e.newUser(t, "treeowner"), e.newUser(t, "stranger")
		a := e.subtask(t, u, "A", nil)
		b := e.subtask(t, u, "B", &a)
		c := e.subtask(t, u, "C", &b)
		d := e.subtask(t, u, "D", &c) // level 4
		if b.ParentID == nil || *b.ParentID != a.ID || a.ParentID != nil || b.Position <= 0 || a.Position != 0 {
			t.Fatalf("parent/position: a=%+v b=%+v", a, b)
		}
		r := e.post(t, "/api/v1/tasks", u.Token, map[string]any{"title": "E", "parent_id": d.ID})
		wantField(t, r, "body.parent_id")

		theirs := e.subtask(t, other, "theirs", nil)
		wantField(t, e.post(t, "/api/v1/tasks", u.Token, map[string]any{"title": "x", "parent_id": theirs.ID}), "body.parent_id")
		wantField(t, e.post(t, "/api/v1/tasks", u.Token, map[string]any{"title": "x", "parent_id": "0190a0b0-0000-7000-8000-000000000000"}), "body.parent_id")
		wantField(t, e.patchTask(t, u, a.ID, map[string]any{"parent_id": theirs.ID}), "body.parent_id")

		// Cycles: self, A→B→A, and deeper.
		wantField(t, e.patchTask(t, u, a.ID, map[string]any{"parent_id": a.ID}), "body.parent_id")
		wantField(t, e.patchTask(t, u, a.ID, map[string]any{"parent_id": b.ID}), "body.parent_id")
		wantField(t, e.patchTask(t, u, a.ID, map[string]any{"parent_id": d.ID}), "body.parent_id")
		wantField(t, e.patchTask(t, u, b.ID, map[string]any{"parent_id": c.ID}), "body.parent_id")
		// Too deep once moved: B's subtree (B, C, D) is 3 levels; under a
		// level-2 task it would reach level 5.
		x := e.subtask(t, u, "X", nil)
		y := e.subtask(t, u, "Y", &x)
		wantField(t, e.patchTask(t, u, b.ID, map[string]any{"parent_id": y.ID}), "body.parent_id")
		if got, _ := e.task(t, u, b.ID); got.ParentID == nil || *got.ParentID != a.ID || got.UpdatedAt != b.UpdatedAt {
			t.Fatalf("refused moves changed B: %+v", got)
		}
		// Under a top-level task it fits (levels 2–4).
		var moved httpapi.TaskBody
		e.patchTask(t, u, b.ID, map[string]any{"parent_id": x.ID}).want(t, http.StatusOK).decode(t, &moved)
		if moved.ParentID == nil || *moved.ParentID != x.ID || moved.Position <= y.Position {
			t.Fatalf("moved B: %+v (Y at %d)", moved, y.Position)
		}
		// null: top-level again, position 0; its subtree comes along.
		e.patchTask(t, u, b.ID, map[string]any{"parent_id": nil}).want(t, http.StatusOK).decode(t, &moved)
		if moved.ParentID != nil || moved.Position != 0 || moved.SubtaskCount != 1 {
			t.Fatalf("top-level B: %+v", moved)
		}
		if got, _ := e.task(t, u, a.ID); got.SubtaskCount != 0 {
			t.Fatalf("A keeps %d subtasks", got.SubtaskCount)
		}
		// Another user's subtree is not found through the subtasks list.
		e.get(t, "/api/v1/tasks/"+b.ID+"/subtasks", other.Token).wantProblem(t, http.StatusNotFound)
	})
}

// Counts are of direct subtasks, in every list and answer, with no query
// per task; the list answers them at the same cost as before.
func TestSubtaskCounts(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		u := e.newUser(t, "counter")
		p := e.subtask(t, u, "parent", nil)
		kids := []httpapi.TaskBody{e.subtask(t, u, "k1", &p), e.subtask(t, u, "k2", &p), e.subtask(t, u, "k3", &p)}
		e.subtask(t, u, "grandchild", &kids[0])
		e.patchTask(t, u, kids[1].ID, map[string]any{"status": "COMPLETED"}).want(t, http.StatusOK)
		got, _ := e.task(t, u, p.ID)
		if got.SubtaskCount != 3 || got.CompletedSubtaskCount != 1 {
			t.Fatalf("counts %d/%d, want 1/3", got.CompletedSubtaskCount, got.SubtaskCount)
		}
		all := e.listAll(t, u, "/api/v1/tasks", url.Values{"top_level": {"true"}}, 5)
		if len(all) != 1 || all[0].SubtaskCount != 3 || all[0].CompletedSubtaskCount != 1 {
			t.Fatalf("top-level list: %+v", all)
		}
	})
}

// Completing a parent completes its open subtasks, all levels, in the same
// transaction: each gets a new version; ARCHIVED and COMPLETED ones stay
// as they were. Through PATCH and through bulk.
func TestSubtaskCompleteCascade(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		u := e.newUser(t, "finisher")
		for _, via := range []string{"patch", "bulk"} {
			p := e.subtask(t, u, "parent "+via, nil)
			todo, todoETag := e.subtaskETag(t, u, "todo", &p)
			doing := e.subtask(t, u, "doing", &p, map[string]any{"status": "IN_PROGRESS"})
			archived := e.subtask(t, u, "archived", &p, map[string]any{"status": "ARCHIVED"})
			done := e.subtask(t, u, "done", &p, map[string]any{"status": "COMPLETED"})
			deep := e.subtask(t, u, "deep", &todo)
			deeper := e.subtask(t, u, "deeper", &deep)
			e.Clock.Advance(time.Second)
			var parent httpapi.TaskBody
			if via == "patch" {
				e.patchTask(t, u, p.ID, map[string]any{"status": "COMPLETED"}).want(t, http.StatusOK).decode(t, &parent)
			} else {
				var res httpapi.BulkBody
				e.post(t, "/api/v1/tasks/bulk", u.Token, map[string]any{"ids": []string{p.ID}, "action": "update",
					"changes": map[string]any{"status": "COMPLETED"}}).want(t, http.StatusOK).decode(t, &res)
				parent = res.Items[0]
			}
			if parent.SubtaskCount != 4 || parent.CompletedSubtaskCount != 3 {
				t.Fatalf("%s: answer counts %d/%d, want 3/4", via, parent.CompletedSubtaskCount, parent.SubtaskCount)
			}
			for _, c := range []struct {
				before httpapi.TaskBody
				status string
				bumped bool
			}{{todo, "COMPLETED", true}, {doing, "COMPLETED", true}, {deep, "COMPLETED", true}, {deeper, "COMPLETED", true},
				{archived, "ARCHIVED", false}, {done, "COMPLETED", false}} {
				got, _ := e.task(t, u, c.before.ID)
				if got.Status != c.status {
					t.Errorf("%s: %s is %s, want %s", via, c.before.Title, got.Status, c.status)
				}
				if bumped := !got.UpdatedAt.Equal(c.before.UpdatedAt); bumped != c.bumped {
					t.Errorf("%s: %s changed %v, want %v", via, c.before.Title, bumped, c.bumped)
				}
				if c.bumped && (got.CompletedAt == nil || !got.CompletedAt.Equal(*parent.CompletedAt)) {
					t.Errorf("%s: %s completed_at %v, want the parent's %v", via, c.before.Title, got.CompletedAt, parent.CompletedAt)
				}
			}
			// The old ETag of a cascaded subtask no longer matches.
			e.do(t, request{Method: http.MethodPatch, Path: "/api/v1/tasks/" + todo.ID, Token: u.Token,
				Header: http.Header{"If-Match": {todoETag}}, Body: map[string]any{"title": "late"}}).
				wantProblem(t, http.StatusPreconditionFailed)
			if got, _ := e.task(t, u, done.ID); !got.CompletedAt.Equal(*done.CompletedAt) {
				t.Errorf("%s: an already completed subtask's completed_at moved", via)
			}
		}
	})
}

// The cascade and a concurrent writer of a subtask: no update is lost and
// the subtask ends completed with a version that counts every write.
func TestSubtaskCompleteCascadeConcurrentWriter(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		u := e.newUser(t, "racer")
		for round := range 4 {
			p := e.subtask(t, u, "parent "+strconv.Itoa(round), nil)
			kid := e.subtask(t, u, "kid", &p)
			const writers = 4
			rs := e.race(t, writers+1, func(i int) request {
				if i == 0 {
					return request{Method: http.MethodPatch, Path: "/api/v1/tasks/" + p.ID, Token: u.Token,
						Body: map[string]any{"status": "COMPLETED"}}
				}
				return request{Method: http.MethodPatch, Path: "/api/v1/tasks/" + kid.ID, Token: u.Token,
					Body: map[string]any{"priority": []string{"LOW", "HIGH"}[i%2], "description": "writer " + strconv.Itoa(i)}}
			})
			if diff := cmp.Diff(map[int]int{http.StatusOK: writers + 1}, statusCounts(rs)); diff != "" {
				t.Fatalf("statuses (-want +got):\n%s", diff)
			}
			var v int64
			if err := e.Store.DB().QueryRowContext(context.Background(), `SELECT version FROM tasks WHERE id = $1`, mustUUID(t, kid.ID)).Scan(&v); err != nil {
				t.Fatal(err)
			}
			got, _ := e.task(t, u, kid.ID)
			// Each writer changed the description, so each bumped it once,
			// and the cascade once, unless a writer reopened it... none do.
			if got.Status != "COMPLETED" || v != 1+writers+1 {
				t.Fatalf("round %d: subtask %s version %d, want COMPLETED and %d", round, got.Status, v, 2+writers)
			}
		}
	})
}

// Deleting a parent deletes its subtree and every comment in it; category
// counts follow.
func TestSubtaskDeleteCascade(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		u := e.newUser(t, "deleter")
		cat := e.createCategory(t, u, "Home")
		for _, via := range []string{"delete", "bulk"} {
			p := e.subtask(t, u, "parent", nil, map[string]any{"category_id": cat.ID})
			kid := e.subtask(t, u, "kid", &p)
			grand := e.subtask(t, u, "grand", &kid)
			keep := e.subtask(t, u, "keep", nil)
			if kid.CategoryID == nil || *kid.CategoryID != cat.ID {
				t.Fatalf("a subtask without category_id takes its parent's: %+v", kid)
			}
			for _, id := range []string{p.ID, kid.ID, grand.ID} {
				e.post(t, "/api/v1/tasks/"+id+"/comments", u.Token, map[string]any{"body": "note"}).want(t, http.StatusCreated)
			}
			if via == "delete" {
				e.do(t, request{Method: http.MethodDelete, Path: "/api/v1/tasks/" + p.ID, Token: u.Token}).want(t, http.StatusNoContent)
			} else {
				// Naming a subtask with its parent is fine: it goes once.
				e.post(t, "/api/v1/tasks/bulk", u.Token, map[string]any{"ids": []string{kid.ID, p.ID}, "action": "delete"}).want(t, http.StatusOK)
			}
			for _, id := range []string{p.ID, kid.ID, grand.ID} {
				e.get(t, "/api/v1/tasks/"+id, u.Token).wantProblem(t, http.StatusNotFound)
			}
			e.get(t, "/api/v1/tasks/"+keep.ID, u.Token).want(t, http.StatusOK)
			if n := e.count(t, `SELECT count(*) FROM comments`); n != 0 {
				t.Fatalf("%s: %d comments left", via, n)
			}
			var c httpapi.CategoryBody
			e.get(t, "/api/v1/categories/"+cat.ID, u.Token).want(t, http.StatusOK).decode(t, &c)
			if c.TaskCount != 0 {
				t.Fatalf("%s: category counts %d tasks", via, c.TaskCount)
			}
			e.do(t, request{Method: http.MethodDelete, Path: "/api/v1/tasks/" + keep.ID, Token: u.Token}).want(t, http.StatusNoContent)
		}
	})
}

func (e *env) count(t testing.TB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := e.Store.DB().QueryRowContext(context.Background(), query, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// Moving a parent to another category moves its subtree; category counts
// follow. Through PATCH and bulk.
func TestSubtaskCategoryCascade(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		u := e.newUser(t, "mover")
		home, work := e.createCategory(t, u, "Home"), e.createCategory(t, u, "Work")
		p := e.subtask(t, u, "parent", nil, map[string]any{"category_id": home.ID})
		kid := e.subtask(t, u, "kid", &p)
		grand := e.subtask(t, u, "grand", &kid)
		e.patchTask(t, u, p.ID, map[string]any{"category_id": work.ID}).want(t, http.StatusOK)
		wantCategory := func(want *string, counts map[string]int64) {
			t.Helper()
			for _, id := range []string{p.ID, kid.ID, grand.ID} {
				got, _ := e.task(t, u, id)
				if !cmp.Equal(got.CategoryID, want) {
					t.Fatalf("task %s in %v, want %v", got.Title, got.CategoryID, want)
				}
			}
			for id, n := range counts {
				var c httpapi.CategoryBody
				e.get(t, "/api/v1/categories/"+id, u.Token).want(t, http.StatusOK).decode(t, &c)
				if c.TaskCount != n {
					t.Fatalf("category %s counts %d, want %d", c.Name, c.TaskCount, n)
				}
			}
		}
		wantCategory(&work.ID, map[string]int64{home.ID: 0, work.ID: 3})
		e.post(t, "/api/v1/tasks/bulk", u.Token, map[string]any{"ids": []string{p.ID}, "action": "update",
			"changes": map[string]any{"category_id": home.ID}}).want(t, http.StatusOK)
		wantCategory(&home.ID, map[string]int64{home.ID: 3, work.ID: 0})
		e.patchTask(t, u, p.ID, map[string]any{"category_id": nil}).want(t, http.StatusOK)
		wantCategory(nil, map[string]int64{home.ID: 0})
	})
}

// The subtasks list pages by position; parent_id and top_level filter
// task lists with the usual keyset guarantees.
func TestSubtaskListsAndFilters(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		u, other := e.newUser(t, "lister"), e.newUser(t, "peeker")
		p := e.subtask(t, u, "parent", nil)
		var want, tops []string
		tops = append(tops, p.ID)
		for i := range 23 {
			want = append(want, e.subtask(t, u, "kid "+strconv.Itoa(i), &p).ID)
			if i%3 == 0 {
				tops = append(tops, e.subtask(t, u, "top "+strconv.Itoa(i), nil).ID)
			}
		}
		e.subtask(t, u, "grandchild", &httpapi.TaskBody{ID: want[0]})
		if got := ids(e.listAll(t, u, "/api/v1/tasks/"+p.ID+"/subtasks", nil, 5)); !cmp.Equal(got, want) {
			t.Fatalf("subtasks (-want +got):\n%s", cmp.Diff(want, got))
		}
		got := ids(e.listAll(t, u, "/api/v1/tasks", url.Values{"parent_id": {p.ID}, "sort": {"title"}}, 4))
		if !cmp.Equal(sorted(got), sorted(want)) {
			t.Fatalf("parent_id filter (-want +got):\n%s", cmp.Diff(sorted(want), sorted(got)))
		}
		got = ids(e.listAll(t, u, "/api/v1/tasks", url.Values{"top_level": {"true"}}, 3))
		slices.Reverse(tops) // newest first
		if !cmp.Equal(got, tops) {
			t.Fatalf("top_level (-want +got):\n%s", cmp.Diff(tops, got))
		}
		if n := len(e.listAll(t, u, "/api/v1/tasks", nil, 50)); n != len(want)+len(tops)+1 {
			t.Fatalf("unfiltered list has %d tasks", n)
		}
		wantField(t, e.get(t, "/api/v1/tasks?top_level=true&parent_id="+p.ID, u.Token), "query.top_level")
		e.get(t, "/api/v1/tasks?parent_id="+p.ID, other.Token).wantProblem(t, http.StatusNotFound)
		e.get(t, "/api/v1/tasks/"+p.ID+"/subtasks", other.Token).wantProblem(t, http.StatusNotFound)
		// A cursor of one parent's list does not continue another's.
		var pg page[httpapi.TaskBody]
		e.get(t, "/api/v1/tasks/"+p.ID+"/subtasks?limit=2", u.Token).want(t, http.StatusOK).decode(t, &pg)
		e.get(t, "/api/v1/tasks/"+want[0]+"/subtasks?cursor="+*pg.NextCursor, u.Token).wantProblem(t, http.StatusBadRequest)
	})
}

func sorted(s []string) []string { s = slices.Clone(s); slices.Sort(s); return s }

// Reordering: before/after a sibling, a no-op when already there, many
// moves into one gap (the siblings are then renumbered), If-Match, and
// the refusals.
func TestSubtaskMove(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		u := e.newUser(t, "sorter")
		p := e.subtask(t, u, "parent", nil)
		var order []string
		titles, etags := map[string]string{}, map[string]string{}
		for i := range 5 {
			k, etag := e.subtaskETag(t, u, "k"+strconv.Itoa(i), &p)
			order = append(order, k.ID)
			titles[k.ID], etags[k.ID] = k.Title, etag
		}
		move := func(id, where, sibling string) *response {
			return e.post(t, "/api/v1/tasks/"+id+"/move", u.Token, map[string]any{where: sibling})
		}
		apply := func(id, where, sibling string) {
			t.Helper()
			move(id, where, sibling).want(t, http.StatusOK)
			order = slices.DeleteFunc(order, func(s string) bool { return s == id })
			i := slices.Index(order, sibling)
			if where == "after" {
				i++
			}
			order = slices.Insert(order, i, id)
			got := ids(e.listAll(t, u, "/api/v1/tasks/"+p.ID+"/subtasks", nil, 100))
			if !cmp.Equal(got, order) {
				t.Fatalf("after %s %s %s (-want +got):\n%s", titles[id], where, titles[sibling], cmp.Diff(order, got))
			}
		}
		apply(order[4], "before", order[0])
		apply(order[0], "after", order[2])
		apply(order[1], "after", order[4])
		// Squeeze into one spot until the gap is used up and beyond.
		for i := range 30 {
			a, b := order[1], order[2]
			if i%2 == 0 {
				apply(order[3], "after", a)
			} else {
				apply(order[3], "before", b)
			}
		}
		// Already in place: nothing changes.
		before, _ := e.task(t, u, order[1])
		var same httpapi.TaskBody
		move(order[1], "after", order[0]).want(t, http.StatusOK).decode(t, &same)
		if same.UpdatedAt != before.UpdatedAt || same.Position != before.Position {
			t.Fatalf("a move to where the task is changed it")
		}
		// If-Match: a stale ETag is 412, the current one moves.
		mover := order[2] // moved by the squeeze
		stale := etags[mover]
		_, fresh := e.task(t, u, mover)
		if stale == fresh {
			t.Fatal("moves did not change the ETag")
		}
		e.do(t, request{Method: http.MethodPost, Path: "/api/v1/tasks/" + mover + "/move", Token: u.Token,
			Header: http.Header{"If-Match": {stale}}, Body: map[string]any{"before": order[0]}}).
			wantProblem(t, http.StatusPreconditionFailed)
		e.do(t, request{Method: http.MethodPost, Path: "/api/v1/tasks/" + mover + "/move", Token: u.Token,
			Header: http.Header{"If-Match": {fresh}}, Body: map[string]any{"before": order[0]}}).want(t, http.StatusOK)
		order = append([]string{mover}, slices.DeleteFunc(order, func(s string) bool { return s == mover })...)
		// Refusals.
		other := e.subtask(t, u, "elsewhere", nil)
		cousin := e.subtask(t, u, "cousin", &other)
		wantField(t, move(order[0], "before", cousin.ID), "body.before")
		wantField(t, move(order[0], "after", order[0]), "body.after")
		wantField(t, move(p.ID, "before", other.ID), "body.before")
		wantField(t, e.post(t, "/api/v1/tasks/"+order[0]+"/move", u.Token, map[string]any{}), "body.before")
		wantField(t, e.post(t, "/api/v1/tasks/"+order[0]+"/move", u.Token, map[string]any{"before": order[1], "after": order[2]}), "body.before")
	})
}
