package collectors

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/semaphore"

	"github.com/attestdev/attest/collectors/evidence"
)

// A Runner executes collector jobs and streams their evidence into a bundle.
type Runner struct {
	// Writer receives resources, raw responses and runs.
	Writer *evidence.Writer
	// Concurrency bounds how many jobs run at once; 0 means 8.
	Concurrency int
	// SourceConcurrency bounds how many jobs of one source (by name, e.g.
	// "github") run at once, within Concurrency, so that a provider with
	// tight rate limits does not get more parallel calls than it allows
	// while other sources use the remaining slots. A source not listed is
	// bounded by Concurrency alone.
	SourceConcurrency map[string]int
	// Shard, when set, restricts the run to the targets the shard owns
	// (see evidence.Shard.Owns); the other shards collect the rest.
	Shard evidence.Shard
	// Progress, when set, is called for every job started and finished,
	// resource emitted, raw response stored and failure. It is called from
	// many goroutines at once and must be cheap and safe for concurrent use.
	Progress func(Event)
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Log receives progress; nil means slog.Default().
	Log *slog.Logger
	// Grace is how long a job or a source's planning may go on after ctx
	// has ended (for example when the overall --timeout fires) before the
	// runner stops waiting for it and records it as failed; 0 means 5s.
	// A collector that honours ctx returns well within it.
	Grace time.Duration
	// Reads, when set, are the attributes the enabled rules read of each
	// resource type (controls.Library.Reads): collectors skip the calls
	// that yield only attributes no rule reads (see Wanted), and each run
	// records what its collector left out. Nil collects everything.
	Reads evidence.Reads

	// global bounds the jobs of all sources at once (Concurrency), shared
	// by the Run calls of one Collect.
	globalOnce sync.Once
	global     *semaphore.Weighted
}

// slots returns the runner-wide job semaphore.
func (r *Runner) slots() *semaphore.Weighted {
	r.globalOnce.Do(func() {
		n := r.Concurrency
		if n <= 0 {
			n = 8
		}
		r.global = semaphore.NewWeighted(int64(n))
	})
	return r.global
}

func (r *Runner) grace() time.Duration {
	if r.Grace > 0 {
		return r.Grace
	}
	return 5 * time.Second
}

// Run executes the jobs and returns one evidence.Run per job, sorted. A
// failing job never stops the others: its error becomes a failed run. When
// ctx is cancelled, jobs not yet started are recorded as cancelled, so the
// bundle still says what is missing. Jobs whose target another shard owns
// are left out.
func (r *Runner) Run(ctx context.Context, jobs []Job) []evidence.Run {
	runs := r.run(ctx, jobs)
	for _, run := range runs {
		r.Writer.AddRun(run)
	}
	evidence.SortRuns(runs)
	return runs
}

// run executes jobs like Run without adding the runs to the writer.
func (r *Runner) run(ctx context.Context, jobs []Job) []evidence.Run {
	jobs = slices.DeleteFunc(slices.Clone(jobs), func(j Job) bool { return !r.Shard.Owns(j.Target) })
	// Longest first: jobs that make calls per resource start before the
	// jobs that only list, so that no long job starts last and holds up
	// the end of the run. The order is otherwise the plan's.
	slices.SortStableFunc(jobs, func(a, b Job) int {
		return cmp.Compare(b.Collector.Describe().CallsPerResource, a.Collector.Describe().CallsPerResource)
	})
	r.progress(Event{Kind: JobsPlanned, Jobs: len(jobs)})
	global := r.slots()
	// Jobs are fed per source, so that a source waiting for one of its
	// own slots never holds up the jobs of another source.
	bySource := map[string][]int{}
	var sources []string
	for i, job := range jobs {
		src := job.Target.Source
		if _, ok := bySource[src]; !ok {
			sources = append(sources, src)
		}
		bySource[src] = append(bySource[src], i)
	}
	runs := make([]evidence.Run, len(jobs))
	var jobsWG, feedWG sync.WaitGroup
	for _, src := range sources {
		var own *semaphore.Weighted
		if limit := r.SourceConcurrency[src]; limit > 0 {
			own = semaphore.NewWeighted(int64(limit))
		}
		feedWG.Go(func() {
			for _, i := range bySource[src] {
				job := jobs[i]
				if own != nil && !acquire(ctx, own) {
					runs[i] = r.skipped(job, ctx.Err())
					continue
				}
				if !acquire(ctx, global) {
					if own != nil {
						own.Release(1)
					}
					runs[i] = r.skipped(job, ctx.Err())
					continue
				}
				jobsWG.Go(func() {
					defer func() {
						global.Release(1)
						if own != nil {
							own.Release(1)
						}
					}()
					runs[i] = r.runOne(ctx, job)
				})
			}
		})
	}
	feedWG.Wait()
	jobsWG.Wait()
	return runs
}

// acquire takes a slot of sem, or reports false once ctx is done.
func acquire(ctx context.Context, sem *semaphore.Weighted) bool {
	// Acquire may succeed on a done ctx when a slot is free: a cancelled
	// run starts nothing new.
	return ctx.Err() == nil && sem.Acquire(ctx, 1) == nil
}

// Fail records a source that could not be planned: every enabled collector
// of it gets a failed run, so its controls are inconclusive, not missing.
func (r *Runner) Fail(src Source, enabled func(string) bool, err error) []evidence.Run {
	runs := r.failed(src, enabled, err)
	for _, run := range runs {
		r.Writer.AddRun(run)
	}
	return runs
}

// failed returns the runs Fail records, without adding them to the writer.
func (r *Runner) failed(src Source, enabled func(string) bool, err error) []evidence.Run {
	var runs []evidence.Run
	for _, c := range src.Collectors() {
		d := c.Describe()
		if !enabled(d.ID) {
			continue
		}
		target := evidence.Target{Source: src.Name()}
		if !r.Shard.Owns(target) {
			continue
		}
		run := r.skipped(Job{Collector: c, Target: target}, err)
		r.progress(Event{Kind: CallFailed, Collector: d.ID, Target: target})
		runs = append(runs, run)
	}
	return runs
}

func (r *Runner) now() time.Time {
	if r.Now != nil {
		return r.Now().UTC()
	}
	return time.Now().UTC()
}

func (r *Runner) log() *slog.Logger {
	if r.Log != nil {
		return r.Log
	}
	return slog.Default()
}

func (r *Runner) skipped(job Job, err error) evidence.Run {
	d := job.Collector.Describe()
	now := r.now()
	return evidence.Run{
		Collector: d.ID, CollectorVersion: d.Version, Target: job.Target,
		ResourceTypes: typeNames(d), Fixed: fixedOf(d), Status: evidence.Failed,
		StartedAt: now, FinishedAt: now,
		Failures: []evidence.Failure{FailureOf(err, "")},
	}
}

func (r *Runner) runOne(ctx context.Context, job Job) evidence.Run {
	d := job.Collector.Describe()
	log := r.log().With("collector", d.ID, "target", job.Target.String())
	s := &sink{r: r, d: d, target: job.Target, log: log}
	rec := &recorder{w: r.Writer, collector: d.ID, version: d.Version, target: job.Target, now: r.now, progress: r.Progress}
	plan := &planned{reads: r.Reads}
	run := evidence.Run{
		Collector: d.ID, CollectorVersion: d.Version, Target: job.Target,
		ResourceTypes: typeNames(d), Fixed: fixedOf(d), StartedAt: r.now(),
	}
	log.Debug("collecting")
	r.progress(Event{Kind: JobStarted, Collector: d.ID, Target: job.Target})
	err := r.collectBounded(withReads(ctx, plan), job, rec, s)
	s.mu.Lock()
	defer s.mu.Unlock()
	run.FinishedAt = r.now()
	run.Resources = s.resources
	run.Records = int(rec.count.Load())
	run.Failures = s.failures
	run.Skipped = s.skipped
	run.Uncollected = plan.uncollected()
	slices.SortFunc(run.Skipped, func(a, b evidence.Skip) int { return strings.Compare(a.Resource, b.Resource) })
	switch {
	case err != nil:
		run.Status = evidence.Failed
		run.Failures = append(run.Failures, FailureOf(err, ""))
		log.Warn("collector failed", "kind", Classify(err), "err", err)
	case len(s.failures) > 0:
		run.Status = evidence.Partial
		log.Warn("collector finished with failures", "failures", len(s.failures))
	default:
		run.Status = evidence.Complete
	}
	log.Info("collected", "resources", run.Resources, "records", run.Records, "status", run.Status)
	r.progress(Event{Kind: JobFinished, Collector: d.ID, Target: job.Target, Status: run.Status})
	return run
}

// collectBounded runs the job's collector and returns its error. When ctx
// ends and the collector has not returned within the grace period, it
// stops waiting: the sink and recorder are closed, so that nothing the
// abandoned collector finds later reaches the bundle, and the error says
// the job was cut off.
func (r *Runner) collectBounded(ctx context.Context, job Job, rec *recorder, s *sink) error {
	done := make(chan error, 1)
	go func() { done <- job.Collector.Collect(withRecorder(ctx, rec), job.Target, s) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	t := time.NewTimer(r.grace())
	defer t.Stop()
	select {
	case err := <-done:
		return err
	case <-t.C:
		s.close()
		rec.closed.Store(true)
		return fmt.Errorf("collector %s did not stop within %s after the run ended: %w", job.Collector.Describe().ID, r.grace(), context.Cause(ctx))
	}
}

func typeNames(d Descriptor) []string {
	out := make([]string, 0, len(d.ResourceTypes))
	for _, t := range d.ResourceTypes {
		out = append(out, t.Name)
	}
	slices.Sort(out)
	return out
}

// fixedOf returns the fixed attributes of the collector's resource types,
// by type, or nil when it fixes none.
func fixedOf(d Descriptor) map[string]map[string]any {
	var out map[string]map[string]any
	for _, t := range d.ResourceTypes {
		if len(t.Fixed) == 0 {
			continue
		}
		if out == nil {
			out = map[string]map[string]any{}
		}
		out[t.Name] = maps.Clone(t.Fixed)
	}
	return out
}

type sink struct {
	r      *Runner
	d      Descriptor
	target evidence.Target
	log    *slog.Logger

	mu        sync.Mutex
	closed    bool
	resources int
	failures  []evidence.Failure
	skipped   []evidence.Skip
}

// close makes the sink drop whatever an abandoned collector still sends.
func (s *sink) close() {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
}

func (s *sink) isClosed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closed
}

func (s *sink) Emit(res evidence.Resource) {
	if s.isClosed() {
		return
	}
	res.Collector = s.d.ID
	res.CollectorVersion = s.d.Version
	res.CollectedAt = s.r.now()
	if res.Account == "" {
		res.Account = s.target.Account
	}
	if res.Region == "" {
		res.Region = s.target.Region
	}
	// The run promises that every resource of the type has the fixed
	// attributes (evaluation relies on it to scope rules); a resource
	// that breaks the promise makes the run partial instead.
	for _, t := range s.d.ResourceTypes {
		if t.Name != res.Type {
			continue
		}
		for _, k := range slices.Sorted(maps.Keys(t.Fixed)) {
			if got, ok := res.Attributes[k]; !ok || got != t.Fixed[k] {
				s.Fail(evidence.Failure{Kind: evidence.Errored, Resource: res.ID,
					Message: fmt.Sprintf("%s has %s %v, but the collector declares every %s has %v", res.ID, k, got, res.Type, t.Fixed[k])})
			}
		}
	}
	if err := s.r.Writer.WriteResource(res); err != nil {
		s.Fail(evidence.Failure{Kind: evidence.Errored, Resource: res.ID, Message: err.Error()})
		return
	}
	s.mu.Lock()
	s.resources++
	s.mu.Unlock()
	s.r.progress(Event{Kind: ResourceEmitted, Collector: s.d.ID, Target: s.target})
}

func (s *sink) Skip(resource, reason string) {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.skipped = append(s.skipped, evidence.Skip{Resource: resource, Reason: reason})
	s.mu.Unlock()
}

func (s *sink) Fail(f evidence.Failure) {
	s.log.Warn("call failed", "kind", f.Kind, "operation", f.Operation, "resource", f.Resource, "err", f.Message)
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.failures = append(s.failures, f)
	s.mu.Unlock()
	s.r.progress(Event{Kind: CallFailed, Collector: s.d.ID, Target: s.target})
}

// Collect plans every source and runs the resulting jobs. Sources are
// planned at once, and the jobs of a source start as soon as its own plan
// is done, so that a source whose planning is slow or hangs never holds up
// another source's collectors. A source whose plan fails, or has not
// returned within the grace period after ctx ended, gets a failed run for
// each enabled collector, and the others go on.
func (r *Runner) Collect(ctx context.Context, sources []Source, enabled func(collectorID string) bool) []evidence.Run {
	var (
		mu   sync.Mutex
		runs []evidence.Run
		wg   sync.WaitGroup
	)
	for _, src := range sources {
		wg.Go(func() {
			var out []evidence.Run
			js, err := r.plan(ctx, src, enabled)
			if err != nil {
				r.log().Warn("planning failed", "source", src.Name(), "kind", Classify(err), "err", err)
				out = r.failed(src, enabled, err)
			} else {
				out = r.run(ctx, js)
			}
			mu.Lock()
			runs = append(runs, out...)
			mu.Unlock()
		})
	}
	wg.Wait()
	for _, run := range runs {
		r.Writer.AddRun(run)
	}
	evidence.SortRuns(runs)
	return runs
}

// plan calls src.Plan and gives up on it once ctx has ended and the grace
// period passed.
func (r *Runner) plan(ctx context.Context, src Source, enabled func(string) bool) ([]Job, error) {
	type result struct {
		jobs []Job
		err  error
	}
	done := make(chan result, 1)
	go func() {
		js, err := src.Plan(ctx, enabled)
		done <- result{js, err}
	}()
	select {
	case res := <-done:
		if res.err == nil && ctx.Err() != nil {
			// Planned, but too late to run anything: the jobs are
			// recorded as skipped by run.
			return res.jobs, nil
		}
		return res.jobs, res.err
	case <-ctx.Done():
	}
	t := time.NewTimer(r.grace())
	defer t.Stop()
	select {
	case res := <-done:
		return res.jobs, res.err
	case <-t.C:
		return nil, fmt.Errorf("planning source %s did not stop within %s after the run ended: %w", src.Name(), r.grace(), context.Cause(ctx))
	}
}
