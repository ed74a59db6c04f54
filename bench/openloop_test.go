package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"
)

// Open loop sends what the schedule says whatever the server does: a
// server that stalls on its first request for 100 ms still gets every
// request due in the measured time, those due meanwhile count as late,
// and their latency runs from when they were due, not from when the
// connection came free.
func TestOpenLoopMeasuresFromTheDueTime(t *testing.T) {
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			time.Sleep(100 * time.Millisecond) // the stall being measured
		}
		w.Write([]byte(`{}`))
	}))
	defer srv.Close()
	wls, err := findWorkloads("get")
	if err != nil {
		t.Fatal(err)
	}
	opts := loadOptions{Concurrency: 1, Duration: 500 * time.Millisecond, MaxRequests: 1_000_000, Pages: 1, Rate: 400}
	raw, err := runLoad(context.Background(), newHTTPClient(1, 10*time.Second), smokeTarget(srv.URL), wls[0], opts)
	if err != nil {
		t.Fatal(err)
	}
	h := raw.total()
	if h.count != 200 {
		t.Errorf("recorded %d requests, want the 200 due in 500 ms at 400/s", h.count)
	}
	if raw.late < 30 {
		t.Errorf("%d late requests, want the ~40 due during the stall", raw.late)
	}
	if h.max() < 100*time.Millisecond {
		t.Errorf("max latency %v: the first request alone took 100 ms", h.max())
	}
	if q := h.quantile(0.90); q < 10*time.Millisecond {
		t.Errorf("p90 %v: the requests queued behind the stall waited from their due time", q)
	}
	if n.Load() != 200 {
		t.Errorf("server saw %d requests, want 200", n.Load())
	}
}
