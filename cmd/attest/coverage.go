package main

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/attestdev/attest/controls"
	"github.com/attestdev/attest/engine"
)

func newCoverage(g *globals) *cobra.Command {
	var framework, format string
	var dirs []string
	var summary, explain bool
	cmd := &cobra.Command{
		Use:   "coverage",
		Short: "Show which framework requirements the controls cover (automated, inherited, manual evidence, or not at all) and why",
		Long: `Show, for every requirement of a framework, the controls mapped to it and
the class of the strongest: automated (evidence from an API), inherited (a
provider's certification recorded in the subprocessor register, such as the
physical security of its data centres), manual (records people keep), or
uncovered. --explain adds each mapping's rationale.

Without --config every control counts (the built-in view). With --config,
only the controls whose evidence comes from a configured source count: a
control over AWS resources does not cover anything for an organisation that
does not collect from AWS.`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			s, err := g.setup(dirs)
			if err != nil {
				return err
			}
			lib := s.Library
			var opts controls.CoverageOptions
			if g.config != "" {
				opts.Include = engine.Configured(s.Config)
			}
			if summary {
				return coverageSummary(g.stdout, lib, opts)
			}
			fw, ok := lib.Framework(framework)
			if !ok {
				return usageError("--framework %q: want one of %s", framework, strings.Join(controls.FrameworkIDs, ", "))
			}
			cov := lib.Coverage(fw, opts)
			switch format {
			case "json":
				enc := json.NewEncoder(g.stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(cov)
			case "md":
				return coverageMarkdown(g.stdout, cov, explain)
			}
			return usageError("--format %q: want md or json", format)
		},
	}
	cmd.Flags().StringVar(&framework, "framework", "soc2", "framework: soc2, iso27001 or gdpr")
	cmd.Flags().StringVar(&format, "format", "md", "output format: md or json (json always carries the rationales)")
	cmd.Flags().StringSliceVar(&dirs, "controls", nil, "extra control directories (repeatable)")
	cmd.Flags().BoolVar(&summary, "summary", false, "print one Markdown table row per framework instead of the requirements of one")
	cmd.Flags().BoolVar(&explain, "explain", false, "show every mapping with its class and the reason it holds")
	return cmd
}

// coverageSummary writes a Markdown table with one row per framework.
func coverageSummary(w io.Writer, lib *controls.Library, opts controls.CoverageOptions) error {
	fmt.Fprintln(w, "| Framework | Requirements | Automated | Inherited | Manual evidence | Uncovered |")
	fmt.Fprintln(w, "|---|---:|---:|---:|---:|---:|")
	for _, id := range controls.FrameworkIDs {
		fw, ok := lib.Framework(id)
		if !ok {
			continue
		}
		cov := lib.Coverage(fw, opts)
		fmt.Fprintf(w, "| %s | %d | %d | %d | %d | %d |\n", cov.Name, len(cov.Requirements), cov.Automated, cov.Inherited, cov.Manual, cov.Uncovered)
	}
	return nil
}

func coverageMarkdown(w io.Writer, cov controls.Coverage, explain bool) error {
	total := len(cov.Requirements)
	fmt.Fprintf(w, "### %s\n\n%d requirements: %d automated, %d inherited, %d manual evidence, %d uncovered.", cov.Name, total, cov.Automated, cov.Inherited, cov.Manual, cov.Uncovered)
	if cov.Filtered {
		fmt.Fprint(w, " Only controls whose sources are configured count.")
	}
	fmt.Fprint(w, "\n\n")
	cell := func(s string) string { return strings.ReplaceAll(s, "|", `\|`) }
	if explain {
		fmt.Fprintln(w, "| Requirement | Title | Coverage | Controls and why they hold |")
	} else {
		fmt.Fprintln(w, "| Requirement | Title | Coverage | Controls |")
	}
	fmt.Fprintln(w, "|---|---|---|---|")
	for _, r := range cov.Requirements {
		var parts []string
		for _, m := range r.Mappings {
			if explain {
				parts = append(parts, fmt.Sprintf("%s (%s): %s", m.Control, m.Class, cmp.Or(m.Rationale, "no rationale given")))
			} else {
				parts = append(parts, m.Control)
			}
		}
		sep := ", "
		if explain {
			sep = "<br>"
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s |\n", r.ID, cell(r.Title), r.Status, cell(strings.Join(parts, sep)))
	}
	_, err := fmt.Fprintln(w)
	return err
}
