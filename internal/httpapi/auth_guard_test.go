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
// guesses cannot all pass a check made before any failure was counted: of
// 30 at once against one account, 5 reach the password check (401) and
// the rest are refused (429), for a known account and an unknown name
// alike.
func TestParallelPasswordGuessesAreBounded(t *testing.T) {
	eachEngineWith(t, guardedEnv, func(t *testing.T, e *env) {
		e.signUp(t, "wendy", strongPassword)
		for _, name := range []string{"wendy", "nobody-at-all"} {
			got := e.loginStatuses(t, name, 30)
			if got[http.StatusUnauthorized] != 5 || got[http.StatusTooManyRequests] != 25 {
				t.Errorf("%s: answers %v, want 5×401 and 25×429", name, got)
			}
		}
		// Locked: even the right password is not tried now.
		e.post(t, "/api/v1/auth/login", "", map[string]any{"username": "wendy", "password": strongPassword}).
			wantProblem(t, http.StatusTooManyRequests)
	})
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
		e.post(t, "/api/v1/auth/login", "", wrong).wantProblem(t, http.StatusTooManyRequests)
	})
}
