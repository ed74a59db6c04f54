package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/taskapi/taskapi/internal/config"
	"github.com/taskapi/taskapi/internal/ratelimit"
)

// failureLimit limits password checks to n per account and hour, with the
// other limits out of the way.
func failureLimit(n int) func(*config.Config) {
	return func(c *config.Config) {
		c.RateLimit = true
		c.RateLimitLoginFailures = ratelimit.Limit{Burst: n, Period: time.Hour}
		c.RateLimitAuth = ratelimit.Limit{Burst: 1000, Period: time.Minute}
		c.RateLimitAPI = ratelimit.Limit{Burst: 1000, Period: time.Minute}
	}
}

// guardedEnv limits password checks to 5 per account and hour.
var guardedEnv = failureLimit(5)

// loginStatuses sends n wrong-password logins for one account at once and
// counts the answers by status.
func (e *env) loginStatuses(t *testing.T, username string, n int) map[int]int {
	t.Helper()
	body, err := json.Marshal(map[string]string{"username": username, "password": "wrong-wrong-wrong"})
	if err != nil {
		t.Fatal(err)
	}
	var (
		mu     sync.Mutex
		counts = map[int]int{}
		errs   []error
		wg     sync.WaitGroup
		start  = make(chan struct{})
	)
	for range n {
		wg.Go(func() {
			<-start
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.URL+"/api/v1/auth/login", bytes.NewReader(body))
			if err == nil {
				req.Header.Set("Content-Type", "application/json")
				var res *http.Response
				if res, err = e.client.Do(req); err == nil {
					res.Body.Close()
					mu.Lock()
					counts[res.StatusCode]++
					mu.Unlock()
					return
				}
			}
			mu.Lock()
			errs = append(errs, err)
			mu.Unlock()
		})
	}
	close(start)
	wg.Wait()
	if len(errs) > 0 {
		t.Fatalf("%d requests failed: %v", len(errs), errs[0])
	}
	return counts
}

// An attempt takes its token before the password is checked, so parallel
// guesses cannot all pass a check made before any failure was counted:
// after 30 at once against one account, it is locked. Every answer, locked or not,
// is the wrong password's, for a known account and an unknown name alike.
func TestParallelPasswordGuessesAreBounded(t *testing.T) {
	eachEngineWith(t, guardedEnv, func(t *testing.T, e *env) {
		e.signUp(t, "wendy", strongPassword)
		for _, name := range []string{"wendy", "nobody-at-all"} {
			if got := e.loginStatuses(t, name, 30); got[http.StatusUnauthorized] != 30 {
				t.Errorf("%s: answers %v, want 30×401", name, got)
			}
		}
		// Locked: even the right password is not tried now.
		e.wantWrongPassword(t, "wendy", strongPassword)
	})
}

// wantWrongPassword logs in and expects the answer to a wrong password,
// exactly: status, body and headers that tell nothing more.
func (e *env) wantWrongPassword(t *testing.T, username, password string) {
	t.Helper()
	r := e.post(t, "/api/v1/auth/login", "", map[string]any{"username": username, "password": password})
	p := r.wantProblem(t, http.StatusUnauthorized)
	if p.Detail != "the username or password is wrong" || r.Header.Get("Retry-After") != "" {
		t.Errorf("login %s: detail %q, Retry-After %q; want a wrong password's answer", username, p.Detail, r.Header.Get("Retry-After"))
	}
}

// Successes give the attempt back (they clear the count), and so does a
// request refused for another reason than a wrong password: a user is
// never locked out by their own successful logins or by a weak new
// password.
func TestPasswordGuardSparesLegitimateUse(t *testing.T) {
	eachEngineWith(t, guardedEnv, func(t *testing.T, e *env) {
		e.signUp(t, "xavier", strongPassword)
		var x tokens
		for range 8 {
			x = e.login(t, "xavier", strongPassword)
		}
		for range 8 {
			e.post(t, "/api/v1/auth/change-password", x.AccessToken,
				map[string]string{"current_password": strongPassword, "new_password": "password"}).
				wantProblem(t, http.StatusUnprocessableEntity)
		}
		e.post(t, "/api/v1/auth/change-password", x.AccessToken,
			map[string]string{"current_password": strongPassword, "new_password": "granite-Otter-77-maple"}).
			want(t, http.StatusNoContent)
		// Wrong passwords still count: 4 failures, then a success clears them.
		wrong := map[string]any{"username": "xavier", "password": "not-his-password"}
		for range 4 {
			e.post(t, "/api/v1/auth/login", "", wrong).wantProblem(t, http.StatusUnauthorized)
		}
		e.login(t, "xavier", "granite-Otter-77-maple")
		for range 5 {
			e.post(t, "/api/v1/auth/login", "", wrong).wantProblem(t, http.StatusUnauthorized)
		}
		e.wantWrongPassword(t, "xavier", "granite-Otter-77-maple")
	})
}
