package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// Start mode builds taskapi, starts it ten times on the seeded database
// and reports each time to ready; it checks that it measured, not how fast.
func TestStartMode(t *testing.T) {
	if testing.Short() {
		t.Skip("builds taskapi")
	}
	jsonPath := filepath.Join(t.TempDir(), "start.json")
	var out, errs bytes.Buffer
	err := run(context.Background(), []string{"start", "--users", "1", "--tasks", "10", "--sample", "2", "--json", jsonPath}, &out, &errs)
	if err != nil {
		t.Fatalf("%v\n%s", err, errs.String())
	}
	if !strings.Contains(out.String(), "start (exec to /readyz 200)") {
		t.Errorf("output:\n%s", out.String())
	}
	r := readReport(t, jsonPath)
	if r.Start == nil || r.Start.Runs != startRuns || len(r.Start.AllMS) != startRuns || r.Start.P50MS <= 0 || r.Start.MaxMS < r.Start.P50MS {
		t.Errorf("start result %+v", r.Start)
	}
}

// Events mode opens streams on a built taskapi, changes one task per user
// and reports every stream receiving its change; it checks that, not the
// time it took.
func TestEventsMode(t *testing.T) {
	if testing.Short() {
		t.Skip("builds taskapi")
	}
	jsonPath := filepath.Join(t.TempDir(), "events.json")
	var out, errs bytes.Buffer
	if err := run(context.Background(), []string{"events", "--streams", "10", "--json", jsonPath}, &out, &errs); err != nil {
		t.Fatalf("%v\n%s", err, errs.String())
	}
	r := readReport(t, jsonPath)
	if r.Events == nil || r.Events.Streams != 10 || r.Events.Users != 2 || r.Events.Received != 10 || r.Events.MaxMS < r.Events.P50MS {
		t.Errorf("events result %+v", r.Events)
	}
}
