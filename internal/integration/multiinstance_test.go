package integration

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/taskapi/taskapi/internal/mail/mailtest"
	"github.com/taskapi/taskapi/internal/testkit"
)

// TestTwoInstances runs two `taskapi serve` processes on one PostgreSQL
// database and one Redis database and checks what a deployment behind a
// load balancer relies on. Each scenario is a subtest on the same cluster.
func TestTwoInstances(t *testing.T) {
	requirePostgres(t)
	mail := mailtest.Start(t, mailtest.Options{})
	c := startCluster(t, 2, map[string]string{
		"TASKAPI_RATE_LIMIT_API": "4/h", // one request back every 15 minutes: none during the test
		// Room for the account scenarios below, which all come from 127.0.0.1.
		"TASKAPI_RATE_LIMIT_AUTH": "1000/min",
		"TASKAPI_SMTP_URL":        mail.URL("", ""),
	})
	a, b := c.Instances[0], c.Instances[1]

	t.Run("both migrated the one database", func(t *testing.T) {
		// One instance applies every migration; the other, waiting on the
		// lock, finds none left and logs a count of 0.
		appliedMigrations := regexp.MustCompile(`"msg":"migrations applied","count":[1-9]`)
		applied := 0
		for _, in := range c.Instances {
			applied += len(appliedMigrations.FindAllString(in.Logs.String(), -1))
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

	t.Run("a logout on one instance is refused on the other at once", func(t *testing.T) {
		const password = "correct horse battery staple 42"
		a.do(t, http.MethodPost, "/api/v1/auth/register", "", map[string]string{
			"email": "carol@example.com", "username": "carol", "password": password,
		}).want(t, http.StatusCreated)
		var pair struct {
			AccessToken  string `json:"access_token"`
			RefreshToken string `json:"refresh_token"`
		}
		a.do(t, http.MethodPost, "/api/v1/auth/login", "", map[string]string{
			"username": "carol", "password": password,
		}).want(t, http.StatusOK).decode(t, &pair)
		b.do(t, http.MethodGet, "/api/v1/users/me", pair.AccessToken, nil).want(t, http.StatusOK)
		a.do(t, http.MethodPost, "/api/v1/auth/logout", "", map[string]string{
			"refresh_token": pair.RefreshToken,
		}).want(t, http.StatusNoContent)
		// The very next request, on the other instance: no cache to expire.
		r := b.do(t, http.MethodGet, "/api/v1/users/me", pair.AccessToken, nil).want(t, http.StatusUnauthorized)
		if !strings.HasPrefix(r.Header.Get("WWW-Authenticate"), "Bearer") {
			t.Errorf("WWW-Authenticate = %q", r.Header.Get("WWW-Authenticate"))
		}
		b.do(t, http.MethodPost, "/api/v1/auth/refresh", "", map[string]string{
			"refresh_token": pair.RefreshToken,
		}).want(t, http.StatusUnauthorized)
	})

	t.Run("each requested email is sent once", func(t *testing.T) {
		// One reset email per account within the quiet period, so the
		// requests name different accounts (carol's second one is within
		// it: nothing is sent for it).
		const accounts = 6
		emails := []string{"carol@example.com"}
		for i := 1; i < accounts; i++ {
			u := fmt.Sprintf("dave%d", i)
			c.Instances[i%2].do(t, http.MethodPost, "/api/v1/auth/register", "", map[string]string{
				"email": u + "@example.com", "username": u, "password": "correct horse battery staple 42",
			}).want(t, http.StatusCreated)
			emails = append(emails, u+"@example.com")
		}
		for i, email := range append(emails, "carol@example.com") {
			c.Instances[i%2].do(t, http.MethodPost, "/api/v1/auth/forgot-password", "", map[string]string{
				"email": email,
			}).want(t, http.StatusAccepted)
		}
		// Both instances' workers drain the one outbox. Wait for the
		// expected messages, then until nothing is pending, then count what
		// arrived: every message once, none twice.
		for _, email := range emails {
			mail.Wait(t, email, "Reset your taskapi password", 0)
		}
		waitOutboxDrained(t, c.DatabaseURL)
		tokens := map[string]bool{}
		for _, m := range mail.Messages() {
			if strings.Contains(m.Subject, "Reset your taskapi password") || strings.Contains(m.Subject, "Confirm your email") {
				tok := m.Token(t)
				if tokens[tok] {
					t.Errorf("the same email (%s to %s) arrived twice", m.Subject, m.To)
				}
				tokens[tok] = true
			}
		}
		for _, email := range emails {
			if n := mail.Count(email, "Reset your taskapi password"); n != 1 {
				t.Errorf("%d reset emails to %s, want 1", n, email)
			}
			if n := mail.Count(email, "Confirm your email"); n != 1 {
				t.Errorf("%d verification emails to %s for one registration", n, email)
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

// waitOutboxDrained waits until the shared outbox has nothing left to do.
// The forgot-password requests are rows before their 202s, and each email
// is queued in the transaction that resolves its request, so once nothing
// is pending nothing more will be sent.
func waitOutboxDrained(t *testing.T, databaseURL string) {
	t.Helper()
	db, err := sql.Open("pgx", databaseURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	testkit.WaitFor(t, "the outbox to drain", func() bool {
		var pending int
		if err := db.QueryRowContext(context.Background(),
			`SELECT count(*) FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL`).Scan(&pending); err != nil {
			t.Fatalf("outbox: %v", err)
		}
		return pending == 0
	})
}
