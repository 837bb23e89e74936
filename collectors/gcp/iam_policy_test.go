package gcp

import (
	"testing"

	"github.com/attestdev/attest/collectors/evidence"
	"github.com/attestdev/attest/collectors/internal/gcptest"
)

// The IAM policy is one object, so it has no pages; paging of the IAM API
// is covered by TestServiceAccountKeys.
func TestProjectIAM(t *testing.T) {
	t.Parallel()
	const (
		get = "POST /v3/projects/" + project + ":getIamPolicy"
		anc = "POST /v1/projects/" + project + ":getAncestry"
	)
	res := func(attrs map[string]any, gaps ...evidence.Gap) []evidence.Resource {
		return []evidence.Resource{{Type: typeProjectIAM, ID: "//cloudresourcemanager.googleapis.com/projects/" + project, Name: project, Account: project,
			Attributes: attrs, Gaps: gaps}}
	}
	happy := func(env string) map[string]any {
		attrs := map[string]any{
			"owners":                           2,
			"primitive_user_grants":            []any{"roles/editor user:sean@example.com", "roles/owner user:mike@example.com"},
			"primitive_service_account_grants": []any{},
			"public_grants":                    []any{"roles/storage.objectViewer allUsers"},
			"data_access_logs":                 true,
			"groups":                           []any{"admins@example.com"},
			"group_grants":                     []any{"roles/owner group:admins@example.com"},
		}
		if env != "" {
			attrs["environment"] = env
		}
		return attrs
	}
	unclassifiedGap := evidence.Gap{Attribute: "environment", Kind: evidence.Errored}
	block, started := gcptest.Blocking()
	runCases(t, "gcp.iam", typeProjectIAM, []tcase{
		{name: "happy", fx: gcptest.Fixtures{get: {Body: "iam_policy.json"}}, want: res(happy(""), unclassifiedGap)},
		{name: "happy, prod by project ID", envs: map[string]string{project: "prod"}, fx: gcptest.Fixtures{get: {Body: "iam_policy.json"}},
			want: res(happy("prod"))},
		{name: "happy, nonprod by folder", envs: map[string]string{folder: "nonprod"},
			fx: gcptest.Fixtures{get: {Body: "iam_policy.json"}, anc: {Body: "crm_ancestry.json"}}, want: res(happy("nonprod"))},
		{name: "empty policy", fx: gcptest.Fixtures{get: {Body: "iam_policy_empty.json"}}, want: res(map[string]any{
			"owners": 0, "primitive_user_grants": []any{}, "primitive_service_account_grants": []any{}, "public_grants": []any{}, "data_access_logs": false,
			"groups": []any{}, "group_grants": []any{},
		}, unclassifiedGap)},
		{name: "service accounts with basic roles, service agents left out", fx: gcptest.Fixtures{get: {Body: "iam_policy_service_accounts.json"}}, want: res(map[string]any{
			"owners": 2, "primitive_user_grants": []any{}, "public_grants": []any{}, "data_access_logs": false,
			"primitive_service_account_grants": []any{
				"roles/editor serviceAccount:123456789012-compute@developer.gserviceaccount.com",
				"roles/owner serviceAccount:terraform@example-project.iam.gserviceaccount.com",
			},
			"groups": []any{"admins@example.com"}, "group_grants": []any{"roles/owner group:admins@example.com"},
		}, unclassifiedGap)},
		{name: "absent project", fx: gcptest.Fixtures{get: gcptest.NotFoundReply}, wantErr: evidence.Errored},
		{name: "denied", fx: gcptest.Fixtures{get: gcptest.DeniedReply}, wantErr: evidence.Denied, wantPerm: opGetIamPolicy},
		// A denied ancestry leaves only the environment unknown, without
		// failing the run that the other IAM controls rest on.
		{name: "denied ancestry", envs: map[string]string{folder: "nonprod"},
			fx:   gcptest.Fixtures{get: {Body: "iam_policy.json"}, anc: gcptest.DeniedReply},
			want: res(happy(""), evidence.Gap{Attribute: "environment", Kind: evidence.Denied, Operation: opGetAncestry, Permission: permProjectsGet})},
		{name: "throttled", fx: gcptest.Fixtures{get: gcptest.ThrottledReply}, wantErr: evidence.Throttled},
		{name: "cancelled", fx: gcptest.Fixtures{get: block}, started: started, wantErr: evidence.Cancelled},
	})
}

func TestProjectIAMCancelledDuringAncestry(t *testing.T) {
	t.Parallel()
	block, started := gcptest.Blocking()
	runCases(t, "gcp.iam", typeProjectIAM, []tcase{{
		name: "cancelled", envs: map[string]string{folder: "nonprod"}, started: started, wantErr: evidence.Cancelled,
		fx: gcptest.Fixtures{
			"POST /v3/projects/" + project + ":getIamPolicy": {Body: "iam_policy.json"},
			"POST /v1/projects/" + project + ":getAncestry":  block,
		},
	}})
}

func TestGroupOf(t *testing.T) {
	t.Parallel()
	for member, want := range map[string]string{
		"group:Engineering@Example.com": "engineering@example.com",
		"principalSet://iam.googleapis.com/locations/global/workforcePools/okta/group/dev-team": "dev-team",
		"principalSet://iam.googleapis.com/locations/global/workforcePools/okta/*":              "",
		"user:mike@example.com": "",
		"serviceAccount:123456789012@cloudservices.gserviceaccount.com": "",
		"deleted:group:old@example.com?uid=123456789012345678901":       "",
		"domain:example.com": "",
	} {
		if got := groupOf(member); got != want {
			t.Errorf("groupOf(%q) = %q, want %q", member, got, want)
		}
	}
}
