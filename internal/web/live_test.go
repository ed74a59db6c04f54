package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/taskapi/taskapi/internal/testkit"
)

type liveEvent struct {
	Changes []struct {
		Seq  int64  `json:"seq"`
		Type string `json:"type"`
		Op   string `json:"op"`
		ID   string `json:"id"`
		Task string `json:"task"`
	} `json:"changes"`
}

// openLive opens the web app's GET /events with b's session cookie (and
// any headers given) and returns the answer; for a 200, its events too.
func (b *browser) openLive(path string, header http.Header) (*http.Response, <-chan testkit.Event) {
	b.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, b.e.URL+path, nil)
	req.Header.Set("Accept", "text/event-stream")
	// Set by hand, so the answer arrives as sent: gzip must not hold it.
	req.Header.Set("Accept-Encoding", "gzip")
	for k, v := range header {
		req.Header[k] = v
	}
	client := &http.Client{Jar: b.c.Jar, CheckRedirect: b.c.CheckRedirect}
	res, err := client.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	b.t.Cleanup(func() { cancel(); res.Body.Close() })
	if res.StatusCode != http.StatusOK {
		return res, nil
	}
	return res, testkit.ReadEvents(res.Body)
}

func decodeLive(t *testing.T, ev testkit.Event) liveEvent {
	t.Helper()
	var body liveEvent
	if err := json.Unmarshal([]byte(ev.Data), &body); err != nil {
		t.Fatalf("event data %q: %v", ev.Data, err)
	}
	return body
}

// The page's stream: the signed-in user's changes (made by the web app
// or by an API client), light, not compressed, resumable, bounded per
// user together with the API's streams, and ended with the session.
func TestLiveEvents(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		anon := e.browser(t)
		if res, _ := anon.openLive("/events", nil); res.StatusCode != http.StatusUnauthorized {
			t.Fatalf("without a session: %d", res.StatusCode)
		}
		b := e.browser(t)
		page := b.signup("ada")
		if !strings.Contains(page.Body, `data-live-after="`) {
			t.Errorf("the page does not carry the live updates' script and position:\n%s", page.Body)
		}

		res, stream := b.openLive("/events", nil)
		if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "text/event-stream" || res.Header.Get("Content-Encoding") != "" {
			t.Fatalf("open: %d %q %q", res.StatusCode, res.Header.Get("Content-Type"), res.Header.Get("Content-Encoding"))
		}
		testkit.NextEvent(t, stream, "comment", 2*time.Second) // the stream is open
		b.post("/tasks", url.Values{"text": {"Water the plants"}, "back": {"/today"}})
		first := testkit.NextEvent(t, stream, "changes", 3*time.Second)
		got := decodeLive(t, first)
		if len(got.Changes) != 1 || got.Changes[0].Type != "task" || got.Changes[0].Op != "upsert" || got.Changes[0].Task != got.Changes[0].ID {
			t.Fatalf("first event %+v", got)
		}
		taskID := got.Changes[0].ID

		// An API client's change arrives in the same stream.
		token := apiToken(t, e, "ada")
		req, _ := http.NewRequest(http.MethodDelete, e.URL+"/api/v1/tasks/"+taskID, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		if r, err := http.DefaultClient.Do(req); err != nil || r.StatusCode != http.StatusNoContent {
			t.Fatalf("delete through the API: %v %v", r, err)
		}
		second := decodeLive(t, testkit.NextEvent(t, stream, "changes", 3*time.Second))
		if len(second.Changes) != 1 || second.Changes[0].ID != taskID || second.Changes[0].Op != "delete" {
			t.Fatalf("second event %+v", second)
		}

		// Resumed after the first event, a stream sends what came after it,
		// whether the browser says so (Last-Event-ID) or the page (?after=).
		_, again := b.openLive("/events", http.Header{"Last-Event-Id": {first.ID}})
		if ev := decodeLive(t, testkit.NextEvent(t, again, "changes", 3*time.Second)); len(ev.Changes) != 1 || ev.Changes[0].Op != "delete" {
			t.Errorf("resumed with Last-Event-ID: %+v", ev)
		}
		_, fromPage := b.openLive("/events?after=0", nil)
		if ev := decodeLive(t, testkit.NextEvent(t, fromPage, "changes", 3*time.Second)); len(ev.Changes) != 1 || ev.Changes[0].Op != "delete" {
			t.Errorf("from position 0, the task once, as it is now: %+v", ev)
		}
		for _, bad := range []string{"/events?after=soon", "/events?after=-1"} {
			if res, _ := b.openLive(bad, nil); res.StatusCode != http.StatusBadRequest {
				t.Errorf("%s: %d, want 400", bad, res.StatusCode)
			}
		}

		// Five streams per user, the API's and the app's together: three
		// are open, one more here and one through the API make five.
		b.openLive("/events", nil)
		apiReq, _ := http.NewRequest(http.MethodGet, e.URL+"/api/v1/events", nil)
		apiReq.Header.Set("Authorization", "Bearer "+token)
		apiRes, err := http.DefaultClient.Do(apiReq)
		if err != nil || apiRes.StatusCode != http.StatusOK {
			t.Fatalf("the API's stream: %v %v", apiRes, err)
		}
		t.Cleanup(func() { apiRes.Body.Close() })
		full, _ := b.openLive("/events", nil)
		if full.StatusCode != http.StatusTooManyRequests || full.Header.Get("Retry-After") == "" {
			t.Fatalf("a sixth stream: %d, Retry-After %q", full.StatusCode, full.Header.Get("Retry-After"))
		}

		// A page's live refresh (X-Live) leaves the flash of a form to the
		// page the browser opens after it, and reads no feed position.
		made := b.post("/categories", url.Values{"name": {"Errands"}, "color": {"#0891B2"}})
		req, _ = http.NewRequest(http.MethodGet, e.URL+"/today", nil)
		req.Header.Set("X-Live", "1")
		refresh := b.do(req)
		want(t, refresh, http.StatusOK, "Errands")
		if strings.Contains(refresh.Body, "Created “Errands”") || strings.Contains(refresh.Body, "data-live-after") {
			t.Errorf("the live refresh took the flash or carries a position:\n%s", refresh.Body)
		}
		want(t, b.follow(made), http.StatusOK, "Created “Errands”")

		// A refused save shows what was typed: its page follows no changes
		// (no position), and its task detail, shown in app.js's panel too,
		// is held as it is.
		list := b.post("/tasks", url.Values{"text": {"Renew the passport"}, "back": {"/all"}})
		ids := taskIDs(b.follow(list))
		refused := b.post("/tasks/"+ids[0], url.Values{"title": {""}, "version": {"1"}, "back": {"/all"}})
		want(t, refused, http.StatusUnprocessableEntity, "data-live-hold")
		if strings.Contains(refused.Body, "data-live-after") {
			t.Errorf("a refused save's page follows changes")
		}
		if page := b.get("/tasks/" + ids[0]); strings.Contains(page.Body, "data-live-hold") {
			t.Errorf("the task's page holds its detail")
		}

		// Logging out ends the session, and the stream says so and closes.
		b.post("/logout", nil)
		evs := testkit.Closed(t, stream, 5*time.Second)
		if len(evs) == 0 || evs[len(evs)-1].Name != "end" {
			t.Errorf("the stream closed without an end event: %+v", evs)
		}
	})
}

// apiToken signs in to the API as a browser test's user (signed up with
// the harness's password) and returns the access token.
func apiToken(t *testing.T, e *env, username string) string {
	t.Helper()
	res, err := http.Post(e.URL+"/api/v1/auth/login", "application/json",
		strings.NewReader(`{"username":"`+username+`","password":"a calm purple otter 42"}`))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(res.Body).Decode(&tok); err != nil || tok.AccessToken == "" {
		t.Fatalf("API login: %d %v", res.StatusCode, err)
	}
	return tok.AccessToken
}
