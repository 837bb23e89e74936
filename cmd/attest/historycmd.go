package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/attestdev/attest/controls"
	"github.com/attestdev/attest/engine"
	"github.com/attestdev/attest/history"
)

const storeUsage = `history store: a SQLite file or a postgres:// URL (default $` + engine.StoreEnv + `, else "` + history.DefaultDSN + `")`

// recordFlags are check's --record and --store.
type recordFlags struct {
	record bool
	store  string
}

func (f *recordFlags) register(cmd *cobra.Command) {
	cmd.Flags().BoolVar(&f.record, "record", false, "record the results in the history store, for attest history")
	cmd.Flags().StringVar(&f.store, "store", "", storeUsage)
}

// recordHistory stores res in the history store when --record is given.
func (g *globals) recordHistory(ctx context.Context, res *controls.Results, f recordFlags) error {
	if !f.record {
		return nil
	}
	s, err := history.Open(ctx, engine.StoreDSN(f.store))
	if err != nil {
		return err
	}
	defer s.Close()
	id, recorded, err := s.Record(ctx, res)
	if err != nil {
		return err
	}
	g.log.Info("results recorded in the history store", "run", id[:12], "new", recorded)
	return nil
}

func newHistory(g *globals) *cobra.Command {
	var from, to, store, format string
	cmd := &cobra.Command{
		Use:   "history",
		Short: "Report how each control operated over a period, from the runs recorded with check --record",
		Long: `History reads the runs recorded with attest check --record and reports, per
control, the share of runs in which it passed, its first failure, the mean
and longest time to fix, and every exception: each stretch of runs in which
the control failed, was waived, was inconclusive or lacked manual evidence.
This is what a SOC 2 Type II auditor asks for about the period under audit.

--from and --to take a date (2006-01-02) or an RFC 3339 time; a --to date
includes that whole day.`,
		Example: `  attest history --from 2025-07-01 --to 2026-06-30
  attest history --store postgres://attest@db.internal/attest --from 2026-01-01 --format md`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			start, err := periodTime(from, false)
			if err != nil {
				return usageError("--from: %v", err)
			}
			end := time.Now().UTC()
			if to != "" {
				if end, err = periodTime(to, true); err != nil {
					return usageError("--to: %v", err)
				}
			}
			if format != "table" && format != "json" && format != "md" {
				return usageError("--format %q: want table, json or md", format)
			}
			dsn := engine.StoreDSN(store)
			if err := engine.ReportStore(dsn); err != nil {
				return err
			}
			s, err := history.Open(cmd.Context(), dsn)
			if err != nil {
				return err
			}
			defer s.Close()
			rep, err := s.Report(cmd.Context(), start, end)
			if err != nil {
				return err
			}
			switch format {
			case "json":
				enc := json.NewEncoder(g.stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(rep)
			case "md":
				return printHistoryMarkdown(g.stdout, rep)
			}
			return printHistory(g.stdout, rep)
		},
	}
	cmd.Flags().StringVar(&from, "from", "", "start of the period (required)")
	cmd.Flags().StringVar(&to, "to", "", "end of the period (default now)")
	cmd.Flags().StringVar(&store, "store", "", storeUsage)
	cmd.Flags().StringVar(&format, "format", "table", "output format: table, json or md")
	_ = cmd.MarkFlagRequired("from")
	return cmd
}

// periodTime parses a date or RFC 3339 time; an end date means the end of
// that day.
func periodTime(s string, end bool) (time.Time, error) {
	if d, err := time.Parse(time.DateOnly, s); err == nil {
		if end {
			d = d.Add(24 * time.Hour)
		}
		return d, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q: want a date (2006-01-02) or an RFC 3339 time", s)
	}
	return t.UTC(), nil
}

func fmtSeconds(s int64) string {
	if s == 0 {
		return "-"
	}
	d := time.Duration(s) * time.Second
	if d >= 48*time.Hour {
		return fmt.Sprintf("%.1fd", d.Hours()/24)
	}
	return d.Round(time.Minute).String()
}

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format("2006-01-02 15:04")
}

func printHistory(w io.Writer, rep *history.Report) error {
	fmt.Fprintf(w, "Period %s to %s: %d recorded runs (first %s, last %s)\n\n", fmtTime(rep.From), fmtTime(rep.To), rep.Runs, fmtTime(rep.FirstRun), fmtTime(rep.LastRun))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "CONTROL\tSEVERITY\tRUNS\tPASSING\tFIRST FAILURE\tEXCEPTIONS\tMEAN FIX\tMAX FIX\tNOW")
	for _, c := range rep.Controls {
		now := "ok"
		if c.Open {
			now = "OPEN"
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%d\t%s\t%s\t%s\n", c.ID, c.Severity, c.Runs, share(c),
			fmtTime(c.FirstFailure), c.Exceptions, fmtSeconds(c.MeanTimeToFix), fmtSeconds(c.MaxTimeToFix), now)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(w, "\nExceptions (%d):\n", len(rep.Exceptions))
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "CONTROL\tFROM\tTO\tRUNS\tWORST\tREASON")
	for _, e := range rep.Exceptions {
		end := fmtTime(e.End)
		if e.End.IsZero() {
			end = "open"
		}
		reason := oneLine(e.Reason, 90)
		if len(e.Waivers) > 0 {
			reason = "waivers " + strings.Join(e.Waivers, ",") + ": " + reason
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%s\n", e.Control, fmtTime(e.Start), end, e.Runs, e.Outcome, reason)
	}
	return tw.Flush()
}

func share(c history.ControlHistory) string {
	if c.Runs == c.Outcomes[controls.NotApplicable] {
		return "n/a"
	}
	return fmt.Sprintf("%.1f%%", 100*c.PassShare)
}

func mdCell(s string) string {
	return strings.ReplaceAll(strings.Join(strings.Fields(s), " "), "|", `\|`)
}

func printHistoryMarkdown(w io.Writer, rep *history.Report) error {
	fmt.Fprintf(w, "# Control history %s to %s\n\n%d recorded runs, first %s, last %s.\n\n", rep.From.Format(time.DateOnly), rep.To.Format(time.DateOnly), rep.Runs, fmtTime(rep.FirstRun), fmtTime(rep.LastRun))
	fmt.Fprintln(w, "| Control | Title | Severity | Runs | Passing | First failure | Exceptions | Mean time to fix | Open |")
	fmt.Fprintln(w, "|---|---|---|---:|---:|---|---:|---|---|")
	for _, c := range rep.Controls {
		fmt.Fprintf(w, "| %s | %s | %s | %d | %s | %s | %d | %s | %v |\n", c.ID, mdCell(c.Title), c.Severity, c.Runs, share(c), fmtTime(c.FirstFailure), c.Exceptions, fmtSeconds(c.MeanTimeToFix), c.Open)
	}
	fmt.Fprintf(w, "\n## Exceptions\n\n| Control | From | To | Runs | Worst outcome | Reason | Waivers |\n|---|---|---|---:|---|---|---|\n")
	for _, e := range rep.Exceptions {
		end := fmtTime(e.End)
		if e.End.IsZero() {
			end = "open"
		}
		_, err := fmt.Fprintf(w, "| %s | %s | %s | %d | %s | %s | %s |\n", e.Control, fmtTime(e.Start), end, e.Runs, e.Outcome, mdCell(e.Reason), strings.Join(e.Waivers, ", "))
		if err != nil {
			return err
		}
	}
	return nil
}
