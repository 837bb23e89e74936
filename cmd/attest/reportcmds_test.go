package main

import (
	"bytes"
	"crypto/ed25519"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/attestdev/attest/controls"
)

// runAttest runs the command line in-process and returns its exit code
// and output.
func runAttest(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(t.Context(), args, &out, &errb)
	return code, out.String(), errb.String()
}

// TestReportDiffPackVerify drives the report, diff, check --baseline, pack
// and verify commands on a demo run.
func TestReportDiffPackVerify(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	out := filepath.Join(dir, "run")
	if code, _, stderr := runAttest(t, "demo", "--out-dir", out, "--log-level", "warn", "--report", "md,junit"); code != 1 {
		t.Fatalf("demo exit %d: %s", code, stderr)
	}
	for _, name := range []string{"report.md", "report.junit.xml"} {
		if _, err := os.Stat(filepath.Join(out, name)); err != nil {
			t.Errorf("check --report did not write %s: %v", name, err)
		}
	}
	results := filepath.Join(out, "results.json")
	bundle := filepath.Join(out, "bundle")

	// report: every format renders; an unknown one is a usage error.
	for _, f := range []string{"html", "md", "json", "csv", "junit", "sarif", "oscal"} {
		if code, stdout, stderr := runAttest(t, "report", "-r", results, "-b", bundle, "-f", f); code != 0 || stdout == "" {
			t.Errorf("report -f %s: exit %d, %d bytes: %s", f, code, len(stdout), stderr)
		}
	}
	if code, _, _ := runAttest(t, "report", "-r", results, "-f", "pdf"); code != 2 {
		t.Errorf("report -f pdf: exit %d, want 2", code)
	}
	if code, _, _ := runAttest(t, "demo", "--out-dir", filepath.Join(dir, "x"), "--report", "pdf"); code != 2 {
		t.Errorf("check --report pdf: exit %d, want 2", code)
	}

	// diff: a baseline where TLS-003 passed makes its failure a regression.
	res, err := controls.ReadResults(results)
	if err != nil {
		t.Fatal(err)
	}
	for i := range res.Controls {
		if res.Controls[i].ID == "TLS-003" {
			res.Controls[i].Outcome = controls.Pass
		}
	}
	base := filepath.Join(dir, "baseline.json")
	if err := res.WriteFile(base); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runAttest(t, "diff", base, results, "--fail-on", "medium")
	if code != 1 || !strings.Contains(stdout, "NEW FAILURE") || !strings.Contains(stderr, "TLS-003") {
		t.Errorf("diff --fail-on medium: exit %d\n%s\n%s", code, stdout, stderr)
	}
	if code, _, _ := runAttest(t, "diff", base, results, "--fail-on", "high"); code != 0 {
		t.Errorf("diff --fail-on high: exit %d, want 0 (TLS-003 is medium)", code)
	}
	code, stdout, _ = runAttest(t, "diff", results, results, "--format", "json")
	var d map[string]any
	if code != 0 || json.Unmarshal([]byte(stdout), &d) != nil || len(d["new_failures"].([]any)) != 0 {
		t.Errorf("diff of identical results: exit %d\n%s", code, stdout)
	}

	// check --baseline gates on regressions only: the demo's own failures
	// at or above high are in the baseline, so only new resources count.
	code, stdout, _ = runAttest(t, "demo", "--out-dir", filepath.Join(dir, "again"), "--log-level", "warn", "--baseline", results, "--fail-on", "critical")
	if code != 0 || !strings.Contains(stdout, "CHANGE") {
		t.Errorf("check --baseline --fail-on critical: exit %d\n%s", code, stdout)
	}

	// pack and verify with Ed25519.
	seed := make([]byte, ed25519.SeedSize)
	key := ed25519.NewKeyFromSeed(seed)
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	pubDER, err := x509.MarshalPKIXPublicKey(key.Public())
	if err != nil {
		t.Fatal(err)
	}
	keyPath, pubPath := filepath.Join(dir, "ed.pem"), filepath.Join(dir, "ed.pub")
	if err := os.WriteFile(keyPath, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(pubPath, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER}), 0o644); err != nil {
		t.Fatal(err)
	}
	packPath := filepath.Join(dir, "pack.zip")
	if code, _, stderr := runAttest(t, "pack", "-r", results, "-b", bundle, "--ed25519-key", keyPath, "-o", packPath, "--log-level", "warn"); code != 0 {
		t.Fatalf("pack: exit %d: %s", code, stderr)
	}
	code, stdout, stderr = runAttest(t, "verify", packPath, "--ed25519-pub", pubPath)
	if code != 0 || !strings.Contains(stdout, "OK") || !strings.Contains(stdout, "trusted") {
		t.Errorf("verify: exit %d\n%s\n%s", code, stdout, stderr)
	}
	if code, _, _ := runAttest(t, "pack", "-r", results, "-b", bundle, "-o", filepath.Join(dir, "unsigned.zip")); code != 2 {
		t.Errorf("pack without a key: exit %d, want 2", code)
	}
	data, err := os.ReadFile(packPath)
	if err != nil {
		t.Fatal(err)
	}
	// Flip one byte in the middle of the zip: verification must fail.
	data[len(data)/3] ^= 0xff
	bad := filepath.Join(dir, "bad.zip")
	if err := os.WriteFile(bad, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, _ := runAttest(t, "verify", bad, "--ed25519-pub", pubPath); code == 0 {
		t.Error("verify of a damaged pack succeeded")
	}
}
