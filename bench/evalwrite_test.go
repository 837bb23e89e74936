package bench

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"strconv"
	"testing"
	"time"

	"github.com/attestdev/attest/controls"
)

// BenchmarkEvaluateWrite times `attest evaluate`'s part of
// BenchmarkEvaluateCLI alone: load the controls, evaluate the bundle
// (controls.EvaluateDir) and write results.json, without the reports. The
// size is 100,000 resources, or ATTEST_BENCH_EVAL_N; the bundle comes
// from ATTEST_BENCH_EVAL_BUNDLES as in BenchmarkEvaluateCLI. Metrics:
// evaluate_s, results_s, their CPU time (evaluate_cpu_s) and peak RSS
// (evaluate_rss_MB), and the CPU time the garbage collector took
// (gc_cpu_s, as the runtime estimates it). ATTEST_BENCH_EVAL_SHA=1 logs the SHA-256 of
// results.json (not timed), to compare the bytes two versions write.
func BenchmarkEvaluateWrite(b *testing.B) {
	n := 100_000
	if s := os.Getenv("ATTEST_BENCH_EVAL_N"); s != "" {
		var err error
		if n, err = strconv.Atoi(s); err != nil {
			b.Fatal(err)
		}
	}
	b.Run(fmt.Sprintf("resources=%d", n), func(b *testing.B) {
		dir, bundleDir, ctlDir, types := evalSetup(b, n)
		runtime.GC()
		resetPeakRSS()
		var evalD, writeD, cpu time.Duration
		gc0 := gcCPU()
		for b.Loop() {
			cpu0 := cpuTime()
			t := time.Now()
			lib, err := controls.Load(controls.Options{NoBuiltin: true, Dirs: []string{ctlDir}, Types: types})
			if err != nil {
				b.Fatal(err)
			}
			res, _, err := controls.EvaluateDir(b.Context(), lib, bundleDir, controls.EvalOptions{AttestVersion: "bench"})
			if err != nil {
				b.Fatal(err)
			}
			evalD += time.Since(t)
			t = time.Now()
			out := filepath.Join(dir, "results.json")
			if err := res.WriteFile(out); err != nil {
				b.Fatal(err)
			}
			writeD += time.Since(t)
			cpu += cpuTime() - cpu0
			if len(res.Controls) != evalControls || res.Bundle.Resources != n {
				b.Fatalf("%d controls over %d resources", len(res.Controls), res.Bundle.Resources)
			}
			if os.Getenv("ATTEST_BENCH_EVAL_SHA") != "" {
				b.Logf("results.json: sha256 %s", fileSHA(b, out))
			}
			if err := os.Remove(out); err != nil {
				b.Fatal(err)
			}
		}
		iters := float64(b.N)
		b.ReportMetric(evalD.Seconds()/iters, "evaluate_s")
		b.ReportMetric(writeD.Seconds()/iters, "results_s")
		b.ReportMetric(cpu.Seconds()/iters, "evaluate_cpu_s")
		b.ReportMetric((gcCPU()-gc0)/iters, "gc_cpu_s")
		if rss := peakRSS(); rss > 0 {
			b.ReportMetric(float64(rss)/1e6, "evaluate_rss_MB")
		}
	})
}

// fileSHA returns the hex SHA-256 of the file at path.
func fileSHA(b *testing.B, path string) string {
	f, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer func() { _ = f.Close() }()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		b.Fatal(err)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// gcCPU returns the CPU seconds the garbage collector has taken so far,
// as the runtime estimates them.
func gcCPU() float64 {
	s := []metrics.Sample{{Name: "/cpu/classes/gc/total:cpu-seconds"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindFloat64 {
		return 0
	}
	return s[0].Value.Float64()
}
