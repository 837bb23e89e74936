package gcp

import (
	"testing"

	"github.com/attestdev/attest/collectors/evidence"
	"github.com/attestdev/attest/collectors/internal/gcptest"
)

func TestServiceAccountKeys(t *testing.T) {
	t.Parallel()
	const (
		mine  = "my-service-account@example-project.iam.gserviceaccount.com"
		other = "another-account@example-project.iam.gserviceaccount.com"
		list  = "GET /v1/projects/" + project + "/serviceAccounts"
		keysM = "GET /v1/projects/" + project + "/serviceAccounts/" + mine + "/keys?keyTypes=USER_MANAGED"
		keysO = "GET /v1/projects/" + project + "/serviceAccounts/" + other + "/keys?keyTypes=USER_MANAGED"
	)
	happy := gcptest.Fixtures{list: {Body: "iam_service_accounts.json"}, keysM: {Body: "iam_keys.json"}}
	key := func(sa, id, created string, disabled bool) evidence.Resource {
		return evidence.Resource{Type: typeSAKey, ID: "projects/example-project/serviceAccounts/" + sa + "/keys/" + id, Name: id, Account: project,
			Attributes: map[string]any{"service_account": sa, "created": created, "disabled": disabled}}
	}
	k1 := key(mine, "1de3a3b2c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9", "2024-03-01T08:00:00Z", true)
	k2 := key(mine, "90c48f61c65cd56224a12ab18e6ee9ca9c3aee7c", "2019-06-17T19:40:33Z", false)
	k3 := key(other, "abc123", "2024-01-01T00:00:00Z", false)
	block, started := gcptest.Blocking()
	runCases(t, "gcp.iam_keys", typeSAKey, []tcase{
		{name: "happy", fx: happy, want: []evidence.Resource{k1, k2}},
		{name: "two pages", fx: happy.With(gcptest.Fixtures{
			list: {Body: "iam_service_accounts_page1.json"},
			list + "?pageToken=Cg5hbm90aGVyLWFjY291bnQ%3D": {Body: "iam_service_accounts_page2.json"},
			keysO: {Body: "iam_keys_other.json"},
		}), want: []evidence.Resource{k3, k1, k2}},
		{name: "empty", fx: gcptest.Fixtures{list: {Body: "iam_service_accounts_empty.json"}}},
		{name: "absent: account without user-managed keys, or deleted meanwhile", fx: happy.With(gcptest.Fixtures{
			list: {Body: "iam_service_accounts_page1.json"},
			list + "?pageToken=Cg5hbm90aGVyLWFjY291bnQ%3D": {Body: "iam_service_accounts_page2.json"},
			keysM: {Body: "iam_keys_empty.json"},
			keysO: gcptest.NotFoundReply,
		})},
		{name: "denied", fx: gcptest.Fixtures{list: gcptest.DeniedReply}, wantErr: evidence.Denied, wantPerm: opSAList},
		{name: "denied keys", fx: happy.With(gcptest.Fixtures{keysM: gcptest.DeniedReply}), wantFail: []evidence.FailureKind{evidence.Denied}},
		{name: "throttled", fx: gcptest.Fixtures{list: gcptest.ThrottledReply}, wantErr: evidence.Throttled},
		{name: "cancelled", fx: happy.With(gcptest.Fixtures{keysM: block}), started: started, wantErr: evidence.Cancelled},
	})
}
