package httpapi_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/taskapi/taskapi"
	"github.com/taskapi/taskapi/internal/httpapi"
)

// changeJSON is an entry of the feed as a client reads it.
type changeJSON struct {
	Seq   int64           `json:"seq"`
	Type  string          `json:"type"`
	Op    string          `json:"op"`
	ID    string          `json:"id"`
	ETag  *string         `json:"etag"`
	Data  json.RawMessage `json:"data"`
	Actor *struct {
		Kind string  `json:"kind"`
		Name *string `json:"name"`
	} `json:"actor"`
}

type changesJSON struct {
	Changes    []changeJSON `json:"changes"`
	NextCursor string       `json:"next_cursor"`
	HasMore    bool         `json:"has_more"`
}

// sync follows the feed from cursor until has_more is false, limit
// entities at a time, and returns what it read and where it ended.
func (e *env) sync(t testing.TB, token, cursor, types string, limit int) ([]changeJSON, string) {
	t.Helper()
	var all []changeJSON
	for range 100 {
		q := url.Values{"limit": {strconv.Itoa(limit)}}
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		if types != "" {
			q.Set("types", types)
		}
		var page changesJSON
		e.get(t, "/api/v1/changes?"+q.Encode(), token).want(t, http.StatusOK).decode(t, &page)
		all, cursor = append(all, page.Changes...), page.NextCursor
		if !page.HasMore {
			return all, cursor
		}
	}
	t.Fatal("the feed never ended")
	return nil, ""
}

// short is an entry as the tests compare it: type, op, and the entity.
func short(cs []changeJSON, names map[string]string) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.Type + " " + c.Op + " " + names[c.ID]
	}
	return out
}

// A full sync pages through everything, then the cursor gives only what
// changed since: each entity once with its latest state, deletes as
// tombstones, the token that made a change named.
func TestChangesSync(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		alice, bob := e.newUser(t, "alice"), e.newUser(t, "bob")
		cat := e.createCategory(t, alice, "Work")
		t1, _ := e.createTask(t, alice, map[string]any{"title": "one", "category_id": cat.ID})
		t2, _ := e.createTask(t, alice, map[string]any{"title": "two"})
		var note httpapi.CommentBody
		e.post(t, "/api/v1/tasks/"+t1.ID+"/comments", alice.Token, map[string]any{"body": "hi"}).want(t, http.StatusCreated).decode(t, &note)
		e.createTask(t, bob, map[string]any{"title": "bob's"})
		names := map[string]string{cat.ID: "Work", t1.ID: "one", t2.ID: "two", note.ID: "note"}

		full, cursor := e.sync(t, alice.Token, "", "", 2)
		if diff := cmp.Diff([]string{"category upsert Work", "task upsert one", "task upsert two", "comment upsert note"}, short(full, names)); diff != "" {
			t.Fatalf("full sync (-want +got):\n%s", diff)
		}
		var one httpapi.TaskBody
		if err := json.Unmarshal(full[1].Data, &one); err != nil || one.Title != "one" || full[1].ETag == nil || full[1].Actor != nil {
			t.Errorf("snapshot entry %+v", full[1])
		}
		if again, _ := e.sync(t, alice.Token, cursor, "", 10); len(again) != 0 {
			t.Errorf("nothing changed, yet %v", short(again, names))
		}

		// Changes: t1 twice, t2 deleted, a task made by a token, the
		// comment deleted.
		for _, p := range []string{"HIGH", "URGENT"} {
			e.do(t, request{Method: http.MethodPatch, Path: "/api/v1/tasks/" + t1.ID, Token: alice.Token,
				Body: map[string]any{"priority": p}}).want(t, http.StatusOK)
		}
		e.do(t, request{Method: http.MethodDelete, Path: "/api/v1/tasks/" + t2.ID, Token: alice.Token}).want(t, http.StatusNoContent)
		tok := e.newToken(t, alice.Token, "phone sync", taskapi.ScopeTasksWrite)
		t3, _ := e.createTask(t, testUser{Token: tok.Token}, map[string]any{"title": "three"})
		names[t3.ID] = "three"
		e.do(t, request{Method: http.MethodDelete, Path: "/api/v1/tasks/" + t1.ID + "/comments/" + note.ID, Token: alice.Token}).
			want(t, http.StatusNoContent)

		// t1 comes last: the comment's deletion changed its comment_count
		// (and so its ETag), recorded with the comment's.
		delta, end := e.sync(t, alice.Token, cursor, "", 10)
		if diff := cmp.Diff([]string{"task delete two", "task upsert three", "comment delete note", "task upsert one"}, short(delta, names)); diff != "" {
			t.Fatalf("changes (-want +got):\n%s", diff)
		}
		if err := json.Unmarshal(delta[3].Data, &one); err != nil || one.Priority != "URGENT" || one.CommentCount != 0 {
			t.Errorf("t1 as now: %s", delta[3].Data)
		}
		if now := e.get(t, "/api/v1/tasks/"+t1.ID, alice.Token).want(t, http.StatusOK); delta[3].ETag == nil || *delta[3].ETag != now.Header.Get("ETag") {
			t.Errorf("t1's ETag in the feed %v, GET answers %s", delta[3].ETag, now.Header.Get("ETag"))
		}
		if delta[0].ETag != nil || string(delta[0].Data) != "null" {
			t.Errorf("tombstone %+v", delta[0])
		}
		if a := delta[1].Actor; a == nil || a.Kind != "token" || a.Name == nil || *a.Name != "phone sync" {
			t.Errorf("actor of the token's task: %+v", a)
		}
		if a := delta[3].Actor; a == nil || a.Kind != "session" {
			t.Errorf("actor of the session's comment deletion: %+v", a)
		}
		// The token follows the feed too, and its own page may be small.
		tokFull, _ := e.sync(t, tok.Token, "", "", 1)
		if diff := cmp.Diff([]string{"task upsert one", "task upsert three"}, short(tokFull, names)); diff != "" {
			t.Errorf("a token without categories:read (-want +got):\n%s", diff)
		}

		// Cursors are the caller's own, for the types they were made for.
		e.get(t, "/api/v1/changes?cursor="+end, bob.Token).wantProblem(t, http.StatusBadRequest)
		e.get(t, "/api/v1/changes?types=task&cursor="+end, alice.Token).wantProblem(t, http.StatusBadRequest)
		// A character in the middle changes, so decoded bytes differ (the last
		// one may carry only padding bits).
		mid := len(end) / 2
		swap := "A"
		if end[mid] == 'A' {
			swap = "B"
		}
		e.get(t, "/api/v1/changes?cursor="+end[:mid]+swap+end[mid+1:], alice.Token).wantProblem(t, http.StatusBadRequest)
		e.get(t, "/api/v1/changes?types=category", tok.Token).wantProblem(t, http.StatusForbidden)
		e.get(t, "/api/v1/changes?types=task,planet", alice.Token).wantProblem(t, http.StatusUnprocessableEntity)
		e.get(t, "/api/v1/changes?limit=0", alice.Token).wantProblem(t, http.StatusUnprocessableEntity)

		// Past the history kept, the cursor is gone: sync from scratch.
		// (The purge of everything so far stands for 30 days passing,
		// which would also end the session.)
		if _, err := e.Store.PurgeChanges(context.Background(), e.Clock.Now().Add(time.Second)); err != nil {
			t.Fatal(err)
		}
		p := e.get(t, "/api/v1/changes?cursor="+cursor, alice.Token).wantProblem(t, http.StatusGone)
		if !strings.Contains(p.Detail, "sync from scratch") {
			t.Errorf("410 detail %q", p.Detail)
		}
		if later, _ := e.sync(t, alice.Token, end, "", 10); len(later) != 0 {
			t.Errorf("a cursor at the head still works: %v", later)
		}
	})
}

// activityJSON is an entry of a task's history.
type activityJSON struct {
	Type    string `json:"type"`
	Op      string `json:"op"`
	Summary string `json:"summary"`
	Actor   struct {
		Kind string  `json:"kind"`
		Name *string `json:"name"`
	} `json:"actor"`
}

// A task's history, newest first, in words, with who made each change.
func TestTaskActivity(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		alice, bob := e.newUser(t, "alice"), e.newUser(t, "bob")
		task, _ := e.createTask(t, alice, map[string]any{"title": "plan", "priority": "LOW"})
		path := "/api/v1/tasks/" + task.ID
		e.do(t, request{Method: http.MethodPatch, Path: path, Token: alice.Token, Body: map[string]any{"priority": "HIGH"}}).want(t, http.StatusOK)
		e.post(t, path+"/comments", alice.Token, map[string]any{"body": "on it"}).want(t, http.StatusCreated)
		tok := e.newToken(t, alice.Token, "n8n", taskapi.ScopeTasksWrite)
		e.do(t, request{Method: http.MethodPatch, Path: path, Token: tok.Token, Body: map[string]any{"title": "plan B", "description": "x"}}).
			want(t, http.StatusOK)

		var got []string
		cursor := ""
		for range 10 {
			var page struct {
				Items      []activityJSON `json:"items"`
				NextCursor *string        `json:"next_cursor"`
			}
			e.get(t, path+"/activity?limit=3&cursor="+cursor, alice.Token).want(t, http.StatusOK).decode(t, &page)
			for _, a := range page.Items {
				who := a.Actor.Kind
				if a.Actor.Name != nil {
					who += ":" + *a.Actor.Name
				}
				got = append(got, a.Type+" "+a.Op+" "+a.Summary+" by "+who)
			}
			if page.NextCursor == nil {
				break
			}
			cursor = *page.NextCursor
		}
		want := []string{
			"task update title plan → plan B, description changed by token:n8n",
			"comment create comment added by session",
			"task update priority LOW → HIGH by session",
			"task create created the task by session",
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("activity (-want +got):\n%s", diff)
		}
		e.get(t, path+"/activity", bob.Token).wantProblem(t, http.StatusNotFound)
		e.get(t, path+"/activity?cursor=bogus", alice.Token).wantProblem(t, http.StatusBadRequest)
	})
}
