package collectors

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/attestdev/attest/collectors/evidence"
)

func TestRunnerShardsByAccount(t *testing.T) {
	t.Parallel()
	c := &fake{id: "c", collect: func(_ context.Context, tg evidence.Target, out Sink) error {
		out.Emit(evidence.Resource{Type: "c.thing", ID: tg.String()})
		return nil
	}}
	var jobs []Job
	for _, acct := range []string{"1", "2", "3", "4", "5", "6"} {
		for _, region := range []string{"eu-west-1", "us-east-1"} {
			jobs = append(jobs, Job{c, evidence.Target{Source: "fake", Account: acct, Region: region}})
		}
	}
	const n = 3
	seen := map[evidence.Target]int{}
	for i := range n {
		r, dir := newRunner(t)
		r.Shard = evidence.Shard{Index: i, Count: n}
		r.Run(t.Context(), jobs)
		b := finish(t, r, dir)
		accounts := map[string]int{}
		for _, run := range b.Manifest.Runs {
			seen[run.Target]++
			accounts[run.Target.Account]++
		}
		for acct, regions := range accounts {
			if regions != 2 {
				t.Errorf("shard %d has %d of the 2 regions of account %s", i, regions, acct)
			}
		}
	}
	if len(seen) != len(jobs) {
		t.Errorf("shards ran %d distinct targets, want %d", len(seen), len(jobs))
	}
	for tg, k := range seen {
		if k != 1 {
			t.Errorf("%s ran in %d shards", tg, k)
		}
	}
}

func TestRunnerSourceConcurrency(t *testing.T) {
	t.Parallel()
	r, dir := newRunner(t)
	r.Concurrency = 8
	r.SourceConcurrency = map[string]int{"slow": 1}
	var inflight, peak atomic.Int32
	slow := &fake{id: "slow", collect: func(context.Context, evidence.Target, Sink) error {
		cur := inflight.Add(1)
		for {
			old := peak.Load()
			if cur <= old || peak.CompareAndSwap(old, cur) {
				break
			}
		}
		for range 100 {
			runtime.Gosched()
		}
		inflight.Add(-1)
		return nil
	}}
	// The two fast jobs only finish once both run at the same time, so a
	// slow source waiting for its own slot must not hold them up.
	var both sync.WaitGroup
	both.Add(2)
	fast := &fake{id: "fast", collect: func(context.Context, evidence.Target, Sink) error {
		both.Done()
		both.Wait()
		return nil
	}}
	var jobs []Job
	for _, acct := range []string{"1", "2", "3", "4", "5", "6", "7", "8"} {
		jobs = append(jobs, Job{slow, evidence.Target{Source: "slow", Account: acct}})
	}
	jobs = append(jobs, Job{fast, evidence.Target{Source: "fast", Account: "1"}}, Job{fast, evidence.Target{Source: "fast", Account: "2"}})
	runs := r.Run(t.Context(), jobs)
	finish(t, r, dir)
	if got := peak.Load(); got != 1 {
		t.Errorf("peak concurrency of the slow source = %d, want 1", got)
	}
	for _, run := range runs {
		if run.Status != evidence.Complete {
			t.Errorf("%s %s: %s", run.Collector, run.Target, run.Status)
		}
	}
}

func TestRunnerProgress(t *testing.T) {
	t.Parallel()
	r, dir := newRunner(t)
	var mu sync.Mutex
	counts := map[EventKind]int{}
	var planned int
	r.Progress = func(e Event) {
		mu.Lock()
		defer mu.Unlock()
		counts[e.Kind]++
		if e.Kind == JobsPlanned {
			planned = e.Jobs
		}
	}
	c := &fake{id: "c", collect: func(ctx context.Context, _ evidence.Target, out Sink) error {
		Record(ctx, evidence.Record{Operation: "svc:List"}, []byte("{}"))
		out.Emit(evidence.Resource{Type: "c.thing", ID: "1"})
		out.Emit(evidence.Resource{Type: "c.thing", ID: "2"})
		out.Fail(evidence.Failure{Kind: evidence.Denied, Operation: "svc:Get"})
		return nil
	}}
	r.Run(t.Context(), []Job{{c, evidence.Target{Source: "fake", Account: "a"}}, {c, evidence.Target{Source: "fake", Account: "b"}}})
	finish(t, r, dir)
	want := map[EventKind]int{JobsPlanned: 1, JobStarted: 2, JobFinished: 2, ResourceEmitted: 4, RecordStored: 2, CallFailed: 2}
	for k, n := range want {
		if counts[k] != n {
			t.Errorf("event %d seen %d times, want %d", k, counts[k], n)
		}
	}
	if planned != 2 {
		t.Errorf("planned %d jobs, want 2", planned)
	}
}
