package aws

import (
	"net/http"
	"testing"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	backuptypes "github.com/aws/aws-sdk-go-v2/service/backup/types"

	"github.com/attestdev/attest/collectors/evidence"
	"github.com/attestdev/attest/internal/fake/awsfake"
)

func lbs() *awsfake.State {
	return &awsfake.State{LoadBalancers: []awsfake.LoadBalancer{
		{Name: "alb-a", Region: "eu-central-1", Type: "application", Listeners: []awsfake.Listener{
			{Port: 443, Protocol: "HTTPS", SSLPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06"},
			{Port: 80, Protocol: "HTTP", RedirectHTTPS: true},
			{Port: 8443, Protocol: "HTTPS", SSLPolicy: "ELBSecurityPolicy-TLS13-1-3-2021-06"},
		}},
		{Name: "nlb-b", Region: "eu-central-1", Type: "network", Listeners: []awsfake.Listener{
			{Port: 443, Protocol: "TLS", SSLPolicy: "ELBSecurityPolicy-TLS-1-1-2017-01"},
		}},
	}}
}

func TestELBv2Listeners(t *testing.T) {
	t.Parallel()
	const c, r = "aws.elbv2", "eu-central-1"
	runCases(t, []caseTest{
		{name: "two pages", collector: c, region: r, typ: ListenerType,
			state: func() *awsfake.State {
				st := lbs()
				st.PageSize = 2
				return st
			},
			wantNames: []string{"alb-a:443", "alb-a:80", "alb-a:8443", "nlb-b:443"},
			wantAttrs: map[string]any{"encrypted": true, "min_tls_version": "TLSv1.2", "tls_protocols": []any{"TLSv1.2", "TLSv1.3"}},
			wantCalls: map[string]int{"elasticloadbalancing:DescribeLoadBalancers": 1, "elasticloadbalancing:DescribeListeners": 3,
				"elasticloadbalancing:DescribeSSLPolicies": 1}},
		{name: "empty", collector: c, region: r, typ: ListenerType, state: func() *awsfake.State { return &awsfake.State{} },
			wantCalls: map[string]int{"elasticloadbalancing:DescribeSSLPolicies": 0}},
		{name: "plain http", collector: c, region: r, typ: ListenerType,
			state: func() *awsfake.State {
				return &awsfake.State{LoadBalancers: []awsfake.LoadBalancer{{Name: "old", Region: r, Type: "application",
					Listeners: []awsfake.Listener{{Port: 80, Protocol: "HTTP"}}}}}
			},
			wantNames: []string{"old:80"},
			wantAttrs: map[string]any{"encrypted": false, "redirects_to_https": false, "ssl_policy": "", "min_tls_version": ""}},
		{name: "denied", collector: c, region: r,
			state: func() *awsfake.State {
				return withFault(lbs(), "elasticloadbalancing:DescribeLoadBalancers", "AccessDenied", http.StatusForbidden)
			},
			wantErr: evidence.Denied, wantPermission: "elasticloadbalancing:DescribeLoadBalancers"},
		{name: "denied policies", collector: c, region: r, typ: ListenerType,
			state: func() *awsfake.State {
				st := lbs()
				st.LoadBalancers = st.LoadBalancers[1:]
				return withFault(st, "elasticloadbalancing:DescribeSSLPolicies", "AccessDenied", http.StatusForbidden)
			},
			wantNames: []string{"nlb-b:443"},
			wantGaps:  map[string]evidence.FailureKind{"tls_protocols": evidence.Denied, "min_tls_version": evidence.Denied}},
		{name: "throttled", collector: c, region: r,
			state: func() *awsfake.State {
				return withFault(lbs(), "elasticloadbalancing:DescribeLoadBalancers", "Throttling", http.StatusBadRequest)
			},
			wantErr: evidence.Throttled, wantCalls: map[string]int{"elasticloadbalancing:DescribeLoadBalancers": 2}},
		{name: "cancelled", collector: c, region: r, state: lbs, block: "elasticloadbalancing:DescribeListeners"},
	})
}

func dists() *awsfake.State {
	return &awsfake.State{AccountID: testAccount, Distributions: []awsfake.Distribution{
		{ID: "EAAAA", ViewerProtocolPolicy: "https-only", MinimumProtocolVersion: "TLSv1.2_2021", WebACL: awsfake.GlobalWebACLARN(testAccount, "cdn")},
		{ID: "EBBBB", ViewerProtocolPolicy: "allow-all"},
		{ID: "ECCCC", ViewerProtocolPolicy: "redirect-to-https", MinimumProtocolVersion: "TLSv1.1_2016", WebACL: awsfake.GlobalWebACLARN(testAccount, "cdn")},
	}, Edge: awsfake.Edge{WebACLs: []awsfake.WebACL{
		{Name: "cdn", Region: "us-east-1", Global: true, Rules: []awsfake.WebACLRule{{Name: "common", ManagedGroup: "AWSManagedRulesCommonRuleSet"}}},
		{Name: "cdn", Region: "eu-central-1", Rules: []awsfake.WebACLRule{{Name: "regional-twin", Action: "Count"}}},
	}}}
}

func TestCloudFrontDistributions(t *testing.T) {
	t.Parallel()
	const c = "aws.cloudfront"
	runCases(t, []caseTest{
		{name: "two pages", collector: c, typ: DistributionType,
			state: func() *awsfake.State {
				st := dists()
				st.PageSize = 2
				return st
			},
			wantNames: []string{"EAAAA", "EBBBB", "ECCCC"},
			wantAttrs: map[string]any{"all_behaviors_https": true, "default_certificate": false, "minimum_protocol_version": "TLSv1.2_2021",
				"web_acl_rules": 1, "web_acl_blocking_rules": 1, "web_acl_managed_rule_groups": []any{"AWS/AWSManagedRulesCommonRuleSet"}, "web_acl_default_action": "ALLOW"},
			wantCalls: map[string]int{"cloudfront:ListDistributions": 2, "wafv2:GetWebACL": 1}},
		{name: "web ACL denied", collector: c, typ: DistributionType,
			state: func() *awsfake.State {
				st := dists()
				st.Distributions = st.Distributions[:1]
				return withFault(st, "wafv2:GetWebACL", "AccessDeniedException", http.StatusBadRequest)
			},
			wantNames: []string{"EAAAA"},
			wantGaps: map[string]evidence.FailureKind{"web_acl_rules": evidence.Denied, "web_acl_blocking_rules": evidence.Denied,
				"web_acl_managed_rule_groups": evidence.Denied, "web_acl_default_action": evidence.Denied}},
		{name: "web ACL throttled", collector: c, typ: DistributionType,
			state: func() *awsfake.State {
				st := dists()
				st.Distributions = st.Distributions[:1]
				return withFault(st, "wafv2:GetWebACL", "ThrottlingException", http.StatusBadRequest)
			},
			wantNames: []string{"EAAAA"},
			wantGaps: map[string]evidence.FailureKind{"web_acl_rules": evidence.Throttled, "web_acl_blocking_rules": evidence.Throttled,
				"web_acl_managed_rule_groups": evidence.Throttled, "web_acl_default_action": evidence.Throttled}},
		{name: "web ACL cancelled", collector: c, state: dists, block: "wafv2:GetWebACL"},
		{name: "default certificate", collector: c, typ: DistributionType,
			state: func() *awsfake.State {
				st := dists()
				st.Distributions = st.Distributions[1:2]
				return st
			},
			wantNames: []string{"EBBBB"},
			wantAttrs: map[string]any{"all_behaviors_https": false, "default_certificate": true, "minimum_protocol_version": "TLSv1",
				"web_acl": "", "web_acl_rules": 0, "web_acl_blocking_rules": 0},
			wantCalls: map[string]int{"wafv2:GetWebACL": 0}},
		{name: "empty", collector: c, typ: DistributionType, state: func() *awsfake.State { return &awsfake.State{} }},
		{name: "denied", collector: c,
			state: func() *awsfake.State {
				return withFault(dists(), "cloudfront:ListDistributions", "AccessDenied", http.StatusForbidden)
			},
			wantErr: evidence.Denied, wantPermission: "cloudfront:ListDistributions"},
		{name: "throttled", collector: c,
			state: func() *awsfake.State {
				return withFault(dists(), "cloudfront:ListDistributions", "Throttling", http.StatusBadRequest)
			},
			wantErr: evidence.Throttled, wantCalls: map[string]int{"cloudfront:ListDistributions": 2}},
		{name: "cancelled", collector: c, state: dists, block: "cloudfront:ListDistributions"},
	})
}

func plans() *awsfake.State {
	return &awsfake.State{
		BackupPlans: []awsfake.BackupPlan{
			{ID: "p1", Name: "hourly", Region: "eu-central-1", Rules: []awsfake.BackupRule{{Name: "h", Schedule: "cron(0 * ? * * *)", DeleteDays: 7}}},
			{ID: "p2", Name: "weekly", Region: "eu-central-1", Rules: []awsfake.BackupRule{{Name: "w", Schedule: "cron(0 5 ? * SUN *)",
				CopyTo: "arn:aws:backup:eu-central-1:123456789012:backup-vault:same-region"}}},
		},
		BackupVaults: []awsfake.BackupVault{{Name: "Default", Region: "eu-central-1", KMSKey: "arn:aws:kms:eu-central-1:123456789012:key/k", Locked: true, RecoveryPoints: 3}},
	}
}

func TestBackupPlans(t *testing.T) {
	t.Parallel()
	const c, r = "aws.backup", "eu-central-1"
	runCases(t, []caseTest{
		{name: "two pages", collector: c, region: r, typ: BackupPlanType,
			state: func() *awsfake.State {
				st := plans()
				st.PageSize = 1
				return st
			},
			wantNames: []string{"hourly", "weekly"},
			wantAttrs: map[string]any{"frequency": "hourly", "max_retention_days": 7, "cross_region_copy": false, "rules": 1},
			wantCalls: map[string]int{"backup:ListBackupPlans": 2, "backup:GetBackupPlan": 2}},
		{name: "vaults", collector: c, region: r, typ: BackupVaultType, state: plans, wantNames: []string{"Default"},
			wantAttrs: map[string]any{"encrypted": true, "locked": true, "recovery_points": 3}},
		{name: "empty", collector: c, region: r, typ: BackupPlanType, state: func() *awsfake.State { return &awsfake.State{} }},
		{name: "denied", collector: c, region: r,
			state: func() *awsfake.State {
				return withFault(plans(), "backup:ListBackupPlans", "AccessDeniedException", http.StatusForbidden)
			},
			wantErr: evidence.Denied, wantPermission: "backup:ListBackupPlans"},
		{name: "denied plan", collector: c, region: r, typ: BackupPlanType,
			state: func() *awsfake.State {
				return withFault(plans(), "backup:GetBackupPlan", "AccessDeniedException", http.StatusForbidden)
			},
			wantNames: []string{"hourly", "weekly"},
			wantGaps: map[string]evidence.FailureKind{"rules": evidence.Denied, "frequency": evidence.Denied,
				"max_retention_days": evidence.Denied, "cross_region_copy": evidence.Denied}},
		{name: "throttled", collector: c, region: r,
			state: func() *awsfake.State {
				return withFault(plans(), "backup:ListBackupVaults", "ThrottlingException", http.StatusBadRequest)
			},
			wantErr: evidence.Throttled, wantCalls: map[string]int{"backup:ListBackupVaults": 2}},
		{name: "cancelled", collector: c, region: r, state: plans, block: "backup:GetBackupPlan"},
	})
}

func TestRuleFrequency(t *testing.T) {
	t.Parallel()
	tests := []struct {
		expr       string
		continuous bool
		want       string
	}{
		{expr: "cron(0 5 ? * * *)", want: "daily"},
		{expr: "cron(0 */4 ? * * *)", want: "hourly"},
		{expr: "cron(0 5 ? * MON *)", want: "weekly"},
		{expr: "cron(0 5 1 * ? *)", want: "monthly"},
		{expr: "cron(0 5 1 1 ? *)", want: "other"},
		{expr: "rate(12 hours)", want: "hourly"},
		{expr: "", continuous: true, want: "continuous"},
		{expr: "nonsense", want: "other"},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			t.Parallel()
			got := ruleFrequency(backuptypes.BackupRule{ScheduleExpression: awssdk.String(tt.expr), EnableContinuousBackup: awssdk.Bool(tt.continuous)})
			if got != tt.want {
				t.Errorf("ruleFrequency(%q) = %q, want %q", tt.expr, got, tt.want)
			}
		})
	}
}

func TestDenyInsecureTransport(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, doc string
		want      bool
	}{
		{"deny list", `{"Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}`, true},
		{"single statement, AWS principal, bool value", `{"Statement":{"Effect":"Deny","Principal":{"AWS":"*"},"Action":"s3:*","Condition":{"Bool":{"aws:securetransport":false}}}}`, true},
		{"allow only over TLS is not a deny", `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Condition":{"Bool":{"aws:SecureTransport":"true"}}}]}`, false},
		{"deny for one principal", `{"Statement":[{"Effect":"Deny","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"s3:*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}`, false},
		{"no condition", `{"Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:DeleteBucket"}]}`, false},
		{"not JSON", `{`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := denyInsecureTransport(tt.doc); got != tt.want {
				t.Errorf("denyInsecureTransport = %v, want %v", got, tt.want)
			}
		})
	}
}
