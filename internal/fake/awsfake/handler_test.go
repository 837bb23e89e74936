package awsfake

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestIsRead(t *testing.T) {
	t.Parallel()
	tests := []struct {
		op   string
		want bool
	}{
		{"s3:GetBucketEncryption", true},
		{"iam:ListUsers", true},
		{"ec2:DescribeVolumes", true},
		{"iam:GenerateCredentialReport", true},
		{"s3:PutBucketVersioning", false},
		{"iam:DeleteUser", false},
		{"kms:ScheduleKeyDeletion", false},
		{"sts:AssumeRole", false},
	}
	for _, tt := range tests {
		if got := IsRead(tt.op); got != tt.want {
			t.Errorf("IsRead(%q) = %v, want %v", tt.op, got, tt.want)
		}
	}
}

func TestParse(t *testing.T) {
	t.Parallel()
	sign := "AWS4-HMAC-SHA256 Credential=AKID/20261123/%s/%s/aws4_request, SignedHeaders=host, Signature=x"
	tests := []struct {
		name, method, url, body, target, region, service string
		want                                             string
	}{
		{name: "s3", method: "GET", url: "/my-bucket?encryption=", region: "eu-central-1", service: "s3", want: "s3:GetBucketEncryption"},
		{name: "s3 write", method: "PUT", url: "/my-bucket?policy=", region: "eu-central-1", service: "s3", want: "s3:PutBucketPolicy"},
		{name: "query", method: "POST", url: "/", body: "Action=ListUsers&Version=2010-05-08", region: "us-east-1", service: "iam", want: "iam:ListUsers"},
		{name: "json", method: "POST", url: "/", body: "{}", target: "TrentService.ListKeys", region: "eu-central-1", service: "kms", want: "kms:ListKeys"},
		{name: "rest-json", method: "GET", url: "/detector/abc", region: "eu-central-1", service: "guardduty", want: "guardduty:GetDetector"},
		{name: "backup", method: "GET", url: "/backup/plans/p1/", region: "eu-central-1", service: "backup", want: "backup:GetBackupPlan"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := httptest.NewRequest(tt.method, tt.url, strings.NewReader(tt.body))
			r.Header.Set("Authorization", strings.Replace(strings.Replace(sign, "%s", tt.region, 1), "%s", tt.service, 1))
			if tt.target != "" {
				r.Header.Set("X-Amz-Target", tt.target)
			}
			req, err := Parse(r)
			if err != nil {
				t.Fatal(err)
			}
			if req.Op() != tt.want || req.Region != tt.region {
				t.Errorf("Parse = %s in %s, want %s in %s", req.Op(), req.Region, tt.want, tt.region)
			}
		})
	}
}

func TestUnsignedRequestFails(t *testing.T) {
	t.Parallel()
	var reports []string
	st := Demo()
	st.Errorf = func(format string, args ...any) { reports = append(reports, format) }
	rec := httptest.NewRecorder()
	NewHandler(st).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	if rec.Code != http.StatusInternalServerError || len(reports) != 1 {
		t.Errorf("status %d, %d reports; want 500 and one report", rec.Code, len(reports))
	}
}
