package aws

import (
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/attestdev/attest/collectors/evidence"
	"github.com/attestdev/attest/internal/fake/awsfake"
)

// policies has a customer managed policy allowing everything attached to a
// role, the same kind of policy attached to nothing, and a narrow one
// attached to a group and a user.
func policies() *awsfake.State {
	st := &awsfake.State{AccountID: testAccount}
	st.ManagedPolicies = []awsfake.ManagedPolicy{{Name: "Everything", Admin: true}, {Name: "Spare", Admin: true}, {Name: "Reader"}}
	st.Roles = []awsfake.Role{{Name: "ops", Policies: []string{st.ManagedPolicyARN("Everything")}}}
	st.Groups = []awsfake.Group{{Name: "readers", Policies: []string{st.ManagedPolicyARN("Reader")}}}
	st.Users = []awsfake.User{{Name: "alice", Policies: []string{st.ManagedPolicyARN("Reader")}}}
	return st
}

func TestIAMPolicies(t *testing.T) {
	t.Parallel()
	const c, op = "aws.iam.policies", "iam:GetAccountAuthorizationDetails"
	runCases(t, []caseTest{
		{name: "happy", collector: c, typ: IAMPolicyType, state: policies,
			wantNames: []string{"Everything", "Reader", "Spare"},
			wantAttrs: map[string]any{"full_admin": true, "attachment_count": 1, "default_version": "v1", "path": "/"},
			wantCalls: map[string]int{op: 1}},
		{name: "narrow policy", collector: c, typ: IAMPolicyType,
			state: func() *awsfake.State {
				st := policies()
				st.ManagedPolicies = st.ManagedPolicies[2:]
				return st
			},
			wantNames: []string{"Reader"},
			wantAttrs: map[string]any{"full_admin": false, "attachment_count": 2}},
		{name: "unattached", collector: c, typ: IAMPolicyType,
			state: func() *awsfake.State {
				st := policies()
				st.ManagedPolicies = st.ManagedPolicies[1:2]
				return st
			},
			wantNames: []string{"Spare"},
			wantAttrs: map[string]any{"full_admin": true, "attachment_count": 0}},
		{name: "two pages", collector: c, typ: IAMPolicyType,
			state: func() *awsfake.State {
				st := policies()
				st.PageSize = 2
				return st
			},
			wantNames: []string{"Everything", "Reader", "Spare"},
			wantCalls: map[string]int{op: 2}},
		{name: "empty", collector: c, typ: IAMPolicyType, state: func() *awsfake.State { return &awsfake.State{} }},
		{name: "denied", collector: c, state: func() *awsfake.State { return withFault(policies(), op, "AccessDenied", http.StatusForbidden) },
			wantErr: evidence.Denied, wantPermission: op},
		{name: "not found", collector: c, state: func() *awsfake.State { return withFault(policies(), op, "NoSuchEntity", http.StatusNotFound) },
			wantErr: evidence.Errored},
		{name: "throttled", collector: c, state: func() *awsfake.State { return withFault(policies(), op, "Throttling", http.StatusBadRequest) },
			wantErr: evidence.Throttled, wantCalls: map[string]int{op: 2}},
		{name: "cancelled", collector: c, state: policies, block: op},
	})
}

// TestIAMRolesAdminCount counts the account's administrator roles on every
// role, Identity Center's included and service-linked ones left out.
func TestIAMRolesAdminCount(t *testing.T) {
	t.Parallel()
	st := roles()
	st.Roles = append(st.Roles,
		awsfake.Role{Name: "AWSReservedSSO_AdministratorAccess_0123456789abcdef", Path: "/aws-reserved/sso.amazonaws.com/",
			Policies: []string{"arn:aws:iam::aws:policy/AdministratorAccess"}, Federated: "arn:aws:iam::" + testAccount + ":saml-provider/AWSSSO_0123456789abcdef_DO_NOT_DELETE"},
		awsfake.Role{Name: "AWSServiceRoleForOdd", Path: "/aws-service-role/", Policies: []string{"arn:aws:iam::aws:policy/AdministratorAccess"}})
	out, err := runEnv(t.Context(), t, st, map[string]string{testAccount: "prod", stagingAccount: "nonprod"}, "aws.iam.roles")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]map[string]any{}
	for _, r := range out.resources {
		got[r.Name] = r.Attributes
	}
	if len(got) != 6 {
		t.Fatalf("roles = %v, want 6", got)
	}
	for name, a := range got {
		if a["account_admin_roles"] != 3 {
			t.Errorf("%s: account_admin_roles = %v, want 3 (admin, deploy, the Identity Center role)", name, a["account_admin_roles"])
		}
		wantIC := name == "AWSReservedSSO_AdministratorAccess_0123456789abcdef"
		if a["identity_center"] != wantIC {
			t.Errorf("%s: identity_center = %v, want %v", name, a["identity_center"], wantIC)
		}
	}
	sso := got["AWSReservedSSO_AdministratorAccess_0123456789abcdef"]
	if sso["admin"] != true || len(sso["trusted_accounts"].([]any)) != 0 {
		t.Errorf("Identity Center role: admin %v, trusted %v, want true and none", sso["admin"], sso["trusted_accounts"])
	}
}

// TestIAMPoliciesFixtures reads a customer managed policy shaped like the
// AWS API reference example of GetAccountAuthorizationDetails: its default
// version v2 allows everything, its older v1 only s3:*.
func TestIAMPoliciesFixtures(t *testing.T) {
	t.Parallel()
	const op = "iam:GetAccountAuthorizationDetails"
	src := newIAMFixtureSource(t, map[string]string{op: "iam/GetAccountAuthorizationDetails_page2.xml"},
		map[string][]string{op: {"LocalManagedPolicy"}})
	out, err := collect(t.Context(), t, src, "aws.iam.policies", "")
	if err != nil {
		t.Fatalf("Collect: %v", err)
	}
	want := []evidence.Resource{
		{Type: IAMPolicyType, ID: "arn:aws:iam::123456789012:policy/OpsFullAccess", Name: "OpsFullAccess", Account: testAccount, Attributes: map[string]any{
			"full_admin": true, "attachment_count": 0, "default_version": "v2", "path": "/"}},
	}
	if diff := cmp.Diff(want, out.resources); diff != "" {
		t.Errorf("resources (-want +got):\n%s", diff)
	}
	for _, c := range src.Collectors() {
		if c.Describe().ID == "aws.iam.policies" {
			checkDescribed(t, c, out.resources)
		}
	}
}

// TestIAMRolesVendorOutsideOrganisation classifies accounts by OU and
// tag: a trusted vendor account that Organizations does not know
// (ChildNotFoundException, TargetNotFoundException) is unclassified and
// does not count, never a failed lookup.
func TestIAMRolesVendorOutsideOrganisation(t *testing.T) {
	t.Parallel()
	st := roles()
	st.Roles = st.Roles[2:3] // monitoring, trusted by vendorAccount
	st.Parents = map[string]string{testAccount: "ou-ab12-prod0000", "ou-ab12-prod0000": "r-ab12"}
	st.AccountID = testAccount
	src := newFakeSource(t, st)
	src.cfg.Environments = map[string]string{"ou-ab12-prod0000": "prod"}
	src.cfg.EnvironmentTag = "environment"
	src.caller = testAccount
	out, err := collect(t.Context(), t, src, "aws.iam.roles", "eu-central-1")
	if err != nil {
		t.Fatal(err)
	}
	if len(out.failures) != 0 || len(out.resources) != 1 {
		t.Fatalf("failures %+v, resources %+v, want one role and no failure", out.failures, out.resources)
	}
	r := out.resources[0]
	if r.Attributes["cross_environment"] != false || r.Attributes["environment"] != "prod" || len(r.Gaps) != 0 {
		t.Errorf("attributes %v, gaps %+v, want prod and not cross-environment", r.Attributes, r.Gaps)
	}
	if n := st.Calls("organizations:ListParents"); n != 2 {
		t.Errorf("ListParents calls = %d, want 2 (the account, the vendor)", n)
	}
}
