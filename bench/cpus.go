package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// A shared machine's two cores are split between the load generator and
// the servers with --load-cpus and --server-cpus, so that the generator's
// own work cannot delay a server's answer (open-loop latency measures the
// server, not the scheduler's choice between the two).

// parseCPUs reads a CPU list as taskset takes it: "1", "0,2", "0-3".
func parseCPUs(s string) ([]int, error) {
	var cpus []int
	for _, part := range strings.Split(s, ",") {
		lo, hi, isRange := strings.Cut(strings.TrimSpace(part), "-")
		a, err := strconv.Atoi(lo)
		b := a
		if err == nil && isRange {
			b, err = strconv.Atoi(hi)
		}
		if err != nil || a < 0 || b < a || b >= 1024 {
			return nil, fmt.Errorf("CPU list %q: want numbers and ranges such as 0 or 0,2 or 1-3", s)
		}
		for c := a; c <= b; c++ {
			cpus = append(cpus, c)
		}
	}
	return cpus, nil
}

// pinProcess keeps every thread of this process on cpus. A thread made
// later inherits the mask of the thread that makes it, so two passes over
// the threads that exist catch one made during the first.
func pinProcess(cpus []int) error {
	var set unix.CPUSet
	set.Zero()
	for _, c := range cpus {
		set.Set(c)
	}
	for range 2 {
		tasks, err := os.ReadDir("/proc/self/task")
		if err != nil {
			return fmt.Errorf("pin the load generator: %w", err)
		}
		for _, t := range tasks {
			tid, err := strconv.Atoi(t.Name())
			if err != nil {
				continue
			}
			if err := unix.SchedSetaffinity(tid, &set); err != nil && !errors.Is(err, unix.ESRCH) {
				return fmt.Errorf("pin the load generator to CPUs %v: %w", cpus, err)
			}
		}
	}
	return nil
}

// pinnedCommand runs bin on cpus through taskset, which sets the mask and
// then executes bin in its place: the process ID stays the server's, for
// its CPU time and memory. No cpus: bin as it is.
func pinnedCommand(cpus, bin string, args []string) (string, []string, error) {
	if cpus == "" {
		return bin, args, nil
	}
	taskset, err := exec.LookPath("taskset")
	if err != nil {
		return "", nil, fmt.Errorf("--server-cpus needs taskset (util-linux): %w", err)
	}
	return taskset, append([]string{"-c", cpus, bin}, args...), nil
}
