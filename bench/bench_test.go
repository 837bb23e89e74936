package bench

import (
	"cmp"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/attestdev/attest/collectors/evidence"
	"github.com/attestdev/attest/internal/fake/azurefake"
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

// mediumSize is the medium organisation, or the ATTEST_BENCH_* sizes.
func mediumSize(b testing.TB) Size {
	return Size{
		Accounts:   envInt(b, "ATTEST_BENCH_ACCOUNTS", 10),
		Regions:    envInt(b, "ATTEST_BENCH_REGIONS", 3),
		Buckets:    envInt(b, "ATTEST_BENCH_BUCKETS", 200),
		Repos:      envInt(b, "ATTEST_BENCH_REPOS", 2000),
		Identities: envInt(b, "ATTEST_BENCH_IDENTITIES", 5000),
	}
}

// BenchmarkCollectMediumOrg collects a simulated organisation through
// latency-injecting, call-counting fakes that enforce the providers'
// documented limits, and reports in one run the calls made against the
// minimum the enabled rules need (MinCalls), the wall time against the
// floor the simulated limits allow (Floor), GitHub's calls per repository
// and the peak memory. Sizes come from ATTEST_BENCH_* variables (see
// docs/scale.md).
func BenchmarkCollectMediumOrg(b *testing.B) {
	o := Options{
		Seed:            1,
		Size:            mediumSize(b),
		Latency:         envDuration(b, "ATTEST_BENCH_LATENCY", 30*time.Millisecond),
		Concurrency:     envInt(b, "ATTEST_BENCH_CONCURRENCY", 8),
		CallConcurrency: envInt(b, "ATTEST_BENCH_CALL_CONCURRENCY", 0),
		Limits:          envInt(b, "ATTEST_BENCH_LIMITS", 1) != 0,
		Now:             benchNow,
	}
	lib, err := Library()
	if err != nil {
		b.Fatal(err)
	}
	reads, err := RuleReads(lib)
	if err != nil {
		b.Fatal(err)
	}
	var last Result
	var cpu time.Duration
	for i := 0; b.Loop(); i++ {
		cpu0 := cpuTime()
		res, err := Collect(b.Context(), filepath.Join(b.TempDir(), fmt.Sprint("bundle", i)), o)
		if err != nil {
			b.Fatal(err)
		}
		last, cpu = res, cpuTime()-cpu0
	}
	// CPU time of the process (attest and the fakes, TLS on both ends):
	// near wall × cores, the machine, not the providers, sets the pace.
	b.ReportMetric(cpu.Seconds(), "cpu_s")
	for _, r := range last.Runs {
		if r.Status != evidence.Complete {
			b.Errorf("%s on %s: %s %v", r.Collector, r.Target, r.Status, r.Failures)
		}
	}
	m := MinCalls(o.Size, last.Runs, reads, last.Operations)
	floor, bounds := Floor(m.Calls, o.Size, o.Latency)
	rest, gql := githubCalls(last.Operations)
	repos := float64(max(o.Size.Repos, 1))
	callsRatio := float64(last.APICalls) / float64(m.Calls.Total())
	wallRatio := last.Wall.Seconds() / floor.D.Seconds()
	b.ReportMetric(float64(last.APICalls), "api_calls")
	b.ReportMetric(float64(m.Calls.Total()), "min_calls")
	b.ReportMetric(callsRatio, "calls_ratio")
	b.ReportMetric(float64(last.Throttled), "throttled")
	b.ReportMetric(float64(m.Unmodelled), "unmodelled_calls")
	b.ReportMetric(floor.D.Seconds(), "floor_s")
	b.ReportMetric(last.Wall.Seconds(), "wall_s")
	b.ReportMetric(wallRatio, "wall_ratio")
	awsFloor, _ := Floor(m.Calls.Source("aws"), o.Size, o.Latency)
	ghFloor, _ := Floor(m.Calls.Source("github"), o.Size, o.Latency)
	awsWall, ghWall := last.SourceWall("aws"), last.SourceWall("github")
	b.ReportMetric(awsWall.Seconds(), "aws_wall_s")
	b.ReportMetric(awsFloor.D.Seconds(), "aws_floor_s")
	b.ReportMetric(ghWall.Seconds(), "github_wall_s")
	b.ReportMetric(ghFloor.D.Seconds(), "github_floor_s")
	b.ReportMetric(float64(rest)/repos, "gh_rest_per_repo")
	b.ReportMetric(float64(gql)/repos, "gh_graphql_per_repo")
	minRest, minGQL := githubCalls(m.Calls.Source("github"))
	b.ReportMetric(float64(minRest)/repos, "gh_min_rest_per_repo")
	b.ReportMetric(float64(minGQL)/repos, "gh_min_graphql_per_repo")
	b.ReportMetric(float64(last.PeakHeap)/(1<<20), "peak_heap_MB")
	b.ReportMetric(float64(last.PeakRSS)/(1<<20), "peak_rss_MB")
	b.ReportMetric(float64(last.BaseHeap)/(1<<20), "base_heap_MB")
	for _, bd := range bounds {
		b.Logf("floor: %-34s %8.2f s", bd.Name, bd.D.Seconds())
	}
	if len(m.Unread) > 0 {
		b.Logf("not charged (no enabled rule reads what they yield): %s", strings.Join(m.Unread, ", "))
	}
	limits := "documented provider limits"
	if !o.Limits {
		limits = "no provider limits"
	}
	tableRows(b,
		row{"calls / minimum the enabled rules need", fmt.Sprintf("%.2fx (%d / %d)", callsRatio, last.APICalls, m.Calls.Total()), "<= 1.05x"},
		row{"wall / floor allowed by the simulated provider limits", fmt.Sprintf("%.2fx (%.1f s / %.1f s, set by %s; %s). Per source: AWS %.1f s / %.2f s (%.0fx, %s), GitHub %.1f s / %.1f s (%.2fx)",
			wallRatio, last.Wall.Seconds(), floor.D.Seconds(), floor.Name, limits,
			awsWall.Seconds(), awsFloor.D.Seconds(), awsWall.Seconds()/awsFloor.D.Seconds(), awsFloor.Name,
			ghWall.Seconds(), ghFloor.D.Seconds(), ghWall.Seconds()/ghFloor.D.Seconds()), "<= 1.3x"},
		row{"GitHub: calls per repository", githubPerRepo(rest, gql, m.Calls, repos), "<= 0.2 REST + GraphQL share"},
	)
	if path := os.Getenv("ATTEST_BENCH_OPS"); path != "" {
		writeOps(b, path, last.Operations, m.Calls)
	}
}

// BenchmarkCollectPeakRSS collects four times the medium organisation
// (ATTEST_BENCH_SCALE) at the latency but without the providers' limits
// (GitHub's would stretch it to hours: 8,000 repositories need more REST
// calls than a token's hour allows), and reports attest's peak resident
// memory: the collection runs in a child process (Options.Child) against
// the fakes this process serves, as a user's attest collect runs without
// them. ATTEST_BENCH_INPROCESS=1 collects in this process instead and
// reports the whole process's peak, the simulated providers' included.
func BenchmarkCollectPeakRSS(b *testing.B) {
	k := envInt(b, "ATTEST_BENCH_SCALE", 4)
	sz := mediumSize(b)
	sz.Accounts, sz.Repos, sz.Identities = sz.Accounts*k, sz.Repos*k, sz.Identities*k
	o := Options{Seed: 1, Size: sz, Latency: envDuration(b, "ATTEST_BENCH_LATENCY", 30*time.Millisecond), Now: benchNow,
		Child: envInt(b, "ATTEST_BENCH_INPROCESS", 0) == 0}
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
	mb := func(n uint64) float64 { return float64(n) / (1 << 20) }
	b.ReportMetric(float64(last.APICalls), "api_calls")
	b.ReportMetric(last.Wall.Seconds(), "wall_s")
	b.ReportMetric(mb(last.PeakHeap), "peak_heap_MB")
	b.ReportMetric(mb(last.PeakRSS), "peak_rss_MB")
	b.ReportMetric(mb(last.BaseHeap), "base_heap_MB")
	b.ReportMetric(mb(last.PeakAnon), "peak_anon_MB")
	measured := fmt.Sprintf("%.0f MB for the whole process, fakes included (live heap: %.0f MB before the collection, the simulated organisation and the controls; peak %.0f MB)",
		mb(last.PeakRSS), mb(last.BaseHeap), mb(last.PeakHeap))
	if o.Child {
		b.ReportMetric(mb(last.ServerRSS), "fakes_rss_MB")
		measured = fmt.Sprintf("%.0f MB for attest's collecting process alone (a child process collecting from the fakes, which the benchmark's process serves: %.0f MB there), of it at most %.0f MB anonymous (heap, stacks, runtime), the rest the executable's pages; heap %.0f MB before the collection (the controls), peak %.0f MB; %.1f s",
			mb(last.PeakRSS), mb(last.ServerRSS), mb(last.PeakAnon), mb(last.BaseHeap), mb(last.PeakHeap), last.Wall.Seconds())
	}
	tableRows(b, row{fmt.Sprintf("collection peak RSS, %dx medium", k), measured, "<= 250 MB"})
}

// githubCalls returns the GitHub REST and GraphQL calls of made.
// opAnalyses is the per-repository call of GH-SAST-001's last_sast_at.
const opAnalyses = "GET /repos/{owner}/{repo}/code-scanning/analyses"

// githubPerRepo is the targets table's GitHub row: the REST and GraphQL
// calls made per repository, and beside them the fewest the enabled rules
// need (MinCalls), so that the figure reads against the floor GitHub's API
// allows rather than against the target alone.
func githubPerRepo(rest, gql int64, min Calls, repos float64) string {
	minRest, minGQL := githubCalls(min.Source("github"))
	out := fmt.Sprintf("%.2f REST + %.3f GraphQL; the enabled rules need at least %.2f REST + %.3f GraphQL",
		float64(rest)/repos, float64(gql)/repos, float64(minRest)/repos, float64(minGQL)/repos)
	if min[opAnalyses] > 0 {
		out += " (bench/mincalls.go): GH-SAST-001's newest code scanning analysis of each default branch has no organisation-wide or GraphQL endpoint, one REST call per repository"
	}
	return out
}

func githubCalls(made map[string]int64) (rest, gql int64) {
	for op, n := range made {
		switch {
		case op == "POST /graphql":
			gql += n
		case strings.Contains(op, " /"):
			rest += n
		}
	}
	return rest, gql
}

// A row is one line of the targets table.
type row struct{ figure, measured, target string }

// tableRows appends rows to the targets table file ATTEST_BENCH_TABLE
// (make bench prints it at the end) and logs them.
func tableRows(b *testing.B, rows ...row) {
	var out []byte
	for _, r := range rows {
		line := fmt.Sprintf("| %s | %s | %s |\n", r.figure, r.measured, r.target)
		b.Log(strings.TrimSpace(line))
		out = append(out, line...)
	}
	path := os.Getenv("ATTEST_BENCH_TABLE")
	if path == "" {
		return
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		b.Error(err)
		return
	}
	defer f.Close()
	if _, err := f.Write(out); err != nil {
		b.Error(err)
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

// BenchmarkCollectMicrosoftAndGitLab collects a simulated Entra ID tenant
// (ATTEST_BENCH_ENTRA_USERS users, ATTEST_BENCH_CA_POLICIES Conditional
// Access policies), Azure estate (ATTEST_BENCH_AZURE_SUBSCRIPTIONS
// subscriptions of 20 storage accounts, 5 SQL servers, 5 key vaults and 10
// network security groups) and GitLab group (ATTEST_BENCH_GITLAB_PROJECTS
// projects, ATTEST_BENCH_GITLAB_MEMBERS members) behind the providers'
// documented limits, apart from the medium organisation (whose GitHub
// limits alone take minutes), and reports per source the calls against the
// minimum and the wall time against the floor.
func BenchmarkCollectMicrosoftAndGitLab(b *testing.B) {
	sz := Size{
		EntraUsers: envInt(b, "ATTEST_BENCH_ENTRA_USERS", 5000), CAPolicies: envInt(b, "ATTEST_BENCH_CA_POLICIES", 20),
		Azure:          azurefake.ScaleSize{Subscriptions: envInt(b, "ATTEST_BENCH_AZURE_SUBSCRIPTIONS", 10), StorageAccounts: 20, SQLServers: 5, Vaults: 5, SecurityGroups: 10, VirtualMachines: 10},
		GitLabProjects: envInt(b, "ATTEST_BENCH_GITLAB_PROJECTS", 2000), GitLabMembers: envInt(b, "ATTEST_BENCH_GITLAB_MEMBERS", 5000),
	}
	o := Options{Seed: 1, Size: sz, Latency: envDuration(b, "ATTEST_BENCH_LATENCY", 30*time.Millisecond),
		Concurrency: envInt(b, "ATTEST_BENCH_CONCURRENCY", 8), CallConcurrency: envInt(b, "ATTEST_BENCH_CALL_CONCURRENCY", 0),
		Limits: envInt(b, "ATTEST_BENCH_LIMITS", 1) != 0, Now: benchNow}
	lib, err := Library()
	if err != nil {
		b.Fatal(err)
	}
	reads, err := RuleReads(lib)
	if err != nil {
		b.Fatal(err)
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
	m := MinCalls(sz, last.Runs, reads, last.Operations)
	made := Calls(last.Operations)
	limits := "documented provider limits"
	if !o.Limits {
		limits = "no provider limits"
	}
	var rows []row
	for _, src := range []string{"entra", "azure", "gitlab"} {
		calls, minimum := made.Source(src).Total(), m.Calls.Source(src).Total()
		floor, bounds := Floor(m.Calls.Source(src), sz, o.Latency)
		wall := last.SourceWall(src)
		for _, bd := range bounds {
			b.Logf("%s floor: %-70s %8.2f s", src, bd.Name, bd.D.Seconds())
		}
		b.ReportMetric(float64(calls), src+"_calls")
		b.ReportMetric(float64(minimum), src+"_min_calls")
		b.ReportMetric(wall.Seconds(), src+"_wall_s")
		b.ReportMetric(floor.D.Seconds(), src+"_floor_s")
		rows = append(rows,
			row{src + ": calls / minimum the enabled rules need", fmt.Sprintf("%.2fx (%d / %d)", float64(calls)/float64(max(minimum, 1)), calls, minimum), "<= 1.05x"},
			row{src + ": wall / floor allowed by its simulated limits", fmt.Sprintf("%.2fx (%.1f s / %.1f s, set by %s; %s)",
				wall.Seconds()/floor.D.Seconds(), wall.Seconds(), floor.D.Seconds(), floor.Name, limits), "<= 1.3x"})
	}
	b.ReportMetric(float64(last.Throttled), "throttled")
	b.ReportMetric(float64(m.Unmodelled), "unmodelled_calls")
	b.ReportMetric(last.Wall.Seconds(), "wall_s")
	if len(m.Unread) > 0 {
		b.Logf("not charged (no enabled rule reads what they yield): %s", strings.Join(m.Unread, ", "))
	}
	tableRows(b, rows...)
	if path := os.Getenv("ATTEST_BENCH_OPS"); path != "" {
		writeOps(b, path, last.Operations, m.Calls)
	}
}
