package gcp_test

import (
	"net/http/httptest"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/attestdev/attest/collectors/gcp"
	"github.com/attestdev/attest/collectors/internal/gcptest"
	"github.com/attestdev/attest/internal/fake/gcpfake"
)

// TestFake discovers the demo projects from their organisation and runs
// every collector against them in pages of one item.
func TestFake(t *testing.T) {
	t.Parallel()
	st := gcpfake.DemoAt(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	st.PageSize = 1
	st.OnUnexpected = t.Errorf
	srv := httptest.NewServer(gcpfake.NewHandler(st))
	t.Cleanup(srv.Close)
	src := gcp.NewSource(gcp.Config{Parents: []string{gcpfake.DemoParent}, Endpoint: srv.URL, HTTPClient: srv.Client(),
		Environments: gcpfake.DemoEnvironments()})
	jobs, err := src.Plan(t.Context(), func(string) bool { return true })
	if err != nil {
		t.Fatal(err)
	}
	s := &gcptest.Sink{}
	for _, j := range jobs {
		if err := j.Collector.Collect(t.Context(), j.Target, s); err != nil {
			t.Errorf("%s %s: %v", j.Collector.Describe().ID, j.Target, err)
		}
	}
	if len(s.Failures) > 0 {
		t.Errorf("failures: %v", s.Failures)
	}
	gcptest.CheckAttributes(t, src.Collectors(), s.Resources)
	got := map[string]int{}
	for _, r := range s.Resources {
		got[r.Type]++
	}
	want := map[string]int{
		"gcp.storage.bucket": 3, "gcp.sql.instance": 2, "gcp.kms.key": 2, "gcp.project.iam": 3, "gcp.project": 3,
		"gcp.iam.service_account_key": 2, "gcp.compute.firewall": 3, "gcp.compute.subnetwork": 2, "gcp.compute.network_link": 5,
		"gcp.secretmanager.secret": 2, "gcp.compute.backend_service": 3, "gcp.monitoring.alert_policy": 3,
		"gcp.compute.instance": 2, "gcp.compute.project_networks": 3, "gcp.orgpolicy.policy": 18, "gcp.logging.metric_alerts": 3,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("resources per type (-want +got):\n%s", diff)
	}
	for _, r := range s.ByType("gcp.compute.firewall") {
		if r.Attributes["open_ssh"] != (r.Name == "allow-ssh-anywhere") {
			t.Errorf("%s: open_ssh = %v", r.Name, r.Attributes["open_ssh"])
		}
	}
	// The environments come from the project ID (acme-prod), a folder
	// (acme-sandbox), or nowhere (acme-ci), the same for gcp.project and
	// gcp.project.iam.
	envs := map[string]any{"acme-prod": "prod", "acme-sandbox": "nonprod", "acme-ci": nil}
	for _, typ := range []string{"gcp.project", "gcp.project.iam"} {
		for _, r := range s.ByType(typ) {
			if got := r.Attributes["environment"]; got != envs[r.Name] {
				t.Errorf("%s %s: environment = %v, want %v", typ, r.Name, got, envs[r.Name])
			}
		}
	}
	cross := map[string]any{
		"default/servicenetworking-googleapis-com": false, "prod/prod-to-sandbox": true, "sandbox/sandbox-to-prod": true,
		"shared-vpc-service:acme-ci": nil, "shared-vpc-host:acme-sandbox": nil,
	}
	for _, r := range s.ByType("gcp.compute.network_link") {
		if got, want := r.Attributes["cross_environment"], cross[r.Name]; got != want {
			t.Errorf("%s: cross_environment = %v, want %v", r.Name, got, want)
		}
	}
}
