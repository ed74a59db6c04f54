package httpapi_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/taskapi/taskapi/internal/httpapi"
)

// Comments: add (201, Location, ETag), read, edit and delete under
// If-Match, the body rules, and comment_count on the task.
func TestCommentsCRUD(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		u := e.newUser(t, "commenter")
		task := e.subtask(t, u, "discussed", nil)
		base := "/api/v1/tasks/" + task.ID + "/comments"
		r := e.post(t, base, u.Token, map[string]any{"body": "see https://example.com/<b>"}).want(t, http.StatusCreated)
		var c httpapi.CommentBody
		r.decode(t, &c)
		etag := r.Header.Get("ETag")
		if c.Body != "see https://example.com/<b>" || c.TaskID != task.ID || etag == "" || r.Header.Get("Location") != base+"/"+c.ID {
			t.Fatalf("created %+v, ETag %q, Location %q", c, etag, r.Header.Get("Location"))
		}
		var got httpapi.CommentBody
		g := e.get(t, base+"/"+c.ID, u.Token).want(t, http.StatusOK)
		g.decode(t, &got)
		if diff := cmp.Diff(c, got); diff != "" || g.Header.Get("ETag") != etag {
			t.Fatalf("read back (-created +read):\n%s", diff)
		}
		if tk, _ := e.task(t, u, task.ID); tk.CommentCount != 1 {
			t.Fatalf("comment_count = %d", tk.CommentCount)
		}

		patch := func(ifMatch, body string) *response {
			h := http.Header{}
			if ifMatch != "" {
				h.Set("If-Match", ifMatch)
			}
			return e.do(t, request{Method: http.MethodPatch, Path: base + "/" + c.ID, Token: u.Token, Header: h, Body: map[string]any{"body": body}})
		}
		e.Clock.Advance(1e6)
		r = patch(etag, "edited").want(t, http.StatusOK)
		var edited httpapi.CommentBody
		r.decode(t, &edited)
		if edited.Body != "edited" || !edited.UpdatedAt.After(c.UpdatedAt) || !edited.CreatedAt.Equal(c.CreatedAt) || r.Header.Get("ETag") == etag {
			t.Fatalf("edited %+v", edited)
		}
		patch(etag, "lost update").wantProblem(t, http.StatusPreconditionFailed)
		// The same body again changes nothing.
		if same := patch(r.Header.Get("ETag"), "edited").want(t, http.StatusOK); same.Header.Get("ETag") != r.Header.Get("ETag") {
			t.Fatal("an edit to the same body made a new version")
		}
		// Body rules.
		for _, body := range []string{"", "   \n", strings.Repeat("é", 10001), "nul\x00here"} {
			wantField(t, e.post(t, base, u.Token, map[string]any{"body": body}), "body.body")
			wantField(t, patch("", body), "body.body")
		}
		if ok := e.post(t, base, u.Token, map[string]any{"body": strings.Repeat("é", 10000)}); ok.Status != http.StatusCreated {
			t.Fatalf("10,000 characters: %d %s", ok.Status, ok.Body)
		}
		// Delete under If-Match.
		del := func(ifMatch string) *response {
			return e.do(t, request{Method: http.MethodDelete, Path: base + "/" + c.ID, Token: u.Token, Header: http.Header{"If-Match": {ifMatch}}})
		}
		del(etag).wantProblem(t, http.StatusPreconditionFailed)
		del(r.Header.Get("ETag")).want(t, http.StatusNoContent)
		del("*").wantProblem(t, http.StatusNotFound)
		e.get(t, base+"/"+c.ID, u.Token).wantProblem(t, http.StatusNotFound)
		if tk, _ := e.task(t, u, task.ID); tk.CommentCount != 1 {
			t.Fatalf("comment_count after delete = %d", tk.CommentCount)
		}
		// Deleting the task deletes its comments.
		e.do(t, request{Method: http.MethodDelete, Path: "/api/v1/tasks/" + task.ID, Token: u.Token}).want(t, http.StatusNoContent)
		if n := e.count(t, `SELECT count(*) FROM comments`); n != 0 {
			t.Fatalf("%d comments outlived their task", n)
		}
		e.get(t, base, u.Token).wantProblem(t, http.StatusNotFound)
	})
}

// Comments list oldest first, keyset-paged: no skip, no repeat, even with
// comments added meanwhile.
func TestCommentsPaging(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		u := e.newUser(t, "chatty")
		task := e.subtask(t, u, "long thread", nil)
		base := "/api/v1/tasks/" + task.ID + "/comments"
		var want []string
		for i := range 23 {
			var c httpapi.CommentBody
			e.post(t, base, u.Token, map[string]any{"body": "comment " + strconv.Itoa(i)}).want(t, http.StatusCreated).decode(t, &c)
			want = append(want, c.ID)
		}
		var got []string
		cursor := ""
		for pages := 0; ; pages++ {
			var p page[httpapi.CommentBody]
			e.get(t, base+"?limit=5"+cursor, u.Token).want(t, http.StatusOK).decode(t, &p)
			for _, c := range p.Items {
				got = append(got, c.ID)
			}
			if pages == 1 {
				var c httpapi.CommentBody
				e.post(t, base, u.Token, map[string]any{"body": "late"}).want(t, http.StatusCreated).decode(t, &c)
				want = append(want, c.ID)
			}
			if p.NextCursor == nil {
				break
			}
			cursor = "&cursor=" + *p.NextCursor
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("comments (-want +got):\n%s", diff)
		}
		if tk, _ := e.task(t, u, task.ID); tk.CommentCount != int64(len(want)) {
			t.Fatalf("comment_count = %d, want %d", tk.CommentCount, len(want))
		}
		// A cursor of one task's comments does not continue another's.
		other := e.subtask(t, u, "quiet", nil)
		var p page[httpapi.CommentBody]
		e.get(t, base+"?limit=2", u.Token).want(t, http.StatusOK).decode(t, &p)
		e.get(t, "/api/v1/tasks/"+other.ID+"/comments?cursor="+*p.NextCursor, u.Token).wantProblem(t, http.StatusBadRequest)
	})
}

// Another user's task or comment is not found, whatever the operation.
func TestCommentsOwnership(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		u, other := e.newUser(t, "owner"), e.newUser(t, "intruder")
		task := e.subtask(t, u, "private", nil)
		base := "/api/v1/tasks/" + task.ID + "/comments"
		var c httpapi.CommentBody
		e.post(t, base, u.Token, map[string]any{"body": "mine"}).want(t, http.StatusCreated).decode(t, &c)
		theirs := e.subtask(t, other, "theirs", nil)
		for _, r := range []request{
			{Method: http.MethodGet, Path: base},
			{Method: http.MethodPost, Path: base, Body: map[string]any{"body": "hi"}},
			{Method: http.MethodGet, Path: base + "/" + c.ID},
			{Method: http.MethodPatch, Path: base + "/" + c.ID, Body: map[string]any{"body": "mine now"}},
			{Method: http.MethodDelete, Path: base + "/" + c.ID},
			// Their own task, my comment's ID.
			{Method: http.MethodGet, Path: "/api/v1/tasks/" + theirs.ID + "/comments/" + c.ID},
			{Method: http.MethodDelete, Path: "/api/v1/tasks/" + theirs.ID + "/comments/" + c.ID},
		} {
			r.Token = other.Token
			e.do(t, r).wantProblem(t, http.StatusNotFound)
		}
		var got httpapi.CommentBody
		e.get(t, base+"/"+c.ID, u.Token).want(t, http.StatusOK).decode(t, &got)
		if got.Body != "mine" {
			t.Fatalf("comment is now %q", got.Body)
		}
		if n := e.count(t, `SELECT count(*) FROM comments`); n != 1 {
			t.Fatalf("%d comments", n)
		}
	})
}

// Adding a comment with an Idempotency-Key: a repeat returns the first
// answer and adds nothing; the key with another body is 422.
func TestCommentsIdempotency(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		u := e.newUser(t, "repeater")
		task := e.subtask(t, u, "flaky network", nil)
		base := "/api/v1/tasks/" + task.ID + "/comments"
		send := func(body string) *response {
			return e.do(t, request{Method: http.MethodPost, Path: base, Token: u.Token,
				Header: http.Header{"Idempotency-Key": {"comment-1"}}, Body: map[string]any{"body": body}})
		}
		first := send("once").want(t, http.StatusCreated)
		again := send("once").want(t, http.StatusCreated)
		if string(first.Body) != string(again.Body) || again.Header.Get("Idempotent-Replayed") != "true" ||
			first.Header.Get("Location") != again.Header.Get("Location") || first.Header.Get("ETag") != again.Header.Get("ETag") {
			t.Fatalf("replay differs: %s / %s", first.Body, again.Body)
		}
		send("twice").wantProblem(t, http.StatusUnprocessableEntity)
		rs := e.race(t, 4, func(int) request {
			return request{Method: http.MethodPost, Path: base, Token: u.Token,
				Header: http.Header{"Idempotency-Key": {"comment-2"}}, Body: map[string]any{"body": "raced"}}
		})
		if diff := cmp.Diff(map[int]int{http.StatusCreated: 4}, statusCounts(rs)); diff != "" {
			t.Fatalf("statuses (-want +got):\n%s", diff)
		}
		if n := e.count(t, `SELECT count(*) FROM comments`); n != 2 {
			t.Fatalf("%d comments, want 2", n)
		}
	})
}
