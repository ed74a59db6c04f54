package main

import (
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/taskapi/taskapi/internal/auth/authtest"
	"github.com/taskapi/taskapi/internal/config/configtest"
)

const testJWTSecret = configtest.JWTSecret

func getWithToken(t *testing.T, url, token string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res, string(body)
}

// With TASKAPI_REDIS_URL pointing where no Redis answers, the server still
// starts, serves and limits (in memory), and says so in its log and metrics.
func TestServeLimitsWhenRedisIsUnreachable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().String()
	ln.Close()
	dbURL := "sqlite:" + filepath.Join(t.TempDir(), "r.db")
	url, logs, stop := startServe(t, map[string]string{
		"TASKAPI_DATABASE_URL":   dbURL,
		"TASKAPI_JWT_SECRET":     testJWTSecret,
		"TASKAPI_REDIS_URL":      "redis://" + closed + "/0",
		"TASKAPI_RATE_LIMIT_API": "2/h",
	})
	defer stop()
	token := authtest.UserToken(t, dbURL, testJWTSecret, "alice")
	for i, want := range []int{200, 200, 429} {
		res, body := getWithToken(t, url+"/api/v1/users/me", token)
		if res.StatusCode != want {
			t.Fatalf("request %d: %d %s", i+1, res.StatusCode, body)
		}
	}
	_, m := getWithToken(t, url+"/metrics", "")
	for _, want := range []string{"taskapi_ratelimit_redis_degraded 1", `taskapi_ratelimit_rejections_total{limit="api_user"} 1`, "taskapi_ratelimit_memory_keys 1"} {
		if !strings.Contains(m, want+"\n") {
			t.Errorf("metrics lack %q", want)
		}
	}
	out := logs.String()
	if !strings.Contains(out, "Redis does not answer at start") || strings.Count(out, "limits are now kept per instance") != 1 {
		t.Errorf("log should say once that Redis is down:\n%s", out)
	}
}
