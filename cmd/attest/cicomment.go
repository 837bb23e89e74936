package main

import (
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/attestdev/attest/gate"
)

func newCIComment(g *globals) *cobra.Command {
	var in, out, pointer string
	var limit int
	cmd := &cobra.Command{
		Use:   "ci-comment",
		Short: "Shorten a Markdown summary to fit a pull-request comment, pointing to the full report",
		Long: `Ci-comment reads Markdown (the report and drift that attest check writes) and
writes it unchanged when it fits --limit bytes, else cut at a line boundary,
with open code blocks closed, and a closing note that names how much was
left out and where the full report is (--pointer, e.g. the URL of an
uploaded artifact). GitHub rejects pull-request comments longer than 65,536
characters; the GitHub Action in this repository runs it before posting.`,
		Example: `  attest ci-comment --in attest-out/summary.md --out comment.md \
    --pointer "the artifact attest-report ($RUN_URL)"`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			var data []byte
			var err error
			if in == "-" {
				data, err = io.ReadAll(os.Stdin)
			} else {
				data, err = os.ReadFile(in)
			}
			if err != nil {
				return err
			}
			short, err := gate.Shorten(string(data), limit, pointer)
			if err != nil {
				return usageError("--limit: %v", err)
			}
			return writeOutput(g, out, func(w io.Writer) error {
				_, err := io.WriteString(w, short)
				return err
			})
		},
	}
	cmd.Flags().StringVar(&in, "in", "-", `Markdown file to read ("-" for stdin)`)
	cmd.Flags().StringVarP(&out, "out", "o", "", "file to write (default stdout)")
	cmd.Flags().IntVar(&limit, "limit", 65000, "most bytes to write (a byte count is never below the character count GitHub limits to 65,536)")
	cmd.Flags().StringVar(&pointer, "pointer", "", `where the full report is, e.g. "the artifact attest-report (URL)"`)
	return cmd
}
