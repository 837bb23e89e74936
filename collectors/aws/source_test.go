package aws

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/google/go-cmp/cmp"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
	"github.com/attestdev/attest/internal/fake/awsfake"
)

func all(string) bool { return true }

func targets(jobs []collectors.Job) []string {
	var out []string
	for _, j := range jobs {
		out = append(out, j.Collector.Describe().ID+" "+j.Target.String())
	}
	slices.Sort(out)
	return out
}

func TestPlan(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		cfg     func(*Config)
		enabled func(string) bool
		want    []string
	}{
		{
			name:    "regions from DescribeRegions",
			cfg:     func(c *Config) { c.Regions = nil },
			enabled: func(id string) bool { return id == "aws.kms" || id == "aws.s3" },
			want: []string{
				"aws.kms aws/111122223333/eu-central-1", "aws.kms aws/111122223333/us-east-1",
				"aws.s3 aws/111122223333",
			},
		},
		{
			name:    "organization",
			cfg:     func(c *Config) { c.Organization.Enabled = true },
			enabled: func(id string) bool { return id == "aws.ebs" || id == "aws.iam.password_policy" },
			want: []string{
				"aws.ebs aws/111122223333/eu-central-1", "aws.ebs aws/444455556666/eu-central-1",
				"aws.iam.password_policy aws/111122223333", "aws.iam.password_policy aws/444455556666",
			},
		},
		{
			name:    "explicit accounts",
			cfg:     func(c *Config) { c.Accounts = []string{awsfake.DemoMemberAccount} },
			enabled: func(id string) bool { return id == "aws.s3" },
			want:    []string{"aws.s3 aws/111122223333", "aws.s3 aws/444455556666"},
		},
		{name: "nothing enabled", enabled: func(string) bool { return false }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			src := newFakeSource(t, awsfake.Demo())
			if tt.cfg != nil {
				tt.cfg(&src.cfg)
			}
			jobs, err := src.Plan(t.Context(), tt.enabled)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, targets(jobs)); diff != "" {
				t.Errorf("jobs (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPlanFailures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		op, code string
		status   int
		org      bool
		want     evidence.FailureKind
	}{
		{name: "caller identity denied", op: "sts:GetCallerIdentity", code: "AccessDenied", status: 403, want: evidence.Denied},
		{name: "regions throttled", op: "ec2:DescribeRegions", code: "RequestLimitExceeded", status: 503, want: evidence.Throttled},
		{name: "organizations denied", op: "organizations:ListAccounts", code: "AccessDeniedException", status: 400, org: true, want: evidence.Denied},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			src := newFakeSource(t, withFault(awsfake.Demo(), tt.op, tt.code, tt.status))
			src.cfg.Regions = nil
			src.cfg.Organization.Enabled = tt.org
			_, err := src.Plan(t.Context(), all)
			if got := collectors.Classify(err); got != tt.want {
				t.Errorf("Plan error kind = %s, want %s (%v)", got, tt.want, err)
			}
		})
	}
}

// TestRunDemo runs every collector through the runner into a bundle: the
// raw responses are kept by operation, credential exchanges are not, the
// member account is reached through AssumeRole, and no write is made.
func TestRunDemo(t *testing.T) {
	t.Parallel()
	st := awsfake.Demo()
	src := newFakeSource(t, st)
	src.cfg.Organization.Enabled = true
	src.cfg.Regions = nil
	_, runs, b := runBundle(t, src, all)
	for _, r := range runs {
		if r.Status != evidence.Complete {
			t.Errorf("run %s %s: %s %v", r.Collector, r.Target, r.Status, r.Failures)
		}
	}
	if err := b.VerifyRaw(); err != nil {
		t.Error(err)
	}
	ops := map[string]bool{}
	for _, rec := range b.Records {
		ops[rec.Operation] = true
		if strings.HasPrefix(rec.Operation, "sts:Assume") {
			t.Errorf("credential exchange kept as evidence: %+v", rec)
		}
	}
	for _, op := range []string{"s3:GetBucketEncryption", "iam:GetCredentialReport", "kms:GetKeyRotationStatus",
		"rds:DescribeDBInstances", "ec2:GetEbsEncryptionByDefault", "cloudtrail:GetTrailStatus", "guardduty:GetDetector"} {
		if !ops[op] {
			t.Errorf("no raw record of %s", op)
		}
	}
	if st.Calls("sts:AssumeRole") == 0 {
		t.Error("the member account was not reached through sts:AssumeRole")
	}
	accounts := map[string]int{}
	var withRecords int
	for _, r := range b.Resources {
		accounts[r.Account]++
		if len(r.Records) > 0 {
			withRecords++
		}
	}
	if accounts[awsfake.DemoAccount] == 0 || accounts[awsfake.DemoMemberAccount] == 0 {
		t.Errorf("resources by account = %v, want both demo accounts", accounts)
	}
	if withRecords == 0 {
		t.Error("no resource points at its raw records")
	}
	// Every resource carries every declared attribute or a gap for it.
	src2 := NewSource(Config{})
	for _, c := range src2.Collectors() {
		checkDescribed(t, c, slices.DeleteFunc(slices.Clone(b.Resources), func(r evidence.Resource) bool { return r.Collector != c.Describe().ID }))
	}
}

func TestReadOnlyGuard(t *testing.T) {
	t.Parallel()
	var got []string
	st := awsfake.Demo()
	st.Errorf = func(format string, args ...any) { got = append(got, fmt.Sprintf(format, args...)) }
	srv := httptest.NewServer(awsfake.NewHandler(st))
	defer srv.Close()
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodPut, srv.URL+"/acme-customer-data?versioning", nil)
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKID/20261123/eu-central-1/s3/aws4_request, SignedHeaders=host, Signature=x")
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusInternalServerError || len(got) != 1 || !strings.Contains(got[0], "s3:PutBucketVersioning") {
		t.Errorf("status %d, reports %q; want 500 and one report of s3:PutBucketVersioning", resp.StatusCode, got)
	}
}

func TestAPIError(t *testing.T) {
	t.Parallel()
	respErr := func(status int, code string) error {
		return &smithy.OperationError{ServiceID: "S3", OperationName: "X", Err: &awshttp.ResponseError{
			ResponseError: &smithyhttp.ResponseError{Response: &smithyhttp.Response{Response: &http.Response{StatusCode: status}},
				Err: &smithy.GenericAPIError{Code: code}}}}
	}
	tests := []struct {
		name string
		op   string
		err  error
		kind evidence.FailureKind
		perm string
	}{
		{"s3 denied", "s3:GetBucketEncryption", respErr(403, "AccessDenied"), evidence.Denied, "s3:GetEncryptionConfiguration"},
		{"ec2 denied", "ec2:DescribeVolumes", respErr(403, "UnauthorizedOperation"), evidence.Denied, "ec2:DescribeVolumes"},
		{"403 without code", "kms:ListKeys", respErr(403, ""), evidence.Denied, "kms:ListKeys"},
		{"throttling", "iam:ListUsers", respErr(400, "Throttling"), evidence.Throttled, ""},
		{"429", "guardduty:ListDetectors", respErr(429, ""), evidence.Throttled, ""},
		{"other", "rds:DescribeDBInstances", respErr(500, "InternalFailure"), evidence.Errored, ""},
		{"cancelled", "s3:ListBuckets", fmt.Errorf("send: %w", context.Canceled), evidence.Cancelled, ""},
		{"deadline", "s3:ListBuckets", context.DeadlineExceeded, evidence.Timeout, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := apiError(tt.op, tt.err)
			f := collectors.FailureOf(err, "")
			if f.Kind != tt.kind || f.Permission != tt.perm || f.Operation != tt.op {
				t.Errorf("failure = %+v, want kind %s permission %q operation %s", f, tt.kind, tt.perm, tt.op)
			}
			if !errors.Is(err, tt.err) {
				t.Errorf("error chain lost %v", tt.err)
			}
		})
	}
}

func TestPolicy(t *testing.T) {
	t.Parallel()
	var ds []collectors.Descriptor
	for _, c := range NewSource(Config{}).Collectors() {
		ds = append(ds, c.Describe())
	}
	got, err := Policy(ds)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Version   string
		Statement []struct {
			Sid, Effect string
			Action      []string
			Resource    any
		}
	}
	if err := json.Unmarshal(got, &doc); err != nil {
		t.Fatalf("policy is not JSON: %v\n%s", err, got)
	}
	if doc.Version != "2012-10-17" || len(doc.Statement) != 3 {
		t.Fatalf("policy = %s", got)
	}
	if apigw := doc.Statement[2]; !slices.Equal(apigw.Action, []string{"apigateway:GET"}) ||
		!cmp.Equal(apigw.Resource, []any{"arn:aws:apigateway:*::/restapis", "arn:aws:apigateway:*::/restapis/*/stages"}) {
		t.Errorf("API Gateway statement = %+v", apigw)
	}
	actions := doc.Statement[0].Action
	if !slices.IsSortedFunc(actions, func(a, b string) int { return strings.Compare(strings.ToLower(a), strings.ToLower(b)) }) {
		t.Errorf("actions not sorted: %v", actions)
	}
	if len(slices.Compact(slices.Clone(actions))) != len(actions) {
		t.Errorf("actions not deduplicated: %v", actions)
	}
	for _, a := range actions {
		_, name, _ := strings.Cut(a, ":")
		if !(strings.HasPrefix(name, "Get") || strings.HasPrefix(name, "List") || strings.HasPrefix(name, "Describe") ||
			a == "iam:GenerateCredentialReport") {
			t.Errorf("action %s is not read-only", a)
		}
	}
	for _, want := range []string{"s3:GetEncryptionConfiguration", "iam:GetCredentialReport", "sts:GetCallerIdentity", "ec2:DescribeRegions"} {
		if !slices.Contains(actions, want) {
			t.Errorf("policy lacks %s", want)
		}
	}
	// Only the enabled collectors' permissions appear.
	one, _ := Policy(ds[:1])
	if strings.Contains(string(one), "kms:") {
		t.Errorf("policy for %s names kms actions:\n%s", ds[0].ID, one)
	}
}

// TestEndpointURL points a configuration without endpoint at the fake
// through Config.EndpointURL alone.
func TestEndpointURL(t *testing.T) {
	t.Parallel()
	st := awsfake.Demo()
	st.Errorf = t.Errorf
	srv := httptest.NewServer(awsfake.NewHandler(st))
	t.Cleanup(srv.Close)
	cfg := awsfake.SDKConfig("", srv.Client())
	cfg.BaseEndpoint = nil
	src := NewSource(Config{AWS: cfg, EndpointURL: srv.URL, Regions: []string{"eu-central-1"}, MaxAttempts: 1})
	jobs, err := src.Plan(t.Context(), func(id string) bool { return id == "aws.s3" })
	if err != nil {
		t.Fatal(err)
	}
	out := &testSink{}
	if err := jobs[0].Collector.Collect(t.Context(), jobs[0].Target, out); err != nil {
		t.Fatal(err)
	}
	if n := len(byName(out.resources, S3BucketType)); n != len(st.Buckets) || st.Calls("sts:GetCallerIdentity") != 1 {
		t.Errorf("got %d buckets and %d GetCallerIdentity calls, want %d and 1", n, st.Calls("sts:GetCallerIdentity"), len(st.Buckets))
	}
}
