// Package metrics holds taskapi's Prometheus metrics in a registry of its
// own (never the global default one): HTTP requests, the database pools,
// the rate limiter, the email outbox, and the Go runtime and process.
//
// Labels never carry user data: routes are the patterns the router matched
// ("GET /api/v1/tasks/{id}"), never raw paths; methods outside the standard
// set are folded into OTHER, so a client cannot grow the series count.
package metrics

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics is the registry and the metrics the HTTP layer updates. One
// Metrics serves one server: its collectors register once. The update
// methods do nothing on a nil *Metrics, so code paths built without
// metrics (tests, the OpenAPI generator) need no checks.
type Metrics struct {
	reg         *prometheus.Registry
	requests    *prometheus.CounterVec
	duration    *prometheus.HistogramVec
	inFlight    prometheus.Gauge
	rateLimited *prometheus.CounterVec
	limiterErrs prometheus.Counter
}

// New returns a registry with the HTTP metrics, the Go runtime and process
// collectors, and taskapi_build_info{version}.
func New(version string) *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "taskapi_http_requests_total",
			Help: "HTTP requests answered, by method, route pattern and status code.",
		}, []string{"method", "route", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "taskapi_http_request_duration_seconds",
			Help:    "Time to answer an HTTP request, by method and route pattern.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"method", "route"}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "taskapi_http_requests_in_flight",
			Help: "HTTP requests being answered now.",
		}),
		rateLimited: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "taskapi_ratelimit_rejections_total",
			Help: "Requests refused by a rate limit, by limit (auth_ip, api_user, login_account).",
		}, []string{"limit"}),
		limiterErrs: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "taskapi_ratelimit_errors_total",
			Help: "Rate-limit decisions that failed; the request went ahead unlimited and the error was logged.",
		}),
	}
	buildInfo := prometheus.NewGauge(prometheus.GaugeOpts{
		Name:        "taskapi_build_info",
		Help:        "Always 1; the version label names the running build.",
		ConstLabels: prometheus.Labels{"version": version},
	})
	buildInfo.Set(1)
	m.reg.MustRegister(m.requests, m.duration, m.inFlight, m.rateLimited, m.limiterErrs, buildInfo,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	return m
}

// Registry is where more collectors go.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Handler serves the registry in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{
		Registry:          m.reg,
		ErrorHandling:     promhttp.ContinueOnError,
		Timeout:           10 * time.Second,
		EnableOpenMetrics: false,
	})
}

// InFlight adds delta (1 when a request starts, -1 when it ends).
func (m *Metrics) InFlight(delta float64) {
	if m == nil {
		return
	}
	m.inFlight.Add(delta)
}

// ObserveRequest counts one answered request. route is the pattern the
// router matched, "" when none did.
func (m *Metrics) ObserveRequest(method, route string, status int, took time.Duration) {
	if m == nil {
		return
	}
	method = normalizeMethod(method)
	if route == "" {
		route = "unmatched"
	}
	m.requests.WithLabelValues(method, route, strconv.Itoa(status)).Inc()
	m.duration.WithLabelValues(method, route).Observe(took.Seconds())
}

// RateLimited counts one request refused by the named limit.
func (m *Metrics) RateLimited(limit string) {
	if m == nil {
		return
	}
	m.rateLimited.WithLabelValues(limit).Inc()
}

// RateLimitError counts one rate-limit decision that failed.
func (m *Metrics) RateLimitError() {
	if m == nil {
		return
	}
	m.limiterErrs.Inc()
}

func normalizeMethod(method string) string {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions, http.MethodConnect, http.MethodTrace:
		return method
	}
	return "OTHER"
}
