package toms

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/attestdev/attest/collectors/evidence"
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

// TestManualEvidenceIsAttested checks that a control passing on manual
// evidence records (resource type manual.evidence) is attested, not
// verified automatically, and names who attested, when and until when.
func TestManualEvidenceIsAttested(t *testing.T) {
	t.Parallel()
	lib, res := fixture()
	for _, records := range []map[string]Record{testRecords(), nil} {
		d, err := Build(lib, res, Input{Lang: "en", Company: testCompany(), Records: records})
		if err != nil {
			t.Fatal(err)
		}
		var pen, org *Measure
		for _, m := range d.Measures {
			switch m.ControlID {
			case "PEN-001":
				pen = m
			case "ORG-001":
				org = m
			}
		}
		if pen == nil || org == nil {
			t.Fatal("PEN-001 or ORG-001 missing from the measures")
		}
		if pen.Status != Attested || len(pen.Evidence) != 0 {
			t.Errorf("PEN-001: status %d with evidence %v, want attested without automatic evidence", pen.Status, pen.Evidence)
		}
		if d.Verified != 1 || d.Attested != 2 {
			t.Errorf("counts = %d verified, %d attested; want 1, 2", d.Verified, d.Attested)
		}
		got, anon := d.StatusText(pen), d.StatusTextWithoutNames(pen)
		want, wantAnon := "In place: attested by Lena Probe (CTO) on 27 June 2026, valid until 27 June 2027", "In place: attested on 27 June 2026, valid until 27 June 2027"
		if records == nil {
			// Without the bundle's records the record is named instead.
			want = "In place: attested in the record “External penetration test 2026”"
			wantAnon = want
		}
		if got != want {
			t.Errorf("PEN-001 status = %q, want %q", got, want)
		}
		if anon != wantAnon {
			t.Errorf("PEN-001 status without names = %q, want %q", anon, wantAnon)
		}
		if got := d.StatusTextWithoutNames(org); strings.Contains(got, "Jürgen") || !strings.Contains(got, "attested on 31 March 2026, valid until 31 March 2027") {
			t.Errorf("ORG-001 status without names = %q", got)
		}
	}
}

// TestIntroClaimsOnlyWhatIsInPlace checks the introductions of groups with
// all, some and none of their measures in place.
func TestIntroClaimsOnlyWhatIsInPlace(t *testing.T) {
	t.Parallel()
	for _, lang := range Languages {
		lib, res := fixture()
		d, err := Build(lib, res, Input{Lang: lang, Company: testCompany()})
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for _, g := range d.Art32 {
			got[g.ID] = d.Intro(g)
		}
		s := d.Text.Section
		checks := map[string]string{
			"Art.32(1)(a)": fill(s.All, "breakdown", fill(s.Verified, "n", "1")),
			"Art.32(1)(c)": s.Nothing,
			"Art.32(1)(d)": fill(s.Some, "in_place", "1", "n", "2", "breakdown", fill(s.Attested, "n", "1")),
		}
		for id, want := range checks {
			if !strings.HasSuffix(got[id], want) {
				t.Errorf("%s: intro of %s = %q, want it to end with %q", lang, id, got[id], want)
			}
			if !strings.HasPrefix(got[id], fill(s.Objective, "objective", d.Text.Art32[id].Objective)) {
				t.Errorf("%s: intro of %s = %q does not start with the objective", lang, id, got[id])
			}
		}
	}
}

func TestRecordsOf(t *testing.T) {
	t.Parallel()
	got := RecordsOf([]evidence.Resource{
		{Type: ManualType, ID: "pentest-2026.yaml", Name: "Pen test", Attributes: map[string]any{
			"title": "External penetration test 2026", "attested_by": "Lena Probe (CTO)",
			"performed_at": "2026-06-27T00:00:00Z", "valid_until": "2027-06-27"}},
		{Type: "aws.s3.bucket", ID: "arn:aws:s3:::b", Attributes: map[string]any{"attested_by": "nobody"}},
	})
	want := testRecords()
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("records (-want +got):\n%s", diff)
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

// TestManyAttestationsSummed checks that a measure resting on more than
// maxListedAttestations records sums them up: count, people, the dates
// they were made between and the earliest expiry.
func TestManyAttestationsSummed(t *testing.T) {
	t.Parallel()
	var findings []controls.Finding
	records := map[string]Record{}
	for i := range 5 {
		id := fmt.Sprintf("rec-%d.yaml", i)
		findings = append(findings, controls.Finding{ResourceRef: &controls.ResourceRef{Resource: id, Name: id}, Outcome: controls.Pass})
		records[id] = Record{By: []string{"Ada", "Bob"}[i%2], At: time.Date(2026, time.Month(i+1), 1, 0, 0, 0, 0, time.UTC),
			ValidUntil: time.Date(2027, time.Month(12-i), 1, 0, 0, 0, 0, time.UTC)}
	}
	res := &controls.Results{EvaluatedAt: evaluatedAt, Controls: []controls.ControlResult{{ID: "P", Title: "Proof", Outcome: controls.Pass, TOMCategory: "input",
		Evidence: []controls.RequirementResult{{Type: ManualType, Outcome: controls.Pass, Findings: findings}}}}}
	d, err := Build(&controls.Library{}, res, Input{Lang: "en", Company: Company{Name: "X"}, Records: records})
	if err != nil {
		t.Fatal(err)
	}
	m := d.Measures[0]
	if got, want := d.StatusText(m), "In place: attested in 5 records by Ada; Bob between 1 January 2026 and 1 May 2026, valid until 1 August 2027"; got != want {
		t.Errorf("status = %q, want %q", got, want)
	}
	if got, want := d.StatusTextWithoutNames(m), "In place: attested in 5 records between 1 January 2026 and 1 May 2026, valid until 1 August 2027"; got != want {
		t.Errorf("status without names = %q, want %q", got, want)
	}
}
