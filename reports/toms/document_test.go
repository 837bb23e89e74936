package toms

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/attestdev/attest/controls"
)

func TestBuildStatuses(t *testing.T) {
	t.Parallel()
	ev := func(o controls.Outcome) []controls.RequirementResult {
		return []controls.RequirementResult{{Type: "aws.s3.bucket", Outcome: o, Counts: controls.Counts{Resources: 5, Filtered: 1}}}
	}
	man := func(o controls.Outcome, until string) []controls.ManualResult {
		return []controls.ManualResult{{Kind: "pentest", Outcome: o, AttestedBy: "CISO", ValidUntil: until}}
	}
	res := &controls.Results{EvaluatedAt: evaluatedAt, Controls: []controls.ControlResult{
		{ID: "A", Title: "Both", Outcome: controls.Pass, TOMCategory: "transfer", Evidence: ev(controls.Pass), Manual: man(controls.Pass, "2026-12-01T00:00:00Z")},
		{ID: "B", Title: "Auto", Outcome: controls.Pass, TOMCategory: "transfer", Evidence: ev(controls.Pass)},
		{ID: "C", Title: "Waived", Outcome: controls.Waived, TOMCategory: "transfer", Evidence: ev(controls.Fail)},
		{ID: "D", Title: "Inconclusive", Outcome: controls.Inconclusive, TOMCategory: "input", Evidence: ev(controls.Inconclusive)},
		{ID: "E", Title: "N/A", Outcome: controls.NotApplicable, TOMCategory: "input"},
		{ID: "F", Title: "No TOM", Outcome: controls.Pass, Evidence: ev(controls.Pass)},
	}}
	d, err := Build(&controls.Library{}, res, Input{Lang: "en", Company: Company{Name: "X"}})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range d.Measures {
		got = append(got, m.ControlID+": "+m.Statement+": "+d.StatusText(m))
	}
	want := []string{
		"A: Both: In place: verified automatically on 23 November 2026 (aws.s3.bucket, 4 checked); attested by CISO, valid until 1 December 2026",
		"B: Auto: In place: verified automatically on 23 November 2026 (aws.s3.bucket, 4 checked)",
		"C: Waived: Not verified",
		"D: Inconclusive: Not verified",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("measures (-want +got):\n%s", diff)
	}
	if d.Verified != 2 || d.Attested != 0 || d.NotVerified != 2 {
		t.Errorf("counts = %d verified, %d attested, %d not verified; want 2, 0, 2", d.Verified, d.Attested, d.NotVerified)
	}
	// The attestation of A expires before the default validity.
	if want := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC); !d.ValidUntil.Equal(want) {
		t.Errorf("ValidUntil = %v, want %v", d.ValidUntil, want)
	}
	if len(d.Warnings) != 4 {
		t.Errorf("warnings = %q, want one per control missing from the library", d.Warnings)
	}
}

// TestBuildRenderedStatementAndNotApplicable checks that a measure states
// the statement rendered into the results (not the library's template), and
// that a requirement with nothing in scope does not keep a passing control
// from being verified.
func TestBuildRenderedStatementAndNotApplicable(t *testing.T) {
	t.Parallel()
	lib := &controls.Library{Controls: []*controls.Control{{
		ID: "RDS-1", Params: map[string]*controls.Param{"days": {Type: controls.IntParam, Default: int64(7)}},
		TOM: controls.TOM{Category: "availability", Statement: controls.Statement{EN: "Backups are kept {{.days}} days.", DE: "Sicherungen bleiben {{.days}} Tage."}},
	}}}
	res := &controls.Results{EvaluatedAt: evaluatedAt, Controls: []controls.ControlResult{
		{ID: "RDS-1", Outcome: controls.Pass, TOMCategory: "availability",
			Statement: &controls.Statement{EN: "Backups are kept 35 days.", DE: "Sicherungen bleiben 35 Tage."},
			Evidence: []controls.RequirementResult{
				{Type: "aws.rds.instance", Outcome: controls.Pass, Counts: controls.Counts{Resources: 2, Pass: 2}},
				{Type: "aws.rds.cluster", Outcome: controls.NotApplicable},
			}},
	}}
	for lang, want := range map[string]string{"en": "Backups are kept 35 days.", "de": "Sicherungen bleiben 35 Tage."} {
		d, err := Build(lib, res, Input{Lang: lang, Company: Company{Name: "X"}})
		if err != nil {
			t.Fatal(err)
		}
		m := d.Measures[0]
		if m.Statement != want || m.Status != Verified || len(m.Evidence) != 1 || m.Evidence[0].Type != "aws.rds.instance" {
			t.Errorf("%s: %q, status %v, evidence %v; want %q verified by the instances", lang, m.Statement, m.Status, m.Evidence, want)
		}
	}
	// Results without a rendered statement fall back to the library's,
	// rendered with the default params.
	res.Controls[0].Statement = nil
	d, err := Build(lib, res, Input{Lang: "en", Company: Company{Name: "X"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := d.Measures[0].Statement; got != "Backups are kept 7 days." {
		t.Errorf("fallback statement = %q", got)
	}
}
