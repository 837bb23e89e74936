package aws

import (
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/attestdev/attest/collectors/evidence"
	"github.com/attestdev/attest/internal/fake/awsfake"
)

const eu = "eu-central-1"

func analyzers() *awsfake.State {
	return &awsfake.State{Hardening: awsfake.Hardening{Analyzers: []awsfake.Analyzer{
		{Name: "account", Region: eu, Type: "ACCOUNT", Status: "ACTIVE"},
		{Name: "unused", Region: eu, Type: "ACCOUNT_UNUSED_ACCESS", Status: "ACTIVE"},
		{Name: "org", Region: eu, Type: "ORGANIZATION", Status: "FAILED"},
		{Name: "us", Region: "us-east-1", Type: "ACCOUNT", Status: "ACTIVE"},
	}}}
}

func TestAccessAnalyzers(t *testing.T) {
	t.Parallel()
	const c = "aws.accessanalyzer"
	name := []string{"Access Analyzer " + eu}
	runCases(t, []caseTest{
		{name: "happy", collector: c, region: eu, typ: AccessAnalyzerType, state: analyzers, wantNames: name,
			wantAttrs: map[string]any{"analyzers": 3, "active_types": []any{"ACCOUNT", "ACCOUNT_UNUSED_ACCESS"}, "analyzer_names": []any{"account", "unused"}},
			wantCalls: map[string]int{"access-analyzer:ListAnalyzers": 1}},
		{name: "two pages", collector: c, region: eu, typ: AccessAnalyzerType,
			state: func() *awsfake.State {
				st := analyzers()
				st.PageSize = 2
				return st
			},
			wantNames: name, wantAttrs: map[string]any{"analyzers": 3, "active_types": []any{"ACCOUNT", "ACCOUNT_UNUSED_ACCESS"}},
			wantCalls: map[string]int{"access-analyzer:ListAnalyzers": 2}},
		{name: "no analyzer is still a resource", collector: c, region: eu, typ: AccessAnalyzerType, state: func() *awsfake.State { return &awsfake.State{} },
			wantNames: name, wantAttrs: map[string]any{"analyzers": 0, "active_types": []any{}, "analyzer_names": []any{}}},
		{name: "only a failed analyzer", collector: c, region: eu, typ: AccessAnalyzerType,
			state: func() *awsfake.State {
				st := analyzers()
				st.Hardening.Analyzers = st.Hardening.Analyzers[2:3]
				return st
			},
			wantNames: name, wantAttrs: map[string]any{"analyzers": 1, "active_types": []any{}}},
		{name: "denied", collector: c, region: eu,
			state: func() *awsfake.State {
				return withFault(analyzers(), "access-analyzer:ListAnalyzers", "AccessDeniedException", http.StatusForbidden)
			},
			wantErr: evidence.Denied, wantPermission: "access-analyzer:ListAnalyzers"},
		{name: "absent endpoint", collector: c, region: eu,
			state: func() *awsfake.State {
				return withFault(analyzers(), "access-analyzer:ListAnalyzers", "ResourceNotFoundException", http.StatusNotFound)
			},
			wantErr: evidence.Errored},
		{name: "throttled", collector: c, region: eu,
			state: func() *awsfake.State {
				return withFault(analyzers(), "access-analyzer:ListAnalyzers", "ThrottlingException", http.StatusTooManyRequests)
			},
			wantErr: evidence.Throttled, wantCalls: map[string]int{"access-analyzer:ListAnalyzers": 2}},
		{name: "cancelled", collector: c, region: eu, state: analyzers, block: "access-analyzer:ListAnalyzers"},
	})
}

func fileSystems() *awsfake.State {
	key := "arn:aws:kms:eu-central-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	return &awsfake.State{Hardening: awsfake.Hardening{FileSystems: []awsfake.FileSystem{
		{ID: "fs-01", Region: eu, Encrypted: true, KMSKeyID: key, Backup: "ENABLED"},
		{ID: "fs-02", Region: eu, Backup: "DISABLED"},
		{ID: "fs-03", Region: eu, Encrypted: true, KMSKeyID: key},
		{ID: "fs-us", Region: "us-east-1", Encrypted: true},
	}}}
}

func TestEFSFileSystems(t *testing.T) {
	t.Parallel()
	const c = "aws.efs"
	names := []string{"fs-01", "fs-02", "fs-03"}
	runCases(t, []caseTest{
		{name: "happy", collector: c, region: eu, typ: EFSFileSystemType, state: fileSystems, wantNames: names,
			wantAttrs: map[string]any{"encrypted": true, "backup_policy": "ENABLED", "automatic_backups": true},
			wantCalls: map[string]int{"elasticfilesystem:DescribeFileSystems": 1, "elasticfilesystem:DescribeBackupPolicy": 3}},
		{name: "two pages", collector: c, region: eu, typ: EFSFileSystemType,
			state: func() *awsfake.State {
				st := fileSystems()
				st.PageSize = 2
				return st
			},
			wantNames: names, wantCalls: map[string]int{"elasticfilesystem:DescribeFileSystems": 2, "elasticfilesystem:DescribeBackupPolicy": 3}},
		{name: "empty", collector: c, region: eu, typ: EFSFileSystemType, state: func() *awsfake.State { return &awsfake.State{} },
			wantCalls: map[string]int{"elasticfilesystem:DescribeBackupPolicy": 0}},
		{name: "no backup policy is off", collector: c, region: eu, typ: EFSFileSystemType,
			state: func() *awsfake.State {
				st := fileSystems()
				st.Hardening.FileSystems = st.Hardening.FileSystems[2:]
				return st
			},
			wantNames: []string{"fs-03"}, wantAttrs: map[string]any{"backup_policy": "NONE", "automatic_backups": false}},
		{name: "deleted after listing", collector: c, region: eu, typ: EFSFileSystemType,
			state: func() *awsfake.State {
				st := fileSystems()
				st.Hardening.FileSystems[0].Gone = true
				return st
			},
			wantNames: names[1:], wantAttrs: map[string]any{"encrypted": false, "backup_policy": "DISABLED"}},
		{name: "denied listing", collector: c, region: eu,
			state: func() *awsfake.State {
				return withFault(fileSystems(), "elasticfilesystem:DescribeFileSystems", "AccessDeniedException", http.StatusForbidden)
			},
			wantErr: evidence.Denied, wantPermission: "elasticfilesystem:DescribeFileSystems"},
		{name: "denied backup policy", collector: c, region: eu, typ: EFSFileSystemType, state: func() *awsfake.State {
			return withFault(fileSystems(), "elasticfilesystem:DescribeBackupPolicy", "AccessDeniedException", http.StatusForbidden)
		},
			wantNames: names, wantAttrs: map[string]any{"encrypted": true},
			wantGaps: map[string]evidence.FailureKind{"backup_policy": evidence.Denied, "automatic_backups": evidence.Denied}},
		{name: "throttled listing", collector: c, region: eu,
			state: func() *awsfake.State {
				return withFault(fileSystems(), "elasticfilesystem:DescribeFileSystems", "ThrottlingException", http.StatusTooManyRequests)
			},
			wantErr: evidence.Throttled, wantCalls: map[string]int{"elasticfilesystem:DescribeFileSystems": 2}},
		{name: "throttled backup policy", collector: c, region: eu, typ: EFSFileSystemType, state: func() *awsfake.State {
			return withFault(fileSystems(), "elasticfilesystem:DescribeBackupPolicy", "ThrottlingException", http.StatusTooManyRequests)
		},
			wantNames: names, wantGaps: map[string]evidence.FailureKind{"backup_policy": evidence.Throttled, "automatic_backups": evidence.Throttled}},
		{name: "cancelled listing", collector: c, region: eu, state: fileSystems, block: "elasticfilesystem:DescribeFileSystems"},
		{name: "cancelled backup policy", collector: c, region: eu, state: fileSystems, block: "elasticfilesystem:DescribeBackupPolicy"},
	})
}

func tables() *awsfake.State {
	key := "arn:aws:kms:eu-central-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	return &awsfake.State{Hardening: awsfake.Hardening{Tables: []awsfake.Table{
		{Name: "Music", Region: eu, SSEType: "KMS", KMSKey: key, PITR: true},
		{Name: "Orders", Region: eu},
		{Name: "Thread", Region: eu, SSEType: "KMS", KMSKey: key},
		{Name: "UsTable", Region: "us-east-1", PITR: true},
	}}}
}

func TestDynamoDBTables(t *testing.T) {
	t.Parallel()
	const c = "aws.dynamodb"
	names := []string{"Music", "Orders", "Thread"}
	runCases(t, []caseTest{
		{name: "happy", collector: c, region: eu, typ: DynamoDBTableType, state: tables, wantNames: names,
			wantAttrs: map[string]any{"encryption": "kms_key", "kms_key_arn": "arn:aws:kms:eu-central-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
				"point_in_time_recovery": true, "recovery_period_days": 35},
			wantCalls: map[string]int{"dynamodb:ListTables": 1, "dynamodb:DescribeTable": 3, "dynamodb:DescribeContinuousBackups": 3}},
		{name: "two pages", collector: c, region: eu, typ: DynamoDBTableType,
			state: func() *awsfake.State {
				st := tables()
				st.PageSize = 2
				return st
			},
			wantNames: names, wantCalls: map[string]int{"dynamodb:ListTables": 2, "dynamodb:DescribeTable": 3}},
		{name: "empty", collector: c, region: eu, typ: DynamoDBTableType, state: func() *awsfake.State { return &awsfake.State{} },
			wantCalls: map[string]int{"dynamodb:DescribeTable": 0}},
		{name: "AWS owned key and no recovery", collector: c, region: eu, typ: DynamoDBTableType,
			state: func() *awsfake.State {
				st := tables()
				st.Hardening.Tables = st.Hardening.Tables[1:2]
				return st
			},
			wantNames: []string{"Orders"}, wantAttrs: map[string]any{"encryption": "aws_owned_key", "kms_key_arn": "", "point_in_time_recovery": false, "recovery_period_days": 0}},
		{name: "deleted after listing", collector: c, region: eu, typ: DynamoDBTableType,
			state: func() *awsfake.State {
				st := tables()
				st.Hardening.Tables[0].Gone = true
				return st
			},
			wantNames: names[1:], wantAttrs: map[string]any{"encryption": "aws_owned_key"}},
		{name: "denied listing", collector: c, region: eu,
			state: func() *awsfake.State {
				return withFault(tables(), "dynamodb:ListTables", "AccessDeniedException", http.StatusBadRequest)
			},
			wantErr: evidence.Denied, wantPermission: "dynamodb:ListTables"},
		{name: "denied describe", collector: c, region: eu, typ: DynamoDBTableType, state: func() *awsfake.State {
			return withFault(tables(), "dynamodb:DescribeTable", "AccessDeniedException", http.StatusBadRequest)
		},
			wantNames: names, wantAttrs: map[string]any{"point_in_time_recovery": true},
			wantGaps: map[string]evidence.FailureKind{"encryption": evidence.Denied, "kms_key_arn": evidence.Denied}},
		{name: "denied backups", collector: c, region: eu, typ: DynamoDBTableType, state: func() *awsfake.State {
			return withFault(tables(), "dynamodb:DescribeContinuousBackups", "AccessDeniedException", http.StatusBadRequest)
		},
			wantNames: names, wantAttrs: map[string]any{"encryption": "kms_key"},
			wantGaps: map[string]evidence.FailureKind{"point_in_time_recovery": evidence.Denied, "recovery_period_days": evidence.Denied}},
		{name: "throttled listing", collector: c, region: eu,
			state: func() *awsfake.State {
				return withFault(tables(), "dynamodb:ListTables", "ThrottlingException", http.StatusBadRequest)
			},
			wantErr: evidence.Throttled, wantCalls: map[string]int{"dynamodb:ListTables": 2}},
		{name: "throttled describe", collector: c, region: eu, typ: DynamoDBTableType, state: func() *awsfake.State {
			return withFault(tables(), "dynamodb:DescribeTable", "ProvisionedThroughputExceededException", http.StatusBadRequest)
		},
			wantNames: names, wantGaps: map[string]evidence.FailureKind{"encryption": evidence.Throttled, "kms_key_arn": evidence.Throttled}},
		{name: "cancelled listing", collector: c, region: eu, state: tables, block: "dynamodb:ListTables"},
		{name: "cancelled describe", collector: c, region: eu, state: tables, block: "dynamodb:DescribeTable"},
	})
}

func loadBalancers() *awsfake.State {
	return &awsfake.State{
		LoadBalancers: []awsfake.LoadBalancer{
			{Name: "api", Region: eu, Type: "application"},
			{Name: "tcp", Region: eu, Type: "network"},
			{Name: "web", Region: eu, Type: "application"},
			{Name: "us-web", Region: "us-east-1", Type: "application"},
		},
		Hardening: awsfake.Hardening{LBAccessLogs: map[string]string{"api": "acme-elb-logs", "us-web": "acme-elb-logs"}},
	}
}

func TestELBv2LoadBalancers(t *testing.T) {
	t.Parallel()
	const c = "aws.elbv2.load_balancers"
	names := []string{"api", "web", "tcp"} // by ARN: app/ before net/
	runCases(t, []caseTest{
		{name: "happy", collector: c, region: eu, typ: LoadBalancerType, state: loadBalancers, wantNames: names,
			wantAttrs: map[string]any{"load_balancer_type": "application", "scheme": "internet-facing", "access_logs": true, "access_logs_bucket": "acme-elb-logs"},
			wantCalls: map[string]int{"elasticloadbalancing:DescribeLoadBalancers": 1, "elasticloadbalancing:DescribeLoadBalancerAttributes": 3}},
		{name: "two pages", collector: c, region: eu, typ: LoadBalancerType,
			state: func() *awsfake.State {
				st := loadBalancers()
				st.PageSize = 2
				return st
			},
			wantNames: names, wantCalls: map[string]int{"elasticloadbalancing:DescribeLoadBalancers": 2, "elasticloadbalancing:DescribeLoadBalancerAttributes": 3}},
		{name: "empty", collector: c, region: eu, typ: LoadBalancerType, state: func() *awsfake.State { return &awsfake.State{} },
			wantCalls: map[string]int{"elasticloadbalancing:DescribeLoadBalancerAttributes": 0}},
		{name: "logs off", collector: c, region: eu, typ: LoadBalancerType,
			state: func() *awsfake.State {
				st := loadBalancers()
				st.LoadBalancers = st.LoadBalancers[2:3]
				return st
			},
			wantNames: []string{"web"}, wantAttrs: map[string]any{"access_logs": false, "access_logs_bucket": ""}},
		{name: "deleted after listing", collector: c, region: eu, typ: LoadBalancerType,
			state: func() *awsfake.State {
				st := loadBalancers()
				st.Hardening.GoneLoadBalancers = []string{"api"}
				return st
			},
			wantNames: names[1:], wantAttrs: map[string]any{"load_balancer_type": "application", "access_logs": false}},
		{name: "denied listing", collector: c, region: eu,
			state: func() *awsfake.State {
				return withFault(loadBalancers(), "elasticloadbalancing:DescribeLoadBalancers", "AccessDenied", http.StatusForbidden)
			},
			wantErr: evidence.Denied, wantPermission: "elasticloadbalancing:DescribeLoadBalancers"},
		{name: "denied attributes", collector: c, region: eu, typ: LoadBalancerType, state: func() *awsfake.State {
			return withFault(loadBalancers(), "elasticloadbalancing:DescribeLoadBalancerAttributes", "AccessDenied", http.StatusForbidden)
		},
			wantNames: names, wantAttrs: map[string]any{"load_balancer_type": "application"},
			wantGaps: map[string]evidence.FailureKind{"access_logs": evidence.Denied, "access_logs_bucket": evidence.Denied}},
		{name: "throttled attributes", collector: c, region: eu, typ: LoadBalancerType, state: func() *awsfake.State {
			return withFault(loadBalancers(), "elasticloadbalancing:DescribeLoadBalancerAttributes", "Throttling", http.StatusBadRequest)
		},
			wantNames: names, wantGaps: map[string]evidence.FailureKind{"access_logs": evidence.Throttled, "access_logs_bucket": evidence.Throttled},
			wantCalls: map[string]int{"elasticloadbalancing:DescribeLoadBalancerAttributes": 6}},
		{name: "throttled listing", collector: c, region: eu,
			state: func() *awsfake.State {
				return withFault(loadBalancers(), "elasticloadbalancing:DescribeLoadBalancers", "Throttling", http.StatusBadRequest)
			},
			wantErr: evidence.Throttled},
		{name: "cancelled listing", collector: c, region: eu, state: loadBalancers, block: "elasticloadbalancing:DescribeLoadBalancers"},
		{name: "cancelled attributes", collector: c, region: eu, state: loadBalancers, block: "elasticloadbalancing:DescribeLoadBalancerAttributes"},
	})
}

func TestS3AccessLogging(t *testing.T) {
	t.Parallel()
	base := func() *awsfake.State {
		return &awsfake.State{
			Buckets:   []awsfake.Bucket{{Name: "data", Region: eu, Created: t0}, {Name: "logs", Region: eu, Created: t0}},
			Hardening: awsfake.Hardening{BucketLogging: map[string]string{"data": "logs"}},
		}
	}
	runCases(t, []caseTest{
		{name: "one call per bucket", collector: "aws.s3", typ: S3BucketType, state: base, wantNames: []string{"data", "logs"},
			wantAttrs: map[string]any{"access_logging": true, "access_log_target": "logs"},
			wantCalls: map[string]int{"s3:GetBucketLogging": 2}},
		{name: "denied", collector: "aws.s3", typ: S3BucketType, state: func() *awsfake.State {
			return withFault(base(), "s3:GetBucketLogging", "AccessDenied", http.StatusForbidden)
		},
			wantNames: []string{"data", "logs"},
			wantGaps:  map[string]evidence.FailureKind{"access_logging": evidence.Denied, "access_log_target": evidence.Denied}},
		{name: "throttled", collector: "aws.s3", typ: S3BucketType, state: func() *awsfake.State {
			return withFault(base(), "s3:GetBucketLogging", "SlowDown", http.StatusServiceUnavailable)
		},
			wantNames: []string{"data", "logs"},
			wantGaps:  map[string]evidence.FailureKind{"access_logging": evidence.Throttled, "access_log_target": evidence.Throttled}},
		{name: "cancelled", collector: "aws.s3", state: base, block: "s3:GetBucketLogging"},
	})
	st := base()
	st.AccountID = testAccount
	out, err := collect(t.Context(), t, newFakeSource(t, st), "aws.s3", "")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]any{}
	for name, r := range byName(out.resources, S3BucketType) {
		got[name] = r.Attributes["access_logging"]
	}
	if diff := cmp.Diff(map[string]any{"data": true, "logs": false}, got); diff != "" {
		t.Errorf("access_logging (-want +got):\n%s", diff)
	}
}

// TestNewCollectorsDescribeEveryAttribute checks each new collector's
// resources against its declared attributes.
func TestNewCollectorsDescribeEveryAttribute(t *testing.T) {
	t.Parallel()
	st := awsfake.Demo()
	src := newFakeSource(t, st)
	for _, id := range []string{"aws.accessanalyzer", "aws.efs", "aws.dynamodb", "aws.elbv2.load_balancers", "aws.s3", "aws.cloudwatch.security_alarms"} {
		region := eu
		if id == "aws.s3" {
			region = ""
		}
		out, err := collect(t.Context(), t, src, id, region)
		if err != nil {
			t.Fatalf("%s: %v", id, err)
		}
		if len(out.resources) == 0 {
			t.Errorf("%s: no resources in the demo", id)
		}
		for _, c := range src.Collectors() {
			if c.Describe().ID == id {
				checkDescribed(t, c, out.resources)
			}
		}
	}
}
