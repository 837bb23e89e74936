package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/attestdev/attest/controls"
	"github.com/attestdev/attest/reports/pdfverify"
	"github.com/attestdev/attest/reports/toms/tomstest"
)

// docFixture writes results.json (TLS-001 passing, TLS-002 failing), a
// company file, a subprocessor register and a signing identity into dir
// and returns the flags that name them.
func docFixture(t *testing.T, dir string) []string {
	t.Helper()
	res := &controls.Results{Schema: controls.ResultsSchema, EvaluatedAt: time.Date(2026, 11, 23, 9, 30, 0, 0, time.UTC),
		Controls: []controls.ControlResult{
			{ID: "TLS-001", Outcome: controls.Pass, TOMCategory: "transfer", Mappings: controls.Mappings{GDPR: []string{"Art.32(1)(a)"}},
				Evidence: []controls.RequirementResult{{Type: "tls.endpoint", Outcome: controls.Pass, Counts: controls.Counts{Resources: 2, Pass: 2}}}},
			{ID: "TLS-002", Outcome: controls.Fail, TOMCategory: "transfer", Mappings: controls.Mappings{GDPR: []string{"Art.32(1)(a)"}},
				Evidence: []controls.RequirementResult{{Type: "tls.endpoint", Outcome: controls.Fail}}},
		}}
	if err := res.WriteFile(filepath.Join(dir, "results.json")); err != nil {
		t.Fatal(err)
	}
	files := map[string]string{
		"company.yaml":       "name: Beispiel GmbH\naddress: [Hauptstraße 5, 10115 Berlin]\ncontact: datenschutz@example.com\n",
		"subprocessors.yaml": "subprocessors:\n  - name: GitHub, Inc.\n    purpose: Code hosting\n    service: GitHub\n    location: US\n    transfer_mechanism: SCCs\n",
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	id := tomstest.NewIdentity(t, dir)
	return []string{
		"--results", filepath.Join(dir, "results.json"),
		"--company", filepath.Join(dir, "company.yaml"),
		"--subprocessors", filepath.Join(dir, "subprocessors.yaml"),
		"--sign-key", id.KeyFile, "--sign-cert", id.CertFile,
		"--log-level", "warn",
	}
}

func TestTOMsCommand(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	flags := docFixture(t, dir)
	out := filepath.Join(dir, "toms-de.pdf")
	code, stdout, stderr := attest(t, append([]string{"toms", "--lang", "de", "--out", out}, flags...)...)
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	if want := out + ": signed, 1 measures in place (1 verified, 0 attested), 1 not verified, evidence of 2026-11-23"; !strings.Contains(stdout, want) {
		t.Errorf("stdout = %q, want %q", stdout, want)
	}
	var report bytes.Buffer
	if err := pdfverify.Verify(t.Context(), out, &report); err != nil {
		t.Errorf("the signed PDF does not verify: %v\n%s", err, report.String())
	}

	dpa := filepath.Join(dir, "dpa.pdf")
	if code, _, stderr := attest(t, append([]string{"dpa", "--out", dpa, "--customer", "Kunde AG"}, flags...)...); code != 0 {
		t.Fatalf("dpa: exit %d\n%s", code, stderr)
	}
	if err := pdfverify.Verify(t.Context(), dpa, &report); err != nil {
		t.Errorf("the signed DPA does not verify: %v", err)
	}
}

func TestTrustCommand(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	site := filepath.Join(dir, "site")
	flags := docFixture(t, dir)
	code, stdout, stderr := attest(t, append([]string{"trust", "--out", site}, flags...)...)
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	if !strings.Contains(stdout, "index.html and 4 documents") {
		t.Errorf("stdout = %q", stdout)
	}
	index, err := os.ReadFile(filepath.Join(site, "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"toms-en.pdf", "toms-de.pdf", "dpa-en.pdf", "dpa-de.pdf"} {
		if !strings.Contains(string(index), `href="`+f+`"`) {
			t.Errorf("index.html does not link %s", f)
		}
		if err := pdfverify.Verify(t.Context(), filepath.Join(site, f), &bytes.Buffer{}); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
	if strings.Contains(string(index), "Not verified") || strings.Contains(string(index), "TLS-002") {
		t.Error("the default page lists a measure that is not verified")
	}
	all := filepath.Join(dir, "all")
	if code, _, stderr := attest(t, append([]string{"trust", "--out", all, "--show-not-verified", "--show-names"}, flags...)...); code != 0 {
		t.Fatalf("--show-not-verified: exit %d\n%s", code, stderr)
	}
	index, err = os.ReadFile(filepath.Join(all, "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(index), `<span class="how">Not verified</span>`) {
		t.Error("--show-not-verified does not list the measure that is not verified")
	}
}

func TestTOMsCommandUsage(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"toms", "--lang", "fr"},
		{"toms"},
		{"dpa", "--company", "x.yaml"},
	} {
		if code, _, _ := attest(t, args...); code != 2 {
			t.Errorf("attest %v: exit %d, want 2", args, code)
		}
	}
}
