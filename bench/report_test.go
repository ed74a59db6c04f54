package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func sampleReport() *Report {
	return &Report{
		Mode: "load", Date: time.Date(2025, 1, 2, 3, 4, 0, 0, time.UTC), Engine: "sqlite", Server: "subprocess",
		Machine:     Machine{CPUs: 2, CPUModel: "Test CPU", OS: "linux", Arch: "amd64", GoVersion: "go1.26"},
		Concurrency: 32, WarmupSeconds: 5, DurationSeconds: 15, Pages: 1, BcryptCost: 10, Tokens: "login",
		Seeding: []SeedStep{{What: "tasks", Rows: 1000, Seconds: 0.5, RowsPerSecond: 2000}},
		Results: []Result{
			{Workload: "list", Target: "taskapi", Engine: "sqlite", RPS: 4321.4, P50MS: 1.234, P90MS: 2.5, P99MS: 7.125, MaxMS: 150.2,
				Errors: map[string]uint64{"404": 3, "net": 1}, PeakRSSBytes: 40 << 20, VsFloor: 0.7312,
				ErrorSamples: []string{"list: 404 no such route"}},
			{Workload: "list", Target: "floor", Engine: "sqlite", RPS: 5910, P50MS: 0.9, P90MS: 1.1, P99MS: 3, MaxMS: 9,
				Errors: map[string]uint64{}, PeakRSSBytes: 30 << 20},
		},
	}
}

func TestTable(t *testing.T) {
	var out bytes.Buffer
	if err := writeTable(&out, sampleReport(), false); err != nil {
		t.Fatal(err)
	}
	s := out.String()
	for _, want := range []string{
		"load on sqlite (subprocess server), 2025-01-02 03:04 UTC",
		"2 × Test CPU", "32 connections, 15s measured after 5s warm-up", "bcrypt cost 10; tokens by login",
		"seeded tasks: 1000 rows in 0.5s (2000 rows/s)",
		"workload", "÷ floor", "÷ floor-nosession", "p99 ÷ floor", "closed", "4321", "1.23ms", "7.12ms", "150ms", "404×3 net×1", "40.0 MiB", "0.73",
		"first errors:", "list/taskapi: list: 404 no such route",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("table lacks %q:\n%s", want, s)
		}
	}
	floorLine := ""
	for _, line := range strings.Split(s, "\n") {
		if strings.Contains(line, "floor") && strings.HasPrefix(line, "list") {
			floorLine = line
		}
	}
	if !strings.Contains(floorLine, " 0 ") || !strings.HasSuffix(strings.TrimSpace(floorLine), "-") {
		t.Errorf("floor line %q: want 0 errors and no ratio", floorLine)
	}
}

func TestMarkdownTable(t *testing.T) {
	var out bytes.Buffer
	if err := writeTable(&out, sampleReport(), true); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(out.String(), "\n")
	var table []string
	for _, l := range lines {
		if strings.HasPrefix(l, "|") {
			table = append(table, l)
		}
	}
	if len(table) != 4 || !strings.HasPrefix(table[1], "|---|---|---|---|---:") {
		t.Fatalf("markdown table:\n%s", strings.Join(table, "\n"))
	}
	for _, row := range table {
		if strings.Count(row, "|") != 16 {
			t.Errorf("row %q does not have 15 cells", row)
		}
	}
}

func TestScaleTable(t *testing.T) {
	r := sampleReport()
	r.Mode = "scale"
	small, large := r.Results[0], r.Results[0]
	small.Tasks, large.Tasks = 1000, 1_000_000
	large.RPS, large.P50MS, large.P99MS = small.RPS/2, small.P50MS*2, small.P99MS*3
	small.ServerCPUMS, large.ServerCPUMS = 2, 3
	r.Scale = []ScaleRow{{Workload: "list", Engine: "sqlite", Small: small, Large: large, CostRatio: 2, P50Ratio: 2, P99Ratio: 3, CPURatio: 1.5}}
	var out bytes.Buffer
	if err := writeScaleTable(&out, r, false); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"req/s 1k", "p99 1M", "cost ×", "2.00", "3.00", "CPU/req 1M", "3.00ms", "1.50", "404×6 net×2"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("scale table lacks %q:\n%s", want, out.String())
		}
	}
}

func TestJSONRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "r.json")
	want := sampleReport()
	if err := writeJSONFile(path, want); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var got Report
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(*want, got); diff != "" {
		t.Errorf("round trip (-wrote +read):\n%s", diff)
	}
	for _, key := range []string{`"rps"`, `"p50_ms"`, `"p99_ms"`, `"peak_rss_bytes"`, `"vs_floor"`, `"bcrypt_cost"`, `"machine"`} {
		if !bytes.Contains(b, []byte(key)) {
			t.Errorf("JSON lacks %s", key)
		}
	}
}

func TestNewResultSeparatesErrorsFromSuccess(t *testing.T) {
	raw := &rawResult{elapsed: 2 * time.Second}
	wl := workload{name: "mix", parts: []weighted{{kindGet, 1}, {kindCreate, 1}}}
	raw.hist[kindGet], raw.hist[kindCreate] = &histogram{}, &histogram{}
	for range 8 {
		raw.hist[kindGet].record(time.Millisecond)
	}
	for range 2 {
		raw.hist[kindCreate].record(3 * time.Millisecond)
	}
	raw.status[kindGet] = map[int]uint64{200: 7, 404: 1}
	raw.status[kindCreate] = map[int]uint64{201: 1, 500: 1}
	raw.want[kindGet], raw.want[kindCreate] = 200, 201
	raw.netErrs[kindCreate] = 4
	r := newResult(raw, wl, "taskapi", "postgres")
	if diff := cmp.Diff([2]float64{10, 5}, [2]float64{float64(r.Requests), r.RPS}); diff != "" {
		t.Errorf("requests and req/s (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]uint64{"404": 1, "500": 1, "net": 4}, r.Errors); diff != "" {
		t.Errorf("errors (-want +got):\n%s", diff)
	}
	if len(r.Parts) != 2 || r.Parts[0].Kind != "get" || r.Parts[1].Errors["500"] != 1 {
		t.Errorf("parts %+v", r.Parts)
	}
}

func TestSizeText(t *testing.T) {
	for n, want := range map[int]string{1000: "1k", 1_000_000: "1M", 2500: "2500", 250_000: "250k"} {
		if got := sizeText(n); got != want {
			t.Errorf("sizeText(%d) = %q, want %q", n, got, want)
		}
	}
}
