package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
)

// fakeAPI answers the workloads' routes: lists with a cursor for three
// pages, and a 500 for every tenth request.
type fakeAPI struct {
	n        atomic.Int64
	mu       sync.Mutex
	byPath   map[string]int
	cursored int
	authless int
}

func (f *fakeAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n := f.n.Add(1)
	f.mu.Lock()
	key := r.Method + " " + r.URL.Path
	if strings.HasPrefix(r.URL.Path, "/api/v1/tasks/") {
		key = r.Method + " /api/v1/tasks/{id}"
	}
	f.byPath[key]++
	if r.URL.Query().Get("cursor") != "" {
		f.cursored++
	}
	if r.Header.Get("Authorization") == "" && r.URL.Path != "/api/v1/auth/login" {
		f.authless++
	}
	f.mu.Unlock()
	if n%10 == 0 {
		http.Error(w, `{"status":500}`, http.StatusInternalServerError)
		return
	}
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/api/v1/tasks":
		next := `"c2"`
		if r.URL.Query().Get("cursor") == "c2" {
			next = "null"
		}
		fmt.Fprintf(w, `{"items":[{"id":"x","title":"has \"next_cursor\": inside"}],"next_cursor":%s}`, next)
	case r.Method == http.MethodPost && r.URL.Path == "/api/v1/tasks":
		w.WriteHeader(http.StatusCreated)
	default:
		w.Write([]byte(`{}`))
	}
}

func smokeTarget(url string) *loadTarget {
	users := []*benchUser{
		{Username: "a", Password: "p", Auth: []string{"Bearer a1", "Bearer a2"}, TaskIDs: []uuid.UUID{uuid.New()}},
		{Username: "b", Password: "p", Auth: []string{"Bearer b1"}, TaskIDs: []uuid.UUID{uuid.New(), uuid.New()}},
	}
	pl, err := newPayloads(users, time.Now())
	if err != nil {
		panic(err)
	}
	return &loadTarget{baseURL: url, users: users, payloads: pl}
}

func TestLoadCountsRequestsAndStatuses(t *testing.T) {
	api := &fakeAPI{byPath: map[string]int{}}
	srv := httptest.NewServer(api)
	defer srv.Close()
	wls, err := findWorkloads("mix")
	if err != nil {
		t.Fatal(err)
	}
	opts := loadOptions{Concurrency: 4, Warmup: 50 * time.Millisecond, Duration: 300 * time.Millisecond, MaxRequests: 1_000_000, Pages: 3}
	raw, err := runLoad(context.Background(), newHTTPClient(4, 5*time.Second), smokeTarget(srv.URL), wls[0], opts)
	if err != nil {
		t.Fatal(err)
	}
	res := newResult(raw, wls[0], "taskapi", "sqlite")
	if res.Requests == 0 {
		t.Fatal("no request recorded")
	}
	var statuses uint64
	for k := range numKinds {
		for _, n := range raw.status[k] {
			statuses += n
		}
	}
	if statuses != res.Requests {
		t.Errorf("statuses add up to %d, requests %d", statuses, res.Requests)
	}
	if int64(res.Requests) > api.n.Load() {
		t.Errorf("recorded %d requests, the server saw only %d", res.Requests, api.n.Load())
	}
	if res.Errors["500"] == 0 {
		t.Errorf("errors %v: the 500s were not counted", res.Errors)
	}
	for code := range res.Errors {
		if code != "500" && code != "net" {
			t.Errorf("unexpected error class %q: %v (samples %v)", code, res.Errors, res.ErrorSamples)
		}
	}
	if res.P50MS <= 0 || res.P99MS < res.P50MS || res.MaxMS < res.P99MS || res.RPS <= 0 {
		t.Errorf("summary out of order: %+v", res)
	}
	kinds := map[string]bool{}
	for _, p := range res.Parts {
		kinds[p.Kind] = true
	}
	for _, want := range []string{"list", "get", "create", "update"} {
		if !kinds[want] {
			t.Errorf("the mix sent no %s; parts %v", want, res.Parts)
		}
	}
	api.mu.Lock()
	defer api.mu.Unlock()
	if api.cursored == 0 {
		t.Error("with --pages 3 the list never followed next_cursor")
	}
	if api.authless != 0 {
		t.Errorf("%d requests went without a token", api.authless)
	}
	if len(res.ErrorSamples) == 0 || !strings.Contains(res.ErrorSamples[0], "500") {
		t.Errorf("samples %v", res.ErrorSamples)
	}
	classes := map[string]bool{}
	for _, s := range res.ErrorSamples {
		if classes[sampleClass(s)] {
			t.Errorf("two samples of class %q: %v", sampleClass(s), res.ErrorSamples)
		}
		classes[sampleClass(s)] = true
	}
}

func TestLoadIsBoundedByMaxRequests(t *testing.T) {
	api := &fakeAPI{byPath: map[string]int{}}
	srv := httptest.NewServer(api)
	defer srv.Close()
	wls, _ := findWorkloads("get")
	opts := loadOptions{Concurrency: 3, Duration: time.Minute, MaxRequests: 25, Pages: 1}
	start := time.Now()
	raw, err := runLoad(context.Background(), newHTTPClient(3, 5*time.Second), smokeTarget(srv.URL), wls[0], opts)
	if err != nil {
		t.Fatal(err)
	}
	if n := api.n.Load(); n != 25 {
		t.Errorf("server saw %d requests, want exactly the bound 25", n)
	}
	if raw.total().count != 25 {
		t.Errorf("recorded %d, want 25", raw.total().count)
	}
	if time.Since(start) > 30*time.Second {
		t.Error("the bound did not end the run")
	}
}

func TestLoadStopsWhenCanceled(t *testing.T) {
	api := &fakeAPI{byPath: map[string]int{}}
	srv := httptest.NewServer(api)
	defer srv.Close()
	wls, _ := findWorkloads("login")
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := runLoad(ctx, newHTTPClient(2, 5*time.Second), smokeTarget(srv.URL), wls[0],
		loadOptions{Concurrency: 2, Duration: time.Hour, MaxRequests: 1 << 40, Pages: 1})
	if err == nil {
		t.Fatal("a canceled run must say so")
	}
	api.mu.Lock()
	defer api.mu.Unlock()
	if api.byPath["POST /api/v1/auth/login"] == 0 {
		t.Error("login workload sent no login")
	}
}

func TestLoadRefusesWhatCannotRun(t *testing.T) {
	tgt := smokeTarget("http://127.0.0.1:1")
	tgt.users[1].TaskIDs = nil
	wls, _ := findWorkloads("update")
	if _, err := runLoad(context.Background(), http.DefaultClient, tgt, wls[0], loadOptions{Concurrency: 1, Duration: time.Second, MaxRequests: 1}); err == nil {
		t.Error("update without tasks to update must be refused")
	}
	if _, err := findWorkloads("list,nope"); err == nil || !strings.Contains(err.Error(), "nope") {
		t.Errorf("unknown workload: %v", err)
	}
}

func TestNextCursor(t *testing.T) {
	tests := []struct{ body, want string }{
		{`{"items":[],"next_cursor":"abc_-9"}`, "abc_-9"},
		{`{"items":[], "next_cursor" : "x" }`, "x"},
		{`{"items":[],"next_cursor":null}`, ""},
		{`{"next_cursor":"first","items":[{"title":"a \"next_cursor\":\"evil\""}]}`, "first"},
		{`{"items":[],"next_cursor":"a\u002bb"}`, "a+b"},
		{`{"items":[]}`, ""},
		{`not json`, ""},
	}
	for _, tt := range tests {
		if got := nextCursor([]byte(tt.body)); got != tt.want {
			t.Errorf("nextCursor(%s) = %q, want %q", tt.body, got, tt.want)
		}
	}
}
