package main

import "runtime/debug"

// defaultMemoryLimit is the Go runtime's soft memory limit unless GOMEMLIMIT
// is set: without one the heap grows to twice taskapi's small live heap
// between collections (see docs/configuration.md and bench/RESULTS.md).
const defaultMemoryLimit = 48 << 20

// setDefaultMemoryLimit applies defaultMemoryLimit unless GOMEMLIMIT is
// set, in which case the runtime has already read it.
func setDefaultMemoryLimit(getenv func(string) string) {
	if getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(defaultMemoryLimit)
	}
}
