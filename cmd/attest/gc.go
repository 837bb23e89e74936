package main

import (
	"os"
	"runtime/debug"
)

// GC settings of attest, unless GOGC or GOMEMLIMIT set others: collect
// garbage when the heap has grown by gcPercent since the last collection
// (the Go default is 100), and more often as the process nears
// gcMemoryLimit. Evaluating a million resources keeps most of what it
// allocates (the findings) until results.json is written: with the
// default, the collector marks the growing heap again and again and takes
// a fifth of the CPU time; with these settings it runs a few times, and
// the peak stays under the limit (RSS under 1 GB). The limit is soft: a
// larger live heap is collected more often, never refused.
const (
	gcPercent     = 300
	gcMemoryLimit = 800 << 20
)

// tuneGC applies attest's GC settings unless the environment sets GOGC or
// GOMEMLIMIT, and reports whether it did.
func tuneGC() bool {
	if os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
		return false
	}
	debug.SetGCPercent(gcPercent)
	debug.SetMemoryLimit(gcMemoryLimit)
	return true
}
