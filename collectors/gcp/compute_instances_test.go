package gcp

import (
	"testing"

	"github.com/attestdev/attest/collectors/evidence"
	"github.com/attestdev/attest/collectors/internal/gcptest"
)

func TestInstances(t *testing.T) {
	t.Parallel()
	const (
		base = "GET /compute/v1/projects/" + project
		get  = base + "?fields=name%2Cid%2CcommonInstanceMetadata"
		list = base + "/aggregated/instances"
		self = "https://www.googleapis.com/compute/v1/projects/example-project/zones/"
	)
	vm := func(zone, name string, attrs map[string]any) evidence.Resource {
		return evidence.Resource{Type: typeInstance, ID: self + zone + "/instances/" + name, Name: name, Account: project, Region: zone, Attributes: attrs}
	}
	// projectOSLogin is the project metadata's enable-oslogin, which web-1
	// and the GKE node inherit; legacy-vm sets false itself.
	all := func(projectOSLogin bool) []evidence.Resource {
		return []evidence.Resource{
			vm("europe-west3-a", "web-1", map[string]any{"status": "RUNNING", "public_ip": true, "external_ips": []any{"34.89.10.20"}, "os_login": projectOSLogin,
				"secure_boot": true, "vtpm": true, "integrity_monitoring": true, "default_service_account": false, "default_sa_full_scope": false, "gke_node": false}),
			vm("europe-west3-b", "legacy-vm", map[string]any{"status": "TERMINATED", "public_ip": true, "external_ips": []any{}, "os_login": false,
				"secure_boot": false, "vtpm": true, "integrity_monitoring": false, "default_service_account": true, "default_sa_full_scope": true, "gke_node": false}),
			vm("us-central1-a", "gke-apps-pool-1a2b", map[string]any{"status": "RUNNING", "public_ip": false, "external_ips": []any{}, "os_login": projectOSLogin,
				"secure_boot": true, "vtpm": true, "integrity_monitoring": true, "default_service_account": true, "default_sa_full_scope": false, "gke_node": true}),
		}
	}
	happy := gcptest.Fixtures{get: {Body: "compute_project_metadata.json"}, list: {Body: "compute_instances.json"}}
	block, started := gcptest.Blocking()
	runCases(t, "gcp.compute_instances", typeInstance, []tcase{
		{name: "happy", fx: happy, want: all(true)},
		{name: "two pages", fx: happy.With(gcptest.Fixtures{
			list: {Body: "compute_instances_page1.json"},
			list + "?pageToken=Cg9ldXJvcGUtd2VzdDMtYQ%3D%3D": {Body: "compute_instances_page2.json"},
		}), want: all(true)},
		{name: "project metadata without enable-oslogin", fx: happy.With(gcptest.Fixtures{get: {Body: "compute_project_metadata_none.json"}}), want: all(false)},
		{name: "empty", fx: happy.With(gcptest.Fixtures{list: {Body: "compute_instances_empty.json"}})},
		{name: "absent: API disabled means no instances", fx: gcptest.Fixtures{get: {Status: 403, Body: "error_service_disabled.json"}}},
		{name: "project not found", fx: gcptest.Fixtures{get: gcptest.NotFoundReply}, wantErr: evidence.Errored},
		{name: "denied project", fx: gcptest.Fixtures{get: gcptest.DeniedReply}, wantErr: evidence.Denied, wantPerm: opComputeProjectsGet},
		{name: "denied list", fx: happy.With(gcptest.Fixtures{list: gcptest.DeniedReply}), wantErr: evidence.Denied, wantPerm: opInstancesList},
		{name: "throttled", fx: happy.With(gcptest.Fixtures{list: gcptest.ThrottledReply}), wantErr: evidence.Throttled},
		{name: "cancelled", fx: happy.With(gcptest.Fixtures{list: block}), started: started, wantErr: evidence.Cancelled},
	})
}

func TestNetworks(t *testing.T) {
	t.Parallel()
	const list = "GET /compute/v1/projects/" + project + "/global/networks"
	res := func(enabled, def bool, auto, names []any) []evidence.Resource {
		return []evidence.Resource{{Type: typeProjectNetworks, ID: "//compute.googleapis.com/projects/" + project + "/global/networks", Name: project, Account: project,
			Attributes: map[string]any{"compute_enabled": enabled, "default_network": def, "auto_mode_networks": auto, "networks": names}}}
	}
	block, started := gcptest.Blocking()
	runCases(t, "gcp.networks", typeProjectNetworks, []tcase{
		{name: "happy", fx: gcptest.Fixtures{list: {Body: "compute_networks.json"}}, want: res(true, true, []any{"default"}, []any{"default", "prod"})},
		{name: "two pages", fx: gcptest.Fixtures{
			list:                             {Body: "compute_networks_page1.json"},
			list + "?pageToken=CgdkZWZhdWx0": {Body: "compute_networks_page2.json"},
		}, want: res(true, true, []any{"default"}, []any{"default", "prod"})},
		{name: "empty", fx: gcptest.Fixtures{list: {Body: "compute_networks_empty.json"}}, want: res(true, false, []any{}, []any{})},
		// A disabled API is evidence about the project, not a missing
		// resource: it is emitted with compute_enabled false.
		{name: "API disabled", fx: gcptest.Fixtures{list: {Status: 403, Body: "error_service_disabled.json"}}, want: res(false, false, []any{}, []any{})},
		{name: "project not found", fx: gcptest.Fixtures{list: gcptest.NotFoundReply}, wantErr: evidence.Errored},
		{name: "denied", fx: gcptest.Fixtures{list: gcptest.DeniedReply}, wantErr: evidence.Denied, wantPerm: opNetworksList},
		{name: "throttled", fx: gcptest.Fixtures{list: gcptest.ThrottledReply}, wantErr: evidence.Throttled},
		{name: "cancelled", fx: gcptest.Fixtures{list: block}, started: started, wantErr: evidence.Cancelled},
	})
}
