package toms

import (
	"encoding/xml"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/attestdev/attest/controls"
)

// bboxPage is a page of `pdftotext -bbox` output: its size and words, in
// points.
type bboxPage struct {
	Width  float64    `xml:"width,attr"`
	Height float64    `xml:"height,attr"`
	Words  []bboxWord `xml:"word"`
}

type bboxWord struct {
	XMin float64 `xml:"xMin,attr"`
	YMin float64 `xml:"yMin,attr"`
	XMax float64 `xml:"xMax,attr"`
	YMax float64 `xml:"yMax,attr"`
	Text string  `xml:",chardata"`
}

// bboxPages runs `pdftotext -bbox` on pdf, or skips the test.
func bboxPages(t *testing.T, pdf []byte) []bboxPage {
	t.Helper()
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("pdftotext not installed (Debian package poppler-utils): skipping the layout check")
	}
	path := filepath.Join(t.TempDir(), "doc.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-bbox", "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext -bbox: %v", err)
	}
	var doc struct {
		Pages []bboxPage `xml:"body>doc>page"`
	}
	if err := xml.Unmarshal(out, &doc); err != nil {
		t.Fatalf("parse pdftotext -bbox output: %v", err)
	}
	return doc.Pages
}

const ptPerMM = 72 / 25.4

// longDocument is the test document with a long German legal name, long
// control ids and enough measures to span pages.
func longDocument(t *testing.T, lang string) *Document {
	t.Helper()
	lib, res := fixture()
	for i := range 40 {
		id := fmt.Sprintf("AWS-IAM-%03d", i)
		if i%10 == 9 {
			id = fmt.Sprintf("ORG-TESTDATA-%03d", i)
		}
		lib.Controls = append(lib.Controls, &controls.Control{ID: id, TOM: controls.TOM{Category: "system-access",
			Statement: controls.Statement{EN: "Access keys of IAM users are rotated at least every 90 days.", DE: "Zugriffsschlüssel von IAM-Benutzern werden spätestens alle 90 Tage erneuert."}}})
		res.Controls = append(res.Controls, controls.ControlResult{ID: id, Outcome: controls.Pass, TOMCategory: "system-access",
			Mappings: controls.Mappings{GDPR: []string{"Art.32(1)(b)"}},
			Evidence: []controls.RequirementResult{{Type: "aws.iam.user", Outcome: controls.Pass, Counts: controls.Counts{Resources: 12, Pass: 12}}}})
	}
	c := testCompany()
	c.Name = "Müller & Söhne Gesellschaft für Datenverarbeitung, Cloud-Betrieb und IT-Sicherheitsberatung mbH & Co. KG"
	d, err := Build(lib, res, Input{Lang: lang, Company: c, Subprocessors: testSubprocessors(2), Producer: "attest test", Records: testRecords()})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestLayout checks the rendered TOMs and DPA with poppler's word boxes:
// control ids stay whole on one line inside their column, the footer never
// reaches the page number, and no page but the last of a chapter run ends
// half empty.
func TestLayout(t *testing.T) {
	t.Parallel()
	for _, lang := range Languages {
		for _, kind := range []string{"toms", "dpa"} {
			t.Run(kind+"-"+lang, func(t *testing.T) {
				t.Parallel()
				d := longDocument(t, lang)
				render := func() ([]byte, error) { return RenderTOMs(d) }
				if kind == "dpa" {
					render = func() ([]byte, error) { return RenderDPA(d, "") }
				}
				pdf, err := render()
				if err != nil {
					t.Fatal(err)
				}
				pages := bboxPages(t, pdf)
				checkIDs(t, d, pages)
				checkFooters(t, d, pages)
				if kind == "toms" {
					checkFill(t, pages)
				}
			})
		}
	}
}

// checkIDs wants every control id as one word, left of the measure column.
func checkIDs(t *testing.T, d *Document, pages []bboxPage) {
	t.Helper()
	seen := map[string]bool{}
	for _, p := range pages {
		for _, w := range p.Words {
			for _, m := range d.Measures {
				id := m.ControlID
				if w.Text == id {
					seen[id] = true
					if limit := (margin + maxIDWidth) * ptPerMM; w.XMax > limit {
						t.Errorf("control id %s ends at %.1fpt, beyond its column (%.1fpt)", id, w.XMax, limit)
					}
				} else if len(w.Text) >= 4 && w.Text != id && strings.HasPrefix(id, w.Text) && w.XMin < (margin+maxIDWidth)*ptPerMM {
					t.Errorf("control id %s is broken: the id column has the word %q", id, w.Text)
				}
			}
		}
	}
	for _, m := range d.Measures {
		if !seen[m.ControlID] {
			t.Errorf("control id %s never appears as one word", m.ControlID)
		}
	}
}

// checkFooters wants the footer text of every page but the cover to end
// at least footerGap before the page number box starts.
func checkFooters(t *testing.T, d *Document, pages []bboxPage) {
	t.Helper()
	for i, p := range pages[1:] {
		n := i + 2
		footerTop := p.Height - (margin+1)*ptPerMM
		var footer []bboxWord
		label := -1
		for _, w := range p.Words {
			if w.YMin < footerTop {
				continue
			}
			if w.Text == d.Text.Page && label < 0 {
				label = len(footer)
			}
			footer = append(footer, w)
		}
		if label < 0 {
			t.Errorf("page %d: no page number in the footer", n)
			continue
		}
		if got := footer[len(footer)-1].Text; got != fmt.Sprint(len(pages)) {
			t.Errorf("page %d: footer ends with %q, want the page count %d", n, got, len(pages))
		}
		if label == 0 {
			t.Errorf("page %d: the footer has no text before the page number", n)
			continue
		}
		if gap := footer[label].XMin - footer[label-1].XMax; gap < footerGap*ptPerMM/2 {
			t.Errorf("page %d: footer text %q ends %.1fpt before the page number: it overprints or touches it", n, footer[label-1].Text, gap)
		}
		if right := footer[len(footer)-1].XMax; right > p.Width-margin*ptPerMM+1 {
			t.Errorf("page %d: footer runs into the right margin (%.1fpt)", n, right)
		}
	}
}

// checkFill wants every page after the contents, but the last, filled to
// at least 70% of the body height: chapters continue on the page before.
func checkFill(t *testing.T, pages []bboxPage) {
	t.Helper()
	for i := 2; i < len(pages)-1; i++ {
		p := pages[i]
		footerTop := p.Height - (margin+1)*ptPerMM
		bottom := 0.0
		for _, w := range p.Words {
			if w.YMax < footerTop {
				bottom = max(bottom, w.YMax)
			}
		}
		body := p.Height - 2*margin*ptPerMM
		if filled := (bottom - margin*ptPerMM) / body; filled < 0.7 {
			t.Errorf("page %d is only %.0f%% filled, and the document goes on", i+1, 100*filled)
		}
	}
}
