package register

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/attestdev/attest/collectors/evidence"
	"github.com/attestdev/attest/collectors/internal/apitest"
)

const register = `subprocessors:
  - name: Amazon Web Services EMEA SARL
    purpose: Hosting
    services: [EC2, S3]
    locations: [DE, IE]
    hosting: true
    sources: [aws]
    dpa_signed: 2025-03-01
    review: {last: 2025-12-15, frequency: semiannually}
    certifications:
      - {name: ISO/IEC 27001, valid_until: 2027-05-01}
  - name: Helpdesk Inc.
    purpose: Support tickets
    services: [Helpdesk]
    locations: [US, IN, CH]
    transfer: {mechanism: scc, scc_module: 2}
`

func write(t *testing.T, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "subprocessors.yaml")
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func collect(t *testing.T, cfg Config) (*apitest.Sink, error) {
	t.Helper()
	s := &apitest.Sink{}
	err := NewSource(cfg).c.Collect(context.Background(), evidence.Target{Source: SourceName, Account: cfg.File}, s)
	return s, err
}

func TestCollect(t *testing.T) {
	t.Parallel()
	path := write(t, register)
	s, err := collect(t, Config{File: path, Providers: []string{"okta", "aws", "github"}})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	attrs := map[string]map[string]any{}
	for _, r := range s.Resources {
		got = append(got, r.Type+" "+r.ID)
		attrs[r.Type+" "+r.ID] = r.Attributes
	}
	want := []string{
		"vendor.subprocessor Amazon Web Services EMEA SARL",
		"vendor.subprocessor Helpdesk Inc.",
		"vendor.hosting Amazon Web Services EMEA SARL",
		"vendor.provider aws",
		"vendor.provider github",
		"vendor.provider okta",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("resources (-want +got):\n%s", diff)
	}
	aws := attrs["vendor.subprocessor Amazon Web Services EMEA SARL"]
	for k, v := range map[string]any{
		"third_countries": []any{}, "eea": true, "us": false, "transfer_mechanism": "", "dpa_signed": "2025-03-01T00:00:00Z",
		"last_review": "2025-12-15T00:00:00Z", "review_due": "2026-06-15T00:00:00Z", "hosting": true, "line": 2,
		"certifications": []any{map[string]any{"name": "ISO/IEC 27001", "valid_until": "2027-05-01T00:00:00Z"}},
	} {
		if diff := cmp.Diff(v, aws[k]); diff != "" {
			t.Errorf("AWS %s (-want +got):\n%s", k, diff)
		}
	}
	help := attrs["vendor.subprocessor Helpdesk Inc."]
	for k, v := range map[string]any{
		"third_countries": []any{"IN", "US"}, "eea": false, "us": true, "transfer_mechanism": "scc", "scc_module": 2,
		"dpa_signed": "", "last_review": "", "review_due": "", "review_frequency": "", "certifications": []any{}, "hosting": false,
	} {
		if diff := cmp.Diff(v, help[k]); diff != "" {
			t.Errorf("Helpdesk %s (-want +got):\n%s", k, diff)
		}
	}
	for p, in := range map[string]bool{"aws": true, "github": false, "okta": false} {
		if got := attrs["vendor.provider "+p]["in_register"]; got != in {
			t.Errorf("provider %s: in_register = %v, want %v", p, got, in)
		}
	}
	if diff := cmp.Diff([]any{"Amazon Web Services EMEA SARL"}, attrs["vendor.provider aws"]["vendors"]); diff != "" {
		t.Errorf("aws vendors (-want +got):\n%s", diff)
	}
	if len(s.Failures) != 0 {
		t.Errorf("failures: %v", s.Failures)
	}
}

func TestCollectBadRegister(t *testing.T) {
	t.Parallel()
	path := write(t, "subprocessors:\n  - name: A\n    purpose: p\n    services: [s]\n    locations: [Germany]\n")
	s, err := collect(t, Config{File: path, Providers: []string{"aws"}})
	if err == nil || !strings.Contains(err.Error(), path+`:5: subprocessors[0].locations[0]: "Germany" is not an ISO 3166-1 alpha-2`) {
		t.Fatalf("Collect error = %v, want the file, line and field of the bad location", err)
	}
	if len(s.Resources) != 0 {
		t.Errorf("a bad register emitted %d resources; want none, so nothing over it can pass", len(s.Resources))
	}
	if _, err := collect(t, Config{File: filepath.Join(t.TempDir(), "missing.yaml")}); err == nil {
		t.Error("a missing register file collected without error")
	}
}

func TestPlan(t *testing.T) {
	t.Parallel()
	all := func(string) bool { return true }
	jobs, err := NewSource(Config{File: "subprocessors.yaml"}).Plan(context.Background(), all)
	if err != nil || len(jobs) != 1 || jobs[0].Target.Account != "subprocessors.yaml" {
		t.Errorf("Plan with a file = %v, %v; want one job for the file", jobs, err)
	}
	if jobs, _ := NewSource(Config{}).Plan(context.Background(), all); len(jobs) != 0 {
		t.Errorf("Plan without a file = %v, want no jobs", jobs)
	}
	if jobs, _ := NewSource(Config{File: "x"}).Plan(context.Background(), func(string) bool { return false }); len(jobs) != 0 {
		t.Errorf("Plan with the collector disabled = %v, want no jobs", jobs)
	}
}
