package metrics_test

import (
	"context"
	"database/sql"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/taskapi/taskapi/internal/metrics"
	"github.com/taskapi/taskapi/internal/ratelimit"
)

func scrape(t *testing.T, m *metrics.Metrics) string {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("scrape: %d %s", rec.Code, rec.Body)
	}
	body, _ := io.ReadAll(rec.Body)
	return string(body)
}

func wantLines(t *testing.T, text string, lines ...string) {
	t.Helper()
	for _, l := range lines {
		if !strings.Contains(text, "\n"+l+"\n") {
			t.Errorf("metrics lack %q", l)
		}
	}
}

// outboxCounts stands in for the email outbox, which reports through the
// OutboxStats interface, and counts how often it is asked.
type outboxCounts struct {
	mu              sync.Mutex
	pending, failed int
	err             error
	calls           int
}

func (o *outboxCounts) OutboxStats(context.Context) (int, int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.calls++
	return o.pending, o.failed, o.err
}

func (o *outboxCounts) set(pending, failed int, err error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.pending, o.failed, o.err = pending, failed, err
}

func (o *outboxCounts) asked() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.calls
}

func TestMetrics(t *testing.T) {
	m := metrics.New("v1.2.3")
	m.ObserveRequest("GET", "GET /api/v1/tasks/{id}", 200, 3*time.Millisecond)
	m.ObserveRequest("GET", "GET /api/v1/tasks/{id}", 200, 3*time.Millisecond)
	m.ObserveRequest("BREW", "", 404, time.Millisecond) // neither the method nor the path becomes a label
	m.InFlight(1)
	m.InFlight(1)
	m.InFlight(-1)
	m.RateLimited("api_user")
	m.RateLimitError()
	m.WatchDBPools(func() map[string]sql.DBStats {
		return map[string]sql.DBStats{"main": {MaxOpenConnections: 20, OpenConnections: 3, InUse: 1, Idle: 2, WaitCount: 7}}
	})
	m.WatchRateLimitFallback(func() ratelimit.FallbackStats {
		return ratelimit.FallbackStats{Degraded: true, PrimaryErrors: 2, Fallbacks: 9}
	})
	ob := &outboxCounts{pending: 4, failed: 1}
	m.WatchOutbox(ob)
	m.WatchOutbox(nil) // nil-safe: nothing registered

	text := scrape(t, m)
	wantLines(t, text,
		`taskapi_http_requests_total{method="GET",route="GET /api/v1/tasks/{id}",status="200"} 2`,
		`taskapi_http_requests_total{method="OTHER",route="unmatched",status="404"} 1`,
		`taskapi_http_request_duration_seconds_count{method="GET",route="GET /api/v1/tasks/{id}"} 2`,
		`taskapi_http_requests_in_flight 1`,
		`taskapi_ratelimit_rejections_total{limit="api_user"} 1`,
		`taskapi_ratelimit_errors_total 1`,
		`taskapi_db_max_open_connections{pool="main"} 20`,
		`taskapi_db_in_use_connections{pool="main"} 1`,
		`taskapi_db_wait_count_total{pool="main"} 7`,
		`taskapi_ratelimit_redis_degraded 1`,
		`taskapi_ratelimit_redis_errors_total 2`,
		`taskapi_ratelimit_fallback_decisions_total 9`,
		`taskapi_outbox_pending 4`,
		`taskapi_outbox_failed 1`,
		`taskapi_build_info{version="v1.2.3"} 1`,
	)
	for _, family := range []string{"go_goroutines", "process_open_fds", "go_memstats_heap_alloc_bytes"} {
		if !strings.Contains(text, "\n"+family+" ") {
			t.Errorf("runtime metric %s missing", family)
		}
	}
}

// The outbox is counted at most once per MaxAge, however often and by
// however many scrapers /metrics is read; a failed reading is counted,
// leaves the gauges out, and is not retried before MaxAge either.
func TestOutboxReadingsAreCached(t *testing.T) {
	var mu sync.Mutex
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); defer mu.Unlock(); now = now.Add(d) }
	m := metrics.New("test")
	ob := &outboxCounts{pending: 4, failed: 1}
	m.WatchOutboxWith(ob, metrics.OutboxOptions{MaxAge: 10 * time.Second, Now: clock})

	wantLines(t, scrape(t, m), `taskapi_outbox_pending 4`, `taskapi_outbox_failed 1`)
	ob.set(5, 2, nil)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() { m.Registry().Gather() })
	}
	wg.Wait()
	advance(9 * time.Second)
	wantLines(t, scrape(t, m), `taskapi_outbox_pending 4`, `taskapi_outbox_failed 1`)
	if n := ob.asked(); n != 1 {
		t.Errorf("outbox asked %d times within MaxAge, want 1", n)
	}
	advance(time.Second)
	wantLines(t, scrape(t, m), `taskapi_outbox_pending 5`, `taskapi_outbox_failed 2`)
	if n := ob.asked(); n != 2 {
		t.Errorf("outbox asked %d times, want 2", n)
	}

	// An outbox that cannot answer is counted, and the scrape still works.
	ob.set(0, 0, errors.New("database down"))
	advance(10 * time.Second)
	for range 3 {
		text := scrape(t, m)
		wantLines(t, text, `taskapi_outbox_stats_errors_total 1`)
		if strings.Contains(text, "taskapi_outbox_pending ") {
			t.Error("stale outbox depth reported after an error")
		}
	}
	if n := ob.asked(); n != 3 {
		t.Errorf("outbox asked %d times, want 3: a failure waits MaxAge too", n)
	}
	ob.set(6, 0, nil)
	advance(10 * time.Second)
	wantLines(t, scrape(t, m), `taskapi_outbox_pending 6`, `taskapi_outbox_failed 0`, `taskapi_outbox_stats_errors_total 1`)
	// A clock that went back reads again rather than trusting the future.
	advance(-time.Minute)
	scrape(t, m)
	if n := ob.asked(); n != 5 {
		t.Errorf("outbox asked %d times, want 5", n)
	}
}

func TestMemoryLimiterMetrics(t *testing.T) {
	m := metrics.New("test")
	mem := ratelimit.NewMemory(context.Background(), ratelimit.MemoryOptions{MaxKeys: 1, SweepInterval: -1})
	defer mem.Close()
	m.WatchMemoryLimiter(mem)
	l := ratelimit.Limit{Burst: 1, Period: time.Hour}
	mem.Allow(context.Background(), "a", l)
	mem.Allow(context.Background(), "b", l)
	wantLines(t, scrape(t, m), `taskapi_ratelimit_memory_keys 1`, `taskapi_ratelimit_memory_evictions_total 1`)
}
