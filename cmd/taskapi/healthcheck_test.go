package main

import (
	"bytes"
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
)

func TestHealthcheck(t *testing.T) {
	url, _, stop := startServe(t, map[string]string{"TASKAPI_DATABASE_URL": "sqlite:" + filepath.Join(t.TempDir(), "h.db")})
	defer stop()
	addr := strings.TrimPrefix(url, "http://")
	_, port, _ := net.SplitHostPort(addr)

	check := func(env map[string]string, args ...string) (string, error) {
		t.Helper()
		var out bytes.Buffer
		err := run(context.Background(), append([]string{"healthcheck"}, args...), envOf(env), nil, &out, &bytes.Buffer{})
		return out.String(), err
	}
	wantCode := func(err error, code int) {
		t.Helper()
		var ee *exitError
		if !errors.As(err, &ee) || ee.code != code {
			t.Errorf("err = %v, want exit code %d", err, code)
		}
	}

	// The running server, named by flag or by TASKAPI_ADDR as serve reads
	// it, a wildcard host included.
	if out, err := check(nil, "--addr", addr); err != nil || strings.TrimSpace(out) != "ok" {
		t.Errorf("flag: %q, %v", out, err)
	}
	if _, err := check(map[string]string{"TASKAPI_ADDR": addr}); err != nil {
		t.Errorf("TASKAPI_ADDR: %v", err)
	}
	if _, err := check(map[string]string{"TASKAPI_ADDR": "0.0.0.0:" + port}); err != nil {
		t.Errorf("wildcard TASKAPI_ADDR: %v", err)
	}

	// Nothing listening, or an unhealthy answer: exit code 1.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().String()
	ln.Close()
	_, err = check(nil, "--addr", closed, "--timeout", "2s")
	wantCode(err, 1)
	sick := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer sick.Close()
	_, err = check(nil, "--addr", strings.TrimPrefix(sick.URL, "http://"))
	wantCode(err, 1)

	// A bad address is a usage error.
	_, err = check(nil, "--addr", "nowhere")
	wantCode(err, 2)
	_, err = check(nil, "--addr", "127.0.0.1:0")
	wantCode(err, 2)
}

func TestHealthcheckURL(t *testing.T) {
	for in, want := range map[string]string{
		"0.0.0.0:8080":   "http://127.0.0.1:8080/healthz",
		":8080":          "http://127.0.0.1:8080/healthz",
		"[::]:8080":      "http://[::1]:8080/healthz",
		"localhost:9000": "http://localhost:9000/healthz",
		"10.1.2.3:80":    "http://10.1.2.3:80/healthz",
	} {
		if got, err := healthcheckURL(in); err != nil || got != want {
			t.Errorf("healthcheckURL(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}
