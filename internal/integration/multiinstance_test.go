package integration

import (
	"context"
	"net/http"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestTwoInstances runs two `taskapi serve` processes on one PostgreSQL
// database and one Redis database and checks what a deployment behind a
// load balancer relies on. Each scenario is a subtest on the same cluster.
func TestTwoInstances(t *testing.T) {
	c := startCluster(t, 2, map[string]string{
		"TASKAPI_RATE_LIMIT_API": "4/h", // one request back every 15 minutes: none during the test
	})
	a, b := c.Instances[0], c.Instances[1]

	t.Run("both migrated the one database", func(t *testing.T) {
		applied := 0
		for _, in := range c.Instances {
			applied += strings.Count(in.Logs.String(), `"msg":"migrations applied","count":1`)
		}
		if applied != 1 {
			t.Errorf("the schema was applied %d times, want once", applied)
		}
		for _, in := range c.Instances {
			if r := in.do(t, http.MethodGet, "/readyz", "", nil); r.Status != http.StatusOK {
				t.Errorf("%s not ready: %d", in.URL, r.Status)
			}
		}
	})

	t.Run("the per-user limit is shared", func(t *testing.T) {
		token := c.newUser(t, "alice")
		for i, in := range []*instance{a, b, a, b} {
			r := in.do(t, http.MethodGet, "/api/v1/users/me", token, nil)
			if r.Status != http.StatusOK {
				t.Fatalf("request %d: %d %s", i+1, r.Status, r.Body)
			}
			if want := []string{"3", "2", "1", "0"}[i]; r.Header.Get("RateLimit-Remaining") != want {
				t.Errorf("request %d to %s: RateLimit-Remaining %q, want %s (one budget for both instances)",
					i+1, in.URL, r.Header.Get("RateLimit-Remaining"), want)
			}
		}
		for _, in := range c.Instances {
			r := in.do(t, http.MethodGet, "/api/v1/users/me", token, nil)
			if r.Status != http.StatusTooManyRequests || r.Header.Get("Retry-After") == "" {
				t.Errorf("%s over the shared limit: %d, Retry-After %q", in.URL, r.Status, r.Header.Get("Retry-After"))
			}
		}
		// Another user has a budget of their own.
		if r := b.do(t, http.MethodGet, "/api/v1/users/me", c.newUser(t, "bob"), nil); r.Status != http.StatusOK {
			t.Errorf("bob: %d", r.Status)
		}
		for _, in := range c.Instances {
			m := in.do(t, http.MethodGet, "/metrics", "", nil).Body
			for _, want := range []string{`taskapi_ratelimit_rejections_total{limit="api_user"} 1`, "taskapi_ratelimit_redis_degraded 0"} {
				if !strings.Contains(m, want+"\n") {
					t.Errorf("%s metrics lack %q", in.URL, want)
				}
			}
		}
	})

	t.Run("the healthcheck subcommand of the binary", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		out, err := exec.CommandContext(ctx, c.Bin, "healthcheck", "--addr", strings.TrimPrefix(a.URL, "http://")).CombinedOutput()
		if err != nil || strings.TrimSpace(string(out)) != "ok" {
			t.Errorf("healthcheck: %v %s", err, out)
		}
	})
}
