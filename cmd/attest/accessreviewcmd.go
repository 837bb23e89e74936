package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/attestdev/attest/accessreview"
	"github.com/attestdev/attest/collectors/manual"
	"github.com/attestdev/attest/engine"
)

func newAccessReview(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "access-review",
		Short: "Run a user access review: export the population, record the decisions, verify the revocations",
		Long: `An access review has three steps:

  1. attest access-review start --bundle DIR   exports every account with access
     (identity.account from AWS IAM, GitHub, Google Workspace, Okta, Entra ID), joined by
     person, as CSV for reviewers (and Markdown to read).
  2. attest access-review record FILE          checks the completed file (keep or
     revoke on each row, reviewer, date) against the same bundle and records it
     as access_review evidence, with the file attached.
  3. attest access-review verify --bundle DIR  checks a later collection for
     accounts marked revoke that are still active and records the result as
     access_review_revocations evidence; exits 1 while any is left.

ORG-ACCESS-001 and ORG-ACCESS-002 evaluate that evidence.`,
	}
	cmd.AddCommand(newAccessReviewStart(g), newAccessReviewRecord(g), newAccessReviewVerify(g))
	return cmd
}

func newAccessReviewStart(g *globals) *cobra.Command {
	var bundle, out, md, peopleFile string
	cmd := &cobra.Command{
		Use:   "start",
		Short: "Export the population of accounts to review as CSV (and Markdown)",
		Long: `Start exports every account of the bundle's identity.account resources, one
row per account, grouped by person. Systems key people differently (a GitHub
login, an Okta e-mail address); --people names a YAML file that joins them:

  alice@example.com: [github:alice, aws:alice, aws/123456789012/alice-admin]`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			p, b, err := engine.OpenPopulation(bundle)
			if err != nil {
				return err
			}
			if peopleFile != "" {
				data, err := os.ReadFile(peopleFile)
				if err != nil {
					return err
				}
				people, err := accessreview.ReadPeople(peopleFile, data)
				if err != nil {
					return err
				}
				p.Join(people)
			}
			for _, s := range p.Incomplete {
				g.log.Warn("population may be incomplete", "run", s)
			}
			if err := writeNewFile(out, func(w io.Writer) error { return accessreview.WriteCSV(w, p) }); err != nil {
				return err
			}
			if md != "" {
				if err := writeNewFile(md, func(w io.Writer) error {
					return accessreview.WriteMarkdown(w, p, bundle, b.Manifest.FinishedAt)
				}); err != nil {
					return err
				}
			}
			_, err = fmt.Fprintf(g.stdout, "%s: %d accounts of %d people to review\n", out, len(p.Accounts), p.People())
			return err
		},
	}
	cmd.Flags().StringVarP(&bundle, "bundle", "b", "bundle", "bundle directory to read the accounts from")
	cmd.Flags().StringVarP(&out, "out", "o", "access-review.csv", "CSV file to write for reviewers (must not exist)")
	cmd.Flags().StringVar(&md, "markdown", "", "also write the population as Markdown to this file")
	cmd.Flags().StringVar(&peopleFile, "people", "", "YAML file joining accounts of one person across systems")
	return cmd
}

// writeNewFile writes a file that must not exist yet, so a review in
// progress is never overwritten.
func writeNewFile(path string, render func(io.Writer) error) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o640)
	if err != nil {
		return err
	}
	if err := render(f); err != nil {
		_ = f.Close()
		_ = os.Remove(path)
		return err
	}
	return f.Close()
}

func newAccessReviewRecord(g *globals) *cobra.Command {
	var bundle, dir, reviewer, date, attestedBy string
	cmd := &cobra.Command{
		Use:   "record FILE",
		Short: "Check a completed review file against its population and record it as evidence",
		Long: `Record reads the completed review CSV strictly: every row must name an account of
the population in --bundle (the bundle the review was started from), carry
keep, revoke or nothing in decision, and a reviewer and date (from the row or
--reviewer and --date). Any problem is reported with file, line and column and
nothing is recorded. Otherwise an access_review record is written to the
evidence directory with the file attached.`,
		Args: cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			d := accessreview.Defaults{Reviewer: reviewer}
			if date != "" {
				t, err := manual.ParseTime(date)
				if err != nil {
					return usageError("--date: %v", err)
				}
				d.ReviewedAt = t
			}
			data, err := os.ReadFile(args[0])
			if err != nil {
				return err
			}
			p, _, err := engine.OpenPopulation(bundle)
			if err != nil {
				return err
			}
			rec, err := accessreview.Record(dir, args[0], data, p, bundle, d, attestedBy)
			if err != nil {
				return err
			}
			g.log.Info("access review recorded", "file", rec.File)
			_, err = fmt.Fprintf(g.stdout, "%s: %d of %d accounts decided, %d to revoke\n", rec.File, rec.Covered, rec.Population, rec.Revoked)
			return err
		},
	}
	cmd.Flags().StringVarP(&bundle, "bundle", "b", "bundle", "bundle the review was started from")
	cmd.Flags().StringVar(&dir, "dir", manual.DefaultDir, "evidence directory")
	cmd.Flags().StringVar(&reviewer, "reviewer", "", "reviewer for rows that name none")
	cmd.Flags().StringVar(&date, "date", "", "review date for rows that give none (2006-01-02)")
	cmd.Flags().StringVar(&attestedBy, "attested-by", "", "who signs the review off (default: the reviewers)")
	return cmd
}

func newAccessReviewVerify(g *globals) *cobra.Command {
	var bundle, dir string
	cmd := &cobra.Command{
		Use:   "verify",
		Short: "Check a later collection for accounts the latest review marked revoke, and record the result",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			p, b, err := engine.OpenPopulation(bundle)
			if err != nil {
				return err
			}
			v, err := accessreview.Verify(dir, p, bundle, b.Manifest.FinishedAt)
			if err != nil {
				return err
			}
			g.log.Info("revocations verified", "review", v.Review, "file", v.File)
			if _, err := fmt.Fprintf(g.stdout, "%s: %d of %d revocations carried out\n", v.File, v.Revoked-len(v.StillPresent), v.Revoked); err != nil {
				return err
			}
			if len(v.StillPresent) == 0 {
				return nil
			}
			var keys []string
			for _, a := range v.StillPresent {
				keys = append(keys, a.Key())
			}
			return &exitError{code: 1, msg: fmt.Sprintf("attest: %d account(s) marked revoke in %s are still active on %s: %s",
				len(keys), v.Review, b.Manifest.FinishedAt.UTC().Format(time.DateOnly), strings.Join(keys, ", "))}
		},
	}
	cmd.Flags().StringVarP(&bundle, "bundle", "b", "bundle", "bundle of a collection made after the review")
	cmd.Flags().StringVar(&dir, "dir", manual.DefaultDir, "evidence directory")
	return cmd
}
