package metrics

import (
	"context"
	"database/sql"
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

// WatchOutbox reports the outbox's depth and failures at every scrape,
// asking it with a deadline. A nil outbox is not reported.
func (m *Metrics) WatchOutbox(o OutboxStats) {
	if o == nil {
		return
	}
	c := &outboxCollector{
		o:       o,
		pending: prometheus.NewDesc("taskapi_outbox_pending", "Emails waiting in the outbox.", nil, nil),
		failed:  prometheus.NewDesc("taskapi_outbox_failed", "Emails that failed for good.", nil, nil),
		errors: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "taskapi_outbox_stats_errors_total",
			Help: "Scrapes that could not read the outbox's counts.",
		}),
	}
	// The error counter is collected by the outbox collector itself, after
	// the scrape's own failure is counted: registered apart, a concurrent
	// gather could read it before that increment.
	m.reg.MustRegister(c)
}

type outboxCollector struct {
	o               OutboxStats
	pending, failed *prometheus.Desc
	errors          prometheus.Counter
}

func (c *outboxCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.pending
	ch <- c.failed
	c.errors.Describe(ch)
}

func (c *outboxCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	pending, failed, err := c.o.OutboxStats(ctx)
	if err != nil {
		c.errors.Inc()
	}
	c.errors.Collect(ch)
	if err != nil {
		return
	}
	ch <- prometheus.MustNewConstMetric(c.pending, prometheus.GaugeValue, float64(pending))
	ch <- prometheus.MustNewConstMetric(c.failed, prometheus.GaugeValue, float64(failed))
}
