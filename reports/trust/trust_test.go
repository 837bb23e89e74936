package trust

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/attestdev/attest/controls"
	"github.com/attestdev/attest/reports/toms"
	"github.com/attestdev/attest/subprocessors"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// document builds a TOMs document with one verified, one attested and one
// failed measure.
func document(t *testing.T, lang string, omit bool) *toms.Document {
	t.Helper()
	ctl := func(id, cat, en, de string) *controls.Control {
		return &controls.Control{ID: id, TOM: controls.TOM{Category: cat, Statement: controls.Statement{EN: en, DE: de}}}
	}
	lib := &controls.Library{Controls: []*controls.Control{
		ctl("BAK-001", "availability", "Databases are backed up daily.", "Datenbanken werden täglich gesichert."),
		ctl("ORG-001", "system-access", "Employees complete security training every year.", "Beschäftigte werden jährlich geschult."),
		ctl("TLS-001", "transfer", "Connections are encrypted with TLS 1.2 or newer.", "Verbindungen werden mit TLS 1.2 oder neuer verschlüsselt."),
	}}
	res := &controls.Results{Schema: controls.ResultsSchema, EvaluatedAt: time.Date(2026, 11, 23, 9, 30, 0, 0, time.UTC), Controls: []controls.ControlResult{
		{ID: "BAK-001", Outcome: controls.Fail, TOMCategory: "availability",
			Evidence: []controls.RequirementResult{{Type: "aws.rds.instance", Outcome: controls.Fail}}},
		{ID: "ORG-001", Outcome: controls.Pass, TOMCategory: "system-access",
			Manual: []controls.ManualResult{{Kind: "training", Outcome: controls.Pass, AttestedBy: "Jürgen Weiß", ValidUntil: "2027-01-15T00:00:00Z"}}},
		{ID: "TLS-001", Outcome: controls.Pass, TOMCategory: "transfer",
			Evidence: []controls.RequirementResult{{Type: "tls.endpoint", Outcome: controls.Pass, Counts: controls.Counts{Resources: 2, Pass: 2}}}},
	}}
	d, err := toms.Build(lib, res, toms.Input{
		Lang: lang, OmitNotInPlace: omit,
		Company: toms.Company{Name: "Beispiel & Co. GmbH", Contact: "privacy@example.com", DPO: "Dr. Anna Groß",
			Certifications: []toms.Certification{{Name: "ISO/IEC 27001:2022", Issuer: "Prüfstelle Süd", ValidUntil: "2028-05-31", URL: "https://example.com/iso"}}},
		Subprocessors: []subprocessors.Subprocessor{
			{Name: "Amazon Web Services EMEA SARL", Purpose: "Hosting", Services: []string{"S3", "RDS"}, Locations: []string{"EEA"},
				Review: subprocessors.Review{Last: "2026-02-15", Frequency: "annually"}, Certifications: []subprocessors.Certification{{Name: "ISO/IEC 27001 <2022>", ValidUntil: "2027-05-01"}}},
			{Name: "GitHub, Inc.", Purpose: "Code hosting", Services: []string{"GitHub"}, Locations: []string{"US"}, Transfer: subprocessors.Transfer{Mechanism: subprocessors.SCC, SCCModule: 2}},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestRenderGolden(t *testing.T) {
	t.Parallel()
	downloads := []Download{
		{Title: "TOMs", File: "toms-en.pdf", Lang: "en", Signed: true, SHA256: strings.Repeat("ab", 32)},
		{Title: "DPA", File: "dpa-en.pdf", Lang: "en", SHA256: strings.Repeat("cd", 32)},
	}
	for _, tt := range []struct {
		name string
		lang string
		omit bool
	}{{"en", "en", false}, {"de-omit", "de", true}} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var buf bytes.Buffer
			if err := Render(&buf, document(t, tt.lang, tt.omit), downloads); err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", "golden", "TestRender", tt.name+".html")
			if *update {
				if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./reports/trust -update to create it)", err)
			}
			if diff := cmp.Diff(strings.ReplaceAll(string(want), "\r", ""), buf.String()); diff != "" {
				t.Errorf("page differs from %s (-want +got):\n%s", golden, diff)
			}
		})
	}
}

func TestRenderSelfContained(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	if err := Render(&buf, document(t, "de", false), nil); err != nil {
		t.Fatal(err)
	}
	page := buf.String()
	// No scripts, no external stylesheets, images or fonts.
	for _, bad := range []*regexp.Regexp{
		regexp.MustCompile(`(?i)<script`),
		regexp.MustCompile(`(?i)\ssrc=`),
		regexp.MustCompile(`(?i)<link[^>]+stylesheet`),
		regexp.MustCompile(`(?i)url\(`),
		regexp.MustCompile(`(?i)@import`),
	} {
		if loc := bad.FindStringIndex(page); loc != nil {
			t.Errorf("page is not self-contained: %q", page[loc[0]:min(loc[1]+40, len(page))])
		}
	}
	for _, want := range []string{
		`<html lang="de">`, "Sicherheit und Datenschutz bei Beispiel &amp; Co. GmbH",
		"Weitergabekontrolle", "Umgesetzt: automatisch geprüft am 23. November 2026 (tls.endpoint, 2 geprüft)",
		"Nicht nachgewiesen", "Standardvertragsklauseln 2021/914, Modul 2", "ISO/IEC 27001 &lt;2022&gt; (bis 1. Mai 2027)", "Letzte Prüfung", "Zuletzt geprüft",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
}

func TestWriteNeedsDownloads(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	err := Write(dir, document(t, "en", false), []Download{{Title: "TOMs", File: "missing.pdf"}})
	if err == nil || !strings.Contains(err.Error(), "missing.pdf") {
		t.Errorf("Write = %v, want an error naming the missing download", err)
	}
}
