package toms

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// pdftotext extracts the text of a PDF with poppler, in content order so
// that a table cell's lines stay together, or skips the test.
func pdftotext(t *testing.T, pdf []byte) string {
	t.Helper()
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("pdftotext not installed (Debian package poppler-utils): skipping the PDF text check")
	}
	path := filepath.Join(t.TempDir(), "doc.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-raw", "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(out)
}

func buildTest(t *testing.T, lang string, omit bool) *Document {
	t.Helper()
	lib, res := fixture()
	d, err := Build(lib, res, Input{Lang: lang, Company: testCompany(), Subprocessors: testSubprocessors(2), OmitNotInPlace: omit, Producer: "attest test", Records: testRecords()})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestRenderTOMsText(t *testing.T) {
	t.Parallel()
	tests := []struct {
		lang      string
		omit      bool
		want      []string
		wantNot   []string
		writeTest string
	}{
		{
			lang: "en",
			want: []string{
				"Technical and Organisational Measures", "Müller & Söhne Datenverarbeitung GmbH",
				"Evidence date", "23 November 2026", "Valid until", "15 January 2027",
				"Contents", "Security of processing (Art. 32(1) GDPR)", "(a) Pseudonymisation and encryption",
				"Transfer control", "Availability control",
				"In place: verified automatically on 23 November 2026 (tls.endpoint, 2 checked)",
				"In place: attested by Jürgen Weiß (HR) on 31 March 2026, valid until 31 March 2027; by Jürgen Weiß (HR) on 15 January 2026, valid until 15 January 2027",
				"In place: attested by Lena Probe (CTO) on 27 June 2026, valid until 27 June 2027",
				"Objective: encryption of personal data in transit and at rest",
				"Every measure listed here is in place: 1 verified automatically.",
				"None of the measures listed here could be verified or attested on the evidence date: this document makes no claim that the objective is met.",
				"1 of the 2 measures listed here are in place: 1 attested. The others are not claimed.",
				"Not verified", "Databases are backed up daily",
				"Amazon Web Services EMEA SARL", "GitHub, Inc.", "USA", "EU-US Data Privacy Framework, SCCs",
				"ISO/IEC 27001:2022", "Zertifizierungsstelle Süd", "31 May 2028",
				"Revision history", "First edition", "Generated from the evidence of 23 November 2026.",
				"1 measures verified automatically, 2 attested, 2 not verified",
			},
			wantNot: []string{"Expired seal", "HSTS is sent", "verified automatically on 23 November 2026 (manual.evidence"},
		},
		{
			lang: "de",
			want: []string{
				"Technische und organisatorische Maßnahmen", "Sicherheit der Verarbeitung nach Art. 32 DSGVO",
				"Stand der Nachweise", "23. November 2026", "Gültig bis", "15. Januar 2027",
				"Inhalt", "a) Pseudonymisierung und Verschlüsselung", "Weitergabekontrolle", "Verfügbarkeitskontrolle",
				"Umgesetzt: automatisch geprüft am 23. November 2026 (tls.endpoint, 2 geprüft)",
				"Umgesetzt: bestätigt von Jürgen Weiß (HR) am 31. März 2026, gültig bis 31. März 2027; von Jürgen Weiß (HR) am 15. Januar 2026, gültig bis 15. Januar 2027",
				"Umgesetzt: bestätigt von Lena Probe (CTO) am 27. Juni 2026, gültig bis 27. Juni 2027",
				"Ziel: Verschlüsselung personenbezogener Daten",
				"Keine der hier aufgeführten Maßnahmen ließ sich am Stichtag prüfen oder bestätigen",
				"Nicht nachgewiesen", "ältere Protokollversionen werden abgelehnt",
				"Unterauftragsverarbeiter", "Übermittlungsgrundlage", "Änderungshistorie",
				"„Automatisch geprüft“", "Große Straße 1",
			},
			wantNot: []string{"Expired seal"},
		},
		{
			lang:    "de",
			omit:    true,
			want:    []string{"2 Maßnahmen, die sich am Stichtag nicht nachweisen ließen, sind nicht aufgeführt.", "In diesem Bereich ließ sich am Stichtag keine Maßnahme nachweisen."},
			wantNot: []string{"\nNicht nachgewiesen\n", "Datenbanken werden täglich gesichert", "Änderungen am Produktivcode"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.lang, func(t *testing.T) {
			t.Parallel()
			pdf, err := RenderTOMs(buildTest(t, tt.lang, tt.omit))
			if err != nil {
				t.Fatal(err)
			}
			text := pdftotext(t, pdf)
			flat := strings.Join(strings.Fields(text), " ")
			for _, w := range tt.want {
				if !strings.Contains(flat, strings.Join(strings.Fields(w), " ")) {
					t.Errorf("PDF text lacks %q", w)
				}
			}
			for _, w := range tt.wantNot {
				if strings.Contains(text, w) {
					t.Errorf("PDF text has %q", w)
				}
			}
			if t.Failed() {
				t.Logf("PDF text:\n%s", text)
			}
		})
	}
}

func TestRenderTOMsDeterministic(t *testing.T) {
	t.Parallel()
	a, err := RenderTOMs(buildTest(t, "en", false))
	if err != nil {
		t.Fatal(err)
	}
	b, err := RenderTOMs(buildTest(t, "en", false))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Error("two renderings of the same document differ")
	}
	if !bytes.Contains(a, []byte("/CreationDate (D:20261123093000")) {
		t.Error("creation date is not the evidence date")
	}
}
