package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestOptions(t *testing.T) {
	o, err := parseOptions(nil, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if o.mode != "load" || o.engine != "sqlite" || o.server != "subprocess" || o.concurrency != 32 || o.bcryptCost < 10 ||
		o.workloads != defaultLoadWorkloads || !o.floor {
		t.Errorf("defaults: %+v", o)
	}
	o, err = parseOptions([]string{"scale", "--engine", "postgres"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if o.databaseURL != defaultPostgresURL || o.workloads != defaultScaleWorkloads || o.small != 1000 || o.large != 1_000_000 {
		t.Errorf("scale defaults: %+v", o)
	}
	o, err = parseOptions([]string{"--url", "http://127.0.0.1:8080/", "--database-url", "sqlite:x.db"}, io.Discard)
	if err != nil || o.server != "url" || o.url != "http://127.0.0.1:8080" {
		t.Errorf("--url: %+v %v", o, err)
	}
	for _, args := range [][]string{
		{"sideways"},
		{"--engine", "postgres", "--database-url", "sqlite:x.db"},
		{"--engine", "mysql"},
		{"--url", "http://127.0.0.1:8080"},
		{"--bcrypt-cost", "4"},
		{"--concurrency", "0"},
		{"--small", "10", "--large", "5"},
		{"--workloads", "list,teleport"},
		{"--server", "inprocess", "--pprof", "127.0.0.1:6060"},
		{"seed"},
		{"stray"},
		{"load", "stray"},
	} {
		if _, err := parseOptions(args, io.Discard); err == nil {
			t.Errorf("%v accepted", args)
		}
	}
}

// TestInProcessSmoke runs the whole tool briefly, in process, on SQLite:
// seeding, tokens, taskapi and the floor, the table and the JSON file. It
// checks that everything ran and was reported, never how fast.
func TestInProcessSmoke(t *testing.T) {
	jsonPath := filepath.Join(t.TempDir(), "report.json")
	var out, errs bytes.Buffer
	err := run(context.Background(), []string{"load", "--server", "inprocess", "--users", "2", "--tasks", "120",
		"--sample", "20", "--concurrency", "2", "--warmup", "0s", "--duration", "150ms",
		"--workloads", "get,list", "--json", jsonPath}, &out, &errs)
	if err != nil {
		t.Fatalf("%v\n%s", err, errs.String())
	}
	for _, want := range []string{"get", "list", "floor", "taskapi", "seeded tasks (120 per user): 240 rows"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	b, err := os.ReadFile(jsonPath)
	if err != nil {
		t.Fatal(err)
	}
	var r Report
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	if len(r.Results) != 4 || r.Tokens == "" || r.Engine != "sqlite" {
		t.Fatalf("report: %+v", r)
	}
	for _, res := range r.Results {
		if res.Requests == 0 {
			t.Errorf("%s/%s sent no request", res.Workload, res.Target)
		}
		if res.Target == "floor" && len(res.Errors) != 0 {
			t.Errorf("the floor failed: %v %v", res.Errors, res.ErrorSamples)
		}
		if res.PeakRSSBytes <= 0 || res.RSSNote == "" {
			t.Errorf("%s/%s: peak RSS %d note %q", res.Workload, res.Target, res.PeakRSSBytes, res.RSSNote)
		}
	}
}
