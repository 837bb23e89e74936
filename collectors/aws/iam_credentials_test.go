package aws

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/google/go-cmp/cmp"

	"github.com/attestdev/attest/collectors/evidence"
	"github.com/attestdev/attest/internal/fake/awsfake"
)

// authDetailsMarker is the Marker of the first fixture page of
// iam:GetAccountAuthorizationDetails.
const authDetailsMarker = "EXAMPLEkakv9BCuUNFDtxWSyfzetYwEx2ADc8dnzfvERF5S6YMvXKx41t6gCl/eeaCX3Jo94/bKqezEAg8TEVS99EKFLxm3jtbpl25FDWEXAMPLE"

// newIAMFixtureSource serves IAM fixture files by operation, or by
// operation and "#" Marker for a page after the first; filters lists the
// entity types (Filter.member.N) each operation must ask for. Any other
// request fails the test.
func newIAMFixtureSource(t *testing.T, files map[string]string, filters map[string][]string) *Source {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		req, err := awsfake.Parse(r)
		if err != nil {
			t.Errorf("fixture server: %v", err)
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		key := req.Op()
		if m := req.Form.Get("Marker"); m != "" {
			key += "#" + m
		}
		if want, ok := filters[req.Op()]; ok {
			var got []string
			for i := 1; req.Form.Has("Filter.member." + strconv.Itoa(i)); i++ {
				got = append(got, req.Form.Get("Filter.member."+strconv.Itoa(i)))
			}
			if !slices.Equal(got, want) || req.Form.Get("MaxItems") != "1000" {
				t.Errorf("fixture server: %s Filter %v MaxItems %q, want %v and 1000", req.Op(), got, req.Form.Get("MaxItems"), want)
			}
		}
		file, ok := files[key]
		if !ok {
			t.Errorf("fixture server: unexpected request %s", key)
			http.Error(w, "unexpected", http.StatusInternalServerError)
			return
		}
		body, err := os.ReadFile(filepath.Join("testdata", file))
		if err != nil {
			t.Errorf("fixture server: %v", err)
		}
		w.Header().Set("Content-Type", "text/xml")
		_, _ = w.Write(body)
	}))
	t.Cleanup(srv.Close)
	return NewSource(Config{AWS: sdkConfig(srv.URL, srv.Client()), Regions: []string{"eu-central-1"}, MaxAttempts: 1})
}

// TestIAMCredentialsFixtures reads a credential report and two pages of
// authorisation details shaped like the AWS API reference examples.
func TestIAMCredentialsFixtures(t *testing.T) {
	t.Parallel()
	const op = "iam:GetAccountAuthorizationDetails"
	src := newIAMFixtureSource(t, map[string]string{
		"iam:GenerateCredentialReport": "iam/GenerateCredentialReport.xml",
		"iam:GetCredentialReport":      "iam/GetCredentialReport.xml",
		op:                             "iam/GetAccountAuthorizationDetails_page1.xml",
		op + "#" + authDetailsMarker:   "iam/GetAccountAuthorizationDetails_page2.xml",
	}, map[string][]string{op: {"User", "Group", "LocalManagedPolicy"}})
	out, err := collect(t.Context(), t, src, "aws.iam.credentials", "")
	if err != nil {
		t.Fatalf("Collect: %v", err)
	}
	if len(out.failures) > 0 {
		t.Errorf("failures: %v", out.failures)
	}
	// Alice is an administrator through Admins, Bob directly; Charlie,
	// created after the report, is not in it and is not emitted.
	want := []evidence.Resource{
		{Type: IAMRootType, ID: "arn:aws:iam::123456789012:root", Name: "root", Account: testAccount, Attributes: map[string]any{
			"mfa_active": false, "access_keys_present": true, "password_last_used": "2026-10-01T08:12:40Z",
			"access_keys_last_used": "2026-02-02T10:00:00Z", "last_used": "2026-10-01T08:12:40Z"}},
		{Type: IAMUserType, ID: "arn:aws:iam::123456789012:user/Alice", Name: "Alice", Account: testAccount, Attributes: map[string]any{
			"created": "2020-05-06T19:10:55Z", "console_access": true, "mfa_active": true, "password_last_used": "2026-11-20T07:40:09Z",
			"active_access_keys": 0, "oldest_active_key_rotated": "", "last_activity": "2026-11-20T07:40:09Z", "admin_policy_attached": false, "admin_via_group": true}},
		{Type: IAMUserType, ID: "arn:aws:iam::123456789012:user/Bob", Name: "Bob", Account: testAccount, Attributes: map[string]any{
			"created": "2021-03-01T10:00:00Z", "console_access": true, "mfa_active": false, "password_last_used": "",
			"active_access_keys": 2, "oldest_active_key_rotated": "2021-03-01T10:00:00Z", "last_activity": "2026-11-01T12:00:00Z", "admin_policy_attached": true, "admin_via_group": false}},
		{Type: IdentityType, ID: "arn:aws:iam::123456789012:user/Alice", Name: "Alice", Account: testAccount, Attributes: map[string]any{
			"system": "aws", "account_id": testAccount, "user": "Alice", "email": "", "person": "alice", "mfa": true,
			"admin": true, "last_login": "2026-11-20T07:40:09Z", "active": true}},
		{Type: IdentityType, ID: "arn:aws:iam::123456789012:user/Bob", Name: "Bob", Account: testAccount, Attributes: map[string]any{
			"system": "aws", "account_id": testAccount, "user": "Bob", "email": "", "person": "bob", "mfa": false,
			"admin": true, "last_login": "", "active": true}},
	}
	if diff := cmp.Diff(want, out.resources); diff != "" {
		t.Errorf("resources (-want +got):\n%s", diff)
	}
	for _, c := range src.Collectors() {
		if c.Describe().ID == "aws.iam.credentials" {
			checkDescribed(t, c, out.resources)
		}
	}
}

// TestIAMUserAdmin covers users and groups missing from the listing, as
// when they are deleted between the credential report and the listing.
func TestIAMUserAdmin(t *testing.T) {
	t.Parallel()
	admin := []iamtypes.AttachedPolicy{{PolicyName: awssdk.String("AdministratorAccess"), PolicyArn: awssdk.String("arn:aws:iam::aws:policy/AdministratorAccess")}}
	custom := []iamtypes.AttachedPolicy{{PolicyName: awssdk.String("AdministratorAccess"), PolicyArn: awssdk.String("arn:aws:iam::123456789012:policy/AdministratorAccess")}}
	full := []iamtypes.AttachedPolicy{{PolicyName: awssdk.String("Full"), PolicyArn: awssdk.String("arn:aws:iam::123456789012:policy/Full")}}
	star := []iamtypes.PolicyDetail{{PolicyName: awssdk.String("star"), PolicyDocument: awssdk.String(`%7B%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%5B%22*%22%5D%2C%22Resource%22%3A%22*%22%7D%5D%7D`)}}
	a := &authorization{
		users: map[string]iamtypes.UserDetail{
			"direct":  {AttachedManagedPolicies: admin},
			"grouped": {GroupList: []string{"gone", "ops"}},
			"custom":  {AttachedManagedPolicies: custom, GroupList: []string{"gone"}},
			"full":    {AttachedManagedPolicies: full},
			"inline":  {UserPolicyList: star},
			"inlined": {GroupList: []string{"inline"}},
		},
		groups:        map[string]iamtypes.GroupDetail{"ops": {AttachedManagedPolicies: admin}, "inline": {GroupPolicyList: star}},
		adminPolicies: map[string]bool{"arn:aws:iam::123456789012:policy/Full": true},
	}
	tests := []struct {
		user          string
		direct, group bool
	}{
		{"direct", true, false},
		{"grouped", false, true},
		{"custom", false, false},
		{"deleted", false, false},
		{"full", true, false},
		{"inline", true, false},
		{"inlined", false, true},
	}
	for _, tt := range tests {
		if d, g := a.userAdmin(tt.user); d != tt.direct || g != tt.group {
			t.Errorf("userAdmin(%s) = %v, %v, want %v, %v", tt.user, d, g, tt.direct, tt.group)
		}
	}
}

// TestIAMRecords runs the IAM collectors through the runner and checks
// that every resource points at the raw responses it rests on.
func TestIAMRecords(t *testing.T) {
	t.Parallel()
	st := iamUsers()
	st.AccountID = testAccount
	st.Parents = map[string]string{testAccount: "ou-ab12-prod0000", "ou-ab12-prod0000": "r-ab12"}
	src := newFakeSource(t, st)
	src.cfg.Environments = map[string]string{"ou-ab12-prod0000": "prod"}
	_, runs, b := runBundle(t, src, func(id string) bool { return id == "aws.iam.credentials" || id == "aws.iam.groups" })
	for _, r := range runs {
		if r.Status != evidence.Complete {
			t.Errorf("run %s: %s %v", r.Collector, r.Status, r.Failures)
		}
	}
	opOf := map[string]string{}
	for _, rec := range b.Records {
		opOf[rec.SHA256] = rec.Operation
	}
	want := map[string][]string{
		IAMRootType:  {"iam:GenerateCredentialReport", "iam:GetCredentialReport"},
		IAMUserType:  {"iam:GenerateCredentialReport", "iam:GetAccountAuthorizationDetails", "iam:GetCredentialReport"},
		IdentityType: {"iam:GenerateCredentialReport", "iam:GetAccountAuthorizationDetails", "iam:GetCredentialReport"},
		IAMGroupType: {"iam:GetAccountAuthorizationDetails", "organizations:ListParents"},
	}
	seen := map[string]bool{}
	for _, r := range b.Resources {
		var ops []string
		for _, sum := range r.Records {
			ops = append(ops, opOf[sum])
		}
		slices.Sort(ops)
		ops = slices.Compact(ops)
		if diff := cmp.Diff(want[r.Type], ops); diff != "" {
			t.Errorf("%s %s: operations of its records (-want +got):\n%s", r.Type, r.ID, diff)
		}
		seen[r.Type] = true
	}
	if len(seen) != len(want) {
		t.Errorf("resource types %v, want %d types", seen, len(want))
	}
}

// TestGrantsAdmin covers the shapes of IAM policy documents.
func TestGrantsAdmin(t *testing.T) {
	t.Parallel()
	tests := []struct {
		doc  string
		want bool
	}{
		{`{"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`, true},
		{`{"Statement":[{"Effect":"Allow","Action":["s3:*","*"],"Resource":["*"]}]}`, true},
		{`{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}}]}`, true},
		{`%7B%22Statement%22%3A%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22*%22%2C%22Resource%22%3A%22*%22%7D%7D`, true},
		{`{"Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}`, false},
		{`{"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`, false},
		{`{"Statement":[{"Effect":"Allow","Action":"*","Resource":"arn:aws:s3:::b/*"}]}`, false},
		{`{"Statement":[{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}]}`, false},
		{`not json`, false},
	}
	for _, tt := range tests {
		if got := grantsAdmin(tt.doc); got != tt.want {
			t.Errorf("grantsAdmin(%s) = %v, want %v", tt.doc, got, tt.want)
		}
	}
}
