package aws

import (
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/attestdev/attest/collectors/evidence"
	"github.com/attestdev/attest/internal/fake/awsfake"
)

func iamGroups() *awsfake.State {
	return &awsfake.State{
		Users: []awsfake.User{{Name: "dev1", Created: t0, Groups: []string{"developers"}}},
		Groups: []awsfake.Group{
			{Name: "developers", Policies: []string{"arn:aws:iam::aws:policy/PowerUserAccess", "arn:aws:iam::aws:policy/AmazonEC2FullAccess"},
				Inline: []string{"deploy"}},
			{Name: "admins", Policies: []string{"arn:aws:iam::aws:policy/AdministratorAccess"}},
			{Name: "empty"},
		},
		Parents: map[string]string{testAccount: "ou-ab12-prod0000", "ou-ab12-prod0000": "r-ab12"},
	}
}

// withEnvironments sets aws.environments and the caller account that OU
// lookups use.
func withEnvironments(envs map[string]string) func(*Source) {
	return func(s *Source) {
		s.cfg.Environments = envs
		s.caller = testAccount
	}
}

func TestIAMGroups(t *testing.T) {
	t.Parallel()
	const c, op = "aws.iam.groups", "iam:GetAccountAuthorizationDetails"
	names := []string{"admins", "developers", "empty"}
	runCases(t, []caseTest{
		{name: "happy", collector: c, typ: IAMGroupType, state: iamGroups, wantNames: names,
			wantAttrs: map[string]any{"name": "admins", "attached_policies": []any{"AdministratorAccess"}, "admin_policy_attached": true,
				"inline_policies": 0, "environment": "prod"},
			wantCalls: map[string]int{op: 1, "organizations:ListParents": 0}},
		{name: "two pages", collector: c, typ: IAMGroupType,
			state: func() *awsfake.State {
				st := iamGroups()
				st.PageSize = 2
				return st
			},
			wantNames: names,
			wantCalls: map[string]int{op: 2}},
		{name: "empty", collector: c, typ: IAMGroupType,
			state: func() *awsfake.State {
				st := iamGroups()
				st.Groups = nil
				return st
			},
			wantCalls: map[string]int{op: 1, "organizations:ListParents": 0}},
		{name: "denied", collector: c,
			state: func() *awsfake.State {
				return withFault(iamGroups(), op, "AccessDenied", http.StatusForbidden)
			},
			wantErr: evidence.Denied, wantPermission: "iam:GetAccountAuthorizationDetails"},
		{name: "throttled", collector: c,
			state: func() *awsfake.State {
				return withFault(iamGroups(), op, "Throttling", http.StatusBadRequest)
			},
			wantErr: evidence.Throttled, wantCalls: map[string]int{op: 2}},
		{name: "cancelled", collector: c, state: iamGroups, block: op},
	}, withEnvironments(map[string]string{testAccount: "prod"}))
	runCases(t, []caseTest{
		{name: "OU lookup", collector: c, typ: IAMGroupType, state: iamGroups, wantNames: names,
			wantAttrs: map[string]any{"environment": "prod"},
			wantCalls: map[string]int{"organizations:ListParents": 1}},
		{name: "OU lookup denied", collector: c, typ: IAMGroupType,
			state: func() *awsfake.State {
				return withFault(iamGroups(), "organizations:ListParents", "AccessDeniedException", http.StatusBadRequest)
			},
			wantNames: names,
			wantGaps:  map[string]evidence.FailureKind{"environment": evidence.Denied},
			wantAttrs: map[string]any{"admin_policy_attached": true, "inline_policies": 0}},
		{name: "OU lookup cancelled", collector: c, state: iamGroups, block: "organizations:ListParents"},
	}, withEnvironments(map[string]string{"ou-ab12-prod0000": "prod"}))
}

// TestIAMGroupsUnclassified: an account that aws.environments does not
// classify gives a gap on environment, never a guess.
func TestIAMGroupsUnclassified(t *testing.T) {
	t.Parallel()
	st := iamGroups()
	out, err := runEnv(t.Context(), t, st, map[string]string{"999999999999": "prod", "ou-other": "nonprod"}, "aws.iam.groups")
	if err != nil {
		t.Fatal(err)
	}
	if len(out.resources) != 3 {
		t.Fatalf("resources = %+v, want 3 groups", out.resources)
	}
	for _, r := range out.resources {
		if _, ok := r.Attributes["environment"]; ok || len(r.Gaps) != 1 || r.Gaps[0] != unclassified(testAccount) {
			t.Errorf("%s: environment %v, gaps %+v, want the unclassified gap", r.Name, r.Attributes["environment"], r.Gaps)
		}
	}
	// One lookup per run: the cache lives as long as the run.
	if n := st.Calls("organizations:ListParents"); n != 2 {
		t.Errorf("ListParents calls = %d, want 2 (account, then its OU)", n)
	}
	if _, err := runEnv(t.Context(), t, st, map[string]string{"ou-other": "nonprod"}, "aws.iam.groups"); err != nil {
		t.Fatal(err)
	}
	if n := st.Calls("organizations:ListParents"); n != 4 {
		t.Errorf("ListParents calls after a second run = %d, want 4: runs share no cache", n)
	}
}

// TestIAMGroupsFixtures reads groups shaped like the AWS API reference
// example of GetAccountAuthorizationDetails.
func TestIAMGroupsFixtures(t *testing.T) {
	t.Parallel()
	const op = "iam:GetAccountAuthorizationDetails"
	src := newIAMFixtureSource(t, map[string]string{op: "iam/GetAccountAuthorizationDetails_page2.xml"},
		map[string][]string{op: {"Group"}})
	src.cfg.Environments = map[string]string{testAccount: "nonprod"}
	out, err := collect(t.Context(), t, src, "aws.iam.groups", "")
	if err != nil {
		t.Fatalf("Collect: %v", err)
	}
	want := []evidence.Resource{
		{Type: IAMGroupType, ID: "arn:aws:iam::123456789012:group/Admins", Name: "Admins", Account: testAccount, Attributes: map[string]any{
			"name": "Admins", "attached_policies": []any{"AdministratorAccess"}, "admin_policy_attached": true, "inline_policies": 0,
			"environment": "nonprod"}},
		{Type: IAMGroupType, ID: "arn:aws:iam::123456789012:group/Dev", Name: "Dev", Account: testAccount, Attributes: map[string]any{
			"name": "Dev", "attached_policies": []any{"AmazonEC2FullAccess"}, "admin_policy_attached": false, "inline_policies": 1,
			"environment": "nonprod"}},
	}
	if diff := cmp.Diff(want, out.resources); diff != "" {
		t.Errorf("resources (-want +got):\n%s", diff)
	}
	for _, c := range src.Collectors() {
		if c.Describe().ID == "aws.iam.groups" {
			checkDescribed(t, c, out.resources)
		}
	}
}
