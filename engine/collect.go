package engine

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
	"github.com/attestdev/attest/controls"
	"github.com/attestdev/attest/subprocessors"
)

// CollectOptions say where and how Collect writes a bundle.
type CollectOptions struct {
	// Dir is the bundle directory.
	Dir string
	// Replace removes an earlier attest bundle in Dir; without it Dir must
	// be empty or absent.
	Replace bool
	// Shard, when not zero, collects only the targets that shard owns.
	Shard evidence.Shard
	// Timeout bounds the whole collection (0: none). When it passes, the
	// bundle keeps what was collected and records every collector that
	// had not finished as a failed run (timeout).
	Timeout time.Duration
	// Log logs the written bundle, and the collectors' runs unless Watch
	// gives another logger; default slog.Default().
	Log *slog.Logger
	// Watch, when set, is called as the collectors start. It returns the
	// runner's event callback and logger (nil: none, and Log) and a
	// function called once the collectors have finished, before the bundle
	// is closed: the CLI draws its progress line with them.
	Watch func() (progress func(collectors.Event), log *slog.Logger, done func())
}

// Collect runs the collectors of sources that the setup's plan needs and
// returns the bundle written to o.Dir, read back without its resources
// (evidence.OpenRecords): evaluation streams them (Setup.Evaluate). An
// interrupted or timed-out run still writes its bundle and returns it with
// an error that says so. A subprocessor register that does not parse is
// reported before any API call.
func (s *Setup) Collect(ctx context.Context, sources []collectors.Source, o CollectOptions) (*evidence.Bundle, error) {
	if len(sources) == 0 {
		return nil, errors.New("no sources configured: uncomment a source in attest.yaml (attest init writes every source, commented out), or try attest demo")
	}
	if r := s.Config.Sources.Register; r != nil && r.File != "" {
		if _, err := subprocessors.Load(r.File); err != nil {
			return nil, err
		}
	}
	if err := PrepareBundleDir(o.Dir, o.Replace); err != nil {
		return nil, err
	}
	w, err := evidence.Create(o.Dir)
	if err != nil {
		return nil, err
	}
	ctx, cancel := WithTimeout(ctx, o.Timeout)
	defer cancel()
	started := time.Now().UTC()
	runner := &collectors.Runner{Writer: w, Concurrency: s.Config.Concurrency, SourceConcurrency: s.Config.SourceConcurrency, Shard: o.Shard, Reads: s.Library.Reads(), Log: orDefault(o.Log)}
	done := func() {}
	if o.Watch != nil {
		var log *slog.Logger
		runner.Progress, log, done = o.Watch()
		runner.Log = cmp.Or(log, runner.Log)
	}
	runs := runner.Collect(ctx, sources, s.Plan().Enabled)
	done()
	m := evidence.Manifest{AttestVersion: s.Version, StartedAt: started, FinishedAt: time.Now().UTC(), Interrupted: ctx.Err() != nil}
	if o.Shard != (evidence.Shard{}) {
		shard := o.Shard
		m.Shard = &shard
	}
	if err := w.Close(m); err != nil {
		return nil, err
	}
	orDefault(o.Log).Info("bundle written", "dir", o.Dir, "runs", len(runs), "incomplete_runs", Incomplete(runs))
	b, err := evidence.OpenRecords(o.Dir)
	if err != nil {
		return nil, err
	}
	if ctx.Err() != nil {
		return b, fmt.Errorf("collection interrupted (%w): the bundle in %s keeps what was collected and records the rest as failed runs", context.Cause(ctx), o.Dir)
	}
	return b, nil
}

// Incomplete counts the runs that did not complete.
func Incomplete(runs []evidence.Run) int {
	n := 0
	for _, r := range runs {
		if r.Status != evidence.Complete {
			n++
		}
	}
	return n
}

// WithTimeout returns ctx bounded by d, whose cause names --timeout, or
// ctx unchanged when d is 0.
func WithTimeout(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	if d <= 0 {
		return ctx, func() {}
	}
	return context.WithTimeoutCause(ctx, d, fmt.Errorf("--timeout %s reached: %w", d, context.DeadlineExceeded))
}

// PrepareBundleDir makes dir ready for a new bundle. With replace, an
// earlier attest bundle in dir is removed (evidence.RemoveBundle); anything
// else in dir is never touched.
func PrepareBundleDir(dir string, replace bool) error {
	if replace {
		return evidence.RemoveBundle(dir)
	}
	if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
		return fmt.Errorf("%s is not empty: choose another --out or pass --replace", dir)
	} else if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
}

func orDefault(l *slog.Logger) *slog.Logger {
	if l == nil {
		return slog.Default()
	}
	return l
}

// A Run is a collection and the evaluation of what it collected.
type Run struct {
	Results *controls.Results
	// Bundle is the bundle with the resources that have gaps, which the
	// gate reads (Gate, Drift).
	Bundle *evidence.Bundle
	// Interrupted is Collect's error when the collection was interrupted
	// or timed out: the results say what was and was not collected, and
	// the run must not pass.
	Interrupted error
}

// CollectAndEvaluate collects into o.Dir (Collect) and evaluates the
// bundle (Evaluate). An interrupted collection is still evaluated, so that
// its results say what was and was not collected; Run.Interrupted holds
// why. An interrupt during evaluation stops it, unless the collection was
// interrupted already, in which case the evaluation runs to its end.
func (s *Setup) CollectAndEvaluate(ctx context.Context, sources []collectors.Source, o CollectOptions, in EvalInputs) (*Run, error) {
	b, collectErr := s.Collect(ctx, sources, o)
	if b == nil {
		return nil, collectErr
	}
	if collectErr != nil && ctx.Err() != nil {
		ctx = context.WithoutCancel(ctx)
	}
	res, gapped, err := s.Evaluate(ctx, b.Dir, in)
	if err != nil {
		return nil, err
	}
	b.Resources = gapped.Resources
	return &Run{Results: res, Bundle: b, Interrupted: collectErr}, nil
}
