package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/attestdev/attest/controls"
)

func attest(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(t.Context(), args, &out, &errb)
	return code, out.String(), errb.String()
}

// TestDemoEndToEnd runs the whole pipeline against the demo organisation:
// it must collect, evaluate, print a table, write the bundle and results,
// and exit 1 because demo controls fail on purpose.
func TestDemoEndToEnd(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	code, stdout, stderr := attest(t, "demo", "--out-dir", dir, "--log-level", "warn")
	if code != 1 {
		t.Fatalf("exit %d, want 1\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	for _, want := range []string{"OUTCOME", "TLS-001", "FAIL", "PASS", "controls:"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}
	if !strings.Contains(stderr, "failed at or above severity high") {
		t.Errorf("stderr lacks the gate message:\n%s", stderr)
	}
	res, err := controls.ReadResults(filepath.Join(dir, "results.json"))
	if err != nil {
		t.Fatal(err)
	}
	if res.Summary.Fail == 0 || res.Summary.Pass == 0 {
		t.Errorf("demo should both pass and fail controls: %+v", res.Summary)
	}

	// The saved bundle evaluates offline to the same bytes.
	out := filepath.Join(t.TempDir(), "again.json")
	if code, _, stderr := attest(t, "evaluate", "--bundle", filepath.Join(dir, "bundle"), "--waivers", filepath.Join(dir, "waivers.yaml"), "--out", out, "--log-level", "warn"); code != 0 {
		t.Fatalf("evaluate exit %d: %s", code, stderr)
	}
	a, _ := os.ReadFile(filepath.Join(dir, "results.json"))
	b, _ := os.ReadFile(out)
	if !bytes.Equal(a, b) {
		t.Error("re-evaluating the saved bundle gave different results.json bytes")
	}

	if code, _, _ := attest(t, "evaluate", "--bundle", filepath.Join(dir, "bundle"), "--out", "-"); code != 0 {
		t.Errorf("evaluate to stdout exit %d", code)
	}
}

func TestCheckFailOnCritical(t *testing.T) {
	t.Parallel()
	code, stdout, stderr := attest(t, "demo", "--out-dir", t.TempDir(), "--fail-on", "critical", "--format", "json", "--log-level", "error")
	if code != 1 {
		t.Fatalf("exit %d, want 1 (the demo fails critical controls); stderr:\n%s", code, stderr)
	}
	var res controls.Results
	if err := json.Unmarshal([]byte(stdout), &res); err != nil {
		t.Fatalf("--format json did not print results JSON: %v", err)
	}
	// Only the critical failures gate; high ones (TLS-001) do not.
	var failedLine string
	for _, l := range strings.Split(stderr, "\n") {
		if _, ids, ok := strings.Cut(l, "failed at or above severity critical: "); ok {
			failedLine = ", " + ids + ","
		}
	}
	for _, c := range res.Controls {
		gated := strings.Contains(failedLine, " "+c.ID+",")
		if want := c.Outcome == controls.Fail && c.Severity == controls.Critical; gated != want {
			t.Errorf("%s (%s %s): in gate message = %v, want %v\n%s", c.ID, c.Severity, c.Outcome, gated, want, stderr)
		}
	}
}

func TestUsageErrorsExit2(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"no-such-command"},
		{"check", "--fail-on", "urgent", "--out-dir", t.TempDir()},
		{"evaluate", "--bundle", filepath.Join(t.TempDir(), "missing")},
		{"controls", "list", "--framework", "pci"},
		{"permissions", "nowhere"},
	} {
		if code, _, stderr := attest(t, args...); code != 2 || stderr == "" {
			t.Errorf("%v: exit %d, stderr %q; want 2 with a message", args, code, stderr)
		}
	}
}

func TestControlsValidateNamesFileAndLine(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	bad := "id: X-1\ntitle: t\ndescription: d\nseverity: high\nowner: o\nfrequency: daily\nmappings: {soc2: [CC6.1]}\ntom: {category: transfer, statement: {en: e, de: d}}\nevidence:\n  - type: tls.endpoint\n    rule: r.tls_verison == \"1.3\"\nremediation: r\n"
	if err := os.WriteFile(filepath.Join(dir, "x.yaml"), []byte(bad), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := attest(t, "controls", "validate", dir)
	want := filepath.Join(dir, "x.yaml") + `:11: evidence[0].rule: r.tls_verison: the resource type has no attribute "tls_verison"`
	if code != 2 || !strings.Contains(stderr, want) {
		t.Errorf("exit %d, stderr:\n%s\nwant it to contain\n%s", code, stderr, want)
	}
	if code, stdout, _ := attest(t, "controls", "validate"); code != 0 || !strings.Contains(stdout, "controls valid") {
		t.Errorf("built-in library: exit %d, %s", code, stdout)
	}
}

func TestControlsList(t *testing.T) {
	t.Parallel()
	code, stdout, _ := attest(t, "controls", "list", "--framework", "iso27001", "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	var cs []controls.Control
	if err := json.Unmarshal([]byte(stdout), &cs); err != nil || len(cs) == 0 {
		t.Fatalf("list: %v, %d controls", err, len(cs))
	}
	for _, c := range cs {
		if len(c.Mappings.ISO27001) == 0 {
			t.Errorf("%s listed for iso27001 without an iso27001 mapping", c.ID)
		}
	}
}

func TestVersionAndPermissions(t *testing.T) {
	t.Parallel()
	if code, stdout, _ := attest(t, "version"); code != 0 || !strings.HasPrefix(stdout, "attest ") {
		t.Errorf("version: %d %q", code, stdout)
	}
	if code, stdout, _ := attest(t, "permissions", "tls"); code != 0 || !strings.Contains(stdout, "network access") {
		t.Errorf("permissions tls: %d %q", code, stdout)
	}
}

func TestCheckWithoutSources(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "attest.yaml")
	if err := os.WriteFile(cfg, []byte("fail_on: high\nsources: {}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := attest(t, "check", "--config", cfg, "--out-dir", dir)
	if code != 2 || !strings.Contains(stderr, "no sources configured") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
}

func TestConfigErrorsNameFileAndLine(t *testing.T) {
	t.Parallel()
	cfg := filepath.Join(t.TempDir(), "attest.yaml")
	if err := os.WriteFile(cfg, []byte("fail_on: high\nsources:\n  tls:\n    endpoints: [https://a.example.com]\n    timout: 5s\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := attest(t, "check", "--config", cfg)
	if want := cfg + ":5: timout: unknown field"; code != 2 || !strings.Contains(stderr, want) {
		t.Errorf("exit %d, stderr %q, want %q", code, stderr, want)
	}
}

func TestConfigMapEntryErrorsNameLine(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ body, want, value string }{
		{"fail_on: high\nsources:\n  gcp:\n    projects: [acme-prod]\n    environments:\n      acme-prod: prod\n      folders/123: staging\n",
			":7: sources.gcp.environments.folders/123", "staging"},
		// A numeric key (an account id) is a mapping key, not an index.
		{"fail_on: high\nsources:\n  aws:\n    regions: [eu-central-1]\n    environments:\n      \"111122223333\": prod\n      \"444455556666\": qa\n",
			":7: sources.aws.environments.444455556666", "qa"},
		{"fail_on: high\nsources:\n  aws:\n    regions: [eu-central-1]\n    rate_limits:\n      iam: 5\n      s3:GetBucketPolicy: 0\n",
			":7: sources.aws.rate_limits.s3:GetBucketPolicy", "positive"},
	} {
		cfg := filepath.Join(t.TempDir(), "attest.yaml")
		if err := os.WriteFile(cfg, []byte(tt.body), 0o600); err != nil {
			t.Fatal(err)
		}
		code, _, stderr := attest(t, "check", "--config", cfg)
		if want := cfg + tt.want; code != 2 || !strings.Contains(stderr, want) || !strings.Contains(stderr, tt.value) {
			t.Errorf("exit %d, stderr %q, want %q", code, stderr, want)
		}
	}
}

// TestLayering checks that imports flow one way: collectors never import
// controls, reports or cmd, and the evidence package imports only the
// standard library.
func TestLayering(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("go command not found")
	}
	out, err := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}} {{.Standard}}", "../../collectors/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		path, _, _ := strings.Cut(line, " ")
		for _, banned := range []string{"/controls", "/reports", "/cmd/", "/config", "/demo"} {
			if strings.HasPrefix(path, "github.com/attestdev/attest") && strings.Contains(strings.TrimPrefix(path, "github.com/attestdev/attest"), banned) {
				t.Errorf("collectors depend on %s", path)
			}
		}
	}
	out, err = exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}} {{.Standard}}", "../../collectors/evidence").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		path, std, _ := strings.Cut(line, " ")
		if std != "true" && path != "github.com/attestdev/attest/collectors/evidence" {
			t.Errorf("collectors/evidence depends on non-standard %s", path)
		}
	}
}

// TestEvaluateStaleGate re-evaluates a saved bundle three days later: daily
// controls rest on stale evidence, which makes them inconclusive and, with
// --fail-on, exits 1 naming them.
func TestEvaluateStaleGate(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if code, _, stderr := attest(t, "demo", "--out-dir", dir, "--log-level", "error"); code > 1 {
		t.Fatalf("demo exit %d: %s", code, stderr)
	}
	res, err := controls.ReadResults(filepath.Join(dir, "results.json"))
	if err != nil {
		t.Fatal(err)
	}
	later := res.EvaluatedAt.Add(72 * time.Hour).Format(time.RFC3339)
	out := filepath.Join(t.TempDir(), "later.json")
	code, _, stderr := attest(t, "evaluate", "--bundle", filepath.Join(dir, "bundle"), "--out", out, "--as-of", later, "--fail-on", "critical", "--log-level", "error")
	if code != 1 || !strings.Contains(stderr, "rest on stale evidence") {
		t.Fatalf("exit %d, stderr %q; want 1 naming stale controls", code, stderr)
	}
	stale, err := controls.ReadResults(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range stale.Controls {
		if c.ID == "GCP-IAM-002" && (!c.Stale || c.Outcome != controls.Inconclusive) {
			t.Errorf("GCP-IAM-002 (daily) three days later: stale=%v outcome=%s", c.Stale, c.Outcome)
		}
	}
	// Without --fail-on, evaluate reports and exits 0.
	if code, _, _ := attest(t, "evaluate", "--bundle", filepath.Join(dir, "bundle"), "--out", out, "--as-of", later, "--log-level", "error"); code != 0 {
		t.Errorf("without --fail-on: exit %d", code)
	}
}
