package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"strconv"
	"time"
)

// rssProbe reads a process's resident memory from /proc (Linux).
type rssProbe struct {
	pid int
	// note qualifies the figure, e.g. when the process measured also runs
	// the load generator.
	note string
}

// status returns the current resident set (VmRSS) and its peak (VmHWM) in
// bytes.
func (p *rssProbe) status() (rss, hwm int64, err error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.pid))
	if err != nil {
		return 0, 0, fmt.Errorf("read memory of process %d: %w", p.pid, err)
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		line := sc.Bytes()
		switch {
		case bytes.HasPrefix(line, []byte("VmRSS:")):
			rss = parseKB(line[len("VmRSS:"):])
		case bytes.HasPrefix(line, []byte("VmHWM:")):
			hwm = parseKB(line[len("VmHWM:"):])
		}
	}
	return rss, hwm, nil
}

// parseKB parses "   1234 kB" into bytes.
func parseKB(b []byte) int64 {
	f := bytes.Fields(b)
	if len(f) == 0 {
		return 0
	}
	n, err := strconv.ParseInt(string(f[0]), 10, 64)
	if err != nil {
		return 0
	}
	return n * 1024
}

// resetPeak restarts the kernel's peak-RSS counter (VmHWM), so the peak of
// one workload is not one of an earlier workload. Where the kernel refuses,
// the sampled maximum still bounds the peak from below.
func (p *rssProbe) resetPeak() bool {
	return os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", p.pid), []byte("5"), 0) == nil
}

// watch samples the resident set every 50 ms until stop is called, which
// returns the peak seen: the larger of the kernel's VmHWM (exact when it
// could be reset at the start) and the largest sample.
func (p *rssProbe) watch(ctx context.Context) (stop func() int64) {
	if p == nil {
		return func() int64 { return 0 }
	}
	reset := p.resetPeak()
	ctx, cancel := context.WithCancel(ctx)
	var peak int64 // written by the sampler, read after it ended
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		for {
			if rss, _, err := p.status(); err == nil {
				peak = max(peak, rss)
			}
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
	return func() int64 {
		cancel()
		<-done
		if _, hwm, err := p.status(); err == nil && reset {
			peak = max(peak, hwm)
		}
		return peak
	}
}
