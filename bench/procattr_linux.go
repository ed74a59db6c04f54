package main

import (
	"os/exec"
	"syscall"
)

// dieWithParent asks the kernel to stop the server (SIGTERM, a graceful
// shutdown) should the bench die without stopping it, so no server is left
// running after an interrupted run.
func dieWithParent(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
}
