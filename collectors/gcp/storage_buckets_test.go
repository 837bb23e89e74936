package gcp

import (
	"testing"

	"github.com/attestdev/attest/collectors/evidence"
	"github.com/attestdev/attest/collectors/internal/gcptest"
)

func TestStorageBuckets(t *testing.T) {
	t.Parallel()
	const list = "GET /storage/v1/b?project=" + project
	bucket := func(name, loc, locType, key string, versioning bool, pap string, uniform bool, days int, locked bool) evidence.Resource {
		return evidence.Resource{Type: typeBucket, ID: "gs://" + name, Name: name, Account: project, Region: loc, Attributes: map[string]any{
			"location": loc, "location_type": locType, "default_kms_key": key, "versioning": versioning,
			"public_access_prevention": pap, "uniform_access": uniform, "retention_days": days, "retention_locked": locked,
		}}
	}
	secure := bucket("example-bucket", "europe-west3", "region", "projects/example-project/locations/europe-west3/keyRings/example-ring/cryptoKeys/example-key", true, "enforced", true, 30, true)
	logs := bucket("example-logs", "us", "multi-region", "", false, "inherited", false, 0, false)
	archive := bucket("example-archive", "eu", "multi-region", "", false, "inherited", false, 0, false)
	block, started := gcptest.Blocking()
	runCases(t, "gcp.storage", typeBucket, []tcase{
		{name: "happy", fx: gcptest.Fixtures{list: {Body: "storage_buckets.json"}}, want: []evidence.Resource{secure, logs}},
		{name: "two pages", fx: gcptest.Fixtures{
			list: {Body: "storage_buckets_page1.json"},
			"GET /storage/v1/b?pageToken=CgxleGFtcGxlLWxvZ3M%3D&project=" + project: {Body: "storage_buckets_page2.json"},
		}, want: []evidence.Resource{archive, secure, logs}},
		{name: "empty", fx: gcptest.Fixtures{list: {Body: "storage_buckets_empty.json"}}},
		{name: "absent: API disabled means no buckets", fx: gcptest.Fixtures{list: {Status: 403, Body: "error_service_disabled.json"}}},
		{name: "absent project is an error", fx: gcptest.Fixtures{list: gcptest.NotFoundReply}, wantErr: evidence.Errored},
		{name: "denied", fx: gcptest.Fixtures{list: gcptest.DeniedReply}, wantErr: evidence.Denied, wantPerm: "storage.buckets.list"},
		{name: "throttled", fx: gcptest.Fixtures{list: gcptest.ThrottledReply}, wantErr: evidence.Throttled},
		{name: "cancelled", fx: gcptest.Fixtures{list: block}, started: started, wantErr: evidence.Cancelled},
	})
}
