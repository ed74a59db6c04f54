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
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/taskapi/taskapi/internal/store/storetest"
)

func TestOptions(t *testing.T) {
	o, err := parseOptions(nil, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	// The defaults bench/README.md lists.
	want := options{mode: "load", engine: "sqlite", server: "subprocess", bcryptCost: 10, users: 8, tasks: 10_000,
		sessions: 2, sample: 1000, feedTasks: "spread", small: 1000, large: 1_000_000, workloads: defaultLoadWorkloads, floor: true,
		concurrency: 32, warmup: 5 * time.Second, duration: 15 * time.Second, timeout: 30 * time.Second,
		maxRequests: 10_000_000, pages: 1, deliveries: 5000, reminders: 10_000, streams: 1000}
	if diff := cmp.Diff(want, *o, cmp.AllowUnexported(options{})); diff != "" {
		t.Errorf("defaults (-want +got):\n%s", diff)
	}
	o, err = parseOptions([]string{"scale", "--engine", "postgres"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	want.mode, want.engine, want.databaseURL, want.workloads = "scale", "postgres", defaultPostgresURL, defaultScaleWorkloads
	if diff := cmp.Diff(want, *o, cmp.AllowUnexported(options{})); diff != "" {
		t.Errorf("scale defaults (-want +got):\n%s", diff)
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
		{"--feed-tasks", "oldest"},
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
// seeding, tokens by login, taskapi and both floors closed and open loop,
// the table and the JSON file. It checks that everything ran without errors and was reported,
// never how fast.
func TestInProcessSmoke(t *testing.T) {
	jsonPath := filepath.Join(t.TempDir(), "report.json")
	var out, errs bytes.Buffer
	err := run(context.Background(), []string{"load", "--server", "inprocess", "--users", "2", "--tasks", "120",
		"--sample", "20", "--concurrency", "2", "--warmup", "0s", "--duration", "150ms",
		"--workloads", "get,list,login,quick,subtasks,web-list,tag,changes", "--open-loop", "--json", jsonPath}, &out, &errs)
	if err != nil {
		t.Fatalf("%v\n%s", err, errs.String())
	}
	for _, want := range []string{"get", "list", "floor", "floor-nosession", "open ", "taskapi", "seeded tasks (120 per user): 240 rows"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	r := readReport(t, jsonPath)
	type summary struct {
		Results        int
		Tokens, Engine string
		BcryptCost     int
	}
	if diff := cmp.Diff(summary{16, "login", "sqlite", 10}, summary{len(r.Results), r.Tokens, r.Engine, r.BcryptCost}); diff != "" {
		t.Fatalf("report (-want +got):\n%s", diff)
	}
	for _, res := range r.Results {
		if res.Requests == 0 {
			t.Errorf("%s/%s sent no request", res.Workload, res.Target)
		}
		if len(res.Errors) != 0 {
			t.Errorf("%s/%s failed: %v %v", res.Workload, res.Target, res.Errors, res.ErrorSamples)
		}
		if res.PeakRSSBytes <= 0 || res.RSSNote == "" {
			t.Errorf("%s/%s: peak RSS %d note %q", res.Workload, res.Target, res.PeakRSSBytes, res.RSSNote)
		}
	}
}

// TestSeedModeAndFresh seeds a database twice: a second seed only tops it
// up, and --fresh starts it anew, on each engine.
func TestSeedModeAndFresh(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			url := e.NewURL(t)
			seed := func(tasks string, extra ...string) {
				t.Helper()
				var out, errs bytes.Buffer
				args := append([]string{"seed", "--database-url", url, "--users", "1", "--tasks", tasks, "--sample", "2"}, extra...)
				if err := run(context.Background(), args, &out, &errs); err != nil {
					t.Fatalf("%v: %v\n%s", args, err, errs.String())
				}
			}
			count := func() int {
				t.Helper()
				st := storetest.Open(t, url)
				var n int
				if err := st.DB().QueryRow(`SELECT count(*) FROM tasks`).Scan(&n); err != nil {
					t.Fatal(err)
				}
				st.Close()
				return n
			}
			seed("30")
			seed("20")
			if n := count(); n != 30 {
				t.Errorf("after seeding 30 then 20: %d tasks, want 30 (a top-up)", n)
			}
			seed("20", "--fresh")
			if n := count(); n != 20 {
				t.Errorf("after --fresh: %d tasks, want 20", n)
			}
		})
	}
}

// readReport reads the JSON report a run wrote with --json.
func readReport(t *testing.T, path string) Report {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var r Report
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	return r
}
