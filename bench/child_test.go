package bench

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/attestdev/attest/collectors/evidence"
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

// TestCollectInChildProcess collects the small organisation in a child
// process, as BenchmarkCollectPeakRSS does, and checks that the child
// completes every run, that the fakes here counted its calls as an
// in-process collection makes them, and that the child's peak memory is
// read.
func TestCollectInChildProcess(t *testing.T) {
	if os.Getenv(ChildEnv) != "" {
		t.Skip("in the child")
	}
	t.Parallel()
	o := Options{Seed: 1, Size: small, Now: benchNow, Child: true}
	res, err := Collect(t.Context(), filepath.Join(t.TempDir(), "bundle"), o)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Runs) == 0 {
		t.Fatal("the child reported no runs")
	}
	for _, r := range res.Runs {
		if r.Status != evidence.Complete {
			t.Errorf("%s on %s: %s %v", r.Collector, r.Target, r.Status, r.Failures)
		}
	}
	o.Child = false
	in, err := Collect(t.Context(), filepath.Join(t.TempDir(), "bundle"), o)
	if err != nil {
		t.Fatal(err)
	}
	if res.APICalls != in.APICalls || len(res.Runs) != len(in.Runs) {
		t.Errorf("child: %d calls, %d runs; in process: %d calls, %d runs", res.APICalls, len(res.Runs), in.APICalls, len(in.Runs))
	}
	if runtime.GOOS == "linux" && (res.PeakRSS == 0 || res.ServerRSS == 0 || res.PeakAnon == 0 || res.PeakAnon > res.PeakRSS) {
		t.Errorf("child peak RSS %d (anonymous %d), serving process %d: want all read, anonymous within the total", res.PeakRSS, res.PeakAnon, res.ServerRSS)
	}
}
