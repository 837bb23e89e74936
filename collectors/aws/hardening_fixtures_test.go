package aws

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/attestdev/attest/collectors/evidence"
)

// TestFixturesHardening runs the Access Analyzer, EFS, DynamoDB and load
// balancer collectors against responses shaped like the examples of the
// AWS API references (see testdata/README.md).
func TestFixturesHardening(t *testing.T) {
	t.Parallel()
	const r = "eu-central-1"
	tests := []struct {
		name      string
		collector string
		routes    map[string]route
		want      []evidence.Resource
	}{
		{
			name: "access analyzer", collector: "aws.accessanalyzer",
			routes: map[string]route{"access-analyzer:ListAnalyzers": {file: "accessanalyzer/ListAnalyzers.json"}},
			want: []evidence.Resource{{Type: AccessAnalyzerType, ID: "arn:aws:access-analyzer:eu-central-1:123456789012:analyzers", Name: "Access Analyzer eu-central-1",
				Account: testAccount, Region: r, Attributes: map[string]any{"analyzers": 3, "active_types": []any{"ACCOUNT", "ACCOUNT_UNUSED_ACCESS"},
					"analyzer_names": []any{"ConsoleAnalyzer-a1b2c3d4", "UnusedAccess-e5f6a7b8"}}}},
		},
		{
			name: "efs", collector: "aws.efs",
			routes: map[string]route{
				"elasticfilesystem:DescribeFileSystems":  {file: "efs/DescribeFileSystems.json"},
				"elasticfilesystem:DescribeBackupPolicy": {file: "efs/DescribeBackupPolicy.json"},
			},
			want: []evidence.Resource{{Type: EFSFileSystemType, ID: "arn:aws:elasticfilesystem:eu-central-1:123456789012:file-system/fs-0123456789abcdef0",
				Name: "my-file-system", Account: testAccount, Region: r, Attributes: map[string]any{"encrypted": true,
					"kms_key_id": "arn:aws:kms:eu-central-1:123456789012:key/a59b3472-e62c-42e4-adcf-30d92example", "backup_policy": "ENABLED", "automatic_backups": true}}},
		},
		{
			name: "dynamodb", collector: "aws.dynamodb",
			routes: map[string]route{
				"dynamodb:ListTables":                {file: "dynamodb/ListTables.json"},
				"dynamodb:DescribeTable":             {file: "dynamodb/DescribeTable.json"},
				"dynamodb:DescribeContinuousBackups": {file: "dynamodb/DescribeContinuousBackups.json"},
			},
			want: []evidence.Resource{{Type: DynamoDBTableType, ID: "arn:aws:dynamodb:eu-central-1:123456789012:table/Music", Name: "Music",
				Account: testAccount, Region: r, Attributes: map[string]any{"encryption": "kms_key",
					"kms_key_arn": "arn:aws:kms:eu-central-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab", "point_in_time_recovery": true, "recovery_period_days": 14}}},
		},
		{
			name: "load balancers", collector: "aws.elbv2.load_balancers",
			routes: map[string]route{
				"elasticloadbalancing:DescribeLoadBalancers":          {file: "elbv2/DescribeLoadBalancers.xml"},
				"elasticloadbalancing:DescribeLoadBalancerAttributes": {file: "elbv2/DescribeLoadBalancerAttributes.xml"},
			},
			want: []evidence.Resource{{Type: LoadBalancerType, ID: "arn:aws:elasticloadbalancing:eu-central-1:123456789012:loadbalancer/app/my-load-balancer/50dc6c495c0c9188",
				Name: "my-load-balancer", Account: testAccount, Region: r, Attributes: map[string]any{"load_balancer_type": "application", "scheme": "internet-facing",
					"access_logs": true, "access_logs_bucket": "amzn-s3-demo-loadbalancer-logs"}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			out, err := collect(t.Context(), t, newFixtureSource(t, tt.routes), tt.collector, r)
			if err != nil {
				t.Fatalf("Collect: %v", err)
			}
			if len(out.failures) > 0 {
				t.Errorf("failures: %v", out.failures)
			}
			for i := range out.resources {
				out.resources[i].Records = nil
			}
			if diff := cmp.Diff(tt.want, out.resources); diff != "" {
				t.Errorf("resources (-want +got):\n%s", diff)
			}
		})
	}
}
