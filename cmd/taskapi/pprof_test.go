package main

import (
	"encoding/json"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
)

func TestPprofIsOptInAndSeparate(t *testing.T) {
	dbURL := "sqlite:" + filepath.Join(t.TempDir(), "x.db")
	url, logs, stop := startServe(t, map[string]string{"TASKAPI_DATABASE_URL": dbURL}, "--pprof-addr", "127.0.0.1:0")
	defer stop()
	var pprofAddr string
	for _, line := range strings.Split(logs.String(), "\n") {
		var entry struct {
			Msg  string `json:"msg"`
			Addr string `json:"addr"`
		}
		if json.Unmarshal([]byte(line), &entry) == nil && entry.Msg == "pprof profiling endpoints enabled" {
			pprofAddr = entry.Addr
		}
	}
	if !strings.HasPrefix(pprofAddr, "127.0.0.1:") {
		t.Fatalf("no pprof address logged:\n%s", logs.String())
	}
	get := func(u string) int {
		t.Helper()
		res, err := http.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	if code := get("http://" + pprofAddr + "/debug/pprof/"); code != http.StatusOK {
		t.Errorf("pprof index = %d", code)
	}
	if code := get("http://" + pprofAddr + "/debug/pprof/cmdline"); code != http.StatusNotFound {
		t.Errorf("pprof serves the command line (%d); flags may carry secrets", code)
	}
	if code := get(url + "/debug/pprof/"); code != http.StatusNotFound {
		t.Errorf("the API serves /debug/pprof/ with %d; it must stay on its own listener", code)
	}
}

func TestPprofOffByDefault(t *testing.T) {
	dbURL := "sqlite:" + filepath.Join(t.TempDir(), "x.db")
	_, logs, stop := startServe(t, map[string]string{"TASKAPI_DATABASE_URL": dbURL})
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(logs.String(), "pprof") {
		t.Errorf("pprof started without being asked:\n%s", logs.String())
	}
}
