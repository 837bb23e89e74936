package gcp

import (
	"testing"

	"github.com/attestdev/attest/collectors/evidence"
	"github.com/attestdev/attest/collectors/internal/gcptest"
)

func TestSubnetworks(t *testing.T) {
	t.Parallel()
	const list = "GET /compute/v1/projects/" + project + "/aggregated/subnetworks"
	sub := func(region, name, network string, flow, pga bool) evidence.Resource {
		return evidence.Resource{Type: typeSubnet, ID: "https://www.googleapis.com/compute/v1/projects/example-project/regions/" + region + "/subnetworks/" + name,
			Name: name, Account: project, Region: region, Attributes: map[string]any{
				"network": network, "purpose": "PRIVATE", "flow_logs": flow, "private_google_access": pga,
			}}
	}
	prod := sub("europe-west3", "prod-europe-west3", "prod", true, true)
	def := sub("us-central1", "default", "default", false, false)
	block, started := gcptest.Blocking()
	runCases(t, "gcp.subnetworks", typeSubnet, []tcase{
		{name: "happy", fx: gcptest.Fixtures{list: {Body: "compute_subnetworks.json"}}, want: []evidence.Resource{prod, def}},
		{name: "two pages", fx: gcptest.Fixtures{
			list: {Body: "compute_subnetworks_page1.json"},
			list + "?pageToken=Cg5ldXJvcGUtd2VzdDM%3D": {Body: "compute_subnetworks_page2.json"},
		}, want: []evidence.Resource{prod, def}},
		{name: "empty", fx: gcptest.Fixtures{list: {Body: "compute_subnetworks_empty.json"}}},
		{name: "absent: API disabled means no subnetworks", fx: gcptest.Fixtures{list: {Status: 403, Body: "error_service_disabled.json"}}},
		{name: "denied", fx: gcptest.Fixtures{list: gcptest.DeniedReply}, wantErr: evidence.Denied, wantPerm: opSubnetsList},
		{name: "throttled", fx: gcptest.Fixtures{list: gcptest.ThrottledReply}, wantErr: evidence.Throttled},
		{name: "cancelled", fx: gcptest.Fixtures{list: block}, started: started, wantErr: evidence.Cancelled},
	})
}

func TestSecrets(t *testing.T) {
	t.Parallel()
	const list = "GET /v1/projects/" + project + "/secrets"
	rotated := evidence.Resource{Type: typeSecret, ID: "projects/123456789012/secrets/db-password", Name: "db-password", Account: project,
		Attributes: map[string]any{"created": "2026-01-15T10:00:00.123456Z", "rotation_period_days": 30, "next_rotation": "2026-12-01T00:00:00Z",
			"replication": "user_managed", "replica_locations": 2, "cmek": true}}
	plain := evidence.Resource{Type: typeSecret, ID: "projects/123456789012/secrets/my-secret", Name: "my-secret", Account: project,
		Attributes: map[string]any{"created": "2025-06-01T08:30:00.000000Z", "rotation_period_days": 0, "next_rotation": "",
			"replication": "automatic", "replica_locations": 0, "cmek": false}}
	block, started := gcptest.Blocking()
	runCases(t, "gcp.secretmanager", typeSecret, []tcase{
		{name: "happy", fx: gcptest.Fixtures{list: {Body: "secretmanager_secrets.json"}}, want: []evidence.Resource{rotated, plain}},
		{name: "two pages", fx: gcptest.Fixtures{
			list:                                   {Body: "secretmanager_secrets_page1.json"},
			list + "?pageToken=CgZteS1zZWNyZXQ%3D": {Body: "secretmanager_secrets_page2.json"},
		}, want: []evidence.Resource{rotated, plain}},
		{name: "empty", fx: gcptest.Fixtures{list: {Body: "secretmanager_secrets_empty.json"}}},
		{name: "absent: API disabled means no secrets", fx: gcptest.Fixtures{list: {Status: 403, Body: "error_service_disabled.json"}}},
		{name: "denied", fx: gcptest.Fixtures{list: gcptest.DeniedReply}, wantErr: evidence.Denied, wantPerm: opSecretsList},
		{name: "throttled", fx: gcptest.Fixtures{list: gcptest.ThrottledReply}, wantErr: evidence.Throttled},
		{name: "cancelled", fx: gcptest.Fixtures{list: block}, started: started, wantErr: evidence.Cancelled},
	})
}
