package aws

import (
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/attestdev/attest/collectors/evidence"
	"github.com/attestdev/attest/internal/fake/awsfake"
)

func instances() *awsfake.State {
	return &awsfake.State{Protection: awsfake.Protection{
		Subnets: []awsfake.Subnet{
			{ID: "subnet-priv", Region: "eu-central-1", VPC: "vpc-1", Tags: map[string]string{"tier": "private", "Name": "app"}},
			{ID: "subnet-pub", Region: "eu-central-1", VPC: "vpc-1", Tags: map[string]string{"tier": "public"}},
			{ID: "subnet-db", Region: "eu-central-1", VPC: "vpc-1"},
		},
		Instances: []awsfake.Instance{
			{ID: "i-0a", Region: "eu-central-1", Subnet: "subnet-priv", PublicIP: "203.0.113.10", State: "running", IMDSTokens: "required"},
			{ID: "i-0b", Region: "eu-central-1", Subnet: "subnet-priv", State: "running", IMDSDisabled: true},
			{ID: "i-0c", Region: "eu-central-1", Subnet: "subnet-pub", PublicIP: "203.0.113.11", State: "running"},
			{ID: "i-0d", Region: "eu-central-1", Subnet: "subnet-db", State: "stopped"},
			{ID: "i-0e", Region: "eu-central-1", Subnet: "subnet-priv", State: "terminated"},
			{ID: "i-0f", Region: "us-east-1", Subnet: "subnet-x", State: "running"},
		},
	}}
}

func TestEC2Instances(t *testing.T) {
	t.Parallel()
	const c, r = "aws.ec2.instances", "eu-central-1"
	names := []string{"i-0a", "i-0b", "i-0c", "i-0d"}
	runCases(t, []caseTest{
		{name: "happy", collector: c, region: r, typ: EC2InstanceType, state: instances, wantNames: names,
			wantAttrs: map[string]any{"state": "running", "subnet_id": "subnet-priv", "subnet_private": true, "public_ip": true,
				"imds_enabled": true, "imdsv2_required": true}},
		{name: "two pages", collector: c, region: r, typ: EC2InstanceType,
			state: func() *awsfake.State {
				st := instances()
				st.PageSize = 2
				return st
			},
			wantNames: names,
			wantCalls: map[string]int{"ec2:DescribeInstances": 3, "ec2:DescribeSubnets": 2}},
		{name: "empty", collector: c, region: r, typ: EC2InstanceType, state: func() *awsfake.State { return &awsfake.State{} },
			wantCalls: map[string]int{"ec2:DescribeSubnets": 0}},
		{name: "denied instances", collector: c, region: r,
			state: func() *awsfake.State {
				return withFault(instances(), "ec2:DescribeInstances", "UnauthorizedOperation", http.StatusForbidden)
			},
			wantErr: evidence.Denied, wantPermission: "ec2:DescribeInstances"},
		{name: "denied subnets", collector: c, region: r, typ: EC2InstanceType,
			state: func() *awsfake.State {
				return withFault(instances(), "ec2:DescribeSubnets", "UnauthorizedOperation", http.StatusForbidden)
			},
			wantNames: names,
			wantGaps:  map[string]evidence.FailureKind{"subnet_private": evidence.Denied},
			wantAttrs: map[string]any{"public_ip": true}},
		{name: "throttled", collector: c, region: r,
			state: func() *awsfake.State {
				return withFault(instances(), "ec2:DescribeInstances", "RequestLimitExceeded", http.StatusServiceUnavailable)
			},
			wantErr: evidence.Throttled, wantCalls: map[string]int{"ec2:DescribeInstances": 2}},
		{name: "cancelled instances", collector: c, region: r, state: instances, block: "ec2:DescribeInstances"},
		{name: "cancelled subnets", collector: c, region: r, state: instances, block: "ec2:DescribeSubnets"},
	})
}

func TestEC2InstancesPrivateConfig(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		cfg  func(*Config)
		want map[string]any
	}{
		{"default tag", func(*Config) {}, map[string]any{"i-0a": true, "i-0b": true, "i-0c": false, "i-0d": false}},
		{"custom tag", func(c *Config) { c.PrivateSubnetTag = TagConfig{Key: "tier", Value: "public"} },
			map[string]any{"i-0a": false, "i-0b": false, "i-0c": true, "i-0d": false}},
		{"listed subnet", func(c *Config) { c.PrivateSubnets = []string{"subnet-db"} },
			map[string]any{"i-0a": true, "i-0b": true, "i-0c": false, "i-0d": true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			st := instances()
			st.AccountID = testAccount
			src := newFakeSource(t, st)
			tt.cfg(&src.cfg)
			out, err := collect(t.Context(), t, src, "aws.ec2.instances", "eu-central-1")
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]any{}
			for name, r := range byName(out.resources, EC2InstanceType) {
				got[name] = r.Attributes["subnet_private"]
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("subnet_private (-want +got):\n%s", diff)
			}
		})
	}
}

func TestEC2InstancesFixtures(t *testing.T) {
	t.Parallel()
	src := newFixtureSource(t, map[string]route{
		"ec2:DescribeInstances": {file: "ec2/DescribeInstances.xml"},
		"ec2:DescribeSubnets":   {file: "ec2/DescribeSubnets.xml"},
	})
	out, err := collect(t.Context(), t, src, "aws.ec2.instances", "eu-central-1")
	if err != nil {
		t.Fatal(err)
	}
	arn := "arn:aws:ec2:eu-central-1:123456789012:instance/"
	want := []evidence.Resource{
		{Type: EC2InstanceType, ID: arn + "i-0598c7d356eba48d7", Name: "i-0598c7d356eba48d7", Account: testAccount, Region: "eu-central-1",
			Attributes: map[string]any{"state": "stopped", "subnet_id": "subnet-9d4a7b6c", "subnet_private": false, "public_ip": false,
				"imds_enabled": true, "imdsv2_required": false}},
		{Type: EC2InstanceType, ID: arn + "i-1234567890abcdef0", Name: "i-1234567890abcdef0", Account: testAccount, Region: "eu-central-1",
			Attributes: map[string]any{"state": "running", "subnet_id": "subnet-56f5f633", "subnet_private": true, "public_ip": true,
				"imds_enabled": true, "imdsv2_required": true}},
	}
	if diff := cmp.Diff(want, out.resources); diff != "" {
		t.Errorf("resources (-want +got):\n%s", diff)
	}
}

func TestEC2InstancesMetadataOptions(t *testing.T) {
	t.Parallel()
	st := instances()
	st.AccountID = testAccount
	out, err := collect(t.Context(), t, newFakeSource(t, st), "aws.ec2.instances", "eu-central-1")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][2]any{}
	for name, r := range byName(out.resources, EC2InstanceType) {
		got[name] = [2]any{r.Attributes["imds_enabled"], r.Attributes["imdsv2_required"]}
	}
	want := map[string][2]any{
		"i-0a": {true, true},   // httpTokens required
		"i-0b": {false, false}, // endpoint disabled
		"i-0c": {true, false},  // httpTokens optional
		"i-0d": {true, false},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("imds_enabled, imdsv2_required (-want +got):\n%s", diff)
	}
}
