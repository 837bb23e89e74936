package toms

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/attestdev/attest/subprocessors"
)

func TestRegisterRow(t *testing.T) {
	t.Parallel()
	en, err := LoadText("en")
	if err != nil {
		t.Fatal(err)
	}
	de, err := LoadText("de")
	if err != nil {
		t.Fatal(err)
	}
	mixed := subprocessors.Subprocessor{Locations: []string{"US", "DE"}, Transfer: subprocessors.Transfer{Mechanism: subprocessors.SCC, SCCModule: 3},
		DPASigned: "2025-02-14", Review: subprocessors.Review{Last: "2026-01-10", Frequency: "annually"},
		Certifications: []subprocessors.Certification{{Name: "ISO/IEC 27001", ValidUntil: "2027-05-01"}}}
	tests := []struct {
		name string
		t    *Text
		s    subprocessors.Subprocessor
		want RegisterRow
	}{
		{"EU and US", en, mixed, RegisterRow{Location: "EU, USA (US, DE)", Transfer: "SCCs 2021/914, module 3", DPA: "14 February 2025",
			Review: "10 January 2026", Certifications: []string{"ISO/IEC 27001 (until 1 May 2027)"}}},
		{"German", de, mixed, RegisterRow{Location: "EU, USA (US, DE)", Transfer: "Standardvertragsklauseln 2021/914, Modul 3", DPA: "14. Februar 2025",
			Review: "10. Januar 2026", Certifications: []string{"ISO/IEC 27001 (bis 1. Mai 2027)"}}},
		{"nothing recorded", en, subprocessors.Subprocessor{Locations: []string{"IN"}},
			RegisterRow{Location: "Other (IN)", Transfer: "–", DPA: "–", Review: "–", Certifications: []string{"–"}}},
		{"mechanism none", en, subprocessors.Subprocessor{Locations: []string{"EEA"}, Transfer: subprocessors.Transfer{Mechanism: subprocessors.None}},
			RegisterRow{Location: "EU (EEA)", Transfer: "None", DPA: "–", Review: "–", Certifications: []string{"–"}}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, tt.t.RegisterRow(tt.s)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, diff)
		}
	}
}
