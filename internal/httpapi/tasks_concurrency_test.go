package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/taskapi/taskapi/internal/httpapi"
)

// race sends n copies of req at once (released together) and returns the
// responses; it is safe to call from the test goroutine only.
func (e *env) race(t *testing.T, n int, req func(i int) request) []*response {
	t.Helper()
	out := make([]*response, n)
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			out[i], errs[i] = e.send(req(i))
		}()
	}
	close(start)
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// send is e.do without testing.T, for goroutines.
func (e *env) send(req request) (*response, error) {
	var body io.Reader
	if req.Body != nil {
		b, err := json.Marshal(req.Body)
		if err != nil {
			return nil, err
		}
		body = bytes.NewReader(b)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	hr, err := http.NewRequestWithContext(ctx, req.Method, e.URL+req.Path, body)
	if err != nil {
		return nil, err
	}
	if body != nil {
		hr.Header.Set("Content-Type", "application/json")
	}
	for k, vs := range req.Header {
		hr.Header[k] = vs
	}
	hr.Header.Set("Authorization", "Bearer "+req.Token)
	res, err := e.client.Do(hr)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	return &response{Status: res.StatusCode, Header: res.Header, Body: data}, err
}

func statusCounts(rs []*response) map[int]int {
	m := map[int]int{}
	for _, r := range rs {
		m[r.Status]++
	}
	return m
}

// Concurrent updates with the same If-Match: exactly one wins, the others
// get 412, and the winner's change is the one kept.
func TestConcurrentUpdatesWithSameETag(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		alice := e.newUser(t, "alice")
		task, etag := e.createTask(t, alice, map[string]any{"title": "contested"})
		const n = 12
		rs := e.race(t, n, func(i int) request {
			return request{Method: http.MethodPatch, Path: "/api/v1/tasks/" + task.ID, Token: alice.Token,
				Header: http.Header{"If-Match": {etag}}, Body: map[string]any{"title": "writer " + string(rune('A'+i))}}
		})
		if c := statusCounts(rs); c[http.StatusOK] != 1 || c[http.StatusPreconditionFailed] != n-1 {
			t.Fatalf("statuses %v, want one 200 and %d 412", c, n-1)
		}
		var winner, got httpapi.TaskBody
		for _, r := range rs {
			if r.Status == http.StatusOK {
				r.decode(t, &winner)
			}
		}
		e.get(t, "/api/v1/tasks/"+task.ID, alice.Token).want(t, http.StatusOK).decode(t, &got)
		if got.Title != winner.Title {
			t.Errorf("kept %q, the winner wrote %q", got.Title, winner.Title)
		}

		// The same for deletes: one 204; the others find it changed or gone.
		cur := e.get(t, "/api/v1/tasks/"+task.ID, alice.Token).Header.Get("ETag")
		rs = e.race(t, 6, func(int) request {
			return request{Method: http.MethodDelete, Path: "/api/v1/tasks/" + task.ID, Token: alice.Token, Header: http.Header{"If-Match": {cur}}}
		})
		c := statusCounts(rs)
		if c[http.StatusNoContent] != 1 || c[http.StatusNoContent]+c[http.StatusNotFound]+c[http.StatusPreconditionFailed] != 6 {
			t.Errorf("delete statuses %v, want one 204", c)
		}

		// Without If-Match, concurrent patches of different fields all apply.
		task, _ = e.createTask(t, alice, map[string]any{"title": "shared"})
		fields := []map[string]any{{"priority": "HIGH"}, {"description": "d"}, {"status": "IN_PROGRESS"}, {"due_date": "2031-01-01T00:00:00Z"}}
		rs = e.race(t, len(fields), func(i int) request {
			return request{Method: http.MethodPatch, Path: "/api/v1/tasks/" + task.ID, Token: alice.Token, Body: fields[i]}
		})
		if c := statusCounts(rs); c[http.StatusOK] != len(fields) {
			t.Fatalf("statuses %v", c)
		}
		e.get(t, "/api/v1/tasks/"+task.ID, alice.Token).want(t, http.StatusOK).decode(t, &got)
		want := taskFacts{Title: "shared", Status: "IN_PROGRESS", Priority: "HIGH", Description: ptr("d"),
			DueDate: ptr(time.Date(2031, 1, 1, 0, 0, 0, 0, time.UTC))}
		if diff := cmp.Diff(want, factsOf(got)); diff != "" {
			t.Errorf("a concurrent patch was lost (-want +got):\n%s", diff)
		}
	})
}

func TestIdempotencyKey(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		alice := e.newUser(t, "alice")
		bob := e.newUser(t, "bob")
		post := func(u testUser, path, key string, body any) *response {
			return e.do(t, request{Method: http.MethodPost, Path: path, Token: u.Token, Body: body,
				Header: http.Header{"Idempotency-Key": {key}}})
		}
		body := map[string]any{"title": "pay rent", "priority": "HIGH"}
		first := post(alice, "/api/v1/tasks", "k-1", body).want(t, http.StatusCreated)
		if first.Header.Get(replayed) != "" {
			t.Errorf("first answer marked as replayed")
		}
		// The same body, written differently, is the same request.
		again := post(alice, "/api/v1/tasks", "k-1", `{ "priority":"HIGH", "title":"pay rent" }`).want(t, http.StatusCreated)
		if diff := cmp.Diff(answerOf(first), answerOf(again)); diff != "" || again.Header.Get(replayed) != "true" {
			t.Errorf("replay (%s: %q) differs (-first +replay):\n%s", replayed, again.Header.Get(replayed), diff)
		}
		// Even after the task changed, the replay is the first answer.
		var task httpapi.TaskBody
		first.decode(t, &task)
		e.do(t, request{Method: http.MethodPatch, Path: "/api/v1/tasks/" + task.ID, Token: alice.Token,
			Body: map[string]any{"title": "paid"}}).want(t, http.StatusOK)
		if r := post(alice, "/api/v1/tasks", "k-1", body).want(t, http.StatusCreated); string(r.Body) != string(first.Body) {
			t.Errorf("replay after a change: %s", r.Body)
		}
		// Another body, or another route, with the key: 422.
		post(alice, "/api/v1/tasks", "k-1", map[string]any{"title": "pay rent", "priority": "LOW"}).wantProblem(t, http.StatusUnprocessableEntity)
		post(alice, "/api/v1/categories", "k-1", map[string]any{"name": "Rent"}).wantProblem(t, http.StatusUnprocessableEntity)
		// Keys are per user.
		post(bob, "/api/v1/tasks", "k-1", body).want(t, http.StatusCreated)
		// A refused request leaves no key behind: fixing it with the same key works.
		post(alice, "/api/v1/tasks", "k-2", map[string]any{"title": " "}).wantProblem(t, http.StatusUnprocessableEntity)
		post(alice, "/api/v1/tasks", "k-2", map[string]any{"title": "fixed"}).want(t, http.StatusCreated)
		// Bad keys.
		post(alice, "/api/v1/tasks", "has space", body).wantProblem(t, http.StatusUnprocessableEntity)
		post(alice, "/api/v1/tasks", strings.Repeat("k", 256), body).wantProblem(t, http.StatusUnprocessableEntity)

		var p page[httpapi.TaskBody]
		e.get(t, "/api/v1/tasks?limit=100", alice.Token).want(t, http.StatusOK).decode(t, &p)
		if len(p.Items) != 2 {
			t.Errorf("alice has %d tasks, want 2 (pay rent, fixed)", len(p.Items))
		}

		// Categories and bulk replay too; a replayed bulk delete is not a 404.
		c1 := post(alice, "/api/v1/categories", "c-1", map[string]any{"name": "Bills"}).want(t, http.StatusCreated)
		c2 := post(alice, "/api/v1/categories", "c-1", map[string]any{"name": "Bills"}).want(t, http.StatusCreated)
		if diff := cmp.Diff(answerOf(c1), answerOf(c2)); diff != "" || c2.Header.Get(replayed) != "true" {
			t.Errorf("category replay (%s: %q) differs (-first +replay):\n%s", replayed, c2.Header.Get(replayed), diff)
		}
		del := map[string]any{"ids": []string{task.ID}, "action": "delete"}
		b1 := post(alice, "/api/v1/tasks/bulk", "b-1", del).want(t, http.StatusOK)
		b2 := post(alice, "/api/v1/tasks/bulk", "b-1", del).want(t, http.StatusOK)
		if diff := cmp.Diff(answerOf(b1), answerOf(b2)); diff != "" || b2.Header.Get(replayed) != "true" {
			t.Errorf("bulk replay (%s: %q) differs (-first +replay):\n%s", replayed, b2.Header.Get(replayed), diff)
		}
		post(alice, "/api/v1/tasks/bulk", "b-2", del).wantProblem(t, http.StatusNotFound)
	})
}

const replayed = "Idempotent-Replayed"

// Identical requests racing with one key create exactly one resource and
// all get its answer.
func TestIdempotencyKeyRace(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		alice := e.newUser(t, "alice")
		const n = 12
		rs := e.race(t, n, func(int) request {
			return request{Method: http.MethodPost, Path: "/api/v1/tasks", Token: alice.Token,
				Header: http.Header{"Idempotency-Key": {"race-1"}}, Body: map[string]any{"title": "exactly once"}}
		})
		replays := 0
		for _, r := range rs {
			r.want(t, http.StatusCreated)
			if diff := cmp.Diff(answerOf(rs[0]), answerOf(r)); diff != "" {
				t.Fatalf("answers differ (-first +this):\n%s", diff)
			}
			if r.Header.Get(replayed) == "true" {
				replays++
			}
		}
		if replays != n-1 {
			t.Errorf("%d replays, want %d", replays, n-1)
		}
		var p page[httpapi.TaskBody]
		e.get(t, "/api/v1/tasks?limit=100", alice.Token).want(t, http.StatusOK).decode(t, &p)
		if len(p.Items) != 1 {
			t.Errorf("%d tasks created, want exactly 1", len(p.Items))
		}
		// Categories race the same way.
		rs = e.race(t, n, func(int) request {
			return request{Method: http.MethodPost, Path: "/api/v1/categories", Token: alice.Token,
				Header: http.Header{"Idempotency-Key": {"race-2"}}, Body: map[string]any{"name": "Once"}}
		})
		for _, r := range rs {
			r.want(t, http.StatusCreated)
		}
	})
}
