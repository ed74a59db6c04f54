package httpapi_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/taskapi/taskapi/internal/config"
)

// With TASKAPI_METRICS_TOKEN set, /metrics asks for it as a bearer token;
// without it /metrics stays open (TestMetricsEndpoint).
func TestMetricsToken(t *testing.T) {
	const token = "scrape-0123456789abcdef"
	eachEngineWith(t, func(c *config.Config) { c.MetricsToken = token }, func(t *testing.T, e *env) {
		for name, h := range map[string]http.Header{
			"no credentials":  nil,
			"wrong token":     {"Authorization": {"Bearer scrape-0123456789abcdeX"}},
			"token prefix":    {"Authorization": {"Bearer " + token[:10]}},
			"token plus more": {"Authorization": {"Bearer " + token + "x"}},
			"another scheme":  {"Authorization": {"Basic " + token}},
			"empty bearer":    {"Authorization": {"Bearer "}},
			"an access token": {"Authorization": {"Bearer " + e.newUser(t, "scraper").Token}},
		} {
			r := e.do(t, request{Method: http.MethodGet, Path: "/metrics", Header: h})
			r.wantProblem(t, http.StatusUnauthorized)
			if !strings.HasPrefix(r.Header.Get("WWW-Authenticate"), "Bearer") || strings.Contains(string(r.Body), "taskapi_") {
				t.Errorf("%s: %v %s", name, r.Header, r.Body)
			}
		}
		r := e.do(t, request{Method: http.MethodGet, Path: "/metrics", Header: http.Header{"Authorization": {"bearer " + token}}}).
			want(t, http.StatusOK)
		if !strings.HasPrefix(r.Header.Get("Content-Type"), "text/plain") || !strings.Contains(string(r.Body), "taskapi_build_info") {
			t.Errorf("with the token: %v %.200s", r.Header, r.Body)
		}
		// The token is in no log line.
		if strings.Contains(e.Logs.String(), token) {
			t.Error("the metrics token was logged")
		}
	})
}
