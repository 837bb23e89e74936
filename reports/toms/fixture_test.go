package toms

import (
	"fmt"
	"time"

	"github.com/attestdev/attest/controls"
	"github.com/attestdev/attest/subprocessors"
)

// evaluatedAt is the fixed evidence date of the test results.
var evaluatedAt = time.Date(2026, 11, 23, 9, 30, 0, 0, time.UTC)

// fixture returns a library and results with one measure of each status:
// TLS-001 verified, ORG-001 attested (manual requirements), PEN-001
// attested (a manual.evidence record), BAK-001 failed, DEV-001 needing an
// attestation nobody made, and TLS-003 not applicable.
func fixture() (*controls.Library, *controls.Results) {
	ctl := func(id, cat string, gdpr []string, en, de string) *controls.Control {
		return &controls.Control{ID: id, Title: "Title of " + id, Mappings: controls.Mappings{GDPR: gdpr},
			TOM: controls.TOM{Category: cat, Statement: controls.Statement{EN: en, DE: de}}}
	}
	lib := &controls.Library{Controls: []*controls.Control{
		ctl("BAK-001", "availability", []string{"Art.32(1)(b)", "Art.32(1)(c)"},
			"Databases are backed up daily and the backups are kept for 35 days.",
			"Datenbanken werden täglich gesichert; die Sicherungen werden 35 Tage aufbewahrt."),
		ctl("DEV-001", "input", []string{"Art.32(1)(d)"},
			"Changes to production code are reviewed by a second person.",
			"Änderungen am Produktivcode prüft eine zweite Person."),
		ctl("ORG-001", "system-access", []string{"Art.32(1)(b)"},
			"Employees sign a confidentiality agreement and complete security training every year.",
			"Beschäftigte verpflichten sich schriftlich zur Vertraulichkeit und werden jährlich geschult."),
		ctl("TLS-001", "transfer", []string{"Art.32(1)(a)"},
			"Connections to our services are encrypted with TLS 1.2 or newer.",
			"Verbindungen zu unseren Diensten werden mit TLS 1.2 oder neuer verschlüsselt; ältere Protokollversionen werden abgelehnt."),
		ctl("TLS-003", "transfer", []string{"Art.32(1)(a)"}, "HSTS is sent.", "HSTS wird gesendet."),
		ctl("PEN-001", "input", []string{"Art.32(1)(d)"},
			"An external penetration test is carried out every year.",
			"Jedes Jahr führt ein externer Dienstleister einen Penetrationstest durch."),
	}}
	res := &controls.Results{
		Schema:      controls.ResultsSchema,
		EvaluatedAt: evaluatedAt,
		Controls: []controls.ControlResult{
			{ID: "BAK-001", Outcome: controls.Fail, TOMCategory: "availability", Mappings: lib.Controls[0].Mappings,
				Evidence: []controls.RequirementResult{{Type: "aws.rds.instance", Outcome: controls.Fail, Counts: controls.Counts{Resources: 3, Fail: 1, Pass: 2}}}},
			{ID: "DEV-001", Outcome: controls.ManualOutcome, TOMCategory: "input", Mappings: lib.Controls[1].Mappings,
				Manual: []controls.ManualResult{{Kind: "code-review-policy", Outcome: controls.ManualOutcome}}},
			{ID: "ORG-001", Outcome: controls.Pass, TOMCategory: "system-access", Mappings: lib.Controls[2].Mappings,
				Manual: []controls.ManualResult{
					{Kind: "nda", Outcome: controls.Pass, AttestedBy: "Jürgen Weiß (HR)", ValidUntil: "2027-03-31T00:00:00Z",
						Reason: "nda performed 2026-03-31, attested by Jürgen Weiß (HR), valid until 2027-03-31"},
					{Kind: "training", Outcome: controls.Pass, AttestedBy: "Jürgen Weiß (HR)", ValidUntil: "2027-01-15T00:00:00Z",
						Reason: "training performed 2026-01-15, attested by Jürgen Weiß (HR), valid until 2027-01-15"},
				}},
			{ID: "TLS-001", Outcome: controls.Pass, TOMCategory: "transfer", Mappings: lib.Controls[3].Mappings,
				Evidence: []controls.RequirementResult{{Type: "tls.endpoint", Outcome: controls.Pass, Counts: controls.Counts{Resources: 2, Pass: 2}}}},
			{ID: "TLS-003", Outcome: controls.NotApplicable, TOMCategory: "transfer", Mappings: lib.Controls[4].Mappings},
			{ID: "PEN-001", Outcome: controls.Pass, TOMCategory: "input", Mappings: lib.Controls[5].Mappings,
				Evidence: []controls.RequirementResult{{Type: ManualType, Outcome: controls.Pass, Counts: controls.Counts{Resources: 4, Filtered: 3, Pass: 1},
					Findings: []controls.Finding{{ResourceRef: &controls.ResourceRef{Resource: "pentest-2026.yaml", Name: "External penetration test 2026"}, Outcome: controls.Pass}}}}},
		},
	}
	return lib, res
}

// testRecords are the manual evidence records of the fixture's bundle.
func testRecords() map[string]Record {
	return map[string]Record{
		"pentest-2026.yaml": {Title: "External penetration test 2026", By: "Lena Probe (CTO)",
			At: time.Date(2026, 6, 27, 0, 0, 0, 0, time.UTC), ValidUntil: time.Date(2027, 6, 27, 0, 0, 0, 0, time.UTC)},
	}
}

// testCompany is the issuing company of the test documents.
func testCompany() Company {
	return Company{
		Name:    "Müller & Söhne Datenverarbeitung GmbH",
		Address: []string{"Große Straße 1", "80331 München", "Deutschland"},
		Contact: "datenschutz@example.com",
		DPO:     "Dr. Anna Groß",
		Website: "https://example.com",
		Certifications: []Certification{
			{Name: "ISO/IEC 27001:2022", Issuer: "Zertifizierungsstelle Süd", ValidUntil: "2028-05-31", URL: "https://example.com/iso.pdf"},
			{Name: "Expired seal", Issuer: "Nobody", ValidUntil: "2020-01-01"},
		},
		Revisions: []Revision{
			{Version: "1.0", Date: "2026-01-15", Changes: "First edition"},
			{Version: "1.1", Date: "2026-11-20", Changes: "Evidence from attest; subprocessor register added"},
		},
	}
}

// testSubprocessors is a register of n subprocessors.
func testSubprocessors(n int) []subprocessors.Subprocessor {
	base := []subprocessors.Subprocessor{
		{Name: "Amazon Web Services EMEA SARL", Purpose: "Hosting", Service: "EC2, S3, RDS in eu-central-1", Location: subprocessors.EU, TransferMechanism: "none", DPASigned: "2025-03-01"},
		{Name: "GitHub, Inc.", Purpose: "Source code hosting", Service: "GitHub Enterprise Cloud", Location: subprocessors.US, TransferMechanism: "EU-US Data Privacy Framework, SCCs", DPASigned: "2025-01-10"},
	}
	if n <= len(base) {
		return base[:n]
	}
	out := base
	for i := len(base); i < n; i++ {
		out = append(out, subprocessors.Subprocessor{Name: fmt.Sprintf("Vendor %03d Größenordnung AG", i), Purpose: "Support tickets and e-mail",
			Service: "Helpdesk", Location: subprocessors.Other, TransferMechanism: "SCCs", DPASigned: "2025-06-30"})
	}
	return out
}
