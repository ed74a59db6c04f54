package httpapi_test

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/taskapi/taskapi/internal/auth"
	"github.com/taskapi/taskapi/internal/events"
	"github.com/taskapi/taskapi/internal/httpapi"
	"github.com/taskapi/taskapi/internal/store/storetest"
	"github.com/taskapi/taskapi/internal/testkit"
)

// openStream opens GET /events at base and returns its status and, for a
// 200, the events as they arrive (comments as Name "comment").
func openStream(t *testing.T, base, token string, header http.Header) (int, <-chan testkit.Event) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/api/v1/events", nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); res.Body.Close() })
	if res.StatusCode != http.StatusOK {
		return res.StatusCode, nil
	}
	if ct := res.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Errorf("Content-Type %q", ct)
	}
	return res.StatusCode, testkit.ReadEvents(res.Body)
}

// A change made through one instance reaches a stream held by another on
// the same database within a second; the stream resumes after its last
// event id, keeps itself open with heartbeats, is bounded per user, and
// ends when the session does.
func TestEventsAcrossInstances(t *testing.T) {
	eachEngine(t, func(t *testing.T, a *env) {
		st := storetest.Open(t, a.DatabaseURL)
		svc, err := auth.NewService(st, auth.NewTokens(a.Config.JWTSecret, nil, a.Config.AccessTokenTTL, time.Now),
			auth.Options{BcryptCost: a.Config.BcryptCost}, nil)
		if err != nil {
			t.Fatal(err)
		}
		hub := events.New(st, events.Options{Poll: 200 * time.Millisecond, Heartbeat: 300 * time.Millisecond,
			Recheck: 200 * time.Millisecond, MaxPerUser: 2})
		// B's request deadline is short: a stream is exempt from it.
		cfg := *a.Config
		cfg.RequestTimeout = 300 * time.Millisecond
		b := httptest.NewServer(httpapi.NewServer(httpapi.Deps{Config: &cfg, Store: st, Auth: svc, EventsHub: hub}))
		t.Cleanup(b.Close)
		t.Cleanup(hub.Close)

		alice := a.newUser(t, "alice")
		status, stream := openStream(t, b.URL, alice.Token, nil)
		if status != http.StatusOK {
			t.Fatalf("open: %d", status)
		}
		testkit.NextEvent(t, stream, "comment", 2*time.Second) // the stream is open
		start := time.Now()
		task, _ := a.createTask(t, alice, map[string]any{"title": "from A"})
		first := testkit.NextEvent(t, stream, "changes", 3*time.Second)
		if took := time.Since(start); took > time.Second {
			t.Errorf("the change took %s to reach the other instance's stream", took)
		}
		var body struct {
			Changes []changeJSON `json:"changes"`
		}
		if err := json.Unmarshal([]byte(first.Data), &body); err != nil || len(body.Changes) != 1 ||
			body.Changes[0].ID != task.ID || body.Changes[0].Op != "upsert" || first.ID == "" {
			t.Fatalf("first event %+v", first)
		}
		testkit.NextEvent(t, stream, "comment", 2*time.Second)
		testkit.NextEvent(t, stream, "comment", 2*time.Second) // past B's request deadline
		a.do(t, request{Method: http.MethodPatch, Path: "/api/v1/tasks/" + task.ID, Token: alice.Token,
			Body: map[string]any{"priority": "HIGH"}}).want(t, http.StatusOK)
		second := testkit.NextEvent(t, stream, "changes", 3*time.Second)
		// The stream's id is a /changes cursor: it continues the feed.
		var page changesJSON
		a.get(t, "/api/v1/changes?cursor="+second.ID, alice.Token).want(t, http.StatusOK).decode(t, &page)
		if len(page.Changes) != 0 {
			t.Errorf("after the second event the feed has more: %+v", page.Changes)
		}
		// A reconnect with Last-Event-ID gets what came after that event.
		status, again := openStream(t, b.URL, alice.Token, http.Header{"Last-Event-ID": {first.ID}})
		if status != http.StatusOK {
			t.Fatalf("reconnect: %d", status)
		}
		replay := testkit.NextEvent(t, again, "changes", 3*time.Second)
		if replay.ID != second.ID || !strings.Contains(replay.Data, `"priority":"HIGH"`) {
			t.Errorf("replay %+v, want the patch with id %s", replay, second.ID)
		}
		testkit.NextEvent(t, again, "comment", 2*time.Second) // heartbeats
		// Two streams are this user's bound on the instance.
		if status, _ := openStream(t, b.URL, alice.Token, nil); status != http.StatusTooManyRequests {
			t.Errorf("a third stream: %d, want 429", status)
		}
		a.get(t, "/api/v1/events?cursor=bogus", alice.Token).wantProblem(t, http.StatusBadRequest)
		// The session ends (on the other instance): the streams end.
		a.post(t, "/api/v1/auth/logout-all", alice.Token, nil).want(t, http.StatusNoContent)
		end := testkit.NextEvent(t, stream, "end", 3*time.Second)
		if !strings.Contains(end.Data, "ended") {
			t.Errorf("end event %+v", end)
		}
	})
}

// A stream runs on a connection of its own (taken over from net/http):
// its slot is freed when the client leaves, and it ends with an "end"
// event when the hub closes, which Wait sees.
func TestEventsOwnConnection(t *testing.T) {
	eachEngine(t, func(t *testing.T, a *env) {
		hub := events.New(a.Store, events.Options{Poll: 100 * time.Millisecond, MaxPerUser: 1})
		srv := httptest.NewServer(httpapi.NewServer(httpapi.Deps{Config: a.Config, Store: a.Store, Auth: a.Auth, EventsHub: hub}))
		t.Cleanup(srv.Close)
		t.Cleanup(hub.Close)
		bob := a.newUser(t, "bob")

		ctx, cancel := context.WithCancel(context.Background())
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/api/v1/events", nil)
		req.Header.Set("Authorization", "Bearer "+bob.Token)
		res, err := http.DefaultClient.Do(req)
		if err != nil || res.StatusCode != http.StatusOK {
			t.Fatalf("open: %v %v", res, err)
		}
		if cc := res.Header.Get("Cache-Control"); cc != "no-store" || res.Header.Get("X-Request-ID") == "" {
			t.Errorf("headers %v", res.Header)
		}
		line, err := bufio.NewReader(res.Body).ReadString('\n')
		if err != nil || line != ": stream open\n" {
			t.Fatalf("first line %q, %v", line, err)
		}
		cancel() // the client leaves: its one slot frees
		res.Body.Close()
		deadline := time.Now().Add(3 * time.Second)
		var stream <-chan testkit.Event
		for stream == nil {
			status, ch := openStream(t, srv.URL, bob.Token, nil)
			switch {
			case status == http.StatusOK:
				stream = ch
			case status != http.StatusTooManyRequests || time.Now().After(deadline):
				t.Fatalf("reopen after the client left: %d", status)
			}
		}
		testkit.NextEvent(t, stream, "comment", 2*time.Second)
		hub.Close()
		if end := testkit.NextEvent(t, stream, "end", 2*time.Second); !strings.Contains(end.Data, "shutting down") {
			t.Errorf("end event %+v", end)
		}
		wctx, wcancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer wcancel()
		if err := hub.Wait(wctx); err != nil {
			t.Error(err)
		}
	})
}
