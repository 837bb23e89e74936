package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/all"
	"github.com/attestdev/attest/config"
	"github.com/attestdev/attest/controls"
	"github.com/attestdev/attest/engine"
	"github.com/attestdev/attest/gate"
)

func newCollect(g *globals) *cobra.Command {
	var out, shardFlag string
	var timeout time.Duration
	var replace, allowIncomplete bool
	cmd := &cobra.Command{
		Use:   "collect",
		Short: "Collect evidence into a bundle directory; exit 3 when a collector run failed or was partial",
		Long: `Collect runs the collectors the enabled controls need against the configured
sources and writes an evidence bundle: every normalised resource, every raw
API response with its SHA-256, and one run record per collector and target
saying what was covered and what failed. All calls are read-only.

The bundle is always written. When a collector run failed or was partial
(a call denied, throttled or unreachable), collect names the runs and the
permissions or endpoints on stderr and exits 3, so that a pipeline does not
go on as if the evidence were complete; --allow-incomplete exits 0 instead.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, err := g.setup(nil)
			if err != nil {
				return err
			}
			if err := s.Preflight(engine.Inputs{}); err != nil {
				return err
			}
			shard, err := parseShardFlag(shardFlag, os.Getenv)
			if err != nil {
				return err
			}
			engine.LimitCollectMemory() // docs/scale.md, "Memory"
			b, err := s.Collect(cmd.Context(), all.Sources(s.Config.Sources), g.progress(engine.CollectOptions{Dir: out, Replace: replace, Shard: shard, Timeout: timeout}))
			if err != nil {
				return err
			}
			if _, err = fmt.Fprintf(g.stdout, "%s: %d resources, %d raw responses, %d collector runs\n", out, b.Manifest.Resources, b.Manifest.Records, len(b.Manifest.Runs)); err != nil {
				return err
			}
			v := gate.Collect(b.Manifest.Runs)
			msg := strings.TrimSuffix(v.Message(), "\n")
			switch {
			case v.Pass():
				return nil
			case allowIncomplete:
				fmt.Fprintln(g.stderr, msg)
				return nil
			}
			return &exitError{code: exitIncomplete, msg: msg + "\n  (exit 3; pass --allow-incomplete to exit 0 on an incomplete collection)"}
		},
	}
	cmd.Flags().StringVarP(&out, "out", "o", "bundle", "bundle directory to create")
	cmd.Flags().BoolVar(&allowIncomplete, "allow-incomplete", false, "exit 0 even when a collector run failed or was partial (the runs are still named on stderr)")
	cmd.Flags().BoolVar(&replace, "replace", false, "replace an earlier bundle in --out")
	cmd.Flags().StringVar(&shardFlag, "shard", "", shardFlagUsage)
	cmd.Flags().DurationVar(&timeout, "timeout", 0, timeoutFlagUsage)
	return cmd
}

func newEvaluate(g *globals) *cobra.Command {
	var bundle, out, failOn string
	var dirs []string
	var ef evalFlags
	var allowInconclusive bool
	cmd := &cobra.Command{
		Use:   "evaluate",
		Short: "Evaluate a bundle against the controls and write results.json",
		Long: `Evaluate reads an evidence bundle and evaluates the controls offline. The same
bundle and controls always give byte-identical results, so an auditor can
re-run it on a saved bundle. --out - writes the JSON to stdout. With
--fail-on it is a gate like check: exit 1 when a control at or above that
severity fails, or could not be evaluated (inconclusive, unless
--allow-inconclusive); with --as-of now it is also a freshness gate for a
saved bundle, since evidence older than a control's frequency allows is
stale and so inconclusive.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, err := g.setup(dirs)
			if err != nil {
				return err
			}
			var sev controls.Severity
			if failOn != "" {
				if sev, err = controls.ParseSeverity(failOn); err != nil {
					return usageError("--fail-on: %v", err)
				}
			}
			res, b, err := s.Evaluate(cmd.Context(), bundle, ef.EvalInputs)
			if err != nil {
				return err
			}
			if out == "-" {
				data, err := res.MarshalIndent()
				if err != nil {
					return err
				}
				if _, err = g.stdout.Write(data); err != nil {
					return err
				}
			} else {
				if err := res.WriteFile(out); err != nil {
					return err
				}
				if err := printSummary(g.stdout, res); err != nil {
					return err
				}
			}
			if failOn == "" {
				return nil
			}
			return g.runGate(res, b, sev, allowInconclusive)
		},
	}
	cmd.Flags().StringVarP(&bundle, "bundle", "b", "bundle", "bundle directory to read")
	cmd.Flags().StringVarP(&out, "out", "o", "results.json", `results file to write ("-" for stdout)`)
	cmd.Flags().StringVar(&failOn, "fail-on", "", "also gate like check: exit 1 when a control fails, rests on stale evidence or could not be evaluated at or above this severity")
	cmd.Flags().BoolVar(&allowInconclusive, "allow-inconclusive", false, "with --fail-on: report inconclusive and stale controls on stderr without failing the gate on them")
	cmd.Flags().StringSliceVar(&dirs, "controls", nil, "extra control directories (repeatable)")
	ef.register(cmd, true)
	return cmd
}

// checkFlags are shared by check and demo.
type checkFlags struct {
	outDir string
	failOn string
	format string
	dirs   []string
	eval   evalFlags
	record recordFlags
	// timeout bounds the collection (0: none).
	timeout time.Duration
	// baseline and reports are read by afterCheck (reportcmds.go).
	baseline string
	reports  reportFormats
	// allowInconclusive reports inconclusive and stale controls without
	// failing the gate on them.
	allowInconclusive bool
}

func (f *checkFlags) register(cmd *cobra.Command, defaultOut string) {
	cmd.Flags().StringVarP(&f.outDir, "out-dir", "o", defaultOut, "directory for the bundle and results.json (an earlier bundle there is replaced)")
	cmd.Flags().StringVar(&f.failOn, "fail-on", "", `lowest severity of a failed, stale or inconclusive control that exits 1: low, medium, high or critical (default from config, else "high")`)
	cmd.Flags().BoolVar(&f.allowInconclusive, "allow-inconclusive", false, "report controls that could not be evaluated (inconclusive or stale) on stderr without failing the gate on them")
	cmd.Flags().StringVar(&f.format, "format", "table", "stdout format: table or json")
	cmd.Flags().StringSliceVar(&f.dirs, "controls", nil, "extra control directories (repeatable)")
	cmd.Flags().StringVar(&f.baseline, "baseline", "", "earlier results.json: print the drift and exit 1 only on regressions (new failures, newly inconclusive controls) at or above --fail-on")
	cmd.Flags().Var(&f.reports, "report", reportFlagUsage)
	cmd.Flags().DurationVar(&f.timeout, "timeout", 0, timeoutFlagUsage)
	f.eval.register(cmd, false)
	f.record.register(cmd)
}

func newCheck(g *globals) *cobra.Command {
	var f checkFlags
	cmd := &cobra.Command{
		Use:   "check",
		Short: "Collect, evaluate and gate: exit 1 when a control fails or could not be evaluated at or above --fail-on",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := g.loadConfig()
			if err != nil {
				return err
			}
			return g.check(cmd, cfg, all.Sources(cfg.Sources), f)
		},
	}
	f.register(cmd, "attest-out")
	return cmd
}

// check runs collect, evaluate and the gate against sources.
func (g *globals) check(cmd *cobra.Command, cfg *config.File, sources []collectors.Source, f checkFlags) error {
	failOn, err := engine.FailOn(f.failOn, cfg)
	if err != nil {
		return fmt.Errorf("--fail-on: %w", err)
	}
	if f.format != "table" && f.format != "json" {
		return usageError("--format %q: want table or json", f.format)
	}
	s, err := engine.NewSetup(cfg, f.dirs, attestVersion())
	if err != nil {
		return err
	}
	if err := s.Preflight(engine.Inputs{Waivers: f.eval.Waivers, Baseline: f.baseline}); err != nil {
		return err
	}
	run, err := s.CollectAndEvaluate(cmd.Context(), sources, g.progress(engine.CollectOptions{Dir: filepath.Join(f.outDir, "bundle"), Replace: true, Timeout: f.timeout}), f.eval.EvalInputs)
	if err != nil {
		return err
	}
	res, b := run.Results, run.Bundle
	resultsPath := filepath.Join(f.outDir, "results.json")
	if err := res.WriteFile(resultsPath); err != nil {
		return err
	}
	g.log.Info("results written", "file", resultsPath)
	if err := g.recordHistory(cmd.Context(), res, f.record); err != nil {
		return err
	}
	if f.format == "json" {
		data, err := res.MarshalIndent()
		if err != nil {
			return err
		}
		if _, err := g.stdout.Write(data); err != nil {
			return err
		}
	} else if err := printSummary(g.stdout, res); err != nil {
		return err
	}
	if run.Interrupted != nil {
		return run.Interrupted
	}
	return g.afterCheck(res, b, f, failOn)
}

func newControls(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "controls", Short: "List, validate and test control definitions"}
	validate := &cobra.Command{
		Use:   "validate [DIR...]",
		Short: "Validate the built-in controls and the given directories",
		Long: `Validate loads the built-in library plus each DIR strictly and reports every
problem with file, line and field: unknown keys, unknown framework
requirement ids, unknown resource types or attributes, CEL rules and where
filters that do not compile or do not yield a bool for the attributes'
declared types, params whose default is not of their type, statement
templates that do not parse or name an undeclared param, and invalid test
cases. It also checks the params in attest.yaml. It exits 2 when any problem
is found.`,
		RunE: func(_ *cobra.Command, dirs []string) error {
			s, err := g.setup(dirs)
			if err != nil {
				return err
			}
			_, err = fmt.Fprintf(g.stdout, "%d controls valid\n", len(s.Library.Controls))
			return err
		},
	}
	var framework, format string
	var dirs []string
	list := &cobra.Command{
		Use:   "list",
		Short: "List controls, optionally only those mapped to one framework",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			s, err := g.setup(dirs)
			if err != nil {
				return err
			}
			cs, err := engine.ForFramework(s.Library, framework)
			if err != nil {
				return err
			}
			switch format {
			case "json":
				enc := json.NewEncoder(g.stdout)
				enc.SetIndent("", "  ")
				if cs == nil {
					cs = []*controls.Control{}
				}
				return enc.Encode(cs)
			case "table":
				tw := tabwriter.NewWriter(g.stdout, 0, 0, 2, ' ', 0)
				fmt.Fprintln(tw, "ID\tSEVERITY\tFREQUENCY\tSOC 2\tISO 27001\tGDPR\tTITLE")
				for _, c := range cs {
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", c.ID, c.Severity, c.Frequency,
						strings.Join(c.Mappings.SOC2, " "), strings.Join(c.Mappings.ISO27001, " "), strings.Join(c.Mappings.GDPR, " "), c.Title)
				}
				return tw.Flush()
			}
			return usageError("--format %q: want table or json", format)
		},
	}
	list.Flags().StringVar(&framework, "framework", "", "only controls mapped to this framework: soc2, iso27001 or gdpr")
	list.Flags().StringVar(&format, "format", "table", "output format: table or json")
	list.Flags().StringSliceVar(&dirs, "controls", nil, "extra control directories (repeatable)")
	cmd.AddCommand(validate, list, newControlsTest(g))
	return cmd
}

func newPermissions(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "permissions SOURCE",
		Short: "Print the least-privilege, read-only permissions attest needs for a source",
		Long: `Permissions prints what the collectors of SOURCE need for the enabled
controls: for aws an IAM policy document, for github the token scopes and
App permissions. Sources: ` + strings.Join(all.SourceNames(), ", ") + `.`,
		Args:      cobra.ExactArgs(1),
		ValidArgs: all.SourceNames(),
		RunE: func(_ *cobra.Command, args []string) error {
			s, err := g.setup(nil)
			if err != nil {
				return err
			}
			out, err := all.Policy(args[0], s.Plan().Descriptors(args[0]))
			if err != nil {
				return err
			}
			_, err = g.stdout.Write(out)
			return err
		},
	}
}

func newInit(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "init",
		Short: "Write an example attest.yaml to the current directory",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			f, err := os.OpenFile(config.DefaultFile, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o640)
			if errors.Is(err, os.ErrExist) {
				return fmt.Errorf("%s already exists", config.DefaultFile)
			}
			if err != nil {
				return err
			}
			if _, err := f.WriteString(config.Example); err != nil {
				_ = f.Close()
				return err
			}
			if err := f.Close(); err != nil {
				return err
			}
			_, err = fmt.Fprintf(g.stdout, "wrote %s\n", config.DefaultFile)
			return err
		},
	}
}
