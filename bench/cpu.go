package main

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"time"
)

// clockTicks is the unit of the CPU times in /proc/PID/stat (USER_HZ,
// 100 on Linux everywhere).
const clockTicks = 100

// cpuTime returns the CPU time (user and system) the process has used so
// far, from /proc (Linux).
func (p *rssProbe) cpuTime() (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", p.pid))
	if err != nil {
		return 0, fmt.Errorf("read CPU time of process %d: %w", p.pid, err)
	}
	return parseStatCPU(b)
}

// parseStatCPU reads utime and stime, the 14th and 15th fields of
// /proc/PID/stat, counted after the command name, which may hold spaces
// and parentheses.
func parseStatCPU(b []byte) (time.Duration, error) {
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, fmt.Errorf("parse /proc stat %q", b)
	}
	f := bytes.Fields(b[i+1:]) // f[0] is the 3rd field, state
	if len(f) < 13 {
		return 0, fmt.Errorf("parse /proc stat %q", b)
	}
	var ticks int64
	for _, s := range f[11:13] {
		n, err := strconv.ParseInt(string(s), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("parse /proc stat %q: %w", b, err)
		}
		ticks += n
	}
	return time.Duration(ticks) * time.Second / clockTicks, nil
}

// cpuWindow reads the server's CPU time once the warm-up is over and again
// when stop is called, which returns the CPU time the server spent in the
// measured window: divided by the requests measured, a cost per request
// that other processes on the machine do not change the way they change
// throughput. 0 when the server's process is not known, or is the bench's
// own (in process).
func (p *rssProbe) cpuWindow(warmup time.Duration) (stop func() time.Duration) {
	if p == nil || p.note != "" {
		return func() time.Duration { return 0 }
	}
	start := make(chan time.Duration, 1)
	timer := time.AfterFunc(warmup, func() {
		t, err := p.cpuTime()
		if err != nil {
			t = -1
		}
		start <- t
	})
	return func() time.Duration {
		if !timer.Stop() {
			if t0 := <-start; t0 >= 0 {
				if t1, err := p.cpuTime(); err == nil {
					return t1 - t0
				}
			}
		}
		return 0
	}
}
