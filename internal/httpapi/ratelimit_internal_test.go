package httpapi

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/taskapi/taskapi"
	"github.com/taskapi/taskapi/internal/auth"
	"github.com/taskapi/taskapi/internal/config"
	"github.com/taskapi/taskapi/internal/metrics"
	"github.com/taskapi/taskapi/internal/ratelimit"
)

// loginInput stands for the login body: the account name and password.
type loginInput struct {
	Body struct {
		Username string `json:"username" maxLength:"254"`
		Password string `json:"password" maxLength:"128"`
	}
}

// newLimitTestServer serves an operation named auth-login under the
// per-IP limit its route declares ("right" is the only good password; the
// per-account guard is auth's, tested with the real login). The server runs behind a listener whose peer address
// the test sets through remote.
func newLimitTestServer(t *testing.T, authLimit, failures string, trusted ...string) (*server, http.Handler) {
	t.Helper()
	cfg, err := config.Load(func(string) string { return "" }, []string{
		"--rate-limit-auth", authLimit, "--rate-limit-login-failures", failures,
		"--trusted-proxies", strings.Join(trusted, ","),
	}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	mem := ratelimit.NewMemory(context.Background(), ratelimit.MemoryOptions{SweepInterval: -1})
	t.Cleanup(func() { mem.Close() })
	s := &server{cfg: cfg, log: slog.New(slog.DiscardHandler), now: time.Now, metrics: metrics.New("test")}
	s.setupRateLimits(mem)
	mux := http.NewServeMux()
	api := s.newAPI(mux)
	register(s, api, route{ID: "auth-login", Method: http.MethodPost, Path: "/api/v1/auth/login", Access: public, Limit: perIP},
		func(ctx context.Context, _ taskapi.Principal, in *loginInput) (*StatusOutput, error) {
			if in.Body.Password != "right" {
				return nil, auth.ErrBadCredentials
			}
			return okStatus(), nil
		})
	register(s, api, route{ID: "healthz", Method: http.MethodGet, Path: "/healthz"}, s.healthz)
	mux.Handle("GET /metrics", s.metrics.Handler())
	return s, s.middleware(mux)
}

type call struct {
	remote, xff, user, password string
}

func (c call) do(t *testing.T, h http.Handler) *httptest.ResponseRecorder {
	t.Helper()
	body := `{"username":"` + c.user + `","password":"` + c.password + `"}`
	r := httptest.NewRequest(http.MethodPost, "/api/v1/auth/login", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	r.RemoteAddr = c.remote
	if c.xff != "" {
		r.Header.Set("X-Forwarded-For", c.xff)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func TestPerIPLimitOnAuthOperations(t *testing.T) {
	// One request back every 20 minutes: none comes back during the test.
	_, h := newLimitTestServer(t, "3/h", "100/min")
	from := call{remote: "203.0.113.7:4000", user: "alice", password: "right"}
	for i := range 3 {
		w := from.do(t, h)
		if w.Code != http.StatusOK {
			t.Fatalf("request %d: %d %s", i+1, w.Code, w.Body)
		}
		if got := w.Header().Get("RateLimit-Remaining"); got != []string{"2", "1", "0"}[i] {
			t.Errorf("request %d: RateLimit-Remaining %q", i+1, got)
		}
		if w.Header().Get("RateLimit-Limit") != "3" || w.Header().Get("RateLimit-Policy") != "3;w=3600" {
			t.Errorf("headers %v", w.Header())
		}
	}
	w := from.do(t, h)
	if w.Code != http.StatusTooManyRequests || !strings.HasPrefix(w.Header().Get("Content-Type"), "application/problem+json") {
		t.Fatalf("over the limit: %d %s %s", w.Code, w.Header().Get("Content-Type"), w.Body)
	}
	// Retry when one request has come back (20 min), full again in an hour,
	// less the moments the test has taken so far.
	if !secondsWithin(w.Header().Get("Retry-After"), 20*60-60, 20*60) || w.Header().Get("RateLimit-Remaining") != "0" ||
		!secondsWithin(w.Header().Get("RateLimit-Reset"), 3600-60, 3600) {
		t.Errorf("429 headers: %v", w.Header())
	}
	if !strings.Contains(w.Body.String(), `"status":429`) {
		t.Errorf("body %s", w.Body)
	}
	// A forged X-Forwarded-For from an untrusted peer changes nothing.
	if w := (call{remote: "203.0.113.7:4001", xff: "198.51.100.1", user: "alice", password: "right"}).do(t, h); w.Code != http.StatusTooManyRequests {
		t.Errorf("forged header: %d, want still limited", w.Code)
	}
	// Another address has its own budget; routes outside the table have no limit.
	if w := (call{remote: "203.0.113.8:4000", user: "alice", password: "right"}).do(t, h); w.Code != http.StatusOK {
		t.Errorf("another IP: %d", w.Code)
	}
	r := httptest.NewRequest(http.MethodGet, "/healthz", nil)
	r.RemoteAddr = "203.0.113.7:4000"
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	if rec.Code != http.StatusOK || rec.Header().Get("RateLimit-Limit") != "" {
		t.Errorf("healthz: %d, RateLimit-Limit %q", rec.Code, rec.Header().Get("RateLimit-Limit"))
	}
}

func TestPerIPLimitBehindTrustedProxy(t *testing.T) {
	_, h := newLimitTestServer(t, "2/h", "100/min", "10.0.0.0/8")
	proxy := "10.0.0.2:80"
	// Two clients behind the proxy have a budget each.
	for _, client := range []string{"203.0.113.7", "203.0.113.8"} {
		for range 2 {
			if w := (call{remote: proxy, xff: client, user: "a", password: "right"}).do(t, h); w.Code != http.StatusOK {
				t.Fatalf("%s: %d", client, w.Code)
			}
		}
	}
	// A client that prepends a fake address is still itself.
	if w := (call{remote: proxy, xff: "1.2.3.4, 203.0.113.7", user: "a", password: "right"}).do(t, h); w.Code != http.StatusTooManyRequests {
		t.Errorf("forged prefix: %d, want 429", w.Code)
	}
	// IPv6 clients share their /64.
	for i, addr := range []string{"2001:db8::1", "2001:db8::2", "2001:db8::3"} {
		w := (call{remote: proxy, xff: addr, user: "a", password: "right"}).do(t, h)
		if want := []int{200, 200, 429}[i]; w.Code != want {
			t.Errorf("%s: %d, want %d", addr, w.Code, want)
		}
	}
}

// secondsWithin reports whether the header value is a whole number of
// seconds in [lo, hi]: tests run on a real clock, so they allow for the
// time they take.
func secondsWithin(v string, lo, hi int) bool {
	n, err := strconv.Atoi(v)
	return err == nil && n >= lo && n <= hi
}
