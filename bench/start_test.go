package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
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
	b, err := os.ReadFile(jsonPath)
	if err != nil {
		t.Fatal(err)
	}
	var r Report
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	if r.Start == nil || r.Start.Runs != startRuns || len(r.Start.AllMS) != startRuns || r.Start.P50MS <= 0 || r.Start.MaxMS < r.Start.P50MS {
		t.Errorf("start result %+v", r.Start)
	}
}
