package httpapi_test

import (
	"bytes"
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/taskapi/taskapi"
	"github.com/taskapi/taskapi/internal/auth"
	"github.com/taskapi/taskapi/internal/config"
	"github.com/taskapi/taskapi/internal/store"
	"github.com/taskapi/taskapi/internal/store/storetest"
)

// GET /tasks/{id} checks the session in its read's round trip
// (store.SessionTask): it answers what the check and the read answered
// apart. A session ended, expired or of a user disabled or deleted is
// refused at once; the task of another user is 404; a token naming
// another user than its session's reads nothing; ETags and 304 hold.
func TestGetTaskChecksTheSessionInItsRead(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine.Name, func(t *testing.T) {
			// Sessions end a minute after they open, access tokens later.
			e := newEnv(t, engine, func(c *config.Config) { c.RefreshTokenTTL = time.Minute; c.AccessTokenTTL = 15 * time.Minute })
			ctx := context.Background()
			ann, bob := e.newUser(t, "ann"), e.newUser(t, "bob")
			task, etag := e.createTask(t, ann, map[string]any{"title": "ann's secret"})
			bobs, _ := e.createTask(t, bob, map[string]any{"title": "bob's secret"})
			path, bobsPath := "/api/v1/tasks/"+task.ID, "/api/v1/tasks/"+bobs.ID
			refused := func(name, path, token, secret string) {
				t.Helper()
				r := e.get(t, path, token)
				if r.Status != http.StatusUnauthorized || bytes.Contains(r.Body, []byte(secret)) {
					t.Errorf("%s: %d %s, want 401 without the task", name, r.Status, r.Body)
				}
			}

			r := e.get(t, path, ann.Token).want(t, http.StatusOK)
			var got struct{ Title string }
			r.decode(t, &got)
			if got.Title != "ann's secret" || r.Header.Get("ETag") != etag {
				t.Errorf("own task: %s, ETag %q (created with %q)", r.Body, r.Header.Get("ETag"), etag)
			}
			notModified := e.do(t, request{Method: http.MethodGet, Path: path, Token: ann.Token, Header: http.Header{"If-None-Match": {etag}}})
			if notModified.Status != http.StatusNotModified || len(notModified.Body) != 0 {
				t.Errorf("If-None-Match: %d %s, want 304 without a body", notModified.Status, notModified.Body)
			}
			e.get(t, bobsPath, ann.Token).wantProblem(t, http.StatusNotFound)
			e.get(t, "/api/v1/tasks/not-an-id", ann.Token).wantProblem(t, http.StatusUnprocessableEntity)

			// Signed with our key, naming bob with ann's session.
			claims, err := auth.NewTokens(e.Config.JWTSecret, nil, time.Minute, e.Clock.Now).Verify(ann.Token)
			if err != nil {
				t.Fatal(err)
			}
			forged, _, err := auth.NewTokens(e.Config.JWTSecret, nil, time.Minute, e.Clock.Now).Issue(bob.User.ID, claims.SessionID)
			if err != nil {
				t.Fatal(err)
			}
			refused("bob named with ann's session", bobsPath, forged, "bob's secret")

			// A personal access token takes its own path, to the same answers.
			pat := e.newToken(t, ann.Token, "reader", taskapi.ScopeTasksRead).Token
			if r := e.get(t, path, pat).want(t, http.StatusOK); r.Header.Get("ETag") != etag {
				t.Errorf("access token: ETag %q, want %q", r.Header.Get("ETag"), etag)
			}
			e.get(t, bobsPath, pat).wantProblem(t, http.StatusNotFound)

			carol := e.newUser(t, "carol")
			carols, _ := e.createTask(t, carol, map[string]any{"title": "carol's secret"})
			e.get(t, "/api/v1/tasks/"+carols.ID, carol.Token).want(t, http.StatusOK)
			e.post(t, "/api/v1/auth/logout-all", carol.Token, nil).want(t, http.StatusNoContent)
			refused("session ended", "/api/v1/tasks/"+carols.ID, carol.Token, "carol's secret")

			no := false
			if _, err := e.Store.UpdateUser(ctx, bob.User.ID, store.UserChanges{IsActive: &no}, nil); err != nil {
				t.Fatal(err)
			}
			refused("user disabled", bobsPath, bob.Token, "bob's secret")

			dave := e.newUser(t, "dave")
			daves, _ := e.createTask(t, dave, map[string]any{"title": "dave's secret"})
			if err := e.Store.DeleteUser(ctx, dave.User.ID, nil); err != nil {
				t.Fatal(err)
			}
			refused("user deleted", "/api/v1/tasks/"+daves.ID, dave.Token, "dave's secret")

			e.Clock.Advance(2 * time.Minute)
			refused("session expired, token not", path, ann.Token, "ann's secret")
			e.get(t, path, pat).want(t, http.StatusOK)
		})
	}
}
