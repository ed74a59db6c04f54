package httpapi_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/taskapi/taskapi"
	"github.com/taskapi/taskapi/internal/config"
	"github.com/taskapi/taskapi/internal/egress"
	"github.com/taskapi/taskapi/internal/httpapi"
	"github.com/taskapi/taskapi/internal/store/storetest"
	"github.com/taskapi/taskapi/internal/webhooks"
)

// Writes through the API reach a subscribed endpoint as webhook events,
// one per change record, in the order of the feed, each signed as the
// Standard Webhooks library verifies.
func TestWebhookFanOut(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine.Name, func(t *testing.T) {
			e := newEnv(t, engine, func(c *config.Config) { c.WebhookAllowHTTP, c.WebhookAllowPrivate = true, true })
			alice := e.newUser(t, "alice")
			var (
				mu     sync.Mutex
				secret string
				got    []string
			)
			rx := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				body, _ := io.ReadAll(r.Body)
				var ev struct {
					Type string `json:"type"`
					Data struct {
						ID string `json:"id"`
					} `json:"data"`
				}
				_ = json.Unmarshal(body, &ev)
				mu.Lock()
				defer mu.Unlock()
				wh, err := standardwebhooks.NewWebhook(secret)
				if err != nil || wh.VerifyIgnoringTimestamp(body, r.Header) != nil {
					got = append(got, "UNVERIFIED "+ev.Type)
				} else {
					got = append(got, ev.Type+" "+ev.Data.ID)
				}
				w.WriteHeader(http.StatusNoContent)
			}))
			t.Cleanup(rx.Close)
			types := taskapi.WebhookEventTypes()
			var hook httpapi.WebhookWithSecret
			e.post(t, "/api/v1/webhooks", alice.Token, map[string]any{"url": rx.URL + "/hook", "event_types": types}).
				want(t, http.StatusCreated).decode(t, &hook)
			mu.Lock()
			secret = hook.Secret
			mu.Unlock()

			cat := e.createCategory(t, alice, "Home")
			task, _ := e.createTask(t, alice, map[string]any{"title": "paint", "category_id": cat.ID})
			path := "/api/v1/tasks/" + task.ID
			e.do(t, request{Method: http.MethodPatch, Path: path, Token: alice.Token, Body: map[string]any{"priority": "HIGH"}}).want(t, http.StatusOK)
			e.do(t, request{Method: http.MethodPatch, Path: path, Token: alice.Token, Body: map[string]any{"status": "COMPLETED"}}).want(t, http.StatusOK)
			var note httpapi.CommentBody
			e.post(t, path+"/comments", alice.Token, map[string]any{"body": "done"}).want(t, http.StatusCreated).decode(t, &note)
			e.do(t, request{Method: http.MethodDelete, Path: path, Token: alice.Token}).want(t, http.StatusNoContent)
			e.do(t, request{Method: http.MethodPatch, Path: "/api/v1/categories/" + cat.ID, Token: alice.Token,
				Body: map[string]any{"name": "House"}}).want(t, http.StatusOK)

			w := webhooks.NewWorker(e.Store, httpapi.WebhookData(e.Store), nil,
				webhooks.Options{Client: egress.New(egress.Options{AllowPrivate: true, AllowHTTP: true})})
			w.Drain(context.Background())
			want := []string{
				"category.created " + cat.ID,
				"task.created " + task.ID,
				"task.updated " + task.ID,
				"task.completed " + task.ID,
				"comment.created " + note.ID,
				"comment.deleted " + note.ID,
				"task.deleted " + task.ID,
				"category.updated " + cat.ID,
			}
			mu.Lock()
			defer mu.Unlock()
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("events received (-want +got):\n%s", diff)
			}
		})
	}
}
