package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

// Report is everything one run measured; --json writes it as is.
type Report struct {
	Mode            string        `json:"mode"` // load or scale
	Date            time.Time     `json:"date"`
	Commit          string        `json:"commit"`
	Machine         Machine       `json:"machine"`
	LoadBefore      string        `json:"load_before"` // /proc/loadavg before and after the measurements
	LoadAfter       string        `json:"load_after"`
	Engine          string        `json:"engine"`
	Server          string        `json:"server"`                // subprocess, inprocess or url
	ServerCPUs      string        `json:"server_cpus,omitempty"` // --server-cpus: the CPUs the servers ran on
	LoadCPUs        string        `json:"load_cpus,omitempty"`   // --load-cpus: the load generator's
	Concurrency     int           `json:"concurrency"`
	WarmupSeconds   float64       `json:"warmup_seconds"`
	DurationSeconds float64       `json:"duration_seconds"`
	Pages           int           `json:"pages"`
	BcryptCost      int           `json:"bcrypt_cost"`
	Tokens          string        `json:"tokens"` // login or minted
	Seeding         []SeedStep    `json:"seeding"`
	Results         []Result      `json:"results"`
	Scale           []ScaleRow    `json:"scale,omitempty"`
	Start           *StartResult  `json:"start,omitempty"`
	Queues          []JobResult   `json:"queues,omitempty"`
	Events          *EventsResult `json:"events,omitempty"`
	Notes           []string      `json:"notes,omitempty"`
}

// Machine describes where the run happened.
type Machine struct {
	CPUs        int    `json:"cpus"`
	CPUModel    string `json:"cpu_model"`
	OS          string `json:"os"`
	Arch        string `json:"arch"`
	Kernel      string `json:"kernel"`
	GoVersion   string `json:"go_version"`
	MemoryBytes int64  `json:"memory_bytes"`
}

// SeedStep is one seeding step and how long it took.
type SeedStep struct {
	What          string  `json:"what"`
	Rows          int     `json:"rows"`
	Seconds       float64 `json:"seconds"`
	RowsPerSecond float64 `json:"rows_per_second"`
}

// Result is one workload against one server.
type Result struct {
	Workload     string            `json:"workload"`
	Target       string            `json:"target"` // taskapi or floor
	Engine       string            `json:"engine"`
	Tasks        int               `json:"tasks,omitempty"` // scale: tasks the user owns
	Requests     uint64            `json:"requests"`
	Seconds      float64           `json:"seconds"`
	RPS          float64           `json:"rps"`
	MeanMS       float64           `json:"mean_ms"`
	P50MS        float64           `json:"p50_ms"`
	P90MS        float64           `json:"p90_ms"`
	P99MS        float64           `json:"p99_ms"`
	MaxMS        float64           `json:"max_ms"`
	Errors       map[string]uint64 `json:"errors"` // unexpected status → count; "net" for transport errors
	ErrorSamples []string          `json:"error_samples,omitempty"`
	PeakRSSBytes int64             `json:"peak_rss_bytes,omitempty"`
	RSSNote      string            `json:"rss_note,omitempty"`
	// ServerCPUMS is the server's CPU time (user and system) per request
	// measured, in milliseconds; 0 when its process is not known apart.
	ServerCPUMS float64 `json:"server_cpu_ms,omitempty"`
	VsFloor     float64 `json:"vs_floor,omitempty"` // throughput taskapi / floor (session-checking)
	// VsFloorNoSession is throughput taskapi / the floor without a session check.
	VsFloorNoSession float64 `json:"vs_floor_nosession,omitempty"`
	// Rate is the open-loop arrival rate (requests/s), 0 for closed loop;
	// Late counts the requests sent more than 1 ms after they were due.
	Rate       float64 `json:"rate,omitempty"`
	Late       uint64  `json:"late,omitempty"`
	P99VsFloor float64 `json:"p99_vs_floor,omitempty"` // open loop: p99 taskapi / floor at the same rate
	Parts      []Part  `json:"parts,omitempty"`        // the mix, by kind of request
}

// Part is one kind of request inside a mixed workload.
type Part struct {
	Kind     string            `json:"kind"`
	Requests uint64            `json:"requests"`
	P50MS    float64           `json:"p50_ms"`
	P99MS    float64           `json:"p99_ms"`
	MaxMS    float64           `json:"max_ms"`
	Errors   map[string]uint64 `json:"errors"`
}

// ScaleRow compares one list workload at two data sizes. Cost is the
// inverse of throughput at the same concurrency: CostRatio 1.2 means a page
// costs 20 % more with the large data set.
type ScaleRow struct {
	Workload  string  `json:"workload"`
	Engine    string  `json:"engine"`
	Small     Result  `json:"small"`
	Large     Result  `json:"large"`
	CostRatio float64 `json:"cost_ratio"`
	P50Ratio  float64 `json:"p50_ratio"`
	P99Ratio  float64 `json:"p99_ratio"`
	// CPURatio is the server's CPU time per request at the large size
	// divided by that at the small size (0 when not measured).
	CPURatio float64 `json:"cpu_ratio,omitempty"`
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// newResult summarises what the workers measured.
func newResult(raw *rawResult, wl workload, target, engine string) Result {
	h := raw.total()
	r := Result{
		Workload: wl.name, Target: target, Engine: engine,
		Requests: h.count, Seconds: raw.elapsed.Seconds(),
		MeanMS: ms(h.mean()), P50MS: ms(h.quantile(0.50)), P90MS: ms(h.quantile(0.90)),
		P99MS: ms(h.quantile(0.99)), MaxMS: ms(h.max()),
		Errors: map[string]uint64{}, ErrorSamples: raw.samples, Late: raw.late,
	}
	if raw.elapsed > 0 {
		r.RPS = float64(h.count) / raw.elapsed.Seconds()
	}
	for k := range numKinds {
		errs := unexpected(raw, k)
		for code, n := range errs {
			r.Errors[code] += n
		}
		if len(wl.parts) > 1 && raw.hist[k] != nil {
			r.Parts = append(r.Parts, Part{Kind: k.String(), Requests: raw.hist[k].count,
				P50MS: ms(raw.hist[k].quantile(0.5)), P99MS: ms(raw.hist[k].quantile(0.99)),
				MaxMS: ms(raw.hist[k].max()), Errors: errs})
		}
	}
	return r
}

// unexpected counts the answers of kind k that were not the expected status.
func unexpected(raw *rawResult, k kind) map[string]uint64 {
	out := map[string]uint64{}
	for code, n := range raw.status[k] {
		if code != raw.want[k] {
			out[strconv.Itoa(code)] += n
		}
	}
	if raw.netErrs[k] > 0 {
		out["net"] += raw.netErrs[k]
	}
	return out
}

// errorsText prints errors as "404×12 net×3", or "0".
func errorsText(m map[string]uint64) string {
	if len(m) == 0 {
		return "0"
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s×%d", k, m[k])
	}
	return strings.Join(parts, " ")
}

func msText(v float64) string {
	if v >= 100 {
		return fmt.Sprintf("%.0fms", v)
	}
	return fmt.Sprintf("%.2fms", v)
}

func mbText(b int64, note string) string {
	if b <= 0 {
		return "-"
	}
	s := fmt.Sprintf("%.1f MiB", float64(b)/(1<<20))
	if note != "" {
		s += "*"
	}
	return s
}

func ratioText(r float64) string {
	if r == 0 {
		return "-"
	}
	return fmt.Sprintf("%.2f", r)
}

// sizeText prints a task count as 1k or 1M.
func sizeText(n int) string {
	switch {
	case n >= 1_000_000 && n%1_000_000 == 0:
		return strconv.Itoa(n/1_000_000) + "M"
	case n >= 1000 && n%1000 == 0:
		return strconv.Itoa(n/1000) + "k"
	}
	return strconv.Itoa(n)
}

// writeHeader prints what, where and how the run measured.
func writeHeader(w io.Writer, r *Report) {
	m := r.Machine
	fmt.Fprintf(w, "taskapi bench: %s on %s (%s server), %s, commit %s\n", r.Mode, r.Engine, r.Server, r.Date.Format("2006-01-02 15:04 MST"), r.Commit)
	fmt.Fprintf(w, "machine: %d × %s, %.0f GiB, %s/%s %s, %s\n", m.CPUs, m.CPUModel, float64(m.MemoryBytes)/(1<<30), m.OS, m.Arch, m.Kernel, m.GoVersion)
	secs := func(v float64) string {
		return time.Duration(v * float64(time.Second)).Round(time.Millisecond).String()
	}
	fmt.Fprintf(w, "load: %d connections, %s measured after %s warm-up, %d page(s) per list walk; bcrypt cost %d; tokens by %s\n",
		r.Concurrency, secs(r.DurationSeconds), secs(r.WarmupSeconds), r.Pages, r.BcryptCost, r.Tokens)
	for _, s := range r.Seeding {
		fmt.Fprintf(w, "seeded %s: %d rows in %.1fs (%.0f rows/s)\n", s.What, s.Rows, s.Seconds, s.RowsPerSecond)
	}
	if r.ServerCPUs != "" || r.LoadCPUs != "" {
		unpinned := ""
		if r.Engine == "postgres" {
			unpinned = " (PostgreSQL's own processes are not pinned)"
		}
		fmt.Fprintf(w, "CPUs: servers on %s, load generator on %s%s\n", orAll(r.ServerCPUs), orAll(r.LoadCPUs), unpinned)
	}
	if r.LoadBefore != "" {
		fmt.Fprintf(w, "load average: %s before, %s after\n", r.LoadBefore, r.LoadAfter)
	}
	for _, n := range r.Notes {
		fmt.Fprintf(w, "note: %s\n", n)
	}
	fmt.Fprintln(w)
}

// orAll names an unset CPU list.
func orAll(cpus string) string {
	if cpus == "" {
		return "any"
	}
	return cpus
}

// writeTable prints the results of a load run, one line per workload and
// server, as aligned text or, with markdown, as a Markdown table (for the
// README's Performance section).
func writeTable(w io.Writer, r *Report, markdown bool) error {
	writeHeader(w, r)
	rows := [][]string{{"workload", "target", "engine", "loop", "req/s", "p50", "p90", "p99", "max", "errors", "late", "peak RSS", "÷ floor", "÷ floor-nosession", "p99 ÷ floor"}}
	inProcess := false
	for _, x := range r.Results {
		loop := "closed"
		if x.Rate > 0 {
			loop = fmt.Sprintf("open %.0f/s", x.Rate)
		}
		rows = append(rows, []string{x.Workload, x.Target, x.Engine, loop, fmt.Sprintf("%.0f", x.RPS),
			msText(x.P50MS), msText(x.P90MS), msText(x.P99MS), msText(x.MaxMS), errorsText(x.Errors),
			strconv.FormatUint(x.Late, 10), mbText(x.PeakRSSBytes, x.RSSNote), ratioText(x.VsFloor),
			ratioText(x.VsFloorNoSession), ratioText(x.P99VsFloor)})
		inProcess = inProcess || x.RSSNote != ""
	}
	if err := renderRows(w, rows, markdown); err != nil {
		return err
	}
	if inProcess {
		fmt.Fprintln(w, "* in process: the RSS includes the load generator")
	}
	writeSamples(w, r.Results)
	return nil
}

// writeScaleTable prints the list workloads at both sizes side by side.
func writeScaleTable(w io.Writer, r *Report, markdown bool) error {
	writeHeader(w, r)
	if len(r.Scale) == 0 {
		return nil
	}
	s, l := sizeText(r.Scale[0].Small.Tasks), sizeText(r.Scale[0].Large.Tasks)
	rows := [][]string{{"workload", "engine", "req/s " + s, "p50 " + s, "p99 " + s, "req/s " + l, "p50 " + l, "p99 " + l, "cost ×", "p50 ×", "p99 ×", "CPU/req " + s, "CPU/req " + l, "CPU ×", "errors"}}
	var all []Result
	for _, x := range r.Scale {
		errs := map[string]uint64{}
		for _, res := range []Result{x.Small, x.Large} {
			for k, n := range res.Errors {
				errs[k] += n
			}
		}
		rows = append(rows, []string{x.Workload, x.Engine,
			fmt.Sprintf("%.0f", x.Small.RPS), msText(x.Small.P50MS), msText(x.Small.P99MS),
			fmt.Sprintf("%.0f", x.Large.RPS), msText(x.Large.P50MS), msText(x.Large.P99MS),
			ratioText(x.CostRatio), ratioText(x.P50Ratio), ratioText(x.P99Ratio),
			cpuText(x.Small.ServerCPUMS), cpuText(x.Large.ServerCPUMS), ratioText(x.CPURatio), errorsText(errs)})
		all = append(all, x.Small, x.Large)
	}
	if err := renderRows(w, rows, markdown); err != nil {
		return err
	}
	writeSamples(w, all)
	return nil
}

// renderRows prints a header row and data rows.
func renderRows(w io.Writer, rows [][]string, markdown bool) error {
	if markdown {
		for i, row := range rows {
			fmt.Fprintln(w, "| "+strings.Join(row, " | ")+" |")
			if i == 0 {
				seps := make([]string, len(row))
				for j := range seps {
					seps[j] = "---"
					if j >= 4 {
						seps[j] = "---:"
					}
				}
				fmt.Fprintln(w, "|"+strings.Join(seps, "|")+"|")
			}
		}
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, row := range rows {
		fmt.Fprintln(tw, strings.Join(row, "\t"))
	}
	return tw.Flush()
}

// writeSamples prints the first error messages, which say why requests
// failed (a missing route, "database is locked", a timeout).
func writeSamples(w io.Writer, results []Result) {
	first := true
	seen := map[string]bool{}
	for _, x := range results {
		for _, s := range x.ErrorSamples {
			key := x.Workload + "/" + x.Target + " " + sampleClass(s)
			if seen[key] {
				continue // the same failure at another size
			}
			seen[key] = true
			if first {
				fmt.Fprintln(w, "\nfirst errors:")
				first = false
			}
			fmt.Fprintf(w, "  %s/%s: %s\n", x.Workload, x.Target, s)
		}
	}
}

// writeJSONFile writes the report to path.
func writeJSONFile(path string, r *Report) error {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// cpuText prints a CPU time per request in milliseconds; "-" when not
// measured, as ratioText.
func cpuText(ms float64) string {
	if ms == 0 {
		return "-"
	}
	return fmt.Sprintf("%.2fms", ms)
}

// ratio divides, 0 when undefined.
func ratio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}
