package engine

import (
	"os"
	"runtime/debug"
)

// CollectMemoryLimit is the soft limit on the Go runtime's memory (heap,
// stacks and the runtime's own; not the executable's pages) that attest
// collect sets unless GOMEMLIMIT is set. A collection holds little at once
// (some 40 MB of live heap at four times the medium organisation) but
// allocates and discards response bodies fast; with the default pacing
// alone the heap grows to twice its live size before the garbage
// collector runs, and the process's resident memory with it. The limit
// makes the collector run earlier when the heap nears it. It is soft: a
// collection that needs more keeps growing, while the runtime bounds the
// garbage collector to half the CPU; set GOMEMLIMIT (e.g. 1GiB, or off)
// for estates much larger than that.
const CollectMemoryLimit = 96 << 20

// LimitCollectMemory sets CollectMemoryLimit as the runtime's soft memory
// limit unless the GOMEMLIMIT environment variable sets one, and returns
// the limit in effect.
func LimitCollectMemory() int64 {
	if os.Getenv("GOMEMLIMIT") != "" {
		return debug.SetMemoryLimit(-1)
	}
	debug.SetMemoryLimit(CollectMemoryLimit)
	return CollectMemoryLimit
}
