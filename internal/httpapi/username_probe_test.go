package httpapi_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/taskapi/taskapi/internal/config"
	"github.com/taskapi/taskapi/internal/ratelimit"
)

// A username change answers 409 when the name is taken, so it tells
// whether a name exists, as registration does: it draws on the same
// per-address budget (TASKAPI_RATE_LIMIT_AUTH). Edits that change no
// username do not.
func TestUsernameChangesAreLimitedLikeRegistration(t *testing.T) {
	eachEngineWith(t, func(c *config.Config) {
		failureLimit(100)(c)
		c.RateLimitAuth = ratelimit.Limit{Burst: 4, Period: time.Hour}
	}, func(t *testing.T, e *env) {
		e.newUser(t, "taken")
		u := e.newUser(t, "prober")
		patch := func(body any) *response {
			return e.do(t, request{Method: http.MethodPatch, Path: "/api/v1/users/me", Token: u.Token, Body: body})
		}
		for range 4 {
			patch(map[string]any{"username": "taken"}).wantProblem(t, http.StatusConflict)
		}
		r := patch(map[string]any{"username": "taken"})
		r.wantProblem(t, http.StatusTooManyRequests)
		if r.Header.Get("Retry-After") == "" {
			t.Error("429 without Retry-After")
		}
		patch(map[string]any{"full_name": "Pro Ber"}).want(t, http.StatusOK)
		patch(map[string]any{"username": "prober"}).want(t, http.StatusOK) // unchanged: no probe
		e.post(t, "/api/v1/auth/register", "", map[string]any{
			"email": "new@example.com", "username": "newcomer", "password": strongPassword,
		}).wantProblem(t, http.StatusTooManyRequests)
	})
}
