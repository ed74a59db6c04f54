package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/taskapi/taskapi/internal/auth"
	"github.com/taskapi/taskapi/internal/store"
)

const testSecret = "floor-test-secret-0123456789-0123456789"

type floorPage struct {
	Items []struct {
		ID          uuid.UUID  `json:"id"`
		Title       string     `json:"title"`
		Description *string    `json:"description"`
		Status      string     `json:"status"`
		Priority    string     `json:"priority"`
		CreatedAt   time.Time  `json:"created_at"`
		DueDate     *time.Time `json:"due_date"`
	} `json:"items"`
	NextCursor *string `json:"next_cursor"`
}

func TestFloorServesTheReadWorkloads(t *testing.T) {
	eachEngine(t, func(t *testing.T, st *store.Store, dbURL string) {
		ctx := context.Background()
		sd, err := newSeeder(st, dbURL, 10, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		alice, err := sd.ensureUser(ctx, "alice")
		if err != nil {
			t.Fatal(err)
		}
		bob, err := sd.ensureUser(ctx, "bob")
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range []*benchUser{alice, bob} {
			if _, err := sd.topUp(ctx, u, 180, 20); err != nil {
				t.Fatal(err)
			}
		}
		tokens := auth.NewTokens(testSecret, nil, time.Hour, time.Now)
		tok, _, err := tokens.Issue(alice.ID, uuid.New())
		if err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(newFloorHandler(st, tokens, slog.New(slog.DiscardHandler), false))
		defer srv.Close()
		get := func(path string, token string) (int, []byte) {
			t.Helper()
			req, _ := http.NewRequest(http.MethodGet, srv.URL+path, nil)
			if token != "" {
				req.Header.Set("Authorization", "Bearer "+token)
			}
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			b, _ := io.ReadAll(res.Body)
			return res.StatusCode, b
		}
		walk := func(query string) []floorPage {
			t.Helper()
			var pages []floorPage
			cursor := ""
			for range 20 {
				q := query
				if cursor != "" {
					q += "&cursor=" + url.QueryEscape(cursor)
				}
				code, body := get("/api/v1/tasks?"+q, tok)
				if code != http.StatusOK {
					t.Fatalf("%s: %d %s", q, code, body)
				}
				var p floorPage
				if err := json.Unmarshal(body, &p); err != nil {
					t.Fatal(err)
				}
				pages = append(pages, p)
				if p.NextCursor == nil {
					return pages
				}
				if nextCursor(body) != *p.NextCursor {
					t.Fatalf("the load generator reads cursor %q, the page says %q", nextCursor(body), *p.NextCursor)
				}
				cursor = *p.NextCursor
			}
			t.Fatal("more than 20 pages")
			return nil
		}

		// Default sort: every non-archived task once, newest first.
		var notArchived int
		if err := st.DB().QueryRow(`SELECT count(*) FROM tasks WHERE user_id = $1 AND status <> 'ARCHIVED'`, alice.ID).Scan(&notArchived); err != nil {
			t.Fatal(err)
		}
		seen := map[uuid.UUID]bool{}
		var last time.Time
		for i, p := range walk("limit=50") {
			if p.NextCursor != nil && len(p.Items) != 50 {
				t.Fatalf("page %d has %d items", i, len(p.Items))
			}
			for _, it := range p.Items {
				if seen[it.ID] || it.Status == "ARCHIVED" {
					t.Fatalf("task %s repeated or archived (%s)", it.ID, it.Status)
				}
				seen[it.ID] = true
				if !last.IsZero() && it.CreatedAt.After(last) {
					t.Fatalf("not newest first: %v after %v", it.CreatedAt, last)
				}
				last = it.CreatedAt
			}
		}
		if len(seen) != notArchived {
			t.Errorf("walked %d tasks, alice has %d not archived", len(seen), notArchived)
		}

		// Filtered and sorted by priority, highest first.
		rank := map[string]int{"LOW": 1, "MEDIUM": 2, "HIGH": 3, "URGENT": 4}
		prev := 5
		n := 0
		for _, p := range walk("status=TODO,IN_PROGRESS&sort=-priority&limit=50") {
			for _, it := range p.Items {
				n++
				if it.Status != "TODO" && it.Status != "IN_PROGRESS" {
					t.Fatalf("status %s in a TODO,IN_PROGRESS list", it.Status)
				}
				if rank[it.Priority] > prev {
					t.Fatalf("priority %s after a lower one", it.Priority)
				}
				prev = rank[it.Priority]
			}
		}
		if n == 0 {
			t.Error("the filtered list is empty")
		}

		// Search ignores case.
		for _, p := range walk("q=REPORT&limit=50") {
			for _, it := range p.Items {
				d := ""
				if it.Description != nil {
					d = *it.Description
				}
				if !strings.Contains(strings.ToLower(it.Title+" "+d), "report") {
					t.Fatalf("%q does not match report", it.Title)
				}
			}
		}

		// Get: own task, another user's (404), no token (401).
		if code, body := get("/api/v1/tasks/"+alice.TaskIDs[0].String(), tok); code != http.StatusOK || !strings.Contains(string(body), alice.TaskIDs[0].String()) {
			t.Errorf("get own task: %d %s", code, body)
		}
		if code, _ := get("/api/v1/tasks/"+bob.TaskIDs[0].String(), tok); code != http.StatusNotFound {
			t.Errorf("get bob's task as alice: %d", code)
		}
		for _, bad := range []string{"", "not-a-jwt"} {
			if code, _ := get("/api/v1/tasks", bad); code != http.StatusUnauthorized {
				t.Errorf("token %q: %d", bad, code)
			}
		}
		for _, q := range []string{"limit=0", "limit=101", "sort=nope", "status=DONE", "cursor=%25%25"} {
			if code, _ := get("/api/v1/tasks?"+q, tok); code != http.StatusBadRequest {
				t.Errorf("%s: %d, want 400", q, code)
			}
		}
	})
}
