package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"

	"github.com/taskapi/taskapi/internal/auth"
	"github.com/taskapi/taskapi/internal/store"
)

// The session-checking floor refuses a token whose session is unknown or
// ended, as taskapi does, and serves the write workloads through the store.
func TestFloorChecksSessionsAndWrites(t *testing.T) {
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
		if _, err := sd.topUp(ctx, alice, 10, 5); err != nil {
			t.Fatal(err)
		}
		svc, err := newAuthService(st, testSecret, time.Hour, time.Hour, 10)
		if err != nil {
			t.Fatal(err)
		}
		pair, err := svc.StartSession(ctx, alice.ID, auth.ClientInfo{UserAgent: "test", IP: "127.0.0.1"})
		if err != nil {
			t.Fatal(err)
		}
		tokens := auth.NewTokens(testSecret, nil, time.Hour, time.Now)
		stray, _, err := tokens.Issue(alice.ID, uuid.New())
		if err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(newFloorHandler(st, tokens, slog.New(slog.DiscardHandler), true))
		defer srv.Close()
		send := func(method, path, token string, body any) (int, map[string]any) {
			t.Helper()
			var r io.Reader
			if body != nil {
				b, _ := json.Marshal(body)
				r = bytes.NewReader(b)
			}
			req, _ := http.NewRequest(method, srv.URL+path, r)
			req.Header.Set("Authorization", "Bearer "+token)
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			var out map[string]any
			_ = json.NewDecoder(res.Body).Decode(&out)
			return res.StatusCode, out
		}
		task := "/api/v1/tasks/" + alice.TaskIDs[0].String()
		if code, _ := send(http.MethodGet, task, pair.AccessToken, nil); code != http.StatusOK {
			t.Fatalf("live session: %d", code)
		}
		if code, _ := send(http.MethodGet, task, stray, nil); code != http.StatusUnauthorized {
			t.Errorf("token of no session: %d, want 401", code)
		}

		code, created := send(http.MethodPost, "/api/v1/tasks", pair.AccessToken, map[string]any{"title": "Floor write", "priority": "HIGH"})
		if code != http.StatusCreated {
			t.Fatalf("create: %d %v", code, created)
		}
		code, updated := send(http.MethodPatch, "/api/v1/tasks/"+created["id"].(string), pair.AccessToken, map[string]any{"status": "COMPLETED"})
		if code != http.StatusOK {
			t.Fatalf("update: %d %v", code, updated)
		}
		got := map[string]any{"title": updated["title"], "priority": updated["priority"], "status": updated["status"]}
		if diff := cmp.Diff(map[string]any{"title": "Floor write", "priority": "HIGH", "status": "COMPLETED"}, got); diff != "" {
			t.Errorf("updated task (-want +got):\n%s", diff)
		}

		if err := st.RevokeSession(ctx, alice.ID, pair.SessionID); err != nil {
			t.Fatal(err)
		}
		if code, _ := send(http.MethodGet, task, pair.AccessToken, nil); code != http.StatusUnauthorized {
			t.Errorf("revoked session: %d, want 401", code)
		}
	})
}
