package httpapi_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/taskapi/taskapi"
	"github.com/taskapi/taskapi/internal/httpapi"
)

// A task's ETag follows its subtask and comment counts: a conditional GET
// of the parent answers 200 with the new counts after each change to them,
// and 304 only while nothing changed. A write's If-Match still takes a tag
// read before a comment was added (the counts are not the task's fields),
// and still refuses one of an older version of the task itself.
func TestTaskETagFollowsCounts(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		u := e.newUser(t, "watcher")
		parent, etag := e.subtaskETag(t, u, "parent", nil)
		conditional := func(tag string) *response {
			t.Helper()
			return e.do(t, request{Method: http.MethodGet, Path: "/api/v1/tasks/" + parent.ID, Token: u.Token,
				Header: http.Header{"If-None-Match": {tag}}})
		}
		conditional(etag).want(t, http.StatusNotModified)

		// Each change to a count gives a new tag; the old one gets 200.
		step := func(what string, change func(), check func(httpapi.TaskBody) bool) {
			t.Helper()
			change()
			r := conditional(etag).want(t, http.StatusOK)
			var got httpapi.TaskBody
			r.decode(t, &got)
			if !check(got) || r.Header.Get("ETag") == etag {
				t.Fatalf("after %s: counts %d/%d, %d comments, ETag %s (was %s)", what, got.CompletedSubtaskCount,
					got.SubtaskCount, got.CommentCount, r.Header.Get("ETag"), etag)
			}
			etag = r.Header.Get("ETag")
			conditional(etag).want(t, http.StatusNotModified)
		}
		var kid httpapi.TaskBody
		step("adding a subtask", func() { kid = e.subtask(t, u, "kid", &parent) },
			func(p httpapi.TaskBody) bool { return p.SubtaskCount == 1 && p.CompletedSubtaskCount == 0 })
		step("completing it", func() { e.patchTask(t, u, kid.ID, map[string]any{"status": "COMPLETED"}).want(t, http.StatusOK) },
			func(p httpapi.TaskBody) bool { return p.CompletedSubtaskCount == 1 })
		var c httpapi.CommentBody
		beforeComment := etag
		step("adding a comment", func() {
			e.post(t, "/api/v1/tasks/"+parent.ID+"/comments", u.Token, map[string]any{"body": "hi"}).want(t, http.StatusCreated).decode(t, &c)
		}, func(p httpapi.TaskBody) bool { return p.CommentCount == 1 })
		step("deleting the comment", func() {
			e.do(t, request{Method: http.MethodDelete, Path: "/api/v1/tasks/" + parent.ID + "/comments/" + c.ID, Token: u.Token}).
				want(t, http.StatusNoContent)
		}, func(p httpapi.TaskBody) bool { return p.CommentCount == 0 })
		step("deleting the subtask", func() {
			e.do(t, request{Method: http.MethodDelete, Path: "/api/v1/tasks/" + kid.ID, Token: u.Token}).want(t, http.StatusNoContent)
		}, func(p httpapi.TaskBody) bool { return p.SubtaskCount == 0 })

		// If-Match: a tag of the same version with other counts is honoured;
		// one of an older version is not.
		patch := func(tag, title string) *response {
			return e.do(t, request{Method: http.MethodPatch, Path: "/api/v1/tasks/" + parent.ID, Token: u.Token,
				Header: http.Header{"If-Match": {tag}}, Body: map[string]any{"title": title}})
		}
		r := patch(beforeComment, "renamed").want(t, http.StatusOK)
		patch(beforeComment, "lost update").wantProblem(t, http.StatusPreconditionFailed)
		patch(r.Header.Get("ETag"), "renamed again").want(t, http.StatusOK)
		// A tag whose fold was cut off or tampered with is no tag of the task.
		short := strings.TrimSuffix(r.Header.Get("ETag"), `"`)
		patch(short[:len(short)-2]+`"`, "cut").wantProblem(t, http.StatusPreconditionFailed)
	})
}

// A task takes at most taskapi.MaxCommentsPerTask comments: the next one is
// 409 problem+json saying so, and nothing is added; deleting one makes room.
func TestCommentCap(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		u := e.newUser(t, "talker")
		task := e.subtask(t, u, "busy thread", nil)
		base := "/api/v1/tasks/" + task.ID + "/comments"
		e.seedComments(t, u, task.ID, taskapi.MaxCommentsPerTask-1)
		var last httpapi.CommentBody
		e.post(t, base, u.Token, map[string]any{"body": "the last one"}).want(t, http.StatusCreated).decode(t, &last)
		p := e.post(t, base, u.Token, map[string]any{"body": "one too many"}).wantProblem(t, http.StatusConflict)
		if !strings.Contains(p.Detail, "1000 comments") {
			t.Fatalf("detail %q does not say the cap", p.Detail)
		}
		if n := e.count(t, `SELECT count(*) FROM comments WHERE body = 'one too many'`); n != 0 {
			t.Fatalf("the refused comment was stored %d times", n)
		}
		if got, _ := e.task(t, u, task.ID); got.CommentCount != taskapi.MaxCommentsPerTask {
			t.Fatalf("comment_count = %d", got.CommentCount)
		}
		e.do(t, request{Method: http.MethodDelete, Path: base + "/" + last.ID, Token: u.Token}).want(t, http.StatusNoContent)
		e.post(t, base, u.Token, map[string]any{"body": "room again"}).want(t, http.StatusCreated)
		// Another task of the same user is not affected.
		other := e.subtask(t, u, "quiet", nil)
		e.post(t, "/api/v1/tasks/"+other.ID+"/comments", u.Token, map[string]any{"body": "hi"}).want(t, http.StatusCreated)
	})
}

// seedComments inserts n comments on a task in a few multi-row statements:
// the API's cap is what the test drives, not a thousand round trips.
func (e *env) seedComments(t testing.TB, u testUser, taskID string, n int) {
	t.Helper()
	uid := u.User.ID
	tid := uuid.MustParse(taskID)
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for start := 0; start < n; start += 100 {
		var (
			values []string
			args   []any
		)
		for i := start; i < min(start+100, n); i++ {
			k := len(args)
			values = append(values, "($"+strconv.Itoa(k+1)+", $"+strconv.Itoa(k+2)+", $"+strconv.Itoa(k+3)+", 'seeded', $"+strconv.Itoa(k+4)+", $"+strconv.Itoa(k+4)+", 1)")
			args = append(args, uuid.Must(uuid.NewV7()), tid, uid, at.Add(time.Duration(i)*time.Second))
		}
		if _, err := e.Store.DB().ExecContext(context.Background(), `INSERT INTO comments
			(id, task_id, user_id, body, created_at, updated_at, version) VALUES `+strings.Join(values, ", "), args...); err != nil {
			t.Fatal(err)
		}
	}
}
