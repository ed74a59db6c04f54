package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"time"
)

// StartResult is how long taskapi takes from exec to answering GET /readyz
// with 200, on an existing database.
type StartResult struct {
	Runs  int       `json:"runs"`
	P50MS float64   `json:"p50_ms"`
	MaxMS float64   `json:"max_ms"`
	AllMS []float64 `json:"all_ms"`
}

// startRuns is how many times start mode starts the server.
const startRuns = 10

// start measures, startRuns times, the time from exec of `taskapi serve`
// to its first 200 from /readyz, on the database newBench migrated (so
// what is measured is a restart, not a first install).
func (b *bench) start(ctx context.Context) error {
	if b.o.server != "subprocess" {
		return errors.New("start measures the subprocess server")
	}
	if b.bin == "" {
		dir, err := os.MkdirTemp("", "taskapi-bench-bin-*")
		if err != nil {
			return err
		}
		b.binDir = dir
		if b.bin, err = buildTaskapi(ctx, dir, b.stderr); err != nil {
			return err
		}
	}
	var times []time.Duration
	for range startRuns {
		d, err := b.startOnce(ctx)
		if err != nil {
			return err
		}
		times = append(times, d)
	}
	slices.Sort(times)
	res := &StartResult{Runs: len(times), P50MS: ms(times[len(times)/2]), MaxMS: ms(times[len(times)-1])}
	for _, d := range times {
		res.AllMS = append(res.AllMS, ms(d))
	}
	b.report.Start = res
	writeHeader(b.stdout, b.report)
	fmt.Fprintf(b.stdout, "start (exec to /readyz 200) on an existing %s database, %d runs: p50 %s, max %s\n",
		b.st.Engine(), res.Runs, msText(res.P50MS), msText(res.MaxMS))
	return b.writeJSON()
}

// startOnce starts the server, times it to its first ready answer, and
// stops it.
func (b *bench) startOnce(ctx context.Context) (time.Duration, error) {
	addr, err := freeAddr()
	if err != nil {
		return 0, err
	}
	bin, args, err := pinnedCommand(b.o.serverCPUs, b.bin, append(append([]string{"serve"}, b.serveFlags()...), "--addr", addr))
	if err != nil {
		return 0, err
	}
	cmd := exec.Command(bin, args...)
	cmd.Env = processEnv("TASKAPI_JWT_SECRET=" + b.jwtSecret)
	dieWithParent(cmd)
	client := &http.Client{Timeout: time.Second}
	began := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, fmt.Errorf("start taskapi: %w", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	defer func() {
		_ = cmd.Process.Signal(os.Interrupt)
		select {
		case <-exited:
		case <-time.After(30 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
	}()
	deadline := began.Add(time.Minute)
	for time.Now().Before(deadline) {
		if res, err := client.Get("http://" + addr + "/readyz"); err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return time.Since(began), nil
			}
		}
		select {
		case err := <-exited:
			return 0, fmt.Errorf("taskapi exited before it was ready: %v", err)
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-time.After(time.Millisecond):
		}
	}
	return 0, errors.New("taskapi was not ready within a minute")
}
