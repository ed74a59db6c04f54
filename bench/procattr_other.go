//go:build !linux

package main

import "os/exec"

// dieWithParent does nothing where the kernel offers no parent-death
// signal; the bench still stops its servers when it ends normally.
func dieWithParent(*exec.Cmd) {}
