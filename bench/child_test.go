package bench

import (
	"os"
	"testing"
)

// TestCollectChild is the child process of a benchmark collection with
// Options.Child: it collects only when ChildEnv names a job, and is
// skipped otherwise.
func TestCollectChild(t *testing.T) {
	path := os.Getenv(ChildEnv)
	if path == "" {
		t.Skip(ChildEnv + " not set: run only as the child of BenchmarkCollectPeakRSS")
	}
	if err := Child(t.Context(), path); err != nil {
		t.Fatal(err)
	}
}
