package main

import (
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/attestdev/attest/collectors/evidence"
	"github.com/attestdev/attest/controls"
	"github.com/attestdev/attest/internal/testnet"
)

// TestCheckTimeoutWithHangingProvider runs attest check against an AWS
// endpoint that accepts connections and never answers, next to a working
// TLS endpoint. With --timeout, check must end soon after the deadline,
// write the bundle and results, evaluate the TLS controls from the probe
// that ran meanwhile (AWS planning never blocks it), and record every AWS
// collector as a failed run, so the AWS controls are inconclusive.
func TestCheckTimeoutWithHangingProvider(t *testing.T) {
	// No t.Parallel: the AWS SDK reads its credentials from the
	// environment.
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIATESTHANGING")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test-secret")
	t.Setenv("AWS_REGION", "eu-central-1")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))

	hanging := testnet.Hanging(t)

	web := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
	}))
	t.Cleanup(web.Close)
	dir := t.TempDir()
	ca := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: web.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "attest.yaml")
	yaml := fmt.Sprintf(`sources:
  aws:
    endpoint_url: http://%s
    regions: [eu-central-1]
  tls:
    endpoints: [%s/]
    ca_file: %s
`, hanging, web.URL, ca)
	if err := os.WriteFile(cfg, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	start := time.Now()
	code, stdout, stderr := attest(t, "--config", cfg, "check", "--out-dir", out, "--timeout", "3s", "--log-level", "error")
	elapsed := time.Since(start)
	if elapsed > 20*time.Second {
		t.Errorf("check took %s with --timeout 3s", elapsed)
	}
	if code == 0 {
		t.Errorf("exit 0 after the timeout fired\nstdout:\n%s\nstderr:\n%s", stdout, stderr)
	}
	if !strings.Contains(stderr, "--timeout 3s reached") {
		t.Errorf("stderr does not name the timeout:\n%s", stderr)
	}
	res, err := controls.ReadResults(filepath.Join(out, "results.json"))
	if err != nil {
		t.Fatalf("results not written: %v\nstderr:\n%s", err, stderr)
	}
	if !res.Bundle.Interrupted {
		t.Error("bundle not marked interrupted")
	}
	outcomes := map[string]controls.Outcome{}
	for _, c := range res.Controls {
		outcomes[c.ID] = c.Outcome
	}
	if outcomes["TLS-001"] != controls.Pass || outcomes["TLS-003"] != controls.Pass {
		t.Errorf("TLS-001 %s, TLS-003 %s: the TLS probe must run while AWS hangs", outcomes["TLS-001"], outcomes["TLS-003"])
	}
	awsRuns := 0
	for _, run := range res.Scope {
		if run.Target.Source != "aws" {
			continue
		}
		awsRuns++
		if run.Status != evidence.Failed || len(run.Failures) == 0 || run.Failures[0].Kind != evidence.Timeout {
			t.Errorf("aws run %s: status %s, failures %v; want failed by timeout", run.Collector, run.Status, run.Failures)
		}
	}
	if awsRuns == 0 {
		t.Fatal("no AWS runs recorded: the hanging source's collectors must be failed runs, not missing")
	}
	for id, o := range outcomes {
		if strings.HasPrefix(id, "AWS-") && o != controls.Inconclusive && o != controls.NotApplicable && o != controls.ManualOutcome {
			t.Errorf("%s: %s, want inconclusive", id, o)
		}
	}
}
