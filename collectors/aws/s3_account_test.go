package aws

import (
	"net/http"
	"testing"

	"github.com/attestdev/attest/collectors/evidence"
	"github.com/attestdev/attest/internal/fake/awsfake"
)

func withAccountBlock(st *awsfake.State, p *awsfake.PublicAccessBlock) *awsfake.State {
	st.Protection.AccountPublicAccessBlock = p
	return st
}

func TestS3AccountPublicAccessBlock(t *testing.T) {
	t.Parallel()
	all := &awsfake.PublicAccessBlock{BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true}
	bare := func() *awsfake.State {
		return &awsfake.State{Buckets: []awsfake.Bucket{{Name: "bare", Region: "eu-central-1", Created: t0}}}
	}
	runCases(t, []caseTest{
		{name: "account block protects an unprotected bucket", collector: "aws.s3", typ: S3BucketType,
			state:     func() *awsfake.State { return withAccountBlock(bare(), all) },
			wantNames: []string{"bare"},
			wantAttrs: map[string]any{"public_access_block": false, "account_public_access_block": true}},
		{name: "account resource", collector: "aws.s3", typ: S3AccountPublicAccessBlockType,
			state: func() *awsfake.State {
				return withAccountBlock(bare(), &awsfake.PublicAccessBlock{BlockPublicAcls: true, BlockPublicPolicy: true})
			},
			wantNames: []string{"S3 account " + testAccount},
			wantAttrs: map[string]any{"all": false, "settings": map[string]any{"block_public_acls": true,
				"ignore_public_acls": false, "block_public_policy": true, "restrict_public_buckets": false}}},
		{name: "two pages of buckets, one account call", collector: "aws.s3", typ: S3BucketType,
			state: func() *awsfake.State {
				st := withAccountBlock(buckets("b-one", "b-three", "b-two"), all)
				st.PageSize = 2
				return st
			},
			wantNames: []string{"b-one", "b-three", "b-two"},
			wantAttrs: map[string]any{"account_public_access_block": true},
			wantCalls: map[string]int{"s3:ListBuckets": 2, "s3control:GetPublicAccessBlock": 1}},
		{name: "no buckets still reports the account", collector: "aws.s3", typ: S3AccountPublicAccessBlockType,
			state:     func() *awsfake.State { return buckets() },
			wantNames: []string{"S3 account " + testAccount},
			wantAttrs: map[string]any{"all": false}},
		{name: "absent account configuration", collector: "aws.s3", typ: S3BucketType,
			state:     bare,
			wantNames: []string{"bare"},
			wantAttrs: map[string]any{"account_public_access_block": false}},
		{name: "denied", collector: "aws.s3", typ: S3BucketType,
			state: func() *awsfake.State {
				return withFault(bare(), "s3control:GetPublicAccessBlock", "AccessDenied", http.StatusForbidden)
			},
			wantNames: []string{"bare"},
			wantGaps:  map[string]evidence.FailureKind{"account_public_access_block": evidence.Denied},
			wantAttrs: map[string]any{"public_access_block": false}},
		{name: "throttled", collector: "aws.s3", typ: S3AccountPublicAccessBlockType,
			state: func() *awsfake.State {
				return withFault(bare(), "s3control:GetPublicAccessBlock", "SlowDown", http.StatusServiceUnavailable)
			},
			wantNames: []string{"S3 account " + testAccount},
			wantGaps:  map[string]evidence.FailureKind{"all": evidence.Throttled, "settings": evidence.Throttled},
			wantCalls: map[string]int{"s3control:GetPublicAccessBlock": 2}},
		{name: "cancelled", collector: "aws.s3", state: bare, block: "s3control:GetPublicAccessBlock"},
	})
}

func TestS3AccountPublicAccessBlockDeniedPermission(t *testing.T) {
	t.Parallel()
	st := withFault(&awsfake.State{AccountID: testAccount, Buckets: []awsfake.Bucket{{Name: "b", Region: "eu-central-1", Created: t0}}},
		"s3control:GetPublicAccessBlock", "AccessDenied", http.StatusForbidden)
	out, err := collect(t.Context(), t, newFakeSource(t, st), "aws.s3", "")
	if err != nil {
		t.Fatal(err)
	}
	var perms []string
	for _, r := range out.resources {
		for _, g := range r.Gaps {
			perms = append(perms, r.Type+"/"+g.Attribute+"="+g.Permission)
		}
	}
	want := []string{
		S3AccountPublicAccessBlockType + "/all=s3:GetAccountPublicAccessBlock",
		S3AccountPublicAccessBlockType + "/settings=s3:GetAccountPublicAccessBlock",
		S3BucketType + "/account_public_access_block=s3:GetAccountPublicAccessBlock",
	}
	if len(perms) != len(want) {
		t.Fatalf("gaps = %q, want %q", perms, want)
	}
	for i := range want {
		if perms[i] != want[i] {
			t.Errorf("gap %d = %q, want %q", i, perms[i], want[i])
		}
	}
	if len(out.failures) != 1 || out.failures[0].Permission != "s3:GetAccountPublicAccessBlock" {
		t.Errorf("failures = %+v, want one naming s3:GetAccountPublicAccessBlock", out.failures)
	}
}
