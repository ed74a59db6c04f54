package httpapi_test

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/taskapi/taskapi/internal/config"
	"github.com/taskapi/taskapi/internal/ratelimit"
	"github.com/taskapi/taskapi/internal/store/storetest"
)

func eachEngineWith(t *testing.T, tweak func(*config.Config), fn func(t *testing.T, e *env)) {
	t.Helper()
	for _, engine := range storetest.Engines(t) {
		t.Run(engine.Name, func(t *testing.T) { fn(t, newEnv(t, engine, tweak)) })
	}
}

func TestPerUserRateLimit(t *testing.T) {
	eachEngineWith(t, func(c *config.Config) {
		c.RateLimit = true
		// One request back every 20 minutes: none comes back during the test.
		c.RateLimitAPI = ratelimit.Limit{Burst: 3, Period: time.Hour}
	}, func(t *testing.T, e *env) {
		alice, bob := e.newUser(t, "alice"), e.newUser(t, "bob")
		for i := range 3 {
			r := e.get(t, "/api/v1/users/me", alice.Token).want(t, http.StatusOK)
			if got := r.Header.Get("RateLimit-Remaining"); got != []string{"2", "1", "0"}[i] {
				t.Errorf("request %d: RateLimit-Remaining %q", i+1, got)
			}
			if r.Header.Get("RateLimit-Limit") != "3" || r.Header.Get("RateLimit-Reset") == "" {
				t.Errorf("request %d: headers %v", i+1, r.Header)
			}
		}
		r := e.get(t, "/api/v1/users/me", alice.Token)
		p := r.wantProblem(t, http.StatusTooManyRequests)
		retry, err := strconv.Atoi(r.Header.Get("Retry-After"))
		if err != nil || retry < 20*60-60 || retry > 20*60 || !strings.Contains(p.Detail, "retry in "+r.Header.Get("Retry-After")+" s") {
			t.Errorf("429: Retry-After %q, detail %q; want about 20 minutes", r.Header.Get("Retry-After"), p.Detail)
		}
		// The limit is per user: bob is not affected, and requests without
		// a valid token are refused as unauthenticated, not counted.
		e.get(t, "/api/v1/users/me", bob.Token).want(t, http.StatusOK)
		e.get(t, "/api/v1/users/me", "").wantProblem(t, http.StatusUnauthorized)
		// Service routes are not limited.
		if r := e.get(t, "/healthz", ""); r.Header.Get("RateLimit-Limit") != "" {
			t.Errorf("healthz limited: %v", r.Header)
		}
		m := string(e.get(t, "/metrics", "").want(t, http.StatusOK).Body)
		if !strings.Contains(m, `taskapi_ratelimit_rejections_total{limit="api_user"} 1`) {
			t.Errorf("rejection not counted:\n%s", m)
		}
	})
}

func TestRateLimitOff(t *testing.T) {
	eachEngineWith(t, func(c *config.Config) {
		c.RateLimit = false
		c.RateLimitAPI = ratelimit.Limit{Burst: 1, Period: time.Hour}
	}, func(t *testing.T, e *env) {
		alice := e.newUser(t, "alice")
		for range 3 {
			if r := e.get(t, "/api/v1/users/me", alice.Token).want(t, http.StatusOK); r.Header.Get("RateLimit-Limit") != "" {
				t.Errorf("headers with rate limiting off: %v", r.Header)
			}
		}
	})
}

func TestSecurityHeaders(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		alice := e.newUser(t, "alice")
		for _, tt := range []struct {
			path, token string
			status      int
			docs        bool
		}{
			{"/healthz", "", 200, false},
			{"/api/v1/users/me", alice.Token, 200, false},
			{"/api/v1/users/me", "", 401, false},
			{"/no/such/route", "", 404, false},
			{"/openapi.json", "", 200, false},
			{"/metrics", "", 200, false},
			{"/docs/", "", 200, true},
			{"/docs/swagger-initializer.js", "", 200, true},
			{"/redoc", "", 200, true},
		} {
			r := e.get(t, tt.path, tt.token).want(t, tt.status)
			for name, want := range map[string]string{
				"X-Content-Type-Options":     "nosniff",
				"X-Frame-Options":            "DENY",
				"Referrer-Policy":            "no-referrer",
				"Cross-Origin-Opener-Policy": "same-origin",
			} {
				if got := r.Header.Get(name); got != want {
					t.Errorf("%s: %s = %q, want %q", tt.path, name, got, want)
				}
			}
			csp := r.Header.Get("Content-Security-Policy")
			if !strings.Contains(csp, "default-src 'none'") || !strings.Contains(csp, "frame-ancestors 'none'") {
				t.Errorf("%s: CSP %q", tt.path, csp)
			}
			if docs := strings.Contains(csp, "script-src 'self'"); docs != tt.docs {
				t.Errorf("%s: CSP %q; docs policy %v, want %v", tt.path, csp, docs, tt.docs)
			}
			if r.Header.Get("Strict-Transport-Security") != "" {
				t.Errorf("%s: HSTS sent while off", tt.path)
			}
			if r.Header.Get("Access-Control-Allow-Origin") != "" || r.Header.Get("Vary") == "Origin" {
				t.Errorf("%s: CORS headers while CORS is off: %v", tt.path, r.Header)
			}
		}
	})
	eachEngineWith(t, func(c *config.Config) { c.HSTS = true }, func(t *testing.T, e *env) {
		for _, path := range []string{"/healthz", "/nope"} {
			if got := e.get(t, path, "").Header.Get("Strict-Transport-Security"); !strings.HasPrefix(got, "max-age=") {
				t.Errorf("%s: HSTS = %q", path, got)
			}
		}
	})
}

func TestCORS(t *testing.T) {
	preflight := func(origin string) request {
		return request{Method: http.MethodOptions, Path: "/api/v1/users/me", Header: http.Header{
			"Origin": {origin}, "Access-Control-Request-Method": {"GET"},
			"Access-Control-Request-Headers": {"authorization"},
		}}
	}
	eachEngine(t, func(t *testing.T, e *env) {
		// Off by default: a preflight gets no permission.
		r := e.do(t, preflight("https://app.example.com"))
		if r.Status < 400 || r.Header.Get("Access-Control-Allow-Origin") != "" {
			t.Errorf("CORS off: %d %v", r.Status, r.Header)
		}
	})
	eachEngineWith(t, func(c *config.Config) { c.CORSOrigins = []string{"https://app.example.com"} }, func(t *testing.T, e *env) {
		r := e.do(t, preflight("https://app.example.com")).want(t, http.StatusNoContent)
		for name, want := range map[string]string{
			"Access-Control-Allow-Origin":  "https://app.example.com",
			"Access-Control-Allow-Headers": "Authorization, Content-Type, If-Match, Idempotency-Key, X-Request-ID",
		} {
			if got := r.Header.Get(name); got != want {
				t.Errorf("preflight %s = %q, want %q", name, got, want)
			}
		}
		// The allowed methods are exactly those of the API's operations.
		doc := openAPIHeadersAndMethods(t, e)
		allowed := splitHeaderList(r.Header.Get("Access-Control-Allow-Methods"))
		if !slices.Equal(allowed, doc.methods) {
			t.Errorf("preflight Access-Control-Allow-Methods %v, the operations use %v", allowed, doc.methods)
		}
		if !strings.Contains(strings.Join(r.Header.Values("Vary"), ","), "Origin") {
			t.Errorf("preflight Vary = %v", r.Header.Values("Vary"))
		}
		// Another origin gets no permission.
		r = e.do(t, preflight("https://evil.example"))
		if r.Status < 400 || r.Header.Get("Access-Control-Allow-Origin") != "" {
			t.Errorf("other origin: %d %v", r.Status, r.Header)
		}
		// An actual request from the allowed origin may read the listed headers.
		alice := e.newUser(t, "alice")
		r = e.do(t, request{Method: http.MethodGet, Path: "/api/v1/users/me", Token: alice.Token,
			Header: http.Header{"Origin": {"https://app.example.com"}}}).want(t, http.StatusOK)
		if r.Header.Get("Access-Control-Allow-Origin") != "https://app.example.com" ||
			!strings.Contains(r.Header.Get("Access-Control-Expose-Headers"), "RateLimit-Remaining") ||
			!strings.Contains(r.Header.Get("Access-Control-Expose-Headers"), "ETag") {
			t.Errorf("simple request: %v", r.Header)
		}
		// Every response header the API documents can be read by the
		// browser app: exposed, or safelisted by the Fetch standard.
		exposed := splitHeaderList(r.Header.Get("Access-Control-Expose-Headers"))
		for _, h := range doc.headers {
			if !slices.Contains(exposed, h) && !slices.Contains([]string{"Cache-Control", "Content-Language", "Content-Length",
				"Content-Type", "Expires", "Last-Modified", "Pragma"}, h) {
				t.Errorf("response header %s is documented but not exposed to CORS requests (%v)", h, exposed)
			}
		}
		r = e.do(t, request{Method: http.MethodGet, Path: "/healthz", Header: http.Header{"Origin": {"https://evil.example"}}}).want(t, http.StatusOK)
		if r.Header.Get("Access-Control-Allow-Origin") != "" || r.Header.Get("Vary") != "Origin" {
			t.Errorf("other origin, simple request: %v", r.Header)
		}
	})
}

// apiSurface is what the OpenAPI document says of the API as a whole.
type apiSurface struct {
	methods []string // upper case, sorted
	headers []string // response headers, sorted
}

func openAPIHeadersAndMethods(t *testing.T, e *env) apiSurface {
	t.Helper()
	var doc struct {
		Paths map[string]map[string]struct {
			Responses map[string]struct {
				Headers map[string]any `json:"headers"`
			} `json:"responses"`
		} `json:"paths"`
	}
	e.get(t, "/openapi.json", "").want(t, http.StatusOK).decode(t, &doc)
	var s apiSurface
	for _, item := range doc.Paths {
		for method, op := range item {
			if m := strings.ToUpper(method); !slices.Contains(s.methods, m) {
				s.methods = append(s.methods, m)
			}
			for _, res := range op.Responses {
				for h := range res.Headers {
					if !slices.Contains(s.headers, h) {
						s.headers = append(s.headers, h)
					}
				}
			}
		}
	}
	slices.Sort(s.methods)
	slices.Sort(s.headers)
	return s
}

// splitHeaderList reads a comma-separated header value, sorted.
func splitHeaderList(v string) []string {
	var out []string
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	slices.Sort(out)
	return out
}

func TestMetricsEndpoint(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		alice := e.newUser(t, "alice")
		e.get(t, "/healthz", "").want(t, http.StatusOK)
		e.get(t, "/api/v1/users/me", alice.Token).want(t, http.StatusOK)
		e.get(t, "/no/such/secret-path", "").want(t, http.StatusNotFound)
		r := e.get(t, "/metrics", "").want(t, http.StatusOK)
		if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
			t.Errorf("Content-Type %q", ct)
		}
		m := string(r.Body)
		for _, want := range []string{
			`taskapi_http_requests_total{method="GET",route="GET /healthz",status="200"} 1`,
			`taskapi_http_requests_total{method="GET",route="GET /api/v1/users/me",status="200"} 1`,
			`taskapi_http_requests_total{method="GET",route="unmatched",status="404"} 1`,
			`taskapi_http_request_duration_seconds_bucket{method="GET",route="GET /healthz",le="+Inf"} 1`,
			`taskapi_http_requests_in_flight 1`, // the scrape itself
			`taskapi_db_max_open_connections{pool=`,
			`go_goroutines `,
		} {
			if !strings.Contains(m, want) {
				t.Errorf("metrics lack %q", want)
			}
		}
		// No user data in labels: neither raw paths nor IDs.
		if strings.Contains(m, "secret-path") || strings.Contains(m, alice.User.ID.String()) {
			t.Error("metrics carry a raw path or a user ID")
		}
		// /metrics is not part of the API document.
		var doc struct {
			Paths map[string]any `json:"paths"`
		}
		e.get(t, "/openapi.json", "").decode(t, &doc)
		if _, ok := doc.Paths["/metrics"]; ok {
			t.Error("/metrics is in the OpenAPI document")
		}
	})
}
