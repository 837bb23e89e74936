package main

import (
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
	"github.com/attestdev/attest/config"
	"github.com/attestdev/attest/controls"
	"github.com/attestdev/attest/engine"
	"github.com/attestdev/attest/gate"
	"github.com/attestdev/attest/reports/sanitize"
)

// loadConfig reads --config, or attest.yaml when it exists, or returns an
// empty configuration (engine.LoadConfig).
func (g *globals) loadConfig() (*config.File, error) {
	return engine.LoadConfig(g.config)
}

// setup reads the configuration and loads the control library with the
// extra directories dirs (engine.Load).
func (g *globals) setup(dirs []string) (*engine.Setup, error) {
	return engine.Load(g.config, dirs, attestVersion())
}

// progress returns o with the command's logger and a progress line on
// stderr while the collectors run.
func (g *globals) progress(o engine.CollectOptions) engine.CollectOptions {
	o.Log = g.log
	o.Watch = func() (func(collectors.Event), *slog.Logger, func()) {
		p := g.startProgress()
		return p.callback(), p.logger(g.log, g.logLevel), p.stop
	}
	return o
}

// evalFlags are the evaluation options shared by evaluate and check.
type evalFlags struct{ engine.EvalInputs }

func (f *evalFlags) register(cmd *cobra.Command, withAsOf bool) {
	cmd.Flags().StringVar(&f.Waivers, "waivers", "", "waiver file (default: waivers in attest.yaml)")
	cmd.Flags().StringVar(&f.MaxAge, "max-age", "", "oldest evidence accepted for every control, e.g. 12h or 7d (default: each control's frequency)")
	cmd.Flags().StringVar(&f.WarnExpiring, "warn-expiring", "", `warn about manual evidence and waivers that expire within this long (default: warn_expiring in attest.yaml, else 30d)`)
	if withAsOf {
		cmd.Flags().StringVar(&f.AsOf, "as-of", "", `evaluation time: RFC 3339 or "now" (default: the bundle's collection time, so results reproduce)`)
	}
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

// runGate prints the verdict of the gate over res (engine.Gate) on
// stderr and returns an exit error when it fails.
func (g *globals) runGate(res *controls.Results, b *evidence.Bundle, failOn controls.Severity, allowInconclusive bool) error {
	return g.verdict(engine.Gate(res, b, failOn, allowInconclusive))
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
