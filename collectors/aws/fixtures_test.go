package aws

import (
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/attestdev/attest/collectors/evidence"
)

// TestFixtures runs every collector against responses shaped like the
// examples of the AWS API references (see testdata/README.md).
func TestFixtures(t *testing.T) {
	t.Parallel()
	const b1, b2 = "amzn-s3-demo-bucket", "amzn-s3-demo-bucket1"
	tests := []struct {
		name      string
		collector string
		region    string
		routes    map[string]route
		want      []evidence.Resource
	}{
		{
			name: "s3", collector: "aws.s3",
			routes: map[string]route{
				"s3:ListBuckets":                           {file: "s3/ListBuckets.xml"},
				"s3:GetBucketEncryption/" + b1:             {file: "s3/GetBucketEncryption.xml"},
				"s3:GetBucketVersioning/" + b1:             {file: "s3/GetBucketVersioning.xml"},
				"s3:GetPublicAccessBlock/" + b1:            {file: "s3/GetPublicAccessBlock.xml"},
				"s3:GetBucketPolicy/" + b1:                 {file: "s3/GetBucketPolicy.json"},
				"s3:GetBucketLifecycleConfiguration/" + b1: {file: "s3/GetBucketLifecycleConfiguration.xml"},
				"s3:GetBucketLocation/" + b2:               {file: "s3/GetBucketLocation.xml"},
				"s3:GetBucketEncryption/" + b2:             {file: "s3/ServerSideEncryptionConfigurationNotFoundError.xml", status: http.StatusNotFound},
				"s3:GetBucketVersioning/" + b2:             {file: "s3/GetBucketVersioning_never.xml"},
				"s3:GetPublicAccessBlock/" + b2:            {file: "s3/NoSuchPublicAccessBlockConfiguration.xml", status: http.StatusNotFound},
				"s3:GetBucketPolicy/" + b2:                 {file: "s3/NoSuchBucketPolicy.xml", status: http.StatusNotFound},
				"s3:GetBucketLifecycleConfiguration/" + b2: {file: "s3/NoSuchLifecycleConfiguration.xml", status: http.StatusNotFound},
				"s3control:GetPublicAccessBlock":           {file: "s3control/GetPublicAccessBlock.xml"},
				"s3:GetBucketReplication/" + b1:            {file: "s3/GetBucketReplication.xml"},
				"s3:GetBucketTagging/" + b1:                {file: "s3/GetBucketTagging.xml"},
				"s3:GetBucketReplication/" + b2:            {file: "s3/ReplicationConfigurationNotFoundError.xml", status: http.StatusNotFound},
				"s3:GetBucketTagging/" + b2:                {file: "s3/NoSuchTagSet.xml", status: http.StatusNotFound},
				"s3:GetBucketLogging/" + b1:                {file: "s3/GetBucketLogging.xml"},
				"s3:GetBucketLogging/" + b2:                {file: "s3/GetBucketLogging_off.xml"},
			},
			want: []evidence.Resource{
				{Type: S3AccountPublicAccessBlockType, ID: "arn:aws:s3:::account/" + testAccount, Name: "S3 account " + testAccount, Account: testAccount, Attributes: map[string]any{
					"all":      true,
					"settings": map[string]any{"block_public_acls": true, "ignore_public_acls": true, "block_public_policy": true, "restrict_public_buckets": true},
				}},
				{Type: S3BucketType, ID: "arn:aws:s3:::" + b1, Name: b1, Account: testAccount, Region: "eu-central-1", Attributes: map[string]any{
					"created": "2019-12-11T23:32:47Z", "default_encryption": "aws:kms",
					"kms_key_id":         "arn:aws:kms:eu-central-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
					"bucket_key_enabled": true, "versioning": "Enabled", "public_access_block": true,
					"public_access_block_settings": map[string]any{"block_public_acls": true, "ignore_public_acls": true, "block_public_policy": true, "restrict_public_buckets": true},
					"policy_present":               true, "tls_only": true, "lifecycle_rules": 1, "region_allowed": true,
					"account_public_access_block": true, "critical": true, "replication_enabled": true,
					"tags":                     map[string]any{"criticality": "critical", "Project": "Project One"},
					"replication_destinations": []any{"arn:aws:s3:::amzn-s3-demo-destination-bucket"},
					"access_logging":           true, "access_log_target": "amzn-s3-demo-logs",
				}},
				{Type: S3BucketType, ID: "arn:aws:s3:::" + b2, Name: b2, Account: testAccount, Region: "us-west-2", Attributes: map[string]any{
					"created": "2019-11-10T23:32:13Z", "default_encryption": "none", "kms_key_id": "",
					"bucket_key_enabled": false, "versioning": "Disabled", "public_access_block": false,
					"public_access_block_settings": map[string]any{"block_public_acls": false, "ignore_public_acls": false, "block_public_policy": false, "restrict_public_buckets": false},
					"policy_present":               false, "tls_only": false, "lifecycle_rules": 0, "region_allowed": false,
					"account_public_access_block": true, "critical": false, "replication_enabled": false,
					"tags":                     map[string]any{},
					"replication_destinations": []any{},
					"access_logging":           false, "access_log_target": "",
				}},
			},
		},
		{
			name: "iam password policy", collector: "aws.iam.password_policy",
			routes: map[string]route{"iam:GetAccountPasswordPolicy": {file: "iam/GetAccountPasswordPolicy.xml"}},
			want: []evidence.Resource{{Type: PasswordPolicyType, ID: "arn:aws:iam::123456789012:account-password-policy", Name: "password policy", Account: testAccount,
				Attributes: map[string]any{"present": true, "minimum_length": 12, "require_symbols": true, "require_numbers": true,
					"require_uppercase": true, "require_lowercase": true, "max_age_days": 90, "reuse_prevention": 12, "hard_expiry": false}}},
		},
		{
			name: "kms", collector: "aws.kms", region: "eu-central-1",
			routes: map[string]route{
				"kms:ListKeys":             {file: "kms/ListKeys.json"},
				"kms:DescribeKey":          {file: "kms/DescribeKey.json"},
				"kms:GetKeyRotationStatus": {file: "kms/GetKeyRotationStatus.json"},
			},
			want: []evidence.Resource{{Type: KMSKeyType, ID: "arn:aws:kms:eu-central-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
				Name: "1234abcd-12ab-34cd-56ef-1234567890ab", Account: testAccount, Region: "eu-central-1", Attributes: map[string]any{
					"manager": "CUSTOMER", "state": "Enabled", "spec": "SYMMETRIC_DEFAULT", "created": "2017-07-13T23:22:49Z",
					"rotation_supported": true, "rotation_enabled": true, "rotation_period_days": 365}}},
		},
		{
			name: "rds", collector: "aws.rds", region: "eu-central-1",
			routes: map[string]route{
				"rds:DescribeDBInstances": {file: "rds/DescribeDBInstances.xml"},
				"rds:DescribeDBClusters":  {file: "rds/DescribeDBClusters.xml"},
			},
			want: []evidence.Resource{
				{Type: RDSClusterType, ID: "arn:aws:rds:eu-central-1:123456789012:cluster:sample-cluster", Name: "sample-cluster", Account: testAccount, Region: "eu-central-1",
					Attributes: map[string]any{"engine": "aurora-postgresql", "storage_encrypted": false, "backup_retention_days": 1, "multi_az": false,
						"deletion_protection": false, "publicly_accessible": false, "region_allowed": true}},
				{Type: RDSInstanceType, ID: "arn:aws:rds:eu-central-1:123456789012:db:mydbinstance", Name: "mydbinstance", Account: testAccount, Region: "eu-central-1",
					Attributes: map[string]any{"engine": "mysql", "storage_encrypted": true, "backup_retention_days": 7, "multi_az": true,
						"deletion_protection": true, "publicly_accessible": false, "cluster": "", "region_allowed": true}},
			},
		},
		{
			name: "backup coverage", collector: "aws.backup.coverage", region: "eu-central-1",
			routes: map[string]route{
				"backup:ListProtectedResources": {file: "backup/ListProtectedResources.json"},
				"rds:DescribeDBInstances":       {file: "rds/DescribeDBInstances.xml"},
				"rds:DescribeDBClusters":        {file: "rds/DescribeDBClusters.xml"},
				"ec2:DescribeVolumes":           {file: "ec2/DescribeVolumes.xml"},
			},
			want: []evidence.Resource{
				{Type: BackupDataStoreType, ID: "arn:aws:ec2:eu-central-1:123456789012:volume/vol-1234567890abcdef0", Name: "vol-1234567890abcdef0", Account: testAccount, Region: "eu-central-1",
					Attributes: map[string]any{"kind": "ebs_volume", "protected": false, "last_backup": ""}},
				{Type: BackupDataStoreType, ID: "arn:aws:rds:eu-central-1:123456789012:cluster:sample-cluster", Name: "sample-cluster", Account: testAccount, Region: "eu-central-1",
					Attributes: map[string]any{"kind": "rds_cluster", "protected": false, "last_backup": ""}},
				{Type: BackupDataStoreType, ID: "arn:aws:rds:eu-central-1:123456789012:db:mydbinstance", Name: "mydbinstance", Account: testAccount, Region: "eu-central-1",
					Attributes: map[string]any{"kind": "rds_instance", "protected": true, "last_backup": "2025-11-23T04:00:00Z"}},
			},
		},
		{
			name: "ebs", collector: "aws.ebs", region: "eu-central-1",
			routes: map[string]route{
				"ec2:GetEbsEncryptionByDefault": {file: "ec2/GetEbsEncryptionByDefault.xml"},
				"ec2:DescribeVolumes":           {file: "ec2/DescribeVolumes.xml"},
			},
			want: []evidence.Resource{
				{Type: EBSDefaultType, ID: "arn:aws:ec2:eu-central-1:123456789012:ebs-encryption-by-default", Name: "EBS encryption by default eu-central-1",
					Account: testAccount, Region: "eu-central-1", Attributes: map[string]any{"enabled": false}},
				{Type: EBSVolumeType, ID: "arn:aws:ec2:eu-central-1:123456789012:volume/vol-1234567890abcdef0", Name: "vol-1234567890abcdef0",
					Account: testAccount, Region: "eu-central-1", Attributes: map[string]any{"encrypted": false, "state": "in-use", "size_gib": 80, "region_allowed": true}},
			},
		},
		{
			name: "cloudtrail", collector: "aws.cloudtrail", region: "eu-central-1",
			routes: map[string]route{
				"cloudtrail:DescribeTrails": {file: "cloudtrail/DescribeTrails.json"},
				"cloudtrail:GetTrailStatus": {file: "cloudtrail/GetTrailStatus.json"},
				// The trail's log bucket.
				"s3:GetBucketLocation/" + b1:    {file: "s3/GetBucketLocation.xml"},
				"s3:GetPublicAccessBlock/" + b1: {file: "s3/GetPublicAccessBlock.xml"},
				"s3:GetBucketLogging/" + b1:     {file: "s3/GetBucketLogging.xml"},
			},
			want: []evidence.Resource{
				{Type: TrailRegionType, ID: "arn:aws:cloudtrail:eu-central-1:123456789012:region", Name: "eu-central-1", Account: testAccount, Region: "eu-central-1",
					Attributes: map[string]any{"recorded": true, "organization_trail": false, "trails": []any{"arn:aws:cloudtrail:eu-central-1:123456789012:trail/my-trail"}}},
				{Type: TrailType, ID: "arn:aws:cloudtrail:eu-central-1:123456789012:trail/my-trail", Name: "my-trail",
					Account: testAccount, Region: "eu-central-1", Attributes: map[string]any{"multi_region": true, "organization_trail": false,
						"log_file_validation": false, "kms_encrypted": false, "logging": true,
						"log_bucket": b1, "log_bucket_public_access_blocked": true, "log_bucket_access_logging": true}}},
		},
		{
			name: "guardduty", collector: "aws.guardduty", region: "eu-central-1",
			routes: map[string]route{
				"guardduty:ListDetectors": {file: "guardduty/ListDetectors.json"},
				"guardduty:GetDetector":   {file: "guardduty/GetDetector.json"},
			},
			want: []evidence.Resource{{Type: GuardDutyType, ID: "arn:aws:guardduty:eu-central-1:123456789012:detector", Name: "GuardDuty eu-central-1",
				Account: testAccount, Region: "eu-central-1", Attributes: map[string]any{"enabled": true, "detectors": 1}}},
		},
		{
			name: "elbv2", collector: "aws.elbv2", region: "eu-central-1",
			routes: map[string]route{
				"elasticloadbalancing:DescribeLoadBalancers": {file: "elbv2/DescribeLoadBalancers.xml"},
				"elasticloadbalancing:DescribeListeners":     {file: "elbv2/DescribeListeners.xml"},
				"elasticloadbalancing:DescribeSSLPolicies":   {file: "elbv2/DescribeSSLPolicies.xml"},
			},
			want: []evidence.Resource{
				{Type: ListenerType, ID: "arn:aws:elasticloadbalancing:eu-central-1:123456789012:listener/app/my-load-balancer/50dc6c495c0c9188/0467ef3c8400ae65",
					Name: "my-load-balancer:443", Account: testAccount, Region: "eu-central-1", Attributes: map[string]any{
						"load_balancer": "my-load-balancer", "load_balancer_type": "application", "scheme": "internet-facing", "port": 443,
						"protocol": "HTTPS", "encrypted": true, "redirects_to_https": false, "ssl_policy": "ELBSecurityPolicy-2016-08",
						"tls_protocols": []any{"TLSv1", "TLSv1.1", "TLSv1.2"}, "min_tls_version": "TLSv1"}},
				{Type: ListenerType, ID: "arn:aws:elasticloadbalancing:eu-central-1:123456789012:listener/app/my-load-balancer/50dc6c495c0c9188/f2f7dc8efc522ab2",
					Name: "my-load-balancer:80", Account: testAccount, Region: "eu-central-1", Attributes: map[string]any{
						"load_balancer": "my-load-balancer", "load_balancer_type": "application", "scheme": "internet-facing", "port": 80,
						"protocol": "HTTP", "encrypted": false, "redirects_to_https": true, "ssl_policy": "",
						"tls_protocols": []any{}, "min_tls_version": ""}},
			},
		},
		{
			name: "cloudfront", collector: "aws.cloudfront",
			routes: map[string]route{"cloudfront:ListDistributions": {file: "cloudfront/ListDistributions.xml"}, "wafv2:GetWebACL": {file: "wafv2/GetWebACL.json"}},
			want: []evidence.Resource{{Type: DistributionType, ID: "arn:aws:cloudfront::123456789012:distribution/EDFDVBD6EXAMPLE", Name: "EDFDVBD6EXAMPLE",
				Account: testAccount, Attributes: map[string]any{"domain_name": "d111111abcdef8.cloudfront.net", "enabled": true,
					"viewer_protocol_policy": "redirect-to-https", "all_behaviors_https": false, "default_certificate": false,
					"minimum_protocol_version": "TLSv1.2_2021",
					"web_acl":                  "arn:aws:wafv2:us-east-1:123456789012:global/webacl/ExampleWebACL/a1b2c3d4-5678-90ab-cdef-EXAMPLE11111",
					"web_acl_rules":            4, "web_acl_blocking_rules": 2, "web_acl_managed_rule_groups": []any{"AWS/AWSManagedRulesCommonRuleSet"},
					"web_acl_default_action": "ALLOW"}}},
		},
		{
			name: "backup", collector: "aws.backup", region: "eu-central-1",
			routes: map[string]route{
				"backup:ListBackupPlans":  {file: "backup/ListBackupPlans.json"},
				"backup:GetBackupPlan":    {file: "backup/GetBackupPlan.json"},
				"backup:ListBackupVaults": {file: "backup/ListBackupVaults.json"},
			},
			want: []evidence.Resource{
				{Type: BackupPlanType, ID: "arn:aws:backup:eu-central-1:123456789012:backup-plan:8c0a6ab5-7f8e-4a1b-9b1a-EXAMPLE11111", Name: "MyBackupPlan",
					Account: testAccount, Region: "eu-central-1", Attributes: map[string]any{"rules": 2, "frequency": "daily",
						"max_retention_days": 365, "cross_region_copy": true}},
				{Type: BackupVaultType, ID: "arn:aws:backup:eu-central-1:123456789012:backup-vault:Default", Name: "Default",
					Account: testAccount, Region: "eu-central-1", Attributes: map[string]any{"encrypted": true,
						"encryption_key_type": "CUSTOMER_MANAGED_KMS_KEY", "locked": false, "recovery_points": 12}},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			src := newFixtureSource(t, tt.routes)
			out, err := collect(t.Context(), t, src, tt.collector, tt.region)
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
