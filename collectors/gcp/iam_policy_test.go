package gcp

import (
	"testing"

	"github.com/attestdev/attest/collectors/evidence"
	"github.com/attestdev/attest/collectors/gcp/gcptest"
)

// The IAM policy is one object, so it has no pages; paging of the IAM API
// is covered by TestServiceAccountKeys.
func TestProjectIAM(t *testing.T) {
	t.Parallel()
	const get = "POST /v3/projects/" + project + ":getIamPolicy"
	res := func(attrs map[string]any) []evidence.Resource {
		return []evidence.Resource{{Type: typeProjectIAM, ID: "//cloudresourcemanager.googleapis.com/projects/" + project, Name: project, Account: project, Attributes: attrs}}
	}
	block, started := gcptest.Blocking()
	runCases(t, "gcp.iam", typeProjectIAM, []tcase{
		{name: "happy", fx: gcptest.Fixtures{get: {Body: "iam_policy.json"}}, want: res(map[string]any{
			"owners":                2,
			"primitive_user_grants": []any{"roles/editor user:sean@example.com", "roles/owner user:mike@example.com"},
			"public_grants":         []any{"roles/storage.objectViewer allUsers"},
			"data_access_logs":      true,
		})},
		{name: "empty policy", fx: gcptest.Fixtures{get: {Body: "iam_policy_empty.json"}}, want: res(map[string]any{
			"owners": 0, "primitive_user_grants": []any{}, "public_grants": []any{}, "data_access_logs": false,
		})},
		{name: "absent project", fx: gcptest.Fixtures{get: gcptest.NotFoundReply}, wantErr: evidence.Errored},
		{name: "denied", fx: gcptest.Fixtures{get: gcptest.DeniedReply}, wantErr: evidence.Denied, wantPerm: opGetIamPolicy},
		{name: "throttled", fx: gcptest.Fixtures{get: gcptest.ThrottledReply}, wantErr: evidence.Throttled},
		{name: "cancelled", fx: gcptest.Fixtures{get: block}, started: started, wantErr: evidence.Cancelled},
	})
}
