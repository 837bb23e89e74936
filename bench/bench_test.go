package bench

import (
	"cmp"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/attestdev/attest/collectors/evidence"
)

// benchNow is the simulated present of every benchmark organisation.
var benchNow = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)

func envInt(b testing.TB, name string, def int) int {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		b.Fatalf("%s=%q: %v", name, v, err)
	}
	return n
}

func envDuration(b testing.TB, name string, def time.Duration) time.Duration {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		b.Fatalf("%s=%q: %v", name, v, err)
	}
	return d
}

// BenchmarkCollectMediumOrg collects a simulated organisation through
// latency-injecting, rate-limiting, call-counting fakes and reports the
// calls made against the minimum the enabled controls need, and the wall
// time against the lower bound that latency and concurrency allow. Sizes
// come from ATTEST_BENCH_* variables (see docs/scale.md).
func BenchmarkCollectMediumOrg(b *testing.B) {
	o := Options{
		Seed: 1,
		Size: Size{
			Accounts:   envInt(b, "ATTEST_BENCH_ACCOUNTS", 10),
			Regions:    envInt(b, "ATTEST_BENCH_REGIONS", 3),
			Buckets:    envInt(b, "ATTEST_BENCH_BUCKETS", 200),
			Repos:      envInt(b, "ATTEST_BENCH_REPOS", 2000),
			Identities: envInt(b, "ATTEST_BENCH_IDENTITIES", 5000),
		},
		Latency:             envDuration(b, "ATTEST_BENCH_LATENCY", 30*time.Millisecond),
		Concurrency:         envInt(b, "ATTEST_BENCH_CONCURRENCY", 8),
		CallConcurrency:     envInt(b, "ATTEST_BENCH_CALL_CONCURRENCY", 4),
		AWSRate:             float64(envInt(b, "ATTEST_BENCH_AWS_RATE", 20)),
		GitHubPerHour:       envInt(b, "ATTEST_BENCH_GITHUB_PER_HOUR", 5000),
		GitHubMaxConcurrent: envInt(b, "ATTEST_BENCH_GITHUB_MAX_CONCURRENT", 100),
		Now:                 benchNow,
	}
	var last Result
	for i := 0; b.Loop(); i++ {
		res, err := Collect(b.Context(), filepath.Join(b.TempDir(), fmt.Sprint("bundle", i)), o)
		if err != nil {
			b.Fatal(err)
		}
		last = res
	}
	for _, r := range last.Runs {
		if r.Status != evidence.Complete {
			b.Errorf("%s on %s: %s %v", r.Collector, r.Target, r.Status, r.Failures)
		}
	}
	lib, err := Library()
	if err != nil {
		b.Fatal(err)
	}
	reads, err := RuleReads(lib)
	if err != nil {
		b.Fatal(err)
	}
	m := MinCalls(o.Size, last.Runs, reads, last.Operations)
	min, unmodelled := m.Calls, m.Unmodelled
	bound := LowerBound(min, last.Runs, o)
	b.ReportMetric(float64(last.APICalls), "api_calls")
	b.ReportMetric(float64(min.Total()), "min_calls")
	b.ReportMetric(float64(last.APICalls)/float64(min.Total()), "calls_ratio")
	b.ReportMetric(float64(last.Throttled), "throttled")
	b.ReportMetric(float64(unmodelled), "unmodelled_calls")
	b.ReportMetric(bound.Seconds(), "lower_bound_s")
	b.ReportMetric(last.Wall.Seconds(), "wall_s")
	b.ReportMetric(last.Wall.Seconds()/bound.Seconds(), "wall_ratio")
	b.ReportMetric(float64(last.PeakHeap)/(1<<20), "peak_heap_MB")
	if path := os.Getenv("ATTEST_BENCH_OPS"); path != "" {
		writeOps(b, path, last.Operations, min)
	}
}

// writeOps writes the calls made and the minimum per operation to path.
func writeOps(b *testing.B, path string, made map[string]int64, min Calls) {
	ops := map[string]bool{}
	for op := range made {
		ops[op] = true
	}
	for op := range min {
		ops[op] = true
	}
	names := slices.SortedFunc(maps.Keys(ops), cmp.Compare)
	var out []byte
	for _, op := range names {
		out = fmt.Appendf(out, "%8d %8d  %s\n", made[op], min[op], op)
	}
	if err := os.WriteFile(path, out, 0o600); err != nil {
		b.Error(err)
	}
}
