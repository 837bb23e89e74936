package engine

import (
	"math"
	"runtime/debug"
	"testing"
)

func TestLimitCollectMemory(t *testing.T) {
	prev := debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetMemoryLimit(prev) })

	t.Setenv("GOMEMLIMIT", "")
	debug.SetMemoryLimit(math.MaxInt64)
	if got := LimitCollectMemory(); got != CollectMemoryLimit {
		t.Errorf("without GOMEMLIMIT: LimitCollectMemory() = %d, want %d", got, CollectMemoryLimit)
	}
	if got := debug.SetMemoryLimit(-1); got != CollectMemoryLimit {
		t.Errorf("without GOMEMLIMIT: runtime limit %d, want %d", got, CollectMemoryLimit)
	}

	// A limit the user set (GOMEMLIMIT, read by the runtime at start) is
	// kept.
	t.Setenv("GOMEMLIMIT", "1GiB")
	debug.SetMemoryLimit(1 << 30)
	if got := LimitCollectMemory(); got != 1<<30 {
		t.Errorf("with GOMEMLIMIT=1GiB: LimitCollectMemory() = %d, want %d", got, 1<<30)
	}
	if got := debug.SetMemoryLimit(-1); got != 1<<30 {
		t.Errorf("with GOMEMLIMIT=1GiB: runtime limit %d, want %d", got, 1<<30)
	}
}
