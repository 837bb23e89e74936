package main

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/attestdev/attest/collectors/manual"
	"github.com/attestdev/attest/controls"
	"github.com/attestdev/attest/engine"
)

func newEvidence(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "evidence",
		Short: "Record and list organisational evidence (training, NDAs, pen tests, DR tests, ...)",
		Long: `Organisational measures are recorded as YAML files in an evidence directory
(default "evidence"), each with who vouches for it, when it was done, whom it
covered and attached files whose SHA-256 is checked at every collection.
Controls ask for evidence by kind and a maximum age; expired or missing
evidence makes them fail or need attention.`,
	}
	cmd.AddCommand(newEvidenceAdd(g), newEvidenceList(g))
	return cmd
}

func newEvidenceAdd(g *globals) *cobra.Command {
	var dir string
	var r manual.Record
	var attach, breaches []string
	var activities int
	var role string
	cmd := &cobra.Command{
		Use:   "add",
		Short: "Record a piece of organisational evidence and copy its attachments into the evidence directory",
		Example: `  attest evidence add --kind security_training --title "Security awareness training 2026" \
    --performed-at 2026-01-20 --attested-by "Jane Doe (CISO)" \
    --scope "all employees" --population 42 --covered 42 --attach completions.csv
  attest evidence add --kind records_of_processing --title "Records of processing, yearly review" \
    --attested-by "Max Mustermann (DPO)" --processing-activities 9 --processing-role controller \
    --attach processing-activities.csv
  attest evidence add --kind breach_register --title "Breach register, Q1 update" \
    --attested-by "Max Mustermann (DPO)" \
    --breach id=B-2026-01,discovered_at=2026-01-19T09:15:00Z,authority=notified,authority_notified_at=2026-01-20T11:00:00Z,data_subjects=not_required`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := g.loadConfig()
			if err != nil {
				return err
			}
			dir = engine.EvidenceDir(dir, cmd.Flags().Changed("dir"), cfg)
			var missing []string
			for _, f := range []struct{ flag, value, help string }{
				{"--kind", r.Kind, "the kind of measure, e.g. security_training (attest evidence list shows the kinds controls ask for)"},
				{"--title", r.Title, `what was done, in a few words, e.g. "Security awareness training 2026"`},
				{"--attested-by", r.AttestedBy, `who vouches for the record, e.g. "Jane Doe (CISO)"`},
			} {
				if strings.TrimSpace(f.value) == "" {
					missing = append(missing, fmt.Sprintf("  %s: %s", f.flag, f.help))
				}
			}
			if len(missing) > 0 {
				return usageError("evidence add needs:\n%s", strings.Join(missing, "\n"))
			}
			if r.PerformedAt == "" {
				r.PerformedAt = time.Now().UTC().Format(time.DateOnly)
			}
			if cmd.Flags().Changed("processing-activities") || role != "" {
				r.Processing = &manual.Processing{Activities: activities, Role: role}
			}
			for _, b := range breaches {
				entry, err := parseBreachFlag(b)
				if err != nil {
					return usageError("--breach %q: %v", b, err)
				}
				r.Breaches = append(r.Breaches, entry)
			}
			var atts []manual.Attach
			for _, a := range attach {
				atts = append(atts, manual.Attach{Path: a})
			}
			file, err := manual.Add(dir, r, atts)
			if err != nil {
				return err
			}
			g.log.Info("evidence recorded", "dir", dir, "file", file, "attachments", len(atts))
			_, err = fmt.Fprintln(g.stdout, file)
			return err
		},
	}
	f := cmd.Flags()
	f.StringVar(&dir, "dir", manual.DefaultDir, "evidence directory (default: sources.manual.dir in attest.yaml, else evidence)")
	f.StringVar(&r.Kind, "kind", "", "kind of measure, e.g. security_training, penetration_test, dr_test (see attest controls list)")
	f.StringVar(&r.Title, "title", "", "what was done, in a few words")
	f.StringVar(&r.PerformedAt, "performed-at", "", "when: a date (2006-01-02) or RFC 3339 time (default today)")
	f.StringVar(&r.ValidUntil, "valid-until", "", "end of validity, when earlier than the control's max age")
	f.StringVar(&r.AttestedBy, "attested-by", "", "who vouches for the record (name and role)")
	f.StringVar(&r.Scope.Description, "scope", "", `whom or what it covered, e.g. "all employees"`)
	f.IntVar(&r.Scope.Population, "population", 0, "how many people or systems it is for")
	f.IntVar(&r.Scope.Covered, "covered", 0, "how many of them it reached")
	f.StringArrayVar(&r.OpenItems, "open-item", nil, "something still outstanding, e.g. an unfixed finding (repeatable)")
	f.StringVar(&r.Notes, "notes", "", "free text for readers")
	f.StringArrayVar(&attach, "attach", nil, "file to copy in as an attachment (repeatable)")
	f.IntVar(&activities, "processing-activities", 0, "records_of_processing: how many processing activities the records list")
	f.StringVar(&role, "processing-role", "", "records_of_processing: "+strings.Join(manual.ProcessingRoles, ", "))
	f.StringArrayVar(&breaches, "breach", nil, "breach_register: one breach as id=...,discovered_at=...,authority=notified|not_required|pending,authority_notified_at=...,data_subjects=notified|not_required|pending (repeatable)")
	return cmd
}

// parseBreachFlag reads one --breach value: comma-separated key=value
// pairs named like the fields of a breach entry.
func parseBreachFlag(s string) (manual.Breach, error) {
	var b manual.Breach
	fields := map[string]*string{
		"id": &b.ID, "discovered_at": &b.DiscoveredAt, "authority": &b.Authority,
		"authority_notified_at": &b.AuthorityNotifiedAt, "data_subjects": &b.DataSubjects,
	}
	for _, kv := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(kv), "=")
		p, known := fields[k]
		switch {
		case !ok:
			return b, fmt.Errorf("%q: want key=value", kv)
		case !known:
			return b, fmt.Errorf("%q: unknown key (want id, discovered_at, authority, authority_notified_at or data_subjects)", k)
		case *p != "":
			return b, fmt.Errorf("%q: given twice", k)
		}
		*p = v
	}
	return b, nil
}

// expiry is the state of one kind of evidence (see controls.ManualStatus).
type expiry = controls.ManualKindStatus

func newEvidenceList(g *globals) *cobra.Command {
	var dir, expiring, format string
	var dirs []string
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the newest record of each kind with its expiry, and the kinds controls ask for but nobody recorded",
		Long: `List shows, per kind of evidence, the newest record and when it expires: the
earlier of its valid_until and performed_at plus the shortest max_age of the
controls that ask for it. Kinds that controls ask for but that have no record
are listed as missing. With --expiring only what is missing, expired or
expires within the given time is listed, e.g. --expiring 30d.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var within time.Duration
			if expiring != "" {
				d, err := controls.ParseDuration(expiring)
				if err != nil {
					return usageError("--expiring: %v", err)
				}
				within = d
			}
			if format != "table" && format != "json" {
				return usageError("--format %q: want table or json", format)
			}
			s, err := g.setup(dirs)
			if err != nil {
				return err
			}
			dir = engine.EvidenceDir(dir, cmd.Flags().Changed("dir"), s.Config)
			recs, problems, exists, err := engine.ReadEvidence(dir)
			if err != nil {
				return err
			}
			if !exists {
				g.log.Warn("no evidence recorded yet: every kind the controls ask for is missing (record one with attest evidence add)", "dir", dir)
			}
			for _, p := range problems {
				g.log.Warn("record skipped", "err", p)
			}
			rows := engine.ManualExpiries(s.Library, recs, time.Now().UTC())
			if expiring != "" {
				rows = engine.ExpiringWithin(rows, within)
			}
			if format == "json" {
				enc := json.NewEncoder(g.stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(rows)
			}
			return printExpiries(g.stdout, rows)
		},
	}
	cmd.Flags().StringVar(&dir, "dir", manual.DefaultDir, "evidence directory (default: sources.manual.dir in attest.yaml, else evidence)")
	cmd.Flags().StringVar(&expiring, "expiring", "", "only list what is missing, expired or expires within this time, e.g. 30d")
	cmd.Flags().StringVar(&format, "format", "table", "output format: table or json")
	cmd.Flags().StringSliceVar(&dirs, "controls", nil, "extra control directories (repeatable)")
	return cmd
}

func printExpiries(w io.Writer, rows []expiry) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "STATUS\tKIND\tPERFORMED\tEXPIRES\tDAYS LEFT\tCONTROLS\tRECORD")
	day := func(t time.Time) string {
		if t.IsZero() {
			return "-"
		}
		return t.Format(time.DateOnly)
	}
	for _, e := range rows {
		left := "-"
		if !e.ExpiresAt.IsZero() {
			left = fmt.Sprint(e.DaysLeft)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", strings.ToUpper(e.Status), e.Kind, day(e.PerformedAt), day(e.ExpiresAt), left,
			strings.Join(e.Controls, " "), cmp.Or(e.File, "-"))
	}
	return tw.Flush()
}
