package main

import (
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"
)

func TestParseCPUs(t *testing.T) {
	for in, want := range map[string][]int{"1": {1}, "0,2": {0, 2}, "1-3": {1, 2, 3}, "0, 2-3": {0, 2, 3}} {
		got, err := parseCPUs(in)
		if err != nil || !slices.Equal(got, want) {
			t.Errorf("parseCPUs(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "a", "3-1", "-1", "1-", "0,,1", "5000"} {
		if got, err := parseCPUs(bad); err == nil {
			t.Errorf("parseCPUs(%q) = %v, want an error", bad, got)
		}
	}
}

// A server started on a CPU list runs there, under its own process ID.
func TestPinnedCommandRunsOnTheCPUs(t *testing.T) {
	if _, err := exec.LookPath("taskset"); err != nil {
		t.Skip("no taskset on this machine")
	}
	bin, args, err := pinnedCommand("0", "/bin/sh", []string{"-c", `grep Cpus_allowed_list /proc/$$/status; echo pid $$`})
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, args...)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %v: %v", bin, args, err)
	}
	if !strings.Contains(string(out), "Cpus_allowed_list:\t0\n") {
		t.Errorf("the pinned command ran on other CPUs:\n%s", out)
	}
	if want := "pid " + strconv.Itoa(cmd.Process.Pid); !strings.Contains(string(out), want) {
		t.Errorf("taskset did not run the command in its place (want %q):\n%s", want, out)
	}

	bin, args, err = pinnedCommand("", "/bin/true", []string{"x"})
	if err != nil || bin != "/bin/true" || !slices.Equal(args, []string{"x"}) {
		t.Errorf("no CPU list changed the command: %s %v %v", bin, args, err)
	}
}
