package main

import "runtime/debug"

// defaultMemoryLimit is the Go runtime's soft memory limit when the
// GOMEMLIMIT environment variable is not set. Without a limit the heap
// grows to twice the live data between collections (GOGC=100), which at
// taskapi's small live heap (about 12 MiB, most of it the password
// strength dictionaries) wastes resident memory under load; with it the
// collector runs a little more often once the heap nears the limit. It is
// soft: when the live heap needs more, Go exceeds it (and caps the time
// spent collecting) instead of failing. Set GOMEMLIMIT to override it
// (e.g. GOMEMLIMIT=off for no limit, or a larger value next to a larger
// container limit).
const defaultMemoryLimit = 32 << 20

// setDefaultMemoryLimit applies defaultMemoryLimit unless GOMEMLIMIT is
// set, in which case the runtime has already read it.
func setDefaultMemoryLimit(getenv func(string) string) {
	if getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(defaultMemoryLimit)
	}
}
