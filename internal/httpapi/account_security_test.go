package httpapi_test

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/taskapi/taskapi/internal/auth"
)

// Logins racing a password change through the API: whichever way each
// race goes, once the change has answered, no session opened with the old
// password is honoured (the store test runs the steps in the losing order
// deterministically).
func TestLoginsRacingAPasswordChangeKeepNothing(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		e.signUp(t, "rhea", strongPassword)
		mine := e.login(t, "rhea", strongPassword)
		const logins = 12
		var wg sync.WaitGroup
		var mu sync.Mutex
		var opened []string
		start := make(chan struct{})
		for range logins {
			wg.Go(func() {
				<-start
				r := e.post(t, "/api/v1/auth/login", "", map[string]any{"username": "rhea", "password": strongPassword})
				switch r.Status {
				case http.StatusOK:
					var tk tokens
					r.decode(t, &tk)
					mu.Lock()
					opened = append(opened, tk.AccessToken)
					mu.Unlock()
				case http.StatusUnauthorized:
				default:
					t.Errorf("login: %d %s", r.Status, r.Body)
				}
			})
		}
		close(start)
		e.post(t, "/api/v1/auth/change-password", mine.AccessToken,
			map[string]string{"current_password": strongPassword, "new_password": "granite-Otter-77-maple"}).want(t, http.StatusNoContent)
		wg.Wait()
		for _, tok := range opened {
			e.wantDead(t, tok)
		}
		e.wantLive(t, mine.AccessToken)
	})
}

// NUL characters and invalid UTF-8, which PostgreSQL refuses in text, get
// a 4xx (or, in a login, the usual 401) and never a 500, on every text
// input of the account and task APIs. A User-Agent with stray bytes is
// cleaned, not fatal, even after a correct password.
func TestNULAndInvalidUTF8AreRefusedCleanly(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		e.signUp(t, "umar", strongPassword)
		tk := e.login(t, "umar", strongPassword)
		root := e.newAdmin(t, "root")
		owner := e.newUser(t, "owner")
		for _, c := range []struct {
			name string
			req  request
			want int
		}{
			{"login username", request{Method: http.MethodPost, Path: "/api/v1/auth/login",
				Body: `{"username":"um\u0000ar","password":"` + strongPassword + `"}`}, http.StatusUnauthorized},
			{"login email", request{Method: http.MethodPost, Path: "/api/v1/auth/login",
				Body: `{"username":"umar\u0000@example.com","password":"x"}`}, http.StatusUnauthorized},
			{"register full_name", request{Method: http.MethodPost, Path: "/api/v1/auth/register",
				Body: `{"email":"new@example.com","username":"newbie","password":"` + strongPassword + `","full_name":"a\u0000b"}`}, http.StatusUnprocessableEntity},
			{"register email", request{Method: http.MethodPost, Path: "/api/v1/auth/register",
				Body: `{"email":"ne\u0000w@example.com","username":"newbie","password":"` + strongPassword + `"}`}, http.StatusUnprocessableEntity},
			{"patch full_name", request{Method: http.MethodPatch, Path: "/api/v1/users/me", Token: tk.AccessToken,
				Body: `{"full_name":"a\u0000b"}`}, http.StatusUnprocessableEntity},
			{"patch email", request{Method: http.MethodPatch, Path: "/api/v1/users/me", Token: tk.AccessToken,
				Body: `{"email":"a\u0000b@example.com","current_password":"` + strongPassword + `"}`}, http.StatusUnprocessableEntity},
			{"forgot password", request{Method: http.MethodPost, Path: "/api/v1/auth/forgot-password",
				Body: `{"email":"a\u0000b@example.com"}`}, http.StatusUnprocessableEntity},
			{"admin q NUL", request{Method: http.MethodGet, Path: "/api/v1/admin/users?q=a%00b", Token: root.Token}, http.StatusUnprocessableEntity},
			{"admin q bytes", request{Method: http.MethodGet, Path: "/api/v1/admin/users?q=a%80b", Token: root.Token}, http.StatusUnprocessableEntity},
			{"task title", request{Method: http.MethodPost, Path: "/api/v1/tasks", Token: owner.Token,
				Body: `{"title":"a\u0000b"}`}, http.StatusUnprocessableEntity},
			{"task description", request{Method: http.MethodPost, Path: "/api/v1/tasks", Token: owner.Token,
				Body: `{"title":"ok","description":"a\u0000b"}`}, http.StatusUnprocessableEntity},
			{"category name", request{Method: http.MethodPost, Path: "/api/v1/categories", Token: owner.Token,
				Body: `{"name":"a\u0000b","color":"#AABBCC"}`}, http.StatusUnprocessableEntity},
			{"task q NUL", request{Method: http.MethodGet, Path: "/api/v1/tasks?q=a%00b", Token: owner.Token}, http.StatusUnprocessableEntity},
			{"task q bytes", request{Method: http.MethodGet, Path: "/api/v1/tasks?q=a%ffb", Token: owner.Token}, http.StatusUnprocessableEntity},
		} {
			r := e.do(t, c.req)
			if r.Status != c.want {
				t.Errorf("%s: %d, want %d: %s", c.name, r.Status, c.want, r.Body)
			}
		}
		// A User-Agent with bytes that are not UTF-8 (and control
		// characters) after the right password: a session, with the agent
		// cleaned.
		agent := "Mozilla/5.0 \x80\xff\tcaf\xc3\xa9"
		r := e.do(t, request{Method: http.MethodPost, Path: "/api/v1/auth/login",
			Body:   map[string]any{"username": "umar", "password": strongPassword},
			Header: http.Header{"User-Agent": {agent}}})
		r.want(t, http.StatusOK)
		var list struct {
			Items []struct {
				UserAgent string `json:"user_agent"`
			} `json:"items"`
		}
		e.get(t, "/api/v1/users/me/sessions", tk.AccessToken).want(t, http.StatusOK).decode(t, &list)
		found := false
		for _, s := range list.Items {
			if strings.HasPrefix(s.UserAgent, "Mozilla/5.0") {
				found = true
				if !utf8.ValidString(s.UserAgent) || strings.ContainsAny(s.UserAgent, "\x00\t") || !strings.HasSuffix(s.UserAgent, "café") {
					t.Errorf("user agent stored as %q", s.UserAgent)
				}
			}
		}
		if !found {
			t.Errorf("no session with the cleaned agent: %+v", list)
		}
	})
}

// Refreshing does not grow the refresh-token table without bound, and a
// session refreshed forever still ends TASKAPI_SESSION_MAX_AGE after login.
func TestRefreshIsBounded(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		e.signUp(t, "vito", strongPassword)
		tk := e.login(t, "vito", strongPassword)
		for range 12 {
			e.post(t, "/api/v1/auth/refresh", "", map[string]string{"refresh_token": tk.RefreshToken}).want(t, http.StatusOK).decode(t, &tk)
		}
		ctx := context.Background()
		var n int
		if err := e.Store.DB().QueryRowContext(ctx, `SELECT count(*) FROM refresh_tokens`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n > auth.DefaultKeptSpentRefreshTokens+1 {
			t.Errorf("%d refresh tokens kept for one session after 12 refreshes", n)
		}
		// Refreshed before each refresh token runs out, the session still
		// ends SessionMaxAge after login.
		step := e.Config.RefreshTokenTTL - time.Hour
		for elapsed := step; elapsed < e.Config.SessionMaxAge; elapsed += step {
			e.Clock.Advance(step)
			e.post(t, "/api/v1/auth/refresh", "", map[string]string{"refresh_token": tk.RefreshToken}).want(t, http.StatusOK).decode(t, &tk)
		}
		e.Clock.Advance(step)
		e.post(t, "/api/v1/auth/refresh", "", map[string]string{"refresh_token": tk.RefreshToken}).wantProblem(t, http.StatusUnauthorized)
		e.login(t, "vito", strongPassword)
	})
}
