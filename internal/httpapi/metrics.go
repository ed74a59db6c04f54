package httpapi

import (
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
)

// metricsHandler serves GET /metrics. With TASKAPI_METRICS_TOKEN set it
// asks for that token as "Authorization: Bearer <token>" and answers 401
// otherwise; without it /metrics is open, for deployments that keep it off
// the public side of their proxy.
func (s *server) metricsHandler() http.Handler {
	h := s.metrics.Handler()
	if s.cfg == nil || s.cfg.MetricsToken == "" {
		return h
	}
	// Digests have one length whatever was sent, so the constant-time
	// comparison tells nothing about the token's length either.
	want := sha256.Sum256([]byte(s.cfg.MetricsToken))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token, ok := bearerToken(r.Header.Get("Authorization"))
		got := sha256.Sum256([]byte(token))
		if subtle.ConstantTimeCompare(got[:], want[:]) != 1 || !ok {
			w.Header().Set("WWW-Authenticate", `Bearer realm="taskapi-metrics"`)
			writeProblem(w, http.StatusUnauthorized, "/metrics needs Authorization: Bearer with the metrics token (TASKAPI_METRICS_TOKEN)")
			return
		}
		h.ServeHTTP(w, r)
	})
}
