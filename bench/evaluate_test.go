package bench

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/attestdev/attest/collectors/evidence"
	"github.com/attestdev/attest/controls"
	"github.com/attestdev/attest/reports"
)

// Sizes of the evaluation benchmark's synthetic estate: evalControls
// controls over evalTypes resource types (five controls a type, each
// resource evaluated by five rules), in evalAccounts accounts and
// evalRegions regions, one raw response per evalPerPage resources.
const (
	evalControls = 140
	evalTypes    = 28
	evalAccounts = 10
	evalRegions  = 3
	evalPerPage  = 100
)

// evalRules are the rules of the synthetic controls, in turn: the mix of
// attribute reads, list macros, time functions, filters, and the each, any
// and count modes that the built-in library uses.
var evalRules = []struct{ mode, where, rule string }{
	{"", "", `r.encrypted`},
	{"", `r.public`, `r.encrypted && r.size < 900`},
	{"", "", `days_since(r.created) <= 400 && r.owner != ""`},
	{"any", "", `r.tags.exists(t, t == "prod")`},
	{"count", `!r.encrypted`, `count <= 1000000`},
}

// BenchmarkEvaluateCLI times what `attest evaluate` and `attest report` do
// with a bundle on disk: load the controls and evaluate the bundle read
// once as a stream (controls.EvaluateDir), write results.json, then read
// the bundle's records and render the HTML, JSON and CSV reports. The
// bundle is generated into a temporary directory (not timed) with
// evalControls controls over evalTypes types. Sizes: 10,000 and 100,000
// resources by default; ATTEST_BENCH_EVAL_SIZES lists others (make bench
// sets 10000,100000,1000000), and ATTEST_BENCH_EVAL_1M=1 adds 1,000,000 to
// the default (it takes minutes to generate and run). Metrics per size: seconds per phase, the CPU time and
// peak RSS of `attest evaluate`'s part (evaluate and write results.json:
// evaluate_cpu_s, evaluate_rss_MB), those of the whole pass (cpu_s,
// peak_rss_MB; RSS is VmHWM, reset before each size), the bytes of the
// results and of the HTML report, and the peak live heap (sampled every
// 10 ms). ATTEST_BENCH_EVAL_OUT=DIR keeps the reports in DIR/<resources>;
// ATTEST_BENCH_EVAL_BUNDLES=DIR keeps the generated bundles in
// DIR/bundle-<resources> and reuses them, so that runs compared with each
// other read the same files (and the 1,000,000 one is written once).
//
// Two rows of the targets table come from it: `attest evaluate`'s part at
// 1,000,000 resources, and at 100,000 the HTML report's size and the time
// headless Chromium takes to open it (html_open_s: from the report's
// navigation start to a layout of the whole page after its load event, in
// a running browser; see measureHTMLOpen), or "not measured" and why.
func BenchmarkEvaluateCLI(b *testing.B) {
	sizes := evalSizes(b)
	// The targets table's rows, by size, added in the order.
	targetRows := map[int]row{}
	for _, n := range sizes {
		b.Run(fmt.Sprintf("resources=%d", n), func(b *testing.B) {
			dir, bundleDir, ctlDir, types := evalSetup(b, n)
			outDir := filepath.Join(dir, "out")
			if keep := os.Getenv("ATTEST_BENCH_EVAL_OUT"); keep != "" {
				// Keep the reports, e.g. to open the HTML in a browser.
				outDir = filepath.Join(keep, strconv.Itoa(n))
			}
			if err := os.MkdirAll(outDir, 0o750); err != nil {
				b.Fatal(err)
			}
			runtime.GC()
			resetPeakRSS()
			peak := watchHeap()
			cpu0 := cpuTime()
			var phases [6]time.Duration
			var evalCPU time.Duration
			var evalRSS int64
			var resultsSize, htmlSize int64
			for b.Loop() {
				t := time.Now()
				lap := func(i int) {
					now := time.Now()
					phases[i] += now.Sub(t)
					t = now
				}
				evalCPU0 := cpuTime()
				lib, err := controls.Load(controls.Options{NoBuiltin: true, Dirs: []string{ctlDir}, Types: types})
				if err != nil {
					b.Fatal(err)
				}
				res, _, err := controls.EvaluateDir(b.Context(), lib, bundleDir, controls.EvalOptions{AttestVersion: "bench"})
				if err != nil {
					b.Fatal(err)
				}
				lap(0)
				if err := res.WriteFile(filepath.Join(outDir, "results.json")); err != nil {
					b.Fatal(err)
				}
				lap(1)
				evalCPU += cpuTime() - evalCPU0
				evalRSS = max(evalRSS, peakRSS())
				bundle, err := evidence.OpenRecords(bundleDir)
				if err != nil {
					b.Fatal(err)
				}
				lap(2)
				for i, format := range []string{"html", "json", "csv"} {
					if err := renderFile(filepath.Join(outDir, "report"+reports.Extension(format)), format, res, bundle); err != nil {
						b.Fatal(err)
					}
					lap(3 + i)
				}
				if len(res.Controls) != evalControls || res.Bundle.Resources != n {
					b.Fatalf("%d controls over %d resources", len(res.Controls), res.Bundle.Resources)
				}
				resultsSize = fileSize(b, filepath.Join(outDir, "results.json"))
				htmlSize = fileSize(b, filepath.Join(outDir, "report.html"))
			}
			heap := peak()
			iters := float64(b.N)
			b.ReportMetric((cpuTime()-cpu0).Seconds()/iters, "cpu_s")
			for i, name := range []string{"evaluate_s", "results_s", "open_s", "html_s", "json_s", "csv_s"} {
				b.ReportMetric(phases[i].Seconds()/iters, name)
			}
			b.ReportMetric(evalCPU.Seconds()/iters, "evaluate_cpu_s")
			if evalRSS > 0 {
				b.ReportMetric(float64(evalRSS)/1e6, "evaluate_rss_MB")
			}
			b.ReportMetric(float64(resultsSize)/1e6, "results_MB")
			b.ReportMetric(float64(htmlSize)/1e6, "html_MB")
			b.ReportMetric(float64(heap)/1e6, "peak_heap_MB")
			if rss := peakRSS(); rss > 0 {
				b.ReportMetric(float64(rss)/1e6, "peak_rss_MB")
			}
			switch n {
			case evalTargetResources:
				targetRows[n] = evaluateRow(phases[0]+phases[1], evalCPU, evalRSS, iters)
			case htmlTargetResources:
				targetRows[n] = htmlRow(b, filepath.Join(outDir, "report.html"), htmlSize)
			}
		})
	}
	var rows []row
	for _, n := range []int{evalTargetResources, htmlTargetResources} {
		r, ok := targetRows[n]
		if !ok {
			r = row{targetFigure(n), fmt.Sprintf("not measured: %d resources not among the sizes run (ATTEST_BENCH_EVAL_SIZES, -bench)", n), targetGoal(n)}
		}
		rows = append(rows, r)
	}
	tableRows(b, rows...)
}

// The sizes of the targets table's rows: `attest evaluate` at
// evalTargetResources, the HTML report at htmlTargetResources.
const (
	evalTargetResources = 1_000_000
	htmlTargetResources = 100_000
)

func targetFigure(n int) string {
	if n == evalTargetResources {
		return fmt.Sprintf("`attest evaluate`, 1M resources, %d controls, %d cores", evalControls, runtime.GOMAXPROCS(0))
	}
	return "HTML report, 100k resources"
}

func targetGoal(n int) string {
	if n == evalTargetResources {
		return "<= 10 s, <= 1 GB RSS"
	}
	return "<= 10 MB, opens in Chromium in < 2 s"
}

// evaluateRow is the targets table's row of `attest evaluate`'s part:
// evaluate and write results.json, over iters passes.
func evaluateRow(wall, cpu time.Duration, rss int64, iters float64) row {
	mem := "peak RSS not measured (no /proc/self/status)"
	if rss > 0 {
		mem = fmt.Sprintf("peak RSS %.0f MB", float64(rss)/1e6)
	}
	return row{targetFigure(evalTargetResources),
		fmt.Sprintf("%.1f s wall (evaluate and write results.json), %.1f s CPU, %s", wall.Seconds()/iters, cpu.Seconds()/iters, mem),
		targetGoal(evalTargetResources)}
}

// htmlOpenRuns is how many times the HTML report is opened in Chromium;
// the row gives the medians.
const htmlOpenRuns = 3

// htmlRow is the targets table's row of the HTML report at page: its size
// and the time headless Chromium takes to open it, or why that was not
// measured.
func htmlRow(b *testing.B, page string, size int64) row {
	figure, goal := targetFigure(htmlTargetResources), targetGoal(htmlTargetResources)
	sizeText := fmt.Sprintf("%.1f MB", float64(size)/1e6)
	bin := chromiumPath()
	if bin == "" {
		return row{figure, sizeText + "; open time not measured: chromium not installed", goal}
	}
	abs, err := filepath.Abs(page)
	if err != nil {
		b.Error(err)
		return row{figure, sizeText + "; open time not measured: " + err.Error(), goal}
	}
	m, err := measureHTMLOpen(b.Context(), bin, b.TempDir(), abs, htmlOpenRuns)
	if err != nil {
		b.Error(err)
		return row{figure, sizeText + "; open time not measured: chromium failed (see the log)", goal}
	}
	b.ReportMetric(m.open.Layout.Seconds(), "html_open_s")
	b.ReportMetric(m.open.Process.Seconds(), "html_chromium_process_s")
	b.ReportMetric(m.emptyProcs.Seconds(), "empty_chromium_process_s")
	return row{figure, fmt.Sprintf("%s; opens in %.2f s in headless Chromium (navigation start to load event end %.2f s, to a layout of the whole page after it %.2f s; median of %d). "+
		"Whole `chromium --headless --dump-dom` process: %.1f s for the report against %.1f s for an empty page",
		sizeText, m.open.Layout.Seconds(), m.open.Load.Seconds(), m.open.Layout.Seconds(), m.runs,
		m.open.Process.Seconds(), m.emptyProcs.Seconds()), goal}
}

// evalSizes returns the bundle sizes to run: ATTEST_BENCH_EVAL_SIZES (a
// list of resource counts, separated by commas or spaces), or 10,000 and
// 100,000, with 1,000,000 added by ATTEST_BENCH_EVAL_1M=1.
func evalSizes(b *testing.B) []int {
	if v := strings.TrimSpace(os.Getenv("ATTEST_BENCH_EVAL_SIZES")); v != "" {
		var sizes []int
		for _, f := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' }) {
			n, err := strconv.Atoi(f)
			if err != nil || n <= 0 {
				b.Fatalf("ATTEST_BENCH_EVAL_SIZES=%q: %q is not a number of resources", v, f)
			}
			sizes = append(sizes, n)
		}
		return sizes
	}
	sizes := []int{10_000, 100_000}
	if os.Getenv("ATTEST_BENCH_EVAL_1M") != "" {
		sizes = append(sizes, evalTargetResources)
	}
	return sizes
}

// renderFile renders one report to path through a buffered file, as
// `attest report --out` does.
func renderFile(path, format string, res *controls.Results, b *evidence.Bundle) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<16)
	if err := reports.Render(w, format, res, b); err != nil {
		_ = f.Close()
		return err
	}
	if err := w.Flush(); err != nil {
		_ = f.Close()
		return err
	}
	return f.Close()
}

func fileSize(b *testing.B, path string) int64 {
	fi, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	return fi.Size()
}

// evalSetup returns a temporary directory for one size's run, the bundle
// of n synthetic resources (see evalBundle), the directory of the
// synthetic controls and the attributes of their resource types.
func evalSetup(b *testing.B, n int) (dir, bundleDir, ctlDir string, types map[string][]string) {
	b.Helper()
	dir = b.TempDir()
	bundleDir, err := evalBundle(dir, n)
	if err != nil {
		b.Fatal(err)
	}
	ctlDir = filepath.Join(dir, "controls")
	if types, err = writeEvalControls(ctlDir); err != nil {
		b.Fatal(err)
	}
	return dir, bundleDir, ctlDir, types
}

// evalBundle returns the directory of a bundle of n synthetic resources:
// generated into dir, or kept in (and reused from) the directory
// ATTEST_BENCH_EVAL_BUNDLES names.
func evalBundle(dir string, n int) (string, error) {
	keep := os.Getenv("ATTEST_BENCH_EVAL_BUNDLES")
	if keep == "" {
		bundleDir := filepath.Join(dir, "bundle")
		return bundleDir, writeEvalBundle(bundleDir, n)
	}
	bundleDir := filepath.Join(keep, fmt.Sprintf("bundle-%d", n))
	if _, err := os.Stat(filepath.Join(bundleDir, evidence.ManifestFile)); err == nil {
		return bundleDir, nil
	}
	if err := os.RemoveAll(bundleDir); err != nil {
		return "", err
	}
	return bundleDir, writeEvalBundle(bundleDir, n)
}

// writeEvalControls writes the synthetic controls into dir and returns
// the attributes of their resource types.
func writeEvalControls(dir string) (map[string][]string, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, err
	}
	types := map[string][]string{}
	for i := range evalControls {
		typ := evalType(i % evalTypes)
		types[typ] = []string{"encrypted", "size", "created", "owner", "tags", "public", "config"}
		r := evalRules[(i/evalTypes)%len(evalRules)]
		var req strings.Builder
		fmt.Fprintf(&req, "  - type: %s\n    rule: '%s'\n", typ, r.rule)
		if r.mode != "" {
			fmt.Fprintf(&req, "    mode: %s\n", r.mode)
		}
		if r.where != "" {
			fmt.Fprintf(&req, "    where: '%s'\n", r.where)
		}
		file := fmt.Sprintf(`id: BENCH-%03d
title: Synthetic control %d
description: A control of the evaluation benchmark.
severity: %s
owner: platform
frequency: daily
mappings: {soc2: [CC6.1], iso27001: [A.8.24]}
tom: {category: data-access, statement: {en: e, de: d}}
evidence:
%sremediation: Fix it.
`, i, i, []string{"low", "medium", "high", "critical"}[i%4], req.String())
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("bench-%03d.yaml", i)), []byte(file), 0o600); err != nil {
			return nil, err
		}
	}
	return types, nil
}

func evalType(i int) string { return fmt.Sprintf("bench.type%02d", i) }

// writeEvalBundle writes a bundle of n resources spread evenly over the
// synthetic types, accounts and regions, with one raw response per
// evalPerPage resources, through the bundle writer.
func writeEvalBundle(dir string, n int) error {
	w, err := evidence.Create(dir)
	if err != nil {
		return err
	}
	at := benchNow.Add(-time.Hour)
	var runs []evidence.Run
	for t := range evalTypes {
		for a := range evalAccounts {
			for g := range evalRegions {
				runs = append(runs, evidence.Run{
					Collector: evalType(t), CollectorVersion: 1,
					Target:        evidence.Target{Source: "bench", Account: evalAccount(a), Region: evalRegion(g)},
					ResourceTypes: []string{evalType(t)}, Status: evidence.Complete,
					StartedAt: at, FinishedAt: at, Resources: n / (evalTypes * evalAccounts * evalRegions),
				})
			}
		}
	}
	var sha string
	for i := range n {
		t, a, g := i%evalTypes, (i/evalTypes)%evalAccounts, (i/(evalTypes*evalAccounts))%evalRegions
		typ := evalType(t)
		target := evidence.Target{Source: "bench", Account: evalAccount(a), Region: evalRegion(g)}
		if i%evalPerPage == 0 {
			body := fmt.Appendf(nil, `{"page":%d,"items":[]}`, i/evalPerPage)
			sha, err = w.WriteRecord(evidence.Record{Collector: typ, CollectorVersion: 1, Target: target,
				Operation: "bench:List", Method: "GET", Endpoint: "https://bench.example/list?page=" + strconv.Itoa(i/evalPerPage),
				Status: 200, ContentType: "application/json", CollectedAt: at}, body)
			if err != nil {
				return err
			}
		}
		id := fmt.Sprintf("arn:bench:%s:%s:%s/res-%07d", typ, target.Region, target.Account, i)
		created := benchNow.AddDate(0, 0, -(i % 500)).Format(time.RFC3339)
		tags := []any{"eu", "team-" + strconv.Itoa(i%7)}
		if i%3 != 0 {
			tags = append(tags, "prod")
		}
		err := w.WriteResource(evidence.Resource{
			Type: typ, ID: id, Name: fmt.Sprintf("res-%07d", i), Account: target.Account, Region: target.Region,
			Attributes: map[string]any{
				"encrypted": i%13 != 0, "size": i % 1000, "created": created, "owner": "team-" + strconv.Itoa(i%7),
				"tags": tags, "public": i%17 == 0, "config": map[string]any{"version": 2, "ratio": 0.5, "mode": "strict"},
			},
			Records: []string{sha}, Collector: typ, CollectorVersion: 1, CollectedAt: at,
		})
		if err != nil {
			return err
		}
	}
	for _, r := range runs {
		w.AddRun(r)
	}
	return w.Close(evidence.Manifest{AttestVersion: "bench", StartedAt: at, FinishedAt: benchNow})
}

func evalAccount(i int) string { return fmt.Sprintf("1000000000%02d", i) }

func evalRegion(i int) string { return []string{"eu-central-1", "eu-west-1", "us-east-1"}[i] }

// resetPeakRSS resets the process's peak RSS (Linux: VmHWM) so that
// peakRSS reports the peak from here on. Elsewhere it does nothing.
func resetPeakRSS() {
	_ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
}

// peakRSS returns the process's peak RSS in bytes since the last
// resetPeakRSS (Linux: VmHWM), or 0 where it cannot be read.
func peakRSS() int64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range bytes.Lines(data) {
		if rest, ok := bytes.CutPrefix(line, []byte("VmHWM:")); ok {
			kb, err := strconv.ParseInt(string(bytes.TrimSuffix(bytes.TrimSpace(rest), []byte(" kB"))), 10, 64)
			if err != nil {
				return 0
			}
			return kb * 1024
		}
	}
	return 0
}
