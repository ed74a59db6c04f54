package metrics

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/taskapi/taskapi/internal/ratelimit"
)

// WatchDBPools reports the connection pools that pools returns, by name
// ("main" on PostgreSQL; "read" and "write" on SQLite), at every scrape.
func (m *Metrics) WatchDBPools(pools func() map[string]sql.DBStats) {
	desc := func(name, help string) *prometheus.Desc {
		return prometheus.NewDesc(name, help, []string{"pool"}, nil)
	}
	m.reg.MustRegister(&dbCollector{
		pools:       pools,
		open:        desc("taskapi_db_open_connections", "Connections open, in use or idle."),
		inUse:       desc("taskapi_db_in_use_connections", "Connections in use."),
		idle:        desc("taskapi_db_idle_connections", "Idle connections."),
		maxOpen:     desc("taskapi_db_max_open_connections", "The pool's bound."),
		waitCount:   desc("taskapi_db_wait_count_total", "Times a query waited for a free connection."),
		waitSeconds: desc("taskapi_db_wait_duration_seconds_total", "Time spent waiting for a free connection."),
		closedIdle:  desc("taskapi_db_closed_max_idle_total", "Connections closed by the idle bounds."),
		closedLife:  desc("taskapi_db_closed_max_lifetime_total", "Connections closed by the lifetime bound."),
	})
}

// dbCollector reads the pool statistics at scrape time.
type dbCollector struct {
	pools                                          func() map[string]sql.DBStats
	open, inUse, idle, maxOpen                     *prometheus.Desc
	waitCount, waitSeconds, closedIdle, closedLife *prometheus.Desc
}

func (c *dbCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.open, c.inUse, c.idle, c.maxOpen, c.waitCount, c.waitSeconds, c.closedIdle, c.closedLife} {
		ch <- d
	}
}

func (c *dbCollector) Collect(ch chan<- prometheus.Metric) {
	for name, s := range c.pools() {
		gauge := func(d *prometheus.Desc, v float64) {
			ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, name)
		}
		counter := func(d *prometheus.Desc, v float64) {
			ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, v, name)
		}
		gauge(c.open, float64(s.OpenConnections))
		gauge(c.inUse, float64(s.InUse))
		gauge(c.idle, float64(s.Idle))
		gauge(c.maxOpen, float64(s.MaxOpenConnections))
		counter(c.waitCount, float64(s.WaitCount))
		counter(c.waitSeconds, s.WaitDuration.Seconds())
		counter(c.closedIdle, float64(s.MaxIdleClosed+s.MaxIdleTimeClosed))
		counter(c.closedLife, float64(s.MaxLifetimeClosed))
	}
}

// WatchRateLimitFallback reports whether the shared (Redis) rate limiter
// is down and the in-memory one decides, and how often that happened.
func (m *Metrics) WatchRateLimitFallback(stats func() ratelimit.FallbackStats) {
	m.reg.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "taskapi_ratelimit_redis_degraded",
			Help: "1 while Redis does not answer and rate limits are kept per instance, in memory.",
		}, func() float64 {
			if stats().Degraded {
				return 1
			}
			return 0
		}),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "taskapi_ratelimit_redis_errors_total",
			Help: "Rate-limit calls to Redis that failed.",
		}, func() float64 { return float64(stats().PrimaryErrors) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "taskapi_ratelimit_fallback_decisions_total",
			Help: "Rate-limit decisions made in memory because Redis did not answer.",
		}, func() float64 { return float64(stats().Fallbacks) }),
	)
}

// WatchMemoryLimiter reports the in-memory limiter's size and evictions.
func (m *Metrics) WatchMemoryLimiter(mem *ratelimit.Memory) {
	m.reg.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "taskapi_ratelimit_memory_keys",
			Help: "Keys held by the in-memory rate limiter.",
		}, func() float64 { return float64(mem.Len()) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "taskapi_ratelimit_memory_evictions_total",
			Help: "Limited keys dropped because the in-memory limiter was full.",
		}, func() float64 { return float64(mem.Evicted()) }),
	)
}

// OutboxStats is what the email outbox tells about itself: messages
// waiting to be sent, and messages that failed for good.
type OutboxStats interface {
	OutboxStats(ctx context.Context) (pending, failed int, err error)
}

// OutboxOptions tunes how the outbox is read; the zero value gives the
// defaults.
type OutboxOptions struct {
	// MaxAge is how long one reading serves scrapes before a scrape asks
	// the outbox again. Default DefaultOutboxMaxAge.
	MaxAge time.Duration
	// Timeout bounds one reading. Default DefaultOutboxTimeout.
	Timeout time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// The defaults of OutboxOptions. Counting the outbox costs two queries; at
// most one reading per MaxAge keeps that cost flat however often, and by
// however many scrapers, /metrics is read.
const (
	DefaultOutboxMaxAge  = 10 * time.Second
	DefaultOutboxTimeout = 2 * time.Second
)

// WatchOutbox reports the outbox's depth and failures with the default
// options (see WatchOutboxWith). A nil outbox is not reported.
func (m *Metrics) WatchOutbox(o OutboxStats) { m.WatchOutboxWith(o, OutboxOptions{}) }

// WatchOutboxWith reports the outbox's depth and failures. A scrape reads
// the outbox, with a deadline, only when the last reading is older than
// opts.MaxAge; otherwise it reports that reading. A nil outbox is not
// reported.
func (m *Metrics) WatchOutboxWith(o OutboxStats, opts OutboxOptions) {
	if o == nil {
		return
	}
	if opts.MaxAge <= 0 {
		opts.MaxAge = DefaultOutboxMaxAge
	}
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultOutboxTimeout
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	c := &outboxCollector{
		o:    o,
		opts: opts,
		pending: prometheus.NewDesc("taskapi_outbox_pending",
			fmt.Sprintf("Emails waiting in the outbox, as read at most %s before.", opts.MaxAge), nil, nil),
		failed: prometheus.NewDesc("taskapi_outbox_failed",
			fmt.Sprintf("Emails that failed for good, as read at most %s before.", opts.MaxAge), nil, nil),
		errors: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "taskapi_outbox_stats_errors_total",
			Help: "Readings of the outbox's counts that failed.",
		}),
	}
	// The error counter is collected by the outbox collector itself, after
	// the scrape's own failure is counted: registered apart, a concurrent
	// gather could read it before that increment.
	m.reg.MustRegister(c)
}

type outboxCollector struct {
	o               OutboxStats
	opts            OutboxOptions
	pending, failed *prometheus.Desc
	errors          prometheus.Counter

	// mu guards the last reading. A scrape that finds it stale reads
	// again while holding mu, so concurrent scrapes wait for that one
	// reading (at most opts.Timeout) instead of each querying.
	mu              sync.Mutex
	readAt          time.Time // zero: never read
	readOK          bool      // the last reading succeeded
	pendingN, failN int
}

func (c *outboxCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.pending
	ch <- c.failed
	c.errors.Describe(ch)
}

func (c *outboxCollector) Collect(ch chan<- prometheus.Metric) {
	pending, failed, ok := c.reading()
	c.errors.Collect(ch)
	if !ok {
		return
	}
	ch <- prometheus.MustNewConstMetric(c.pending, prometheus.GaugeValue, float64(pending))
	ch <- prometheus.MustNewConstMetric(c.failed, prometheus.GaugeValue, float64(failed))
}

// reading returns the counts, read again when the last reading is older
// than MaxAge. ok is false when that reading failed: the gauges are then
// left out rather than reported stale. A failed reading is kept for MaxAge
// like a good one, so that a database that does not answer costs one
// timed-out query per MaxAge, not one per scrape.
func (c *outboxCollector) reading() (pending, failed int, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.opts.Now()
	if age := now.Sub(c.readAt); c.readAt.IsZero() || age < 0 || age >= c.opts.MaxAge {
		ctx, cancel := context.WithTimeout(context.Background(), c.opts.Timeout)
		pending, failed, err := c.o.OutboxStats(ctx)
		cancel()
		if err != nil {
			c.errors.Inc()
		}
		c.readAt, c.readOK, c.pendingN, c.failN = now, err == nil, pending, failed
	}
	return c.pendingN, c.failN, c.readOK
}
