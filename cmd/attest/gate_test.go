package main

import (
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/attestdev/attest/collectors/evidence"
	"github.com/attestdev/attest/controls"
)

// deniedGitHub starts a GitHub API that refuses every call, as GitHub does
// for a token without access, and returns a configuration that collects
// from it.
func deniedGitHub(t *testing.T) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Accepted-OAuth-Scopes", "read:org")
		w.WriteHeader(http.StatusForbidden)
		_, _ = w.Write([]byte(`{"message":"Resource not accessible by personal access token","documentation_url":"https://docs.github.com/rest"}`))
	}))
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	cfg := filepath.Join(dir, "attest.yaml")
	body := "fail_on: high\nsources:\n  github:\n    orgs: [acme]\n    base_url: " + srv.URL + "/api/v3/\n    token_env: ATTEST_TEST_DENIED_TOKEN\n    max_rate_limit_wait_seconds: 0\n"
	if err := os.WriteFile(cfg, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return cfg
}

// unreachableTLS returns a configuration whose only TLS endpoint is a
// loopback port nothing listens on.
func unreachableTLS(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	_ = l.Close()
	cfg := filepath.Join(t.TempDir(), "attest.yaml")
	if err := os.WriteFile(cfg, []byte("fail_on: high\nsources:\n  tls:\n    endpoints: [https://"+addr+"]\n    timeout: 2s\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return cfg
}

// TestCheckEveryCallDeniedFailsGate: with credentials that are refused
// everywhere, nothing passes or fails, everything is inconclusive, and the
// gate must not exit 0. The summary names the permission.
func TestCheckEveryCallDeniedFailsGate(t *testing.T) {
	t.Setenv("ATTEST_TEST_DENIED_TOKEN", "ghp_denied")
	cfg := deniedGitHub(t)
	out := t.TempDir()
	code, stdout, stderr := attest(t, "check", "--config", cfg, "--out-dir", out, "--log-level", "error")
	if code != exitGate {
		t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, exitGate, stdout, stderr)
	}
	res, err := controls.ReadResults(filepath.Join(out, "results.json"))
	if err != nil {
		t.Fatal(err)
	}
	if res.Summary.Pass != 0 || res.Summary.Fail != 0 || res.Summary.Inconclusive == 0 {
		t.Fatalf("want only inconclusive controls, got %+v", res.Summary)
	}
	for _, want := range []string{"could not be evaluated", "denied (", "read:org", "inconclusive at or above severity high fail the gate", "--allow-inconclusive"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}

	// Opting out reports the same and exits 0.
	code, _, stderr = attest(t, "check", "--config", cfg, "--out-dir", out, "--log-level", "error", "--allow-inconclusive")
	if code != exitOK || !strings.Contains(stderr, "could not be evaluated") || !strings.Contains(stderr, "--allow-inconclusive is set") {
		t.Errorf("--allow-inconclusive: exit %d, stderr:\n%s", code, stderr)
	}

	// attest collect writes the bundle but exits 3: its runs failed.
	bundle := filepath.Join(t.TempDir(), "bundle")
	code, stdout, stderr = attest(t, "collect", "--config", cfg, "--out", bundle, "--log-level", "error")
	if code != exitIncomplete || !strings.Contains(stderr, "collector runs did not complete") || !strings.Contains(stderr, "read:org") {
		t.Errorf("collect: exit %d, want %d; stderr:\n%s", code, exitIncomplete, stderr)
	}
	if !strings.Contains(stdout, "collector runs") {
		t.Errorf("collect stdout lacks the bundle line: %q", stdout)
	}
	if _, err := os.Stat(filepath.Join(bundle, evidence.ManifestFile)); err != nil {
		t.Errorf("collect wrote no bundle: %v", err)
	}
	code, _, stderr = attest(t, "collect", "--config", cfg, "--out", bundle, "--replace", "--allow-incomplete", "--log-level", "error")
	if code != exitOK || !strings.Contains(stderr, "did not complete") {
		t.Errorf("collect --allow-incomplete: exit %d, stderr:\n%s", code, stderr)
	}

	// evaluate --fail-on gates the saved bundle the same way.
	code, _, stderr = attest(t, "evaluate", "--bundle", bundle, "--out", filepath.Join(t.TempDir(), "r.json"), "--fail-on", "high", "--log-level", "error")
	if code != exitGate || !strings.Contains(stderr, "could not be evaluated") {
		t.Errorf("evaluate --fail-on: exit %d, stderr:\n%s", code, stderr)
	}
}

// TestCheckUnreachableFailsGate: an endpoint that refuses connections
// leaves the TLS controls inconclusive, which fails the gate and is named
// as unreachable.
func TestCheckUnreachableFailsGate(t *testing.T) {
	t.Parallel()
	cfg := unreachableTLS(t)
	code, _, stderr := attest(t, "check", "--config", cfg, "--out-dir", t.TempDir(), "--log-level", "error")
	if code != exitGate || !strings.Contains(stderr, "unreachable (") {
		t.Errorf("exit %d, want %d naming unreachable; stderr:\n%s", code, exitGate, stderr)
	}
	// Below the fail-on severity, the same controls are reported but pass.
	code, _, stderr = attest(t, "check", "--config", cfg, "--out-dir", t.TempDir(), "--fail-on", "critical", "--log-level", "error")
	if code != exitOK || !strings.Contains(stderr, "none of them is at or above severity critical") {
		t.Errorf("--fail-on critical: exit %d, stderr:\n%s", code, stderr)
	}
}

// TestBaselineNewlyInconclusiveFailsGate: controls that passed in the
// baseline and are inconclusive now are a regression at or above fail-on.
func TestBaselineNewlyInconclusiveFailsGate(t *testing.T) {
	t.Parallel()
	cfg := unreachableTLS(t)
	first := t.TempDir()
	if code, _, stderr := attest(t, "check", "--config", cfg, "--out-dir", first, "--allow-inconclusive", "--log-level", "error"); code != exitOK {
		t.Fatalf("first check: exit %d: %s", code, stderr)
	}
	// The baseline: the same controls, all passing.
	res, err := controls.ReadResults(filepath.Join(first, "results.json"))
	if err != nil {
		t.Fatal(err)
	}
	for i := range res.Controls {
		res.Controls[i].Outcome, res.Controls[i].Reason, res.Controls[i].Evidence = controls.Pass, "passed", nil
	}
	baseline := filepath.Join(t.TempDir(), "baseline.json")
	data, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(baseline, data, 0o600); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := attest(t, "check", "--config", cfg, "--out-dir", t.TempDir(), "--baseline", baseline, "--log-level", "error")
	if code != exitGate || !strings.Contains(stderr, "newly inconclusive at or above severity high fail the gate") || !strings.Contains(stderr, "unreachable") {
		t.Errorf("check --baseline: exit %d, want %d; stdout:\n%s\nstderr:\n%s", code, exitGate, stdout, stderr)
	}
	code, _, _ = attest(t, "check", "--config", cfg, "--out-dir", t.TempDir(), "--baseline", baseline, "--allow-inconclusive", "--log-level", "error")
	if code != exitOK {
		t.Errorf("check --baseline --allow-inconclusive: exit %d, want 0", code)
	}
	// attest diff applies the same policy offline.
	code, _, stderr = attest(t, "diff", baseline, filepath.Join(first, "results.json"), "--fail-on", "high")
	if code != exitGate || !strings.Contains(stderr, "newly could not be evaluated") {
		t.Errorf("diff: exit %d, stderr:\n%s", code, stderr)
	}
	if code, _, _ = attest(t, "diff", baseline, filepath.Join(first, "results.json"), "--fail-on", "high", "--allow-inconclusive"); code != exitOK {
		t.Errorf("diff --allow-inconclusive: exit %d", code)
	}
	// Nothing changed between the run and itself: nothing is newly
	// inconclusive.
	if code, _, stderr = attest(t, "diff", filepath.Join(first, "results.json"), filepath.Join(first, "results.json")); code != exitOK {
		t.Errorf("diff of a run with itself: exit %d: %s", code, stderr)
	}
}
