package bench

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime/metrics"
	"slices"
	"sync"
	"time"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/all"
	"github.com/attestdev/attest/collectors/aws"
	"github.com/attestdev/attest/collectors/evidence"
	"github.com/attestdev/attest/collectors/github"
	"github.com/attestdev/attest/controls"
	"github.com/attestdev/attest/internal/fake/awsfake"
	"github.com/attestdev/attest/internal/fake/githubfake"
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
	// CallConcurrency is the per-job call concurrency of both sources
	// (aws.concurrency, github.concurrency); 0 means their default, 4.
	CallConcurrency int
	// AWSRate is the sustained calls per second AWS allows per account
	// and API; 0 means unlimited.
	AWSRate float64
	// GitHubPerHour is GitHub's primary limit per token; 0 means
	// unlimited. GitHubMaxConcurrent is its secondary limit.
	GitHubPerHour, GitHubMaxConcurrent int
	// Now is the simulated present.
	Now time.Time
}

// A Result is what one benchmark collection measured.
type Result struct {
	Wall time.Duration
	// APICalls counts every request the fakes received.
	APICalls  int64
	Throttled int64
	// Operations counts the requests per operation (AWS) or route (GitHub).
	Operations map[string]int64
	// PeakHeap is the largest live heap seen while collecting, in bytes.
	PeakHeap uint64
	Runs     []evidence.Run
}

// Collect serves the simulated organisation and collects it with the real
// sources and runner into a new bundle in dir, with the collectors the
// built-in controls need.
func Collect(ctx context.Context, dir string, o Options) (Result, error) {
	awsLimits := &awsfake.Limits{Latency: o.Latency, Rate: o.AWSRate, Burst: int(2 * o.AWSRate)}
	ghLimits := &githubfake.Limits{Latency: o.Latency, PerWindow: o.GitHubPerHour, MaxConcurrent: o.GitHubMaxConcurrent}
	awsSrv := httptest.NewServer(awsLimits.Wrap(awsfake.NewHandler(AWSOrg(o.Seed, o.Size, o.Now))))
	defer awsSrv.Close()
	ghSrv := httptest.NewServer(ghLimits.Wrap(githubfake.NewHandler(GitHubOrg(o.Seed, o.Size, o.Now))))
	defer ghSrv.Close()
	awsClient, ghClient := awsSrv.Client(), ghSrv.Client()
	for _, c := range []*http.Client{awsClient, ghClient} {
		// Keep connections open for every concurrent call, as a client
		// of a real API would.
		c.Transport.(*http.Transport).MaxIdleConnsPerHost = 256
	}
	regions := regionNames(o.Size.Regions)
	wait := 3600
	sources := all.Sources(all.Config{
		AWS: &aws.Config{AWS: awsfake.SDKConfig(awsSrv.URL, awsClient), Regions: regions, AllowedRegions: regions[:1],
			Organization: aws.OrganizationConfig{Enabled: true}, Concurrency: o.CallConcurrency},
		GitHub: &github.Config{Orgs: []string{orgLogin}, BaseURL: ghSrv.URL, Token: "bench-token", HTTPClient: ghClient,
			Concurrency: o.CallConcurrency, MaxRateLimitWaitSeconds: &wait, Now: func() time.Time { return o.Now }},
	})
	lib, err := Library()
	if err != nil {
		return Result{}, err
	}
	w, err := evidence.Create(dir)
	if err != nil {
		return Result{}, err
	}
	peak := watchHeap()
	start := time.Now()
	r := &collectors.Runner{Writer: w, Concurrency: o.Concurrency, SourceConcurrency: o.SourceConcurrency, Log: slog.New(slog.DiscardHandler)}
	runs := r.Collect(ctx, sources, Needed(lib))
	wall := time.Since(start)
	heap := peak()
	if err := w.Close(evidence.Manifest{AttestVersion: "bench", StartedAt: start.UTC(), FinishedAt: time.Now().UTC(), Interrupted: ctx.Err() != nil}); err != nil {
		return Result{}, err
	}
	ops := awsLimits.Operations()
	for k, v := range ghLimits.Operations() {
		ops[k] = v
	}
	return Result{Wall: wall, APICalls: awsLimits.Calls() + ghLimits.Calls(), Throttled: awsLimits.Throttled() + ghLimits.Throttled(),
		Operations: ops, PeakHeap: heap, Runs: runs}, nil
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

// Needed enables the collectors whose resource types a control of lib
// uses, as attest collect does.
func Needed(lib *controls.Library) func(string) bool {
	need := map[string]bool{}
	for _, c := range lib.Controls {
		for _, r := range c.Evidence {
			need[r.Type] = true
		}
	}
	reg := all.Registry()
	return func(id string) bool {
		c, ok := reg.Lookup(id)
		return ok && slices.ContainsFunc(c.Describe().ResourceTypes, func(t collectors.ResourceType) bool { return need[t.Name] })
	}
}

// watchHeap samples the live heap every 10 ms until the returned function
// is called, which returns the largest sample.
func watchHeap() func() uint64 {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	var mu sync.Mutex
	var peak uint64
	read := func() {
		metrics.Read(sample)
		mu.Lock()
		peak = max(peak, sample[0].Value.Uint64())
		mu.Unlock()
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
	return func() uint64 {
		close(done)
		wg.Wait()
		read()
		mu.Lock()
		defer mu.Unlock()
		return peak
	}
}
