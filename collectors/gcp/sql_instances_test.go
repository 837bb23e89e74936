package gcp

import (
	"testing"

	"github.com/attestdev/attest/collectors/evidence"
	"github.com/attestdev/attest/collectors/internal/gcptest"
)

func TestSQLInstances(t *testing.T) {
	t.Parallel()
	const list = "GET /v1/projects/" + project + "/instances"
	inst := func(name, version, region string, replica, backups, pitr, ssl, public, open, ha, cmek bool) evidence.Resource {
		return evidence.Resource{Type: typeSQL, ID: "https://sqladmin.googleapis.com/v1/projects/example-project/instances/" + name, Name: name,
			Account: project, Region: region, Attributes: map[string]any{
				"database_version": version, "location": region, "replica": replica, "backups_enabled": backups,
				"point_in_time_recovery": pitr, "require_ssl": ssl, "public_ip": public, "private_network": !public, "open_to_internet": open,
				"high_availability": ha, "cmek": cmek,
			}}
	}
	orders := inst("orders", "POSTGRES_16", "europe-west3", false, true, true, true, false, false, true, true)
	legacy := inst("legacy-mysql", "MYSQL_8_0", "us-central1", false, false, false, false, true, true, false, false)
	replica := inst("orders-replica", "POSTGRES_16", "europe-west3", true, false, false, true, false, false, false, false)
	block, started := gcptest.Blocking()
	runCases(t, "gcp.sql", typeSQL, []tcase{
		{name: "happy", fx: gcptest.Fixtures{list: {Body: "sql_instances.json"}}, want: []evidence.Resource{legacy, orders}},
		{name: "two pages", fx: gcptest.Fixtures{
			list:                                 {Body: "sql_instances_page1.json"},
			list + "?pageToken=bGVnYWN5LW15c3Fs": {Body: "sql_instances_page2.json"},
		}, want: []evidence.Resource{legacy, orders, replica}},
		{name: "empty", fx: gcptest.Fixtures{list: {Body: "sql_instances_empty.json"}}},
		{name: "absent: API disabled means no instances", fx: gcptest.Fixtures{list: {Status: 403, Body: "error_service_disabled.json"}}},
		{name: "denied", fx: gcptest.Fixtures{list: gcptest.DeniedReply}, wantErr: evidence.Denied, wantPerm: permSQLList},
		{name: "throttled", fx: gcptest.Fixtures{list: gcptest.ThrottledReply}, wantErr: evidence.Throttled},
		{name: "cancelled", fx: gcptest.Fixtures{list: block}, started: started, wantErr: evidence.Cancelled},
	})
}
