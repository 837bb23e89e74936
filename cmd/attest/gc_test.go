package main

import (
	"runtime/debug"
	"testing"
)

// TestTuneGC checks that attest's GC settings apply when the environment
// sets none, and that GOGC or GOMEMLIMIT in the environment wins.
func TestTuneGC(t *testing.T) {
	percent := debug.SetGCPercent(100)
	limit := debug.SetMemoryLimit(-1)
	t.Cleanup(func() {
		debug.SetGCPercent(percent)
		debug.SetMemoryLimit(limit)
	})
	for _, env := range []struct{ gogc, limit string }{{"50", ""}, {"", "2GiB"}} {
		t.Setenv("GOGC", env.gogc)
		t.Setenv("GOMEMLIMIT", env.limit)
		debug.SetGCPercent(100)
		if tuneGC() || debug.SetGCPercent(100) != 100 {
			t.Errorf("GOGC=%q GOMEMLIMIT=%q: attest's settings applied", env.gogc, env.limit)
		}
	}
	t.Setenv("GOGC", "")
	t.Setenv("GOMEMLIMIT", "")
	if !tuneGC() {
		t.Fatal("no GC settings applied")
	}
	if got := debug.SetGCPercent(100); got != gcPercent {
		t.Errorf("GC percent %d, want %d", got, gcPercent)
	}
	if got := debug.SetMemoryLimit(-1); got != gcMemoryLimit {
		t.Errorf("memory limit %d, want %d", got, gcMemoryLimit)
	}
}
