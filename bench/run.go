package bench

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime/debug"
	"runtime/metrics"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/all"
	"github.com/attestdev/attest/collectors/aws"
	"github.com/attestdev/attest/collectors/azure"
	"github.com/attestdev/attest/collectors/entra"
	"github.com/attestdev/attest/collectors/evidence"
	"github.com/attestdev/attest/collectors/github"
	"github.com/attestdev/attest/collectors/gitlab"
	"github.com/attestdev/attest/controls"
	"github.com/attestdev/attest/internal/fake/awsfake"
	"github.com/attestdev/attest/internal/fake/azurefake"
	"github.com/attestdev/attest/internal/fake/entrafake"
	"github.com/attestdev/attest/internal/fake/githubfake"
	"github.com/attestdev/attest/internal/fake/gitlabfake"
)

// Options configure one benchmark collection.
type Options struct {
	Seed uint64
	Size Size
	// Latency is added to every API call.
	Latency time.Duration
	// Concurrency is the runner's job concurrency (attest.yaml
	// concurrency); 0 means 8.
	Concurrency int
	// SourceConcurrency is the runner's per-source job limit.
	SourceConcurrency map[string]int
	// CallConcurrency is the per-job call concurrency of the sources
	// (aws.concurrency, github.concurrency, ...); 0 means each source's
	// default (AWS 32 within its adaptive windows, the others 4).
	CallConcurrency int
	// Limits simulates the providers' documented limits (Providers);
	// without it the fakes only add the latency and count.
	Limits bool
	// Child runs the collection in a child process (Child), as a user's
	// attest collect runs without the fakes, so that its peak memory is
	// attest's alone.
	Child bool
	// Now is the simulated present.
	Now time.Time
}

// A Result is what one benchmark collection measured.
type Result struct {
	// Start is when the collection started, Wall how long it took.
	Start time.Time
	Wall  time.Duration
	// APICalls counts every request the fakes received.
	APICalls  int64
	Throttled int64
	// Operations counts the requests per operation (AWS) or route (GitHub).
	Operations map[string]int64
	// PeakHeap is the largest live heap seen while collecting, in bytes.
	PeakHeap uint64
	// BaseHeap is the live heap just before the collection started: the
	// controls, and without Options.Child the simulated organisation held
	// by the fakes.
	BaseHeap uint64
	// PeakRSS is the collecting process's peak resident memory, in bytes
	// (0 where it is not read). Without Options.Child it is this
	// process's while collecting (Linux VmHWM, reset before the
	// collection), the simulated providers' included. With it, it is the
	// child's over its whole life (its rusage Maxrss), attest's alone, and
	// ServerRSS is this process's peak meanwhile: the fakes and the
	// benchmark.
	PeakRSS   uint64
	ServerRSS uint64
	// PeakAnon is the collecting process's largest anonymous resident
	// memory (Linux RssAnon: the heap, stacks and the runtime's own,
	// sampled every 10 ms while collecting; 0 elsewhere). The rest of
	// PeakRSS is file-backed: the pages of the executable that were
	// touched, shared and reclaimable, and how many of them count varies
	// between runs with the page cache.
	PeakAnon uint64
	Runs     []evidence.Run
}

// Collect serves the simulated organisation and collects it with the real
// sources and runner into a new bundle in dir, with the collectors the
// built-in controls need. With o.Child the collection runs in a child
// process (see Child) and Result.PeakRSS is the child's alone.
func Collect(ctx context.Context, dir string, o Options) (Result, error) {
	ep, counted, stop := serve(o)
	defer stop()
	var res Result
	var err error
	if o.Child {
		res, err = collectChild(ctx, dir, ep)
	} else {
		res, err = collect(ctx, dir, ep)
	}
	if err != nil {
		return Result{}, err
	}
	res.Operations = map[string]int64{}
	for _, c := range counted {
		res.APICalls += c.Calls()
		res.Throttled += c.Throttled()
		maps.Copy(res.Operations, c.Operations())
	}
	return res, nil
}

// Endpoints say where the simulated providers of one benchmark
// collection listen and how to collect them: all a collecting process
// needs, whether it is the benchmark's own or a child (Child).
type Endpoints struct {
	// Cert is the DER certificate the test servers present.
	Cert                              []byte
	AWS, GitHub, Entra, Azure, GitLab string
	Regions, Subscriptions            []string
	Concurrency                       int
	SourceConcurrency                 map[string]int
	CallConcurrency                   int
	Now                               time.Time
}

// serve starts the fakes of o's organisation over TLS, as the real APIs
// speak, and returns their endpoints, their call counters and a function
// that stops them.
func serve(o Options) (Endpoints, []counter, func()) {
	awsLimits := &awsfake.Limits{Latency: o.Latency, Documented: o.Limits}
	ghLimits := &githubfake.Limits{Latency: o.Latency}
	if o.Limits {
		p := Providers
		ghLimits.PerWindow, ghLimits.GraphQLPerWindow = p.GitHubPerHour, p.GitHubGraphQLPerHour
		ghLimits.RESTPointsPerMinute, ghLimits.GraphQLPointsPerMinute = p.GitHubRESTPointsPerMinute, p.GitHubGraphQLPointsPerMinute
		ghLimits.MaxConcurrent = p.GitHubMaxConcurrent
	}
	ep := Endpoints{Concurrency: o.Concurrency, SourceConcurrency: o.SourceConcurrency, CallConcurrency: o.CallConcurrency, Now: o.Now}
	counted := []counter{awsLimits, ghLimits}
	var servers []*httptest.Server
	start := func(h http.Handler) string {
		srv := httptest.NewTLSServer(h)
		servers = append(servers, srv)
		ep.Cert = srv.Certificate().Raw
		return srv.URL
	}
	if o.Size.Accounts > 0 {
		ep.AWS = start(awsLimits.Wrap(awsfake.NewHandler(AWSOrg(o.Seed, o.Size, o.Now))))
		ep.Regions = regionNames(o.Size.Regions)
	}
	if o.Size.Repos > 0 {
		ep.GitHub = start(ghLimits.Wrap(githubfake.NewHandler(GitHubOrg(o.Seed, o.Size, o.Now))))
	}
	if o.Size.EntraUsers > 0 {
		l := entrafake.Limits(o.Latency, o.Limits)
		counted = append(counted, l)
		ep.Entra = start(l.Wrap(entrafake.NewHandler(EntraTenant(o.Seed, o.Size, o.Now))))
	}
	if o.Size.Azure.Subscriptions > 0 {
		l := azurefake.Limits(o.Latency, o.Limits)
		counted = append(counted, l)
		st := AzureEstate(o.Seed, o.Size)
		ep.Azure = start(l.Wrap(azurefake.NewHandler(st)))
		for _, s := range st.Subscriptions {
			ep.Subscriptions = append(ep.Subscriptions, s.ID)
		}
	}
	if o.Size.GitLabProjects > 0 {
		l := gitlabfake.Limits(o.Latency, o.Limits)
		counted = append(counted, l)
		ep.GitLab = start(l.Wrap(gitlabfake.NewHandler(GitLabGroup(o.Seed, o.Size, o.Now))))
	}
	return ep, counted, func() {
		for _, srv := range servers {
			srv.Close()
		}
	}
}

// sources returns the real sources configured for ep, each with the
// transport attest builds for it, trusting the test servers' certificate.
func (ep Endpoints) sources() ([]collectors.Source, error) {
	var cfg all.Config
	cert, err := x509.ParseCertificate(ep.Cert)
	if err != nil {
		return nil, fmt.Errorf("bench: test server certificate: %w", err)
	}
	// Each source its own transport, as attest builds them.
	client := func() *http.Client { return cliClient(cert) }
	wait := 3600
	retries := 1000
	if ep.AWS != "" {
		cfg.AWS = &aws.Config{AWS: awsfake.SDKConfig(ep.AWS, client()), Regions: ep.Regions, AllowedRegions: ep.Regions[:1],
			Organization: aws.OrganizationConfig{Enabled: true}, Concurrency: ep.CallConcurrency}
	}
	now := func() time.Time { return ep.Now }
	if ep.GitHub != "" {
		cfg.GitHub = &github.Config{Orgs: []string{orgLogin}, BaseURL: ep.GitHub, Token: "bench-token", HTTPClient: client(),
			Concurrency: ep.CallConcurrency, MaxRateLimitWaitSeconds: &wait, Now: now}
	}
	if ep.Entra != "" {
		cfg.Entra = &entra.Config{TenantID: benchTenant, GraphEndpoint: ep.Entra, HTTPClient: client(),
			Credential: entrafake.Credential{Token: entrafake.DemoToken}, RateLimitRetries: &retries, MaxRateLimitWaitSeconds: &wait}
	}
	if ep.Azure != "" {
		cfg.Azure = &azure.Config{Subscriptions: ep.Subscriptions, TenantID: benchTenant, Endpoint: ep.Azure, HTTPClient: client(),
			Credential: azurefake.Credential{Token: azurefake.DemoToken}, Concurrency: ep.CallConcurrency, Retries: &retries, MaxRetryWaitSeconds: &wait}
	}
	if ep.GitLab != "" {
		cfg.GitLab = &gitlab.Config{BaseURL: ep.GitLab, Groups: []string{gitlabGroup}, Token: "bench-token", HTTPClient: client(),
			Concurrency: ep.CallConcurrency, MaxRateLimitWaitSeconds: &wait, Now: now}
	}
	return all.Sources(cfg), nil
}

// collect collects ep in this process into a new bundle in dir.
func collect(ctx context.Context, dir string, ep Endpoints) (Result, error) {
	sources, err := ep.sources()
	if err != nil {
		return Result{}, err
	}
	lib, err := Library()
	if err != nil {
		return Result{}, err
	}
	w, err := evidence.Create(dir)
	if err != nil {
		return Result{}, err
	}
	// Return what earlier runs left to the OS, so that the peak is this
	// collection's.
	debug.FreeOSMemory()
	base := liveHeap()
	resetHWM()
	peak := watchMemory()
	start := time.Now()
	r := &collectors.Runner{Writer: w, Concurrency: ep.Concurrency, SourceConcurrency: ep.SourceConcurrency, Reads: lib.Reads(), Log: slog.New(slog.DiscardHandler)}
	runs := r.Collect(ctx, sources, Needed(lib))
	wall := time.Since(start)
	heap, anon := peak()
	rss := hwm()
	if err := w.Close(evidence.Manifest{AttestVersion: "bench", StartedAt: start.UTC(), FinishedAt: time.Now().UTC(), Interrupted: ctx.Err() != nil}); err != nil {
		return Result{}, err
	}
	return Result{Start: start, Wall: wall, PeakHeap: heap, BaseHeap: base, PeakRSS: rss, PeakAnon: anon, Runs: runs}, nil
}

// A counter is a fake's call counter.
type counter interface {
	Calls() int64
	Throttled() int64
	Operations() map[string]int64
}

// cliClient returns an HTTP client with the transport attest's sources
// use (collectors.BaseTransport), trusting cert.
func cliClient(cert *x509.Certificate) *http.Client {
	tr := collectors.BaseTransport(collectors.DefaultTimeouts)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	tr.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	return &http.Client{Transport: tr}
}

// Library loads the built-in controls.
func Library() (*controls.Library, error) {
	types := map[string][]string{}
	for name, t := range all.Registry().ResourceTypes() {
		for _, a := range t.Attributes {
			types[name] = append(types[name], a.Name)
		}
	}
	return controls.Load(controls.Options{Types: types})
}

// appOnly are the collectors GitHub answers only for a GitHub App
// installation: the simulated organisation is collected with a token, as
// most users do, so they would be denied, and a denied run is not a
// collection to measure.
var appOnly = map[string]bool{"github.fine_grained_tokens": true}

// Needed enables the collectors whose resource types a control of lib
// uses, as attest collect does, except appOnly.
func Needed(lib *controls.Library) func(string) bool {
	need := map[string]bool{}
	for _, c := range lib.Controls {
		for _, r := range c.Evidence {
			need[r.Type] = true
		}
	}
	reg := all.Registry()
	return func(id string) bool {
		if appOnly[id] {
			return false
		}
		c, ok := reg.Lookup(id)
		return ok && slices.ContainsFunc(c.Describe().ResourceTypes, func(t collectors.ResourceType) bool { return need[t.Name] })
	}
}

// liveHeap returns the bytes of live heap objects (after the last GC).
func liveHeap() uint64 {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(sample)
	return sample[0].Value.Uint64()
}

// watchHeap samples the live heap every 10 ms until the returned function
// is called, which returns the largest sample.
func watchHeap() func() uint64 {
	peak := watchMemory()
	return func() uint64 {
		heap, _ := peak()
		return heap
	}
}

// watchMemory samples the live heap and the anonymous resident memory
// every 10 ms until the returned function is called, which returns the
// largest samples.
func watchMemory() func() (heap, anon uint64) {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	var mu sync.Mutex
	var peak, peakAnon uint64
	profile := os.Getenv("ATTEST_BENCH_HEAPPROF")
	var profiled uint64
	read := func() {
		metrics.Read(sample)
		v := sample[0].Value.Uint64()
		a := procStatus("RssAnon:")
		mu.Lock()
		peak, peakAnon = max(peak, v), max(peakAnon, a)
		mu.Unlock()
		if profile != "" && v > profiled+profiled/10 {
			// A heap profile near the peak, for finding what holds it.
			profiled = v
			if f, err := os.Create(profile); err == nil {
				_ = pprof.WriteHeapProfile(f)
				_ = f.Close()
			}
		}
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(10 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				read()
			case <-done:
				return
			}
		}
	})
	return func() (uint64, uint64) {
		close(done)
		wg.Wait()
		read()
		mu.Lock()
		defer mu.Unlock()
		return peak, peakAnon
	}
}

// resetHWM resets the process's peak resident memory (Linux: writing 5 to
// /proc/self/clear_refs resets VmHWM); elsewhere it does nothing.
func resetHWM() { _ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

// hwm returns the process's peak resident memory since resetHWM (Linux:
// VmHWM), or 0 where it cannot be read.
func hwm() uint64 { return procStatus("VmHWM:") }

// procStatus returns the field of /proc/self/status (Linux) named key, in
// bytes, or 0 where it cannot be read.
func procStatus(key string) uint64 {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(status)) {
		if rest, ok := strings.CutPrefix(line, key); ok {
			kb, err := strconv.ParseUint(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			if err != nil {
				return 0
			}
			return kb << 10
		}
	}
	return 0
}

// SourceWall returns how long after the start the last run of source
// finished.
func (r Result) SourceWall(source string) time.Duration {
	var last time.Time
	for _, run := range r.Runs {
		if strings.HasPrefix(run.Collector, source+".") && run.FinishedAt.After(last) {
			last = run.FinishedAt
		}
	}
	if last.IsZero() {
		return 0
	}
	return last.Sub(r.Start)
}
