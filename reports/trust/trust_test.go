package trust

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"flag"
	"html"
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
			Manual: []controls.ManualResult{{Kind: "training", Outcome: controls.Pass, AttestedBy: "Jürgen Weiß", ValidUntil: "2027-01-15T00:00:00Z",
				Reason: "training performed 2026-01-15, attested by Jürgen Weiß, valid until 2027-01-15"}}},
		{ID: "TLS-001", Outcome: controls.Pass, TOMCategory: "transfer",
			Evidence: []controls.RequirementResult{{Type: "tls.endpoint", Outcome: controls.Pass, Counts: controls.Counts{Resources: 2, Pass: 2}}}},
	}}
	d, err := toms.Build(lib, res, toms.Input{
		Lang: lang, OmitNotInPlace: omit,
		Company: toms.Company{Name: "Beispiel & Co. GmbH", Contact: "privacy@example.com", DPO: "Dr. Anna Groß",
			Certifications: []toms.Certification{{Name: "ISO/IEC 27001:2022", Issuer: "Prüfstelle Süd", ValidUntil: "2028-05-31", URL: "https://example.com/iso"}}},
		Subprocessors: []subprocessors.Subprocessor{
			{Name: "Amazon Web Services EMEA SARL", Purpose: "Hosting", Service: "S3, RDS", Location: subprocessors.EU, TransferMechanism: "none"},
			{Name: "GitHub, Inc.", Purpose: "Code hosting", Service: "GitHub", Location: subprocessors.US, TransferMechanism: "SCCs <2021/914>"},
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
		opts Options
	}{{"en", "en", Options{}}, {"de-all", "de", Options{ShowNotVerified: true, ShowNames: true}}} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var buf bytes.Buffer
			if err := Render(&buf, document(t, tt.lang, false), downloads, tt.opts); err != nil {
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
	if err := Render(&buf, document(t, "de", false), nil, Options{ShowNotVerified: true}); err != nil {
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
		"Weitergabekontrolle", "automatisch geprüft am 23. November 2026 (tls.endpoint, 2 geprüft)",
		"Nicht nachgewiesen", "SCCs &lt;2021/914&gt;", "Zuletzt geprüft",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
}

func TestWriteNeedsDownloads(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	err := Write(dir, document(t, "en", false), []Download{{Title: "TOMs", File: "missing.pdf"}}, Options{})
	if err == nil || !strings.Contains(err.Error(), "missing.pdf") {
		t.Errorf("Write = %v, want an error naming the missing download", err)
	}
}

// render renders doc's page with opts.
func render(t *testing.T, doc *toms.Document, opts Options) string {
	t.Helper()
	var buf bytes.Buffer
	if err := Render(&buf, doc, nil, opts); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

// TestRenderDefaults checks that by default the page lists only measures
// in place and names nobody, and that the options opt in to both.
func TestRenderDefaults(t *testing.T) {
	t.Parallel()
	for _, lang := range toms.Languages {
		doc := document(t, lang, false)
		notVerified := doc.Text.Status.NotVerified
		failing := map[string]string{"en": "Databases are backed up daily.", "de": "Datenbanken werden täglich gesichert."}[lang]
		names := []string{"Jürgen Weiß", "Anna Groß"}
		page := render(t, doc, Options{})
		for _, bad := range append([]string{notVerified, failing}, names...) {
			if strings.Contains(page, bad) {
				t.Errorf("%s: default page has %q", lang, bad)
			}
		}
		if !strings.Contains(page, fill(doc.Text.Status.On, "date", doc.Text.Date(time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC)))) {
			t.Errorf("%s: default page does not say when the training was attested", lang)
		}
		all := render(t, doc, Options{ShowNotVerified: true, ShowNames: true})
		for _, want := range append([]string{notVerified, failing}, names...) {
			if !strings.Contains(all, want) {
				t.Errorf("%s: page with every option lacks %q", lang, want)
			}
		}
	}
}

// TestRenderDistinctStatements checks that a statement several controls
// share is one line, in place only when all of them pass.
func TestRenderDistinctStatements(t *testing.T) {
	t.Parallel()
	same := func(id string, o controls.Outcome) controls.ControlResult {
		return controls.ControlResult{ID: id, Outcome: o, TOMCategory: "transfer",
			Statement: &controls.Statement{EN: "Data is encrypted in transit.", DE: "Daten werden verschlüsselt übertragen."},
			Evidence:  []controls.RequirementResult{{Type: "tls.endpoint", Outcome: o, Counts: controls.Counts{Resources: 1}}}}
	}
	other := func(id string, o controls.Outcome) controls.ControlResult {
		r := same(id, o)
		r.TOMCategory = "availability"
		r.Statement = &controls.Statement{EN: "Backups are kept for 35 days.", DE: "Sicherungen bleiben 35 Tage."}
		return r
	}
	res := &controls.Results{Schema: controls.ResultsSchema, EvaluatedAt: time.Date(2026, 11, 23, 9, 30, 0, 0, time.UTC), Controls: []controls.ControlResult{
		same("A-1", controls.Pass), same("A-2", controls.Pass), same("A-3", controls.Pass),
		other("B-1", controls.Pass), other("B-2", controls.Fail),
	}}
	doc, err := toms.Build(&controls.Library{}, res, toms.Input{Lang: "en", Company: toms.Company{Name: "X"}})
	if err != nil {
		t.Fatal(err)
	}
	page := render(t, doc, Options{})
	if n := strings.Count(page, "Data is encrypted in transit."); n != 1 {
		t.Errorf("the shared statement appears %d times, want once", n)
	}
	if strings.Contains(page, "Backups are kept") {
		t.Error("a statement with a failing control behind it is shown in place")
	}
	all := render(t, doc, Options{ShowNotVerified: true})
	if n := strings.Count(all, "Backups are kept for 35 days."); n != 1 {
		t.Errorf("with --show-not-verified the partly failing statement appears %d times, want once", n)
	}
	if !regexp.MustCompile(`badge gap">–</span>Backups are kept for 35 days.<span class="how">Not verified</span>`).MatchString(all) {
		t.Error("the partly failing statement is not marked not verified")
	}
}

// TestRenderCSP checks the page's Content-Security-Policy: no script may
// run, nothing may load, and the one inline stylesheet is allowed by its
// hash and nothing else.
func TestRenderCSP(t *testing.T) {
	t.Parallel()
	page := render(t, document(t, "en", false), Options{ShowNotVerified: true})
	m := regexp.MustCompile(`<meta http-equiv="Content-Security-Policy" content="([^"]+)">`).FindStringSubmatch(page)
	if m == nil {
		t.Fatal("no Content-Security-Policy meta tag")
	}
	csp := html.UnescapeString(m[1])
	styles := regexp.MustCompile(`(?s)<style>(.*?)</style>`).FindAllStringSubmatch(page, -1)
	if len(styles) != 1 {
		t.Fatalf("%d inline stylesheets, want 1", len(styles))
	}
	sum := sha256.Sum256([]byte(styles[0][1]))
	if want := "style-src 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"; !strings.Contains(csp, want) {
		t.Errorf("CSP %q does not allow the stylesheet by its hash (%s)", csp, want)
	}
	for _, want := range []string{"default-src 'none'", "base-uri 'none'", "form-action 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	for _, bad := range []string{"unsafe-inline", "unsafe-eval", "script-src", "*"} {
		if strings.Contains(csp, bad) {
			t.Errorf("CSP %q has %q", csp, bad)
		}
	}
	if regexp.MustCompile(`(?i)\sstyle=|\son[a-z]+=`).MatchString(page) {
		t.Error("the page has inline style or event handler attributes, which the CSP blocks")
	}
}
