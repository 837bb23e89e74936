package aws

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/attestdev/attest/collectors/evidence"
	"github.com/attestdev/attest/internal/fake/awsfake"
)

const (
	stagingAccount = "444455556666"
	vendorAccount  = "999988887777"
)

// roles has an administrator role, a deploy role trusted by the staging
// account, a role trusted by a vendor, and a service-linked role.
func roles() *awsfake.State {
	return &awsfake.State{
		Roles: []awsfake.Role{
			{Name: "admin", Policies: []string{"arn:aws:iam::aws:policy/AdministratorAccess"}, Trust: []string{"arn:aws:iam::" + testAccount + ":root"}},
			{Name: "deploy", AdminInline: []string{"all"}, Trust: []string{"arn:aws:iam::" + stagingAccount + ":role/ci", testAccount}},
			{Name: "monitoring", Policies: []string{"arn:aws:iam::aws:policy/ReadOnlyAccess"}, Trust: []string{vendorAccount}},
			{Name: "AWSServiceRoleForSupport", Path: "/aws-service-role/"},
		},
		ManagedPolicies: []awsfake.ManagedPolicy{{Name: "Reader"}},
	}
}

func TestIAMRoles(t *testing.T) {
	t.Parallel()
	const c, op = "aws.iam.roles", "iam:GetAccountAuthorizationDetails"
	envs := withEnvironments(map[string]string{testAccount: "prod", stagingAccount: "nonprod"})
	runCases(t, []caseTest{
		{name: "happy", collector: c, typ: IAMRoleType, state: roles,
			wantNames: []string{"admin", "AWSServiceRoleForSupport", "deploy", "monitoring"},
			wantAttrs: map[string]any{"admin": true, "service_linked": false, "trusted_accounts": []any{}, "environment": "prod", "cross_environment": false},
			wantCalls: map[string]int{op: 1}},
		{name: "two pages", collector: c, typ: IAMRoleType,
			state: func() *awsfake.State {
				st := roles()
				st.Roles = st.Roles[1:2]
				st.PageSize = 1
				return st
			},
			wantNames: []string{"deploy"},
			wantAttrs: map[string]any{"admin": true, "trusted_accounts": []any{stagingAccount}, "cross_environment": true},
			wantCalls: map[string]int{op: 2}},
		{name: "vendor account does not count", collector: c, typ: IAMRoleType,
			state: func() *awsfake.State {
				st := roles()
				st.Roles = st.Roles[2:3]
				return st
			},
			wantNames: []string{"monitoring"},
			wantAttrs: map[string]any{"admin": false, "trusted_accounts": []any{vendorAccount}, "cross_environment": false}},
		{name: "any principal", collector: c, typ: IAMRoleType,
			state: func() *awsfake.State {
				st := roles()
				st.Roles = []awsfake.Role{{Name: "open", Trust: []string{"*"}}}
				return st
			},
			wantNames: []string{"open"},
			wantAttrs: map[string]any{"trusted_accounts": []any{"*"}, "cross_environment": true}},
		{name: "empty", collector: c, typ: IAMRoleType, state: func() *awsfake.State { return &awsfake.State{} }},
		{name: "denied", collector: c, state: func() *awsfake.State { return withFault(roles(), op, "AccessDenied", http.StatusForbidden) },
			wantErr: evidence.Denied, wantPermission: op},
		{name: "not found", collector: c, state: func() *awsfake.State { return withFault(roles(), op, "NoSuchEntity", http.StatusNotFound) },
			wantErr: evidence.Errored},
		{name: "throttled", collector: c, state: func() *awsfake.State { return withFault(roles(), op, "Throttling", http.StatusBadRequest) },
			wantErr: evidence.Throttled, wantCalls: map[string]int{op: 2}},
		{name: "cancelled", collector: c, state: roles, block: op},
	}, envs)
}

// TestIAMRolesUnclassified leaves the role's own account unclassified:
// environment and cross_environment are gaps, never a guess; the
// environment of a trusted account in an OU is looked up.
func TestIAMRolesUnclassified(t *testing.T) {
	t.Parallel()
	st := roles()
	st.Roles = st.Roles[:2]
	st.Parents = map[string]string{testAccount: "ou-ab12-other000", "ou-ab12-other000": "r-ab12"}
	out, err := runEnv(t.Context(), t, st, map[string]string{stagingAccount: "nonprod", "ou-ab12-prod0000": "prod"}, "aws.iam.roles")
	if err != nil {
		t.Fatal(err)
	}
	if len(out.resources) != 2 {
		t.Fatalf("resources = %+v, want 2 roles", out.resources)
	}
	for _, r := range out.resources {
		if _, ok := r.Attributes["cross_environment"]; ok || len(r.Gaps) != 2 || r.Gaps[0] != unclassified(testAccount) || r.Gaps[1].Attribute != "cross_environment" {
			t.Errorf("%s: cross_environment %v, gaps %+v, want the unclassified gaps", r.Name, r.Attributes["cross_environment"], r.Gaps)
		}
	}
}

func TestTrustedAccounts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		doc  string
		want []string
	}{
		{`{"Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"sts:AssumeRole"}}`, []string{"111122223333"}},
		{`{"Statement":[{"Effect":"Allow","Principal":{"AWS":["444455556666","arn:aws:iam::123456789012:role/self","arn:aws:sts::999988887777:assumed-role/x/y"]}}]}`, []string{"444455556666", "999988887777"}},
		{`{"Statement":[{"Effect":"Allow","Principal":"*"}]}`, []string{"*"}},
		{`{"Statement":[{"Effect":"Allow","Principal":{"AWS":"*"}}]}`, []string{"*"}},
		{`{"Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"}},{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"}}]}`, nil},
		{`{"Statement":[{"Effect":"Deny","Principal":{"AWS":"444455556666"}}]}`, nil},
		{`%7B%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Principal%22%3A%7B%22AWS%22%3A%22444455556666%22%7D%7D%5D%7D`, []string{"444455556666"}},
		{`not json`, nil},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, trustedAccounts(tt.doc, testAccount)); diff != "" {
			t.Errorf("trustedAccounts(%s) (-want +got):\n%s", tt.doc, diff)
		}
	}
}

// TestIAMRolesRecordOrder gives ten roles each a trusted account in an
// organisational unit of its own, so that the run looks up one parent per
// role. The roles' records list those Organizations responses in role-name
// order, the same in every collection: GetAccountAuthorizationDetails
// gives the roles in a map, and iterating it made the order of the lookups,
// and so of a role's records, change from one collection to the next.
func TestIAMRolesRecordOrder(t *testing.T) {
	t.Parallel()
	st := &awsfake.State{AccountID: testAccount, Parents: map[string]string{}}
	envs := map[string]string{testAccount: "prod"}
	var want []string
	for i := range 10 {
		account, ou := fmt.Sprintf("1000000000%02d", i), fmt.Sprintf("ou-ab12-trust0%02d", i)
		st.Roles = append(st.Roles, awsfake.Role{Name: fmt.Sprintf("role-%02d", i), Trust: []string{account}})
		st.Parents[account], st.Parents[ou] = ou, "r-ab12"
		envs[ou] = "nonprod"
		want = append(want, ou)
	}
	// The listing order is not the name order.
	slices.Reverse(st.Roles)
	src := newFakeSource(t, st)
	src.cfg.Environments = envs
	dir, runs, b := runBundle(t, src, func(id string) bool { return id == "aws.iam.roles" })
	if len(runs) != 1 || runs[0].Status != evidence.Complete {
		t.Fatalf("runs %+v, want one complete run", runs)
	}
	opOf := map[string]string{}
	for _, rec := range b.Records {
		opOf[rec.SHA256] = rec.Operation
	}
	if len(b.Resources) != 10 {
		t.Fatalf("%d resources, want 10 roles", len(b.Resources))
	}
	for _, r := range b.Resources {
		var got []string
		for _, sum := range r.Records {
			if opOf[sum] != "organizations:ListParents" {
				continue
			}
			data, err := os.ReadFile(filepath.Join(dir, evidence.RawDir, sum))
			if err != nil {
				t.Fatal(err)
			}
			var page struct{ Parents []struct{ Id string } }
			if err := json.Unmarshal(data, &page); err != nil || len(page.Parents) != 1 {
				t.Fatalf("ListParents response %s: %v", data, err)
			}
			got = append(got, page.Parents[0].Id)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("%s: parents of its ListParents records, in record order (-want +got):\n%s", r.Name, diff)
		}
	}
}
