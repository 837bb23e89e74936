package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/all"
	"github.com/attestdev/attest/collectors/evidence"
	"github.com/attestdev/attest/config"
	"github.com/attestdev/attest/controls"
	"github.com/attestdev/attest/gate"
	"github.com/attestdev/attest/reports/sanitize"
	"github.com/attestdev/attest/subprocessors"
)

// loadConfig reads --config, or attest.yaml when it exists, or returns an
// empty configuration.
func (g *globals) loadConfig() (*config.File, error) {
	path := g.config
	if path == "" {
		if !config.Exists(config.DefaultFile) {
			return &config.File{}, nil
		}
		path = config.DefaultFile
	}
	return config.Load(path)
}

// library reads the configuration and loads the control library with the
// extra directories dirs.
func (g *globals) library(dirs []string) (*config.File, *controls.Library, error) {
	cfg, err := g.loadConfig()
	if err != nil {
		return nil, nil, err
	}
	lib, err := loadLibrary(cfg, dirs)
	if err != nil {
		return nil, nil, err
	}
	return cfg, lib, nil
}

// loadOptions returns the load options that make controls.Load check
// rules against every resource type attest collects: its attribute names
// and their declared types.
func loadOptions(dirs []string) controls.Options {
	opts := controls.Options{Dirs: dirs, Types: map[string][]string{}, AttributeTypes: map[string]map[string]string{}}
	for name, t := range all.Registry().ResourceTypes() {
		opts.AttributeTypes[name] = map[string]string{}
		for _, a := range t.Attributes {
			opts.Types[name] = append(opts.Types[name], a.Name)
			opts.AttributeTypes[name][a.Name] = a.Type
		}
	}
	return opts
}

// loadLibrary loads the built-in controls plus the configured and given
// directories, without the excluded controls.
func loadLibrary(cfg *config.File, dirs []string) (*controls.Library, error) {
	// A directory that does not exist is named as such, with the line of
	// attest.yaml that names it, rather than as a failed read of ".".
	var errs []error
	for i, d := range cfg.Controls {
		if err := checkDir(d); err != nil {
			errs = append(errs, cfg.Errorf(fmt.Sprintf("controls[%d]", i), "control directory %v", err))
		}
	}
	for _, d := range dirs {
		if err := checkDir(d); err != nil {
			errs = append(errs, fmt.Errorf("control directory %w", err))
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	lib, err := controls.Load(loadOptions(append(slices.Clone(cfg.Controls), dirs...)))
	if err != nil {
		return nil, err
	}
	if err := cfg.CheckParams(lib); err != nil {
		return nil, err
	}
	for _, id := range cfg.Exclude {
		if _, ok := lib.Control(id); !ok {
			return nil, fmt.Errorf("%s: exclude: unknown control id %q", cfg.Path, id)
		}
	}
	lib.Controls = slices.DeleteFunc(lib.Controls, func(c *controls.Control) bool { return slices.Contains(cfg.Exclude, c.ID) })
	return lib, nil
}

// checkDir returns an error naming dir when it is not a readable
// directory.
func checkDir(dir string) error {
	st, err := os.Stat(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return fmt.Errorf("%s does not exist", dir)
	case err != nil:
		return err
	case !st.IsDir():
		return fmt.Errorf("%s is not a directory", dir)
	}
	return nil
}

// neededCollectors returns a filter that enables only the registered
// collectors that emit a resource type some control needs
// (controls.Library.NeededTypes).
func neededCollectors(lib *controls.Library) func(string) bool {
	need := lib.NeededTypes()
	reg := all.Registry()
	return func(id string) bool {
		c, ok := reg.Lookup(id)
		if !ok {
			return false
		}
		return slices.ContainsFunc(c.Describe().ResourceTypes, func(t collectors.ResourceType) bool { return need[t.Name] })
	}
}

// prepareBundleDir makes dir ready for a new bundle. With replace, an
// earlier attest bundle in dir is removed (evidence.RemoveBundle); anything
// else in dir is never touched.
func prepareBundleDir(dir string, replace bool) error {
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

// collect runs the collectors the library needs and returns the bundle
// written to dir, read back without its resources (evidence.OpenRecords):
// evaluation streams them (evaluateDir). An interrupted run still writes
// its bundle. A non-zero
// shard collects only the targets that shard owns.
func (g *globals) collect(ctx context.Context, cfg *config.File, lib *controls.Library, sources []collectors.Source, dir string, replace bool, shard evidence.Shard) (*evidence.Bundle, error) {
	if len(sources) == 0 {
		return nil, errors.New("no sources configured: uncomment a source in attest.yaml (attest init writes every source, commented out), or try attest demo")
	}
	// A register that does not parse is bad input: name its file, line and
	// field before any API call, not halfway through the collection.
	if r := cfg.Sources.Register; r != nil && r.File != "" {
		if _, err := subprocessors.Load(r.File); err != nil {
			return nil, err
		}
	}
	if err := prepareBundleDir(dir, replace); err != nil {
		return nil, err
	}
	w, err := evidence.Create(dir)
	if err != nil {
		return nil, err
	}
	started := time.Now().UTC()
	progress := g.startProgress()
	runner := &collectors.Runner{Writer: w, Concurrency: cfg.Concurrency, SourceConcurrency: cfg.SourceConcurrency, Shard: shard, Reads: lib.Reads(), Progress: progress.callback(), Log: progress.logger(g.log, g.logLevel)}
	runs := runner.Collect(ctx, sources, neededCollectors(lib))
	progress.stop()
	m := evidence.Manifest{AttestVersion: attestVersion(), StartedAt: started, FinishedAt: time.Now().UTC(), Interrupted: ctx.Err() != nil}
	if shard != (evidence.Shard{}) {
		m.Shard = &shard
	}
	if err := w.Close(m); err != nil {
		return nil, err
	}
	failed := 0
	for _, r := range runs {
		if r.Status != evidence.Complete {
			failed++
		}
	}
	g.log.Info("bundle written", "dir", dir, "runs", len(runs), "incomplete_runs", failed)
	// The resources are read again, as a stream, by evaluation
	// (evaluateDir); what the callers need here is the manifest and the
	// records.
	b, err := evidence.OpenRecords(dir)
	if err != nil {
		return nil, err
	}
	if ctx.Err() != nil {
		return b, fmt.Errorf("collection interrupted (%w): the bundle in %s keeps what was collected and records the rest as failed runs", context.Cause(ctx), dir)
	}
	return b, nil
}

// evalFlags are the evaluation options shared by evaluate and check.
type evalFlags struct {
	waivers      string
	maxAge       string
	asOf         string
	warnExpiring string
}

func (f *evalFlags) register(cmd *cobra.Command, withAsOf bool) {
	cmd.Flags().StringVar(&f.waivers, "waivers", "", "waiver file (default: waivers in attest.yaml)")
	cmd.Flags().StringVar(&f.maxAge, "max-age", "", "oldest evidence accepted for every control, e.g. 12h or 7d (default: each control's frequency)")
	cmd.Flags().StringVar(&f.warnExpiring, "warn-expiring", "", `warn about manual evidence and waivers that expire within this long (default: warn_expiring in attest.yaml, else 30d)`)
	if withAsOf {
		cmd.Flags().StringVar(&f.asOf, "as-of", "", `evaluation time: RFC 3339 or "now" (default: the bundle's collection time, so results reproduce)`)
	}
}

// evaluateDir evaluates the bundle in dir read as a stream (see
// controls.EvaluateDir); the bundle it returns holds only the resources
// with gaps, which is what the gate reads.
func evaluateDir(ctx context.Context, lib *controls.Library, cfg *config.File, dir string, f evalFlags) (*controls.Results, *evidence.Bundle, error) {
	opts, err := evalOptions(lib, cfg, f)
	if err != nil {
		return nil, nil, err
	}
	res, gapped, err := controls.EvaluateDir(ctx, lib, dir, opts)
	if err != nil {
		return nil, nil, err
	}
	return res, &evidence.Bundle{Dir: dir, Resources: gapped}, nil
}

// evalOptions turns the evaluation flags and the configuration into
// evaluation options.
func evalOptions(lib *controls.Library, cfg *config.File, f evalFlags) (controls.EvalOptions, error) {
	opts := controls.EvalOptions{Params: cfg.Params, AttestVersion: attestVersion()}
	path := f.waivers
	if path == "" {
		path = cfg.Waivers
	}
	if path != "" {
		ws, err := controls.LoadWaivers(path, lib)
		if err != nil {
			return opts, err
		}
		opts.Waivers = ws
	}
	if w := cmp.Or(f.warnExpiring, cfg.WarnExpiring); w != "" {
		d, err := controls.ParseDuration(w)
		if err != nil {
			return opts, usageError("--warn-expiring: %v", err)
		}
		opts.ExpiryWarning = d
	}
	if f.maxAge != "" {
		d, err := controls.ParseDuration(f.maxAge)
		if err != nil {
			return opts, usageError("--max-age: %v", err)
		}
		opts.MaxAge = d
	}
	switch f.asOf {
	case "":
	case "now":
		opts.AsOf = time.Now().UTC()
	default:
		t, err := time.Parse(time.RFC3339, f.asOf)
		if err != nil {
			return opts, usageError("--as-of %q: want an RFC 3339 time or now", f.asOf)
		}
		opts.AsOf = t
	}
	return opts, nil
}

// printSummary writes the results as a table, worst outcome first (see
// controls.CompareOutcomes), each outcome by id.
func printSummary(w io.Writer, res *controls.Results) error {
	rows := slices.Clone(res.Controls)
	slices.SortStableFunc(rows, func(a, b controls.ControlResult) int { return controls.CompareOutcomes(a.Outcome, b.Outcome) })
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "OUTCOME\tSEVERITY\tCONTROL\tTITLE\tREASON")
	for _, c := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", strings.ToUpper(string(c.Outcome)), c.Severity, sanitize.Terminal(c.ID), oneLine(c.Title, 200), oneLine(c.Reason, 110))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, warning := range res.Warnings {
		fmt.Fprintf(w, "\nwarning: %s", sanitize.Terminal(warning))
	}
	if len(res.Warnings) > 0 {
		fmt.Fprintln(w)
	}
	s := res.Summary
	_, err := fmt.Fprintf(w, "\n%d controls: %d pass, %d fail, %d inconclusive, %d manual, %d waived, %d not applicable\n",
		s.Total, s.Pass, s.Fail, s.Inconclusive, s.Manual, s.Waived, s.NotApplicable)
	return err
}

// oneLine returns s fit for one table cell on a terminal: escape
// sequences and control characters removed (sanitize.Terminal), white
// space collapsed, cut at max runes.
func oneLine(s string, max int) string {
	s = strings.Join(strings.Fields(sanitize.Terminal(s)), " ")
	if r := []rune(s); len(r) > max {
		return string(r[:max-1]) + "…"
	}
	return s
}

// runGate prints the verdict of the gate over res on stderr and returns
// an exit error when it fails: a control failed, rests on stale evidence
// or could not be evaluated at or above failOn (the last two unless
// allowInconclusive). The policy is in package gate.
func (g *globals) runGate(res *controls.Results, b *evidence.Bundle, failOn controls.Severity, allowInconclusive bool) error {
	opts := gate.Options{FailOn: failOn, AllowInconclusive: allowInconclusive}
	if b != nil {
		opts.Resources = b.Resources
	}
	return g.verdict(gate.Check(res, opts))
}

// verdict returns exit code 1 with the verdict's message when it fails,
// and prints the message on stderr when it passes with something to say.
func (g *globals) verdict(v *gate.Verdict) error {
	msg := strings.TrimSuffix(v.Message(), "\n")
	if !v.Pass() {
		return &exitError{code: exitGate, msg: msg}
	}
	if msg != "" {
		fmt.Fprintln(g.stderr, msg)
	}
	return nil
}

func failOnSeverity(flag string, cfg *config.File) (controls.Severity, error) {
	s := flag
	if s == "" {
		s = cfg.FailOn
	}
	if s == "" {
		s = string(controls.High)
	}
	return controls.ParseSeverity(s)
}
