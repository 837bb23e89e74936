package aws

import (
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/attestdev/attest/collectors/evidence"
	"github.com/attestdev/attest/internal/fake/awsfake"
)

// TestFixturesNetworkSecrets runs the network and secret store collectors
// against responses shaped like the AWS API reference examples (see
// testdata/README.md).
func TestFixturesNetworkSecrets(t *testing.T) {
	t.Parallel()
	const r = "eu-central-1"
	arn := func(kind, id string) string { return "arn:aws:ec2:" + r + ":" + testAccount + ":" + kind + "/" + id }
	tests := []struct {
		name      string
		collector string
		routes    map[string]route
		want      []evidence.Resource
	}{
		{
			name: "security groups", collector: "aws.security_groups",
			routes: map[string]route{"ec2:DescribeSecurityGroups": {file: "ec2/DescribeSecurityGroups.xml"}},
			want: []evidence.Resource{
				{Type: SecurityGroupType, ID: arn("security-group", "sg-1a2b3c4d"), Name: "sg-1a2b3c4d", Account: testAccount, Region: r,
					Attributes: map[string]any{"vpc_id": "vpc-614cc409", "default_group": false, "open_to_internet": true, "open_restricted_ports": []any{22},
						"inbound_rules": 2, "outbound_rules": 1}},
				{Type: SecurityGroupType, ID: arn("security-group", "sg-9bf6ceff"), Name: "sg-9bf6ceff", Account: testAccount, Region: r,
					Attributes: map[string]any{"vpc_id": "vpc-614cc409", "default_group": true, "open_to_internet": false, "open_restricted_ports": []any{},
						"inbound_rules": 1, "outbound_rules": 0}},
			},
		},
		{
			name: "vpcs", collector: "aws.vpc",
			routes: map[string]route{
				"ec2:DescribeVpcs":              {file: "ec2/DescribeVpcs.xml"},
				"ec2:DescribeFlowLogs":          {file: "ec2/DescribeFlowLogs.xml"},
				"ec2:DescribeNetworkInterfaces": {file: "ec2/DescribeNetworkInterfaces.xml"},
			},
			want: []evidence.Resource{
				{Type: VPCType, ID: arn("vpc", "vpc-1a2b3c4d"), Name: "vpc-1a2b3c4d", Account: testAccount, Region: r,
					Attributes: map[string]any{"cidr": "10.0.0.0/16", "is_default": false, "in_use": true, "flow_logs": true, "flow_log_traffic": "ALL"}},
				{Type: VPCType, ID: arn("vpc", "vpc-614cc409"), Name: "vpc-614cc409", Account: testAccount, Region: r,
					Attributes: map[string]any{"cidr": "172.31.0.0/16", "is_default": true, "in_use": true, "flow_logs": false, "flow_log_traffic": ""}},
			},
		},
		{
			name: "secrets manager", collector: "aws.secretsmanager",
			routes: map[string]route{"secretsmanager:ListSecrets": {file: "secretsmanager/ListSecrets.json"}},
			want: []evidence.Resource{
				{Type: SecretType, ID: "arn:aws:secretsmanager:us-west-2:123456789012:secret:AnotherSecret-d4e5f6", Name: "AnotherSecret", Account: testAccount, Region: r,
					Attributes: map[string]any{"rotation_enabled": false, "rotation_days": 0, "last_rotated": "", "last_changed": "2018-04-11T21:27:05Z",
						"created": "2018-04-11T21:27:05Z", "customer_managed_key": false}},
				{Type: SecretType, ID: "arn:aws:secretsmanager:us-west-2:123456789012:secret:MyTestDatabaseSecret-a1b2c3", Name: "MyTestDatabaseSecret", Account: testAccount, Region: r,
					Attributes: map[string]any{"rotation_enabled": true, "rotation_days": 30, "last_rotated": "2018-04-11T20:05:45Z", "last_changed": "2018-04-11T20:05:45Z",
						"created": "2018-04-11T20:05:45Z", "customer_managed_key": true}},
			},
		},
		{
			name: "ssm", collector: "aws.ssm",
			routes: map[string]route{"ssm:DescribeParameters": {file: "ssm/DescribeParameters.json"}},
			want: []evidence.Resource{
				{Type: ParameterType, ID: "arn:aws:ssm:eu-central-1:123456789012:parameter/MySecureStringParameter", Name: "MySecureStringParameter", Account: testAccount, Region: r,
					Attributes: map[string]any{"type": "SecureString", "secret_like": false, "last_modified": "2020-02-25T19:01:28Z"}},
				{Type: ParameterType, ID: "arn:aws:ssm:eu-central-1:123456789012:parameter/db/password", Name: "/db/password", Account: testAccount, Region: r,
					Attributes: map[string]any{"type": "String", "secret_like": true, "last_modified": "2020-02-25T19:01:28Z"}},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			src := newFixtureSource(t, tt.routes)
			out, err := collect(t.Context(), t, src, tt.collector, r)
			if err != nil {
				t.Fatalf("Collect: %v", err)
			}
			if len(out.failures) > 0 {
				t.Errorf("failures: %v", out.failures)
			}
			if diff := cmp.Diff(tt.want, out.resources); diff != "" {
				t.Errorf("resources (-want +got):\n%s", diff)
			}
		})
	}
}

func network() *awsfake.State {
	const r = "eu-central-1"
	return &awsfake.State{Network: awsfake.Network{
		VPCs: []awsfake.VPC{
			{ID: "vpc-0a", Region: r, CIDR: "10.0.0.0/16", Interfaces: 7},
			{ID: "vpc-0b", Region: r, CIDR: "172.31.0.0/16", Default: true},
			{ID: "vpc-0c", Region: r, CIDR: "10.1.0.0/16"},
			{ID: "vpc-us", Region: "us-east-1", CIDR: "10.9.0.0/16"},
		},
		FlowLogs: []awsfake.FlowLog{
			{ID: "fl-1", Region: r, VPC: "vpc-0a", Traffic: "REJECT"},
			{ID: "fl-2", Region: r, VPC: "vpc-0a", Traffic: "ALL"},
			{ID: "fl-3", Region: r, VPC: "vpc-0c", Traffic: "ALL", Inactive: true},
		},
		SecurityGroups: []awsfake.SecurityGroup{
			{ID: "sg-01", Name: "web", Region: r, VPC: "vpc-0a", Ingress: []awsfake.SGRule{
				{Protocol: "tcp", From: 443, To: 443, CIDRs: []string{"0.0.0.0/0", "::/0"}},
				{Protocol: "tcp", From: 22, To: 22, CIDRs: []string{"10.0.0.0/8"}},
			}},
			{ID: "sg-02", Name: "db", Region: r, VPC: "vpc-0a", Ingress: []awsfake.SGRule{
				{Protocol: "tcp", From: 3000, To: 6000, CIDRs: []string{"0.0.0.0/0"}},
				{Protocol: "udp", From: 22, To: 22, CIDRs: []string{"0.0.0.0/0"}},
			}},
			{ID: "sg-03", Name: "default", Region: r, VPC: "vpc-0b", Ingress: []awsfake.SGRule{{Protocol: "-1", CIDRs: []string{"::/0"}}}},
		},
	}}
}

func TestSecurityGroups(t *testing.T) {
	t.Parallel()
	const c, r = "aws.security_groups", "eu-central-1"
	runCases(t, []caseTest{
		{name: "two pages", collector: c, region: r, typ: SecurityGroupType,
			state: func() *awsfake.State {
				st := network()
				st.PageSize = 2
				return st
			},
			wantNames: []string{"sg-01", "sg-02", "sg-03"},
			wantAttrs: map[string]any{"open_to_internet": true, "open_restricted_ports": []any{}, "default_group": false},
			wantCalls: map[string]int{"ec2:DescribeSecurityGroups": 2}},
		{name: "port range", collector: c, region: r, typ: SecurityGroupType,
			state: func() *awsfake.State {
				st := network()
				st.Network.SecurityGroups = st.Network.SecurityGroups[1:2]
				return st
			},
			wantNames: []string{"sg-02"},
			wantAttrs: map[string]any{"open_restricted_ports": []any{3306, 3389, 5432}}},
		{name: "all traffic over IPv6", collector: c, region: r, typ: SecurityGroupType,
			state: func() *awsfake.State {
				st := network()
				st.Network.SecurityGroups = st.Network.SecurityGroups[2:]
				return st
			},
			wantNames: []string{"sg-03"},
			wantAttrs: map[string]any{"default_group": true, "open_restricted_ports": []any{22, 1433, 3306, 3389, 5432, 6379, 27017},
				"inbound_rules": 1, "outbound_rules": 0}},
		{name: "default group with rules from itself and out to anywhere", collector: c, region: r, typ: SecurityGroupType,
			state: func() *awsfake.State {
				st := network()
				st.Network.SecurityGroups = []awsfake.SecurityGroup{{ID: "sg-04", Name: "default", Region: r, VPC: "vpc-0b",
					Ingress: []awsfake.SGRule{{Protocol: "-1", Groups: []string{"sg-04"}}},
					Egress:  []awsfake.SGRule{{Protocol: "-1", CIDRs: []string{"0.0.0.0/0"}}, {Protocol: "tcp", From: 443, To: 443, CIDRs: []string{"::/0"}}}}}
				return st
			},
			wantNames: []string{"sg-04"},
			wantAttrs: map[string]any{"default_group": true, "open_to_internet": false, "inbound_rules": 1, "outbound_rules": 2}},
		{name: "default group without rules", collector: c, region: r, typ: SecurityGroupType,
			state: func() *awsfake.State {
				st := network()
				st.Network.SecurityGroups = []awsfake.SecurityGroup{{ID: "sg-05", Name: "default", Region: r, VPC: "vpc-0b"}}
				return st
			},
			wantNames: []string{"sg-05"},
			wantAttrs: map[string]any{"default_group": true, "inbound_rules": 0, "outbound_rules": 0}},
		{name: "empty", collector: c, region: r, typ: SecurityGroupType, state: func() *awsfake.State { return &awsfake.State{} }},
		{name: "denied", collector: c, region: r,
			state: func() *awsfake.State {
				return withFault(network(), "ec2:DescribeSecurityGroups", "UnauthorizedOperation", http.StatusForbidden)
			},
			wantErr: evidence.Denied, wantPermission: "ec2:DescribeSecurityGroups"},
		{name: "throttled", collector: c, region: r,
			state: func() *awsfake.State {
				return withFault(network(), "ec2:DescribeSecurityGroups", "RequestLimitExceeded", http.StatusBadRequest)
			},
			wantErr: evidence.Throttled, wantCalls: map[string]int{"ec2:DescribeSecurityGroups": 2}},
		{name: "cancelled", collector: c, region: r, state: network, block: "ec2:DescribeSecurityGroups"},
	})
}

func TestSecurityGroupsConfiguredPorts(t *testing.T) {
	t.Parallel()
	st := network()
	st.AccountID = testAccount
	src := newFakeSource(t, st)
	src.cfg.Network.RestrictedPorts = []int{443, 8080}
	out, err := collect(t.Context(), t, src, "aws.security_groups", "eu-central-1")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]any{}
	for _, r := range out.resources {
		got[r.Name] = r.Attributes["open_restricted_ports"]
	}
	want := map[string]any{"sg-01": []any{443}, "sg-02": []any{}, "sg-03": []any{443, 8080}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("open_restricted_ports (-want +got):\n%s", diff)
	}
}

func TestVPCs(t *testing.T) {
	t.Parallel()
	const c, r = "aws.vpc", "eu-central-1"
	runCases(t, []caseTest{
		{name: "two pages", collector: c, region: r, typ: VPCType,
			state: func() *awsfake.State {
				st := network()
				st.PageSize = 2
				return st
			},
			wantNames: []string{"vpc-0a", "vpc-0b", "vpc-0c"},
			wantAttrs: map[string]any{"in_use": true, "flow_logs": true, "flow_log_traffic": "ALL", "is_default": false},
			wantCalls: map[string]int{"ec2:DescribeVpcs": 2, "ec2:DescribeFlowLogs": 2, "ec2:DescribeNetworkInterfaces": 3}},
		{name: "default vpc unused, no flow logs", collector: c, region: r, typ: VPCType,
			state: func() *awsfake.State {
				st := network()
				st.Network.VPCs = st.Network.VPCs[1:2]
				return st
			},
			wantNames: []string{"vpc-0b"},
			wantAttrs: map[string]any{"is_default": true, "in_use": false, "flow_logs": false, "flow_log_traffic": ""}},
		{name: "empty", collector: c, region: r, typ: VPCType, state: func() *awsfake.State { return &awsfake.State{} },
			wantCalls: map[string]int{"ec2:DescribeFlowLogs": 0}},
		{name: "denied", collector: c, region: r,
			state: func() *awsfake.State {
				return withFault(network(), "ec2:DescribeVpcs", "UnauthorizedOperation", http.StatusForbidden)
			},
			wantErr: evidence.Denied, wantPermission: "ec2:DescribeVpcs"},
		{name: "flow logs denied", collector: c, region: r, typ: VPCType,
			state: func() *awsfake.State {
				return withFault(network(), "ec2:DescribeFlowLogs", "UnauthorizedOperation", http.StatusForbidden)
			},
			wantNames: []string{"vpc-0a", "vpc-0b", "vpc-0c"},
			wantGaps:  map[string]evidence.FailureKind{"flow_logs": evidence.Denied, "flow_log_traffic": evidence.Denied}},
		{name: "interfaces throttled", collector: c, region: r, typ: VPCType,
			state: func() *awsfake.State {
				st := network()
				st.Network.VPCs = st.Network.VPCs[:1]
				return withFault(st, "ec2:DescribeNetworkInterfaces", "RequestLimitExceeded", http.StatusBadRequest)
			},
			wantNames: []string{"vpc-0a"},
			wantGaps:  map[string]evidence.FailureKind{"in_use": evidence.Throttled}},
		{name: "throttled", collector: c, region: r,
			state: func() *awsfake.State {
				return withFault(network(), "ec2:DescribeVpcs", "RequestLimitExceeded", http.StatusBadRequest)
			},
			wantErr: evidence.Throttled, wantCalls: map[string]int{"ec2:DescribeVpcs": 2}},
		{name: "cancelled", collector: c, region: r, block: "ec2:DescribeNetworkInterfaces",
			state: func() *awsfake.State {
				st := network()
				st.Network.VPCs = st.Network.VPCs[:1]
				return st
			}},
	})
}
