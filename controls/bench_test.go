package controls

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/attestdev/attest/collectors/evidence"
)

// BenchmarkEvaluate measures the evaluation target of the foundation issue:
// 100 controls over 100,000 resources of 10 types (10,000 each), each
// control one rule over one type. Target: under 1 s and 300 MB on one core
// (run with -cpu 1; make bench reports both).
func BenchmarkEvaluate(b *testing.B) {
	const types, perType, nControls = 10, 10_000, 100
	dir := b.TempDir()
	typeAttrs := map[string][]string{}
	rules := []string{
		`r.encrypted`,
		`r.size < 900 || r.encrypted`,
		`days_since(r.created) <= 400`,
		`r.owner != "" && r.tags.exists(t, t == "prod")`,
		`!r.public || r.encrypted`,
	}
	for i := range nControls {
		typ := fmt.Sprintf("bench.t%d", i%types)
		typeAttrs[typ] = []string{"encrypted", "size", "created", "owner", "tags", "public"}
		file := fmt.Sprintf(`id: B-%03d
title: t
description: d
severity: high
owner: o
frequency: daily
mappings: {soc2: [CC6.1]}
tom: {category: data-access, statement: {en: e, de: d}}
evidence:
  - type: %s
    rule: '%s'
remediation: r
`, i, typ, rules[i%len(rules)])
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("b%03d.yaml", i)), []byte(file), 0o600); err != nil {
			b.Fatal(err)
		}
	}
	lib, err := Load(Options{NoBuiltin: true, Dirs: []string{dir}, Types: typeAttrs})
	if err != nil {
		b.Fatal(err)
	}
	var runs []evidence.Run
	var rs []evidence.Resource
	for t := range types {
		typ := fmt.Sprintf("bench.t%d", t)
		runs = append(runs, evidence.Run{Collector: typ, Target: evidence.Target{Source: "bench"}, ResourceTypes: []string{typ}, Status: evidence.Complete})
		for i := range perType {
			rs = append(rs, evidence.Resource{Type: typ, ID: fmt.Sprintf("%s-%d", typ, i), Account: "123456789012", Region: "eu-west-1", Attributes: map[string]any{
				"encrypted": i%13 != 0, "size": int64(i % 1000), "created": "2026-01-01T00:00:00Z",
				"owner": "team", "tags": []any{"prod", "eu"}, "public": i%17 == 0,
			}})
		}
	}
	bundle := &evidence.Bundle{Manifest: evidence.Manifest{Format: evidence.Format, StartedAt: evalTime, FinishedAt: evalTime, Runs: runs}, Resources: rs}
	inputHeap := liveHeapMB()
	b.ReportAllocs()
	b.ResetTimer()
	var res *Results
	for b.Loop() {
		res, err = Evaluate(context.Background(), lib, bundle, EvalOptions{})
		if err != nil {
			b.Fatal(err)
		}
		if len(res.Controls) != nControls {
			b.Fatalf("%d results", len(res.Controls))
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(types*perType), "resources")
	// The bundle and the results are what a run holds at its peak.
	b.ReportMetric(inputHeap, "bundle-heap-MB")
	b.ReportMetric(liveHeapMB(), "bundle+results-heap-MB")
	runtime.KeepAlive(res)
	runtime.KeepAlive(bundle)
}

// liveHeapMB returns the heap in use after a full collection, in MB.
func liveHeapMB() float64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return float64(m.HeapAlloc) / 1e6
}
