package httpapi_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/taskapi/taskapi/internal/config"
	"github.com/taskapi/taskapi/internal/httpapi"
	"github.com/taskapi/taskapi/internal/store/storetest"
)

func TestWebhookCRUD(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		alice, bob := e.newUser(t, "alice"), e.newUser(t, "bob")
		r := e.do(t, request{Method: http.MethodPost, Path: "/api/v1/webhooks", Token: alice.Token,
			Header: http.Header{"Idempotency-Key": {"hook-1"}},
			Body:   map[string]any{"url": "https://hooks.example.com/taskapi", "event_types": []string{"task.updated", "task.created", "task.created"}}}).
			want(t, http.StatusCreated)
		var created httpapi.WebhookWithSecret
		r.decode(t, &created)
		if !strings.HasPrefix(created.Secret, "whsec_") || len(created.Secret) < 30 {
			t.Fatalf("secret %q", created.Secret)
		}
		if strings.Join(created.EventTypes, ",") != "task.created,task.updated" || !created.Active {
			t.Errorf("created %+v", created.WebhookBody)
		}
		path := "/api/v1/webhooks/" + created.ID
		if r.Header.Get("Location") != path {
			t.Errorf("Location %q", r.Header.Get("Location"))
		}
		// The secret is shown when made, never again.
		g := e.get(t, path, alice.Token).want(t, http.StatusOK)
		if strings.Contains(string(g.Body), created.Secret) || strings.Contains(string(g.Body), "secret") {
			t.Errorf("GET shows the secret: %s", g.Body)
		}
		list := e.get(t, "/api/v1/webhooks", alice.Token).want(t, http.StatusOK)
		if strings.Contains(string(list.Body), created.Secret) || !strings.Contains(string(list.Body), created.ID) {
			t.Errorf("list: %s", list.Body)
		}
		e.get(t, path, bob.Token).wantProblem(t, http.StatusNotFound)
		e.get(t, path+"/deliveries", bob.Token).wantProblem(t, http.StatusNotFound)

		etag := g.Header.Get("ETag")
		p := e.do(t, request{Method: http.MethodPatch, Path: path, Token: alice.Token, Header: http.Header{"If-Match": {etag}},
			Body: map[string]any{"active": false, "description": "CI"}}).want(t, http.StatusOK)
		var patched httpapi.WebhookBody
		p.decode(t, &patched)
		if patched.Active || patched.Description != "CI" || p.Header.Get("ETag") == etag {
			t.Errorf("patched %+v", patched)
		}
		e.do(t, request{Method: http.MethodPatch, Path: path, Token: alice.Token, Header: http.Header{"If-Match": {etag}},
			Body: map[string]any{"active": true}}).wantProblem(t, http.StatusPreconditionFailed)

		rot := e.do(t, request{Method: http.MethodPost, Path: path + "/rotate-secret", Token: alice.Token}).want(t, http.StatusOK)
		var rotated httpapi.WebhookWithSecret
		rot.decode(t, &rotated)
		if rotated.Secret == created.Secret || !strings.HasPrefix(rotated.Secret, "whsec_") {
			t.Errorf("rotated secret %q", rotated.Secret)
		}

		e.do(t, request{Method: http.MethodPost, Path: path + "/ping", Token: alice.Token}).want(t, http.StatusAccepted)
		var log struct {
			Items []httpapi.DeliveryBody `json:"items"`
		}
		e.get(t, path+"/deliveries", alice.Token).want(t, http.StatusOK).decode(t, &log)
		if len(log.Items) != 1 || log.Items[0].EventType != "webhook.ping" || log.Items[0].Status != "pending" {
			t.Fatalf("delivery log %+v", log.Items)
		}
		e.do(t, request{Method: http.MethodPost, Path: path + "/deliveries/" + log.Items[0].ID + "/redeliver", Token: alice.Token}).
			want(t, http.StatusAccepted)
		e.do(t, request{Method: http.MethodPost, Path: path + "/deliveries/" + log.Items[0].ID + "/redeliver", Token: bob.Token}).
			wantProblem(t, http.StatusNotFound)

		e.do(t, request{Method: http.MethodDelete, Path: path, Token: alice.Token}).want(t, http.StatusNoContent)
		e.get(t, path, alice.Token).wantProblem(t, http.StatusNotFound)
	})
}

func TestWebhookValidation(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		alice := e.newUser(t, "alice")
		ok := []string{"task.created"}
		for _, tt := range []struct {
			name string
			body map[string]any
		}{
			{"plain http", map[string]any{"url": "http://hooks.example.com/", "event_types": ok}},
			{"not a URL", map[string]any{"url": "hooks", "event_types": ok}},
			{"credentials", map[string]any{"url": "https://u:p@hooks.example.com/", "event_types": ok}},
			{"loopback", map[string]any{"url": "https://127.0.0.1:8443/", "event_types": ok}},
			{"metadata", map[string]any{"url": "https://169.254.169.254/latest", "event_types": ok}},
			{"private", map[string]any{"url": "https://10.0.0.7/hook", "event_types": ok}},
			{"localhost", map[string]any{"url": "https://localhost/hook", "event_types": ok}},
			{"no event types", map[string]any{"url": "https://hooks.example.com/", "event_types": []string{}}},
			{"unknown event type", map[string]any{"url": "https://hooks.example.com/", "event_types": []string{"task.exploded"}}},
		} {
			t.Run(tt.name, func(t *testing.T) {
				p := e.post(t, "/api/v1/webhooks", alice.Token, tt.body).wantProblem(t, http.StatusUnprocessableEntity)
				if len(p.Errors) == 0 {
					t.Errorf("no field named: %+v", p)
				}
			})
		}
		var list struct {
			Items []httpapi.WebhookBody `json:"items"`
		}
		e.get(t, "/api/v1/webhooks", alice.Token).want(t, http.StatusOK).decode(t, &list)
		if len(list.Items) != 0 {
			t.Errorf("refused endpoints were kept: %+v", list.Items)
		}
	})
}

// An operator may allow receivers on the server's own network.
func TestWebhookPrivateAllowed(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine.Name, func(t *testing.T) {
			e := newEnv(t, engine, func(c *config.Config) { c.WebhookAllowHTTP, c.WebhookAllowPrivate = true, true })
			alice := e.newUser(t, "alice")
			e.post(t, "/api/v1/webhooks", alice.Token, map[string]any{"url": "http://127.0.0.1:9/hook", "event_types": []string{"task.created"}}).
				want(t, http.StatusCreated)
		})
	}
}
