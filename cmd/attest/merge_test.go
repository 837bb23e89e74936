package main

import (
	"fmt"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/all"
	"github.com/attestdev/attest/collectors/evidence"
	"github.com/attestdev/attest/config"
	"github.com/attestdev/attest/controls"
	"github.com/attestdev/attest/demo"
	"github.com/attestdev/attest/engine"
)

// collectDemo collects the demo organisation into dir, on a fixed clock so
// that two collections can be compared byte for byte.
func collectDemo(t *testing.T, env *demo.Env, lib *controls.Library, dir string, shard evidence.Shard, now time.Time) {
	t.Helper()
	w, err := evidence.Create(dir)
	if err != nil {
		t.Fatal(err)
	}
	r := &collectors.Runner{Writer: w, Shard: shard, Now: func() time.Time { return now }, Log: slog.New(slog.DiscardHandler)}
	r.Collect(t.Context(), all.Sources(env.Sources), (&engine.Setup{Library: lib}).Plan().Enabled)
	m := evidence.Manifest{AttestVersion: "test", StartedAt: now, FinishedAt: now}
	if shard != (evidence.Shard{}) {
		m.Shard = &shard
	}
	if err := w.Close(m); err != nil {
		t.Fatal(err)
	}
}

// evaluateJSON evaluates the bundle in dir and returns its results as
// JSON, with each raw record's SHA-256 replaced by what the record was
// (collector, target, operation, endpoint): two collections of the same
// endpoint may receive bodies that differ in incidental bytes (the TLS
// probe's negotiated cipher suite, for one), which says nothing about
// merging.
func evaluateJSON(t *testing.T, lib *controls.Library, dir string) string {
	t.Helper()
	b, err := evidence.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.VerifyRaw(); err != nil {
		t.Fatal(err)
	}
	names := map[string][]string{}
	for _, r := range b.Records {
		names[r.SHA256] = append(names[r.SHA256], r.Collector+" "+r.Target.String()+" "+r.Operation+" "+r.Endpoint)
	}
	what := map[string]string{}
	for sum, ns := range names {
		slices.Sort(ns)
		what[sum] = strings.Join(slices.Compact(ns), " | ")
	}
	res, err := controls.Evaluate(t.Context(), lib, b, controls.EvalOptions{AttestVersion: "test"})
	if err != nil {
		t.Fatal(err)
	}
	data, err := res.MarshalIndent()
	if err != nil {
		t.Fatal(err)
	}
	out := string(data)
	for sum, w := range what {
		out = strings.ReplaceAll(out, sum, w)
	}
	return out
}

// TestMergedShardsEvaluateLikeOneCollection collects the demo organisation
// once whole and once as three shards, merges the shards with attest merge,
// and requires byte-identical results.
func TestMergedShardsEvaluateLikeOneCollection(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	env, err := demo.Start(now)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(env.Close)
	lib, err := engine.LoadLibrary(&config.File{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	whole := filepath.Join(root, "whole")
	collectDemo(t, env, lib, whole, evidence.Shard{}, now)
	const n = 3
	args := []string{"merge", "--log-level", "warn", "--out", filepath.Join(root, "merged")}
	nonEmpty := 0
	for i := n - 1; i >= 0; i-- {
		dir := filepath.Join(root, fmt.Sprintf("shard-%d", i))
		collectDemo(t, env, lib, dir, evidence.Shard{Index: i, Count: n}, now)
		m, err := evidence.ReadManifest(dir)
		if err != nil {
			t.Fatal(err)
		}
		if len(m.Runs) > 0 {
			nonEmpty++
		}
		args = append(args, dir)
	}
	if nonEmpty < 2 {
		t.Fatalf("only %d of %d shards collected anything: the test does not exercise merging", nonEmpty, n)
	}
	if code, stdout, stderr := attest(t, args...); code != 0 || !strings.Contains(stdout, "from 3 bundles") {
		t.Fatalf("merge exit %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
	}
	want := evaluateJSON(t, lib, whole)
	got := evaluateJSON(t, lib, filepath.Join(root, "merged"))
	if want != got {
		t.Errorf("merged shards evaluate differently (-whole +merged):\n%s", cmp.Diff(want, got))
	}
	// A shard missing from the merge is refused, and says which.
	code, _, stderr := attest(t, "merge", "--out", filepath.Join(root, "partial"), args[len(args)-1], args[len(args)-2])
	if code != 2 || !strings.Contains(stderr, "missing shard(s) 2/3") {
		t.Errorf("merge without shard 2: exit %d, stderr %s", code, stderr)
	}
}

func TestParseShardFlag(t *testing.T) {
	t.Parallel()
	env := func(v string) func(string) string {
		return func(k string) string {
			if k == completionIndexEnv {
				return v
			}
			return ""
		}
	}
	for _, tc := range []struct {
		flag, index string
		want        evidence.Shard
		err         string
	}{
		{"", "", evidence.Shard{}, ""},
		{"1/4", "3", evidence.Shard{Index: 1, Count: 4}, ""},
		{"4", "2", evidence.Shard{Index: 2, Count: 4}, ""},
		{"4", "", evidence.Shard{}, completionIndexEnv},
		{"4", "4", evidence.Shard{}, "index"},
		{"4", "x", evidence.Shard{}, "not a number"},
		{"5/4", "", evidence.Shard{}, "index"},
	} {
		got, err := parseShardFlag(tc.flag, env(tc.index))
		if (tc.err == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tc.err)) {
			t.Errorf("parseShardFlag(%q, %s=%q) error %v, want %q", tc.flag, completionIndexEnv, tc.index, err, tc.err)
			continue
		}
		if got != tc.want {
			t.Errorf("parseShardFlag(%q, %s=%q) = %v, want %v", tc.flag, completionIndexEnv, tc.index, got, tc.want)
		}
	}
}
