package httpapi_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/taskapi/taskapi"
	"github.com/taskapi/taskapi/internal/config"
	"github.com/taskapi/taskapi/internal/store/storetest"
)

// worstSearch is the audit's search: LIKE tries it at every offset of a
// long description that holds it nowhere.
var worstSearch = "/api/v1/tasks?limit=100&q=" + url.QueryEscape(strings.Repeat("a", 199)+"b")

// longTasks gives user n tasks with 10,000-byte descriptions.
func longTasks(t testing.TB, e *env, user uuid.UUID, n int) {
	t.Helper()
	d := strings.Repeat("a", 10_000)
	tasks := make([]taskapi.Task, n)
	for i := range tasks {
		tasks[i] = taskapi.Task{Title: "long", Description: &d}
	}
	if _, err := e.Store.InsertTasks(context.Background(), user, tasks); err != nil {
		t.Fatal(err)
	}
}

// One user runs at most TASKAPI_SEARCHES_PER_USER searches at once; more
// are refused with a 429 problem that says why and when to retry.
func TestSearchesPerUser(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine.Name, func(t *testing.T) {
			e := newEnv(t, engine, func(c *config.Config) { c.SearchesPerUser = 1 })
			u := e.newUser(t, "seeker")
			longTasks(t, e, u.User.ID, 300)
			var (
				mu       sync.Mutex
				statuses []int
				refused  []*response
				wg       sync.WaitGroup
			)
			for range 6 {
				wg.Go(func() {
					r := e.do(t, request{Method: http.MethodGet, Path: worstSearch, Token: u.Token})
					mu.Lock()
					defer mu.Unlock()
					statuses = append(statuses, r.Status)
					if r.Status == http.StatusTooManyRequests {
						refused = append(refused, r)
					}
				})
			}
			wg.Wait()
			if len(refused) == 0 || len(refused) == len(statuses) {
				t.Fatalf("statuses %v: want some 429, not all", statuses)
			}
			// On a busy machine a search on PostgreSQL may reach the
			// search timeout: 503, the other way a search is bounded.
			for _, st := range statuses {
				if st != http.StatusOK && st != http.StatusTooManyRequests && st != http.StatusServiceUnavailable {
					t.Errorf("status %d among %v", st, statuses)
				}
			}
			p := refused[0].wantProblem(t, http.StatusTooManyRequests)
			if !strings.Contains(p.Detail, "searches") || refused[0].Header.Get("Retry-After") == "" {
				t.Errorf("429: detail %q, Retry-After %q", p.Detail, refused[0].Header.Get("Retry-After"))
			}
			// Done, the user searches again.
			if r := e.get(t, worstSearch, u.Token); r.Status == http.StatusTooManyRequests {
				t.Errorf("after the others finished: %d", r.Status)
			}
		})
	}
}

// BenchmarkSearchIsolation measures how one user's worst searches (12 at
// a time, in a loop, over 1,500 tasks of 10,000 bytes) move another
// user's GET /users/me: it reports that user's p99 alone and under the
// attack, in ms, and their ratio (p99-ratio), and the share of the
// attacker's searches refused (refused).
func BenchmarkSearchIsolation(b *testing.B) {
	for _, engine := range storetest.Engines(b) {
		b.Run(engine.Name, func(b *testing.B) {
			e := newEnv(b, engine)
			attacker, victim := e.newUser(b, "attacker"), e.newUser(b, "victim")
			longTasks(b, e, attacker.User.ID, 1500)
			const samples = 400
			measure := func() time.Duration {
				var d []time.Duration
				for range samples {
					start := time.Now()
					e.get(b, "/api/v1/users/me", victim.Token).want(b, http.StatusOK)
					d = append(d, time.Since(start))
				}
				slices.Sort(d)
				return d[samples*99/100]
			}
			for b.Loop() {
				alone := measure()
				ctx, stop := context.WithCancel(context.Background())
				var (
					wg             sync.WaitGroup
					mu             sync.Mutex
					sent, refusedN int
				)
				for range 12 {
					wg.Go(func() {
						for ctx.Err() == nil {
							r := e.get(b, worstSearch, attacker.Token)
							mu.Lock()
							sent++
							refused := r.Status == http.StatusTooManyRequests
							if refused {
								refusedN++
							}
							mu.Unlock()
							if refused {
								// A client that backs off a little: a
								// flood of refusals is the per-user rate
								// limit's business, not this benchmark's.
								time.Sleep(20 * time.Millisecond)
							}
						}
					})
				}
				time.Sleep(200 * time.Millisecond) // let the attack get going
				attacked := measure()
				stop()
				wg.Wait()
				b.ReportMetric(float64(alone.Microseconds())/1000, "alone-p99-ms")
				b.ReportMetric(float64(attacked.Microseconds())/1000, "attacked-p99-ms")
				b.ReportMetric(float64(attacked)/float64(alone), "p99-ratio")
				b.ReportMetric(float64(refusedN)/float64(max(sent, 1)), "refused")
			}
		})
	}
}
