package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/attestdev/attest/controls"
)

func newCoverage(g *globals) *cobra.Command {
	var framework, format string
	var dirs []string
	var summary bool
	cmd := &cobra.Command{
		Use:   "coverage",
		Short: "Show which framework requirements the controls cover: automated, manual evidence, or not at all",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			_, lib, err := g.library(dirs)
			if err != nil {
				return err
			}
			if summary {
				return coverageSummary(g.stdout, lib)
			}
			fw, ok := lib.Framework(framework)
			if !ok {
				return usageError("--framework %q: want one of %s", framework, strings.Join(controls.FrameworkIDs, ", "))
			}
			cov := lib.Coverage(fw)
			switch format {
			case "json":
				enc := json.NewEncoder(g.stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(cov)
			case "md":
				return coverageMarkdown(g.stdout, cov)
			}
			return usageError("--format %q: want md or json", format)
		},
	}
	cmd.Flags().StringVar(&framework, "framework", "soc2", "framework: soc2, iso27001 or gdpr")
	cmd.Flags().StringVar(&format, "format", "md", "output format: md or json")
	cmd.Flags().StringSliceVar(&dirs, "controls", nil, "extra control directories (repeatable)")
	cmd.Flags().BoolVar(&summary, "summary", false, "print one Markdown table row per framework instead of the requirements of one")
	return cmd
}

// coverageSummary writes a Markdown table with one row per framework.
func coverageSummary(w io.Writer, lib *controls.Library) error {
	fmt.Fprintln(w, "| Framework | Requirements | Automated | Manual evidence | Uncovered |")
	fmt.Fprintln(w, "|---|---:|---:|---:|---:|")
	for _, id := range controls.FrameworkIDs {
		fw, ok := lib.Framework(id)
		if !ok {
			continue
		}
		cov := lib.Coverage(fw)
		fmt.Fprintf(w, "| %s | %d | %d | %d | %d |\n", cov.Name, len(cov.Requirements), cov.Automated, cov.Manual, cov.Uncovered)
	}
	return nil
}

func coverageMarkdown(w io.Writer, cov controls.Coverage) error {
	total := len(cov.Requirements)
	fmt.Fprintf(w, "### %s\n\n%d requirements: %d automated, %d manual evidence, %d uncovered.\n\n", cov.Name, total, cov.Automated, cov.Manual, cov.Uncovered)
	fmt.Fprintln(w, "| Requirement | Title | Coverage | Controls |")
	fmt.Fprintln(w, "|---|---|---|---|")
	for _, r := range cov.Requirements {
		ids := append(append([]string{}, r.Automated...), r.Manual...)
		fmt.Fprintf(w, "| %s | %s | %s | %s |\n", r.ID, strings.ReplaceAll(r.Title, "|", `\|`), r.Status, strings.Join(ids, ", "))
	}
	_, err := fmt.Fprintln(w)
	return err
}
