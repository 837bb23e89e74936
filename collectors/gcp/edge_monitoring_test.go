package gcp

import (
	"testing"

	"github.com/attestdev/attest/collectors/evidence"
	"github.com/attestdev/attest/collectors/internal/gcptest"
)

func TestBackendServices(t *testing.T) {
	t.Parallel()
	const list = "GET /compute/v1/projects/" + project + "/aggregated/backendServices"
	const base = "https://www.googleapis.com/compute/v1/projects/example-project"
	bs := func(path, name, region, scheme, policy string) evidence.Resource {
		return evidence.Resource{Type: typeBackend, ID: base + path, Name: name, Account: project, Region: region, Attributes: map[string]any{
			"load_balancing_scheme": scheme, "external": scheme == "EXTERNAL" || scheme == "EXTERNAL_MANAGED",
			"security_policy": policy, "edge_security_policy": "",
		}}
	}
	legacy := bs("/global/backendServices/legacy-backend", "legacy-backend", "", "EXTERNAL", "")
	web := bs("/global/backendServices/web-backend-service", "web-backend-service", "", "EXTERNAL_MANAGED", "my-policy")
	internal := bs("/regions/europe-west3/backendServices/internal-backend", "internal-backend", "europe-west3", "INTERNAL", "")
	block, started := gcptest.Blocking()
	runCases(t, "gcp.backend_services", typeBackend, []tcase{
		{name: "happy", fx: gcptest.Fixtures{list: {Body: "compute_backend_services.json"}}, want: []evidence.Resource{legacy, web, internal}},
		{name: "two pages", fx: gcptest.Fixtures{
			list: {Body: "compute_backend_services_page1.json"},
			list + "?pageToken=Cg9sZWdhY3ktYmFja2VuZA%3D%3D": {Body: "compute_backend_services_page2.json"},
		}, want: []evidence.Resource{legacy, web, internal}},
		{name: "empty", fx: gcptest.Fixtures{list: {Body: "compute_backend_services_empty.json"}}},
		{name: "absent: API disabled means no backend services", fx: gcptest.Fixtures{list: {Status: 403, Body: "error_service_disabled.json"}}},
		{name: "denied", fx: gcptest.Fixtures{list: gcptest.DeniedReply}, wantErr: evidence.Denied, wantPerm: opBackendsList},
		{name: "throttled", fx: gcptest.Fixtures{list: gcptest.ThrottledReply}, wantErr: evidence.Throttled},
		{name: "cancelled", fx: gcptest.Fixtures{list: block}, started: started, wantErr: evidence.Cancelled},
	})
}

func TestAlertPolicies(t *testing.T) {
	t.Parallel()
	const list = "GET /v3/projects/" + project + "/alertPolicies"
	cpu := evidence.Resource{Type: typeAlertPolicy, ID: "projects/example-project/alertPolicies/12345", Name: "High CPU utilization", Account: project,
		Attributes: map[string]any{"enabled": true, "conditions": 1, "notification_channels": 1}}
	uptime := evidence.Resource{Type: typeAlertPolicy, ID: "projects/example-project/alertPolicies/23456", Name: "Uptime check (disabled)", Account: project,
		Attributes: map[string]any{"enabled": false, "conditions": 1, "notification_channels": 0}}
	block, started := gcptest.Blocking()
	runCases(t, "gcp.alert_policies", typeAlertPolicy, []tcase{
		{name: "happy", fx: gcptest.Fixtures{list: {Body: "monitoring_alert_policies.json"}}, want: []evidence.Resource{cpu, uptime}},
		{name: "two pages", fx: gcptest.Fixtures{
			list:                                 {Body: "monitoring_alert_policies_page1.json"},
			list + "?pageToken=CgUyMzQ1Ng%3D%3D": {Body: "monitoring_alert_policies_page2.json"},
		}, want: []evidence.Resource{cpu, uptime}},
		{name: "empty", fx: gcptest.Fixtures{list: {Body: "monitoring_alert_policies_empty.json"}}},
		{name: "absent: API disabled means no policies", fx: gcptest.Fixtures{list: {Status: 403, Body: "error_service_disabled.json"}}},
		{name: "denied", fx: gcptest.Fixtures{list: gcptest.DeniedReply}, wantErr: evidence.Denied, wantPerm: opAlertPoliciesList},
		{name: "throttled", fx: gcptest.Fixtures{list: gcptest.ThrottledReply}, wantErr: evidence.Throttled},
		{name: "cancelled", fx: gcptest.Fixtures{list: block}, started: started, wantErr: evidence.Cancelled},
	})
}
