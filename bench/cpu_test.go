package main

import (
	"os"
	"testing"
	"time"
)

func TestParseStatCPU(t *testing.T) {
	// A command name with a space and a parenthesis; utime 250 and stime
	// 50 ticks.
	stat := []byte("4242 (task api) x) S 1 4242 4242 0 -1 4194560 1000 0 0 0 250 50 0 0 20 0 9 0 100 1000000 500 0\n")
	got, err := parseStatCPU(stat)
	if err != nil || got != 3*time.Second {
		t.Errorf("parseStatCPU = %v, %v; want 3s", got, err)
	}
	if _, err := parseStatCPU([]byte("4242 (taskapi) S 1")); err == nil {
		t.Error("a short line parsed")
	}
}

func TestCPUWindow(t *testing.T) {
	p := &rssProbe{pid: os.Getpid()}
	if _, err := p.cpuTime(); err != nil {
		t.Skip("no /proc:", err)
	}
	stop := p.cpuWindow(0)
	deadline := time.Now().Add(300 * time.Millisecond)
	for time.Now().Before(deadline) { // spin: CPU time to count
	}
	if got := stop(); got <= 0 {
		t.Errorf("CPU in the window = %v, want > 0", got)
	}
	if got := (&rssProbe{pid: os.Getpid(), note: "in process"}).cpuWindow(0)(); got != 0 {
		t.Errorf("in process: %v, want 0", got)
	}
}
