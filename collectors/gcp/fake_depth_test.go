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

// TestFakeDepth runs the instance, network, organisation policy and log
// alert collectors against the demo projects and checks that the demo
// holds both compliant and non-compliant resources for each.
func TestFakeDepth(t *testing.T) {
	t.Parallel()
	st := gcpfake.DemoAt(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	st.PageSize = 1
	st.OnUnexpected = t.Errorf
	srv := httptest.NewServer(gcpfake.NewHandler(st))
	t.Cleanup(srv.Close)
	src := gcp.NewSource(gcp.Config{Projects: []string{"acme-prod", "acme-sandbox", "acme-ci"}, Endpoint: srv.URL, HTTPClient: srv.Client()})
	ids := map[string]bool{"gcp.compute_instances": true, "gcp.networks": true, "gcp.org_policies": true, "gcp.log_metric_alerts": true, "gcp.iam": true}
	jobs, err := src.Plan(t.Context(), func(id string) bool { return ids[id] })
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
	got := map[string]any{}
	for _, r := range s.ByType("gcp.compute.instance") {
		a := r.Attributes
		got[r.Name] = []any{a["public_ip"], a["os_login"], a["secure_boot"], a["default_sa_full_scope"]}
	}
	for _, r := range s.ByType("gcp.compute.project_networks") {
		got[r.Name+" default network"] = r.Attributes["default_network"]
	}
	for _, r := range s.ByType("gcp.orgpolicy.policy") {
		if r.Name == "iam.allowedPolicyMemberDomains" {
			got[r.Account+" domains"] = []any{r.Attributes["api_enabled"], r.Attributes["allow_all"], r.Attributes["allowed_values"]}
		}
	}
	for _, r := range s.ByType("gcp.logging.metric_alerts") {
		got[r.Name+" alerts"] = []any{r.Attributes["logging_enabled"], r.Attributes["monitoring_enabled"], r.Attributes["alerted_events"]}
	}
	for _, r := range s.ByType("gcp.project.iam") {
		got[r.Name+" sa grants"] = r.Attributes["primitive_service_account_grants"]
	}
	events := []any{"audit-configuration", "custom-role", "project-ownership", "vpc-firewall-rule"}
	want := map[string]any{
		"web-1":                     []any{false, true, true, false},
		"bastion":                   []any{true, false, false, true},
		"acme-prod default network": true, "acme-sandbox default network": false, "acme-ci default network": false,
		"acme-prod domains":      []any{true, false, []any{"is:C03acmedemo"}},
		"acme-sandbox domains":   []any{true, true, []any{}},
		"acme-ci domains":        []any{false, false, []any{}},
		"acme-prod alerts":       []any{true, true, events},
		"acme-sandbox alerts":    []any{true, true, []any{}},
		"acme-ci alerts":         []any{true, false, []any{}},
		"acme-prod sa grants":    []any{"roles/editor serviceAccount:415104041262-compute@developer.gserviceaccount.com"},
		"acme-sandbox sa grants": []any{}, "acme-ci sa grants": []any{},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("demo attributes (-want +got):\n%s", diff)
	}
}
