package aws

import (
	"net/http"
	"testing"
	"time"

	"github.com/attestdev/attest/collectors/evidence"
	"github.com/attestdev/attest/internal/fake/awsfake"
)

// securityHub is an account with Security Hub in eu-central-1 and four
// open critical or high findings there (two older than 30 days at
// findingsNow), next to findings that do not count: medium, resolved,
// suppressed, archived, a member account's and another region's.
func securityHub() *awsfake.State {
	ago := func(days int) time.Time { return findingsNow.Add(-time.Duration(days) * 24 * time.Hour) }
	const r = "eu-central-1"
	f := func(id, severity string, created int) awsfake.HubFinding {
		return awsfake.HubFinding{ID: id, Region: r, Generator: "security-control/RDS.2", Title: id, Severity: severity,
			ResourceType: "AwsRdsDbInstance", ResourceID: "arn:aws:rds:eu-central-1:123456789012:db:orders", Created: ago(created), Updated: ago(1)}
	}
	notified := f("old-high-notified", "HIGH", 31)
	notified.Workflow = "NOTIFIED"
	resolved := f("resolved", "CRITICAL", 200)
	resolved.Workflow = "RESOLVED"
	suppressed := f("suppressed", "HIGH", 200)
	suppressed.Workflow = "SUPPRESSED"
	archived := f("archived", "CRITICAL", 200)
	archived.Archived = true
	member := f("member", "CRITICAL", 200)
	member.Account = "210987654321"
	linked := f("linked-region", "CRITICAL", 200)
	linked.Region = "us-east-1"
	return &awsfake.State{Monitoring: awsfake.Monitoring{
		Hubs: []awsfake.Hub{{Region: r, SubscribedAt: time.Date(2024, 2, 12, 9, 0, 0, 0, time.UTC)}},
		HubFindings: []awsfake.HubFinding{
			f("old-critical", "CRITICAL", 45), notified, f("new-high", "HIGH", 3), f("edge-high", "HIGH", 29),
			f("old-medium", "MEDIUM", 90), resolved, suppressed, archived, member, linked,
		},
	}}
}

func TestSecurityHubFindings(t *testing.T) {
	t.Parallel()
	const c, r = "aws.securityhub.findings", "eu-central-1"
	name := []string{"Security Hub findings eu-central-1"}
	open := map[string]any{"enabled": true, "subscribed_at": "2024-02-12T09:00:00Z", "findings_open": 4, "critical_findings_open": 1,
		"findings_past_sla": 2, "oldest_finding_created": "2026-10-09T12:00:00Z", "sla_days": 30}
	none := map[string]any{"findings_open": 0, "critical_findings_open": 0, "findings_past_sla": 0, "oldest_finding_created": ""}
	runCases(t, []caseTest{
		{name: "happy", collector: c, region: r, typ: SecurityHubFindingsType, state: securityHub, wantNames: name, wantAttrs: open,
			wantCalls: map[string]int{"securityhub:DescribeHub": 1, "securityhub:GetFindings": 1}},
		{name: "two pages", collector: c, region: r, typ: SecurityHubFindingsType,
			state: func() *awsfake.State {
				st := securityHub()
				st.PageSize = 3
				return st
			},
			wantNames: name, wantAttrs: open,
			wantCalls: map[string]int{"securityhub:DescribeHub": 1, "securityhub:GetFindings": 2}},
		{name: "not subscribed", collector: c, region: r, typ: SecurityHubFindingsType,
			state:     func() *awsfake.State { return &awsfake.State{} },
			wantNames: name,
			wantAttrs: map[string]any{"enabled": false, "subscribed_at": "", "findings_open": 0, "critical_findings_open": 0,
				"findings_past_sla": 0, "oldest_finding_created": "", "sla_days": 30},
			wantCalls: map[string]int{"securityhub:DescribeHub": 1, "securityhub:GetFindings": 0}},
		{name: "no open findings", collector: c, region: r, typ: SecurityHubFindingsType,
			state: func() *awsfake.State {
				st := securityHub()
				st.Monitoring.HubFindings = st.Monitoring.HubFindings[4:]
				return st
			},
			wantNames: name, wantAttrs: none, wantCalls: map[string]int{"securityhub:GetFindings": 1}},
		{name: "denied", collector: c, region: r,
			state: func() *awsfake.State {
				return withFault(securityHub(), "securityhub:DescribeHub", "AccessDeniedException", http.StatusForbidden)
			},
			wantErr: evidence.Denied, wantPermission: "securityhub:DescribeHub"},
		{name: "other invalid access", collector: c, region: r,
			state: func() *awsfake.State {
				return withFault(securityHub(), "securityhub:DescribeHub", "InvalidAccessException", http.StatusUnauthorized)
			},
			wantErr: evidence.Errored},
		{name: "findings denied", collector: c, region: r, typ: SecurityHubFindingsType,
			state: func() *awsfake.State {
				return withFault(securityHub(), "securityhub:GetFindings", "AccessDeniedException", http.StatusForbidden)
			},
			wantNames: name, wantAttrs: map[string]any{"enabled": true, "sla_days": 30},
			wantGaps: map[string]evidence.FailureKind{"findings_open": evidence.Denied, "critical_findings_open": evidence.Denied,
				"findings_past_sla": evidence.Denied, "oldest_finding_created": evidence.Denied}},
		{name: "throttled", collector: c, region: r,
			state: func() *awsfake.State {
				return withFault(securityHub(), "securityhub:DescribeHub", "LimitExceededException", http.StatusTooManyRequests)
			},
			wantErr: evidence.Throttled, wantCalls: map[string]int{"securityhub:DescribeHub": 2}},
		{name: "cancelled hub", collector: c, region: r, state: securityHub, block: "securityhub:DescribeHub"},
		{name: "cancelled findings", collector: c, region: r, state: securityHub, block: "securityhub:GetFindings"},
	}, func(s *Source) { s.cfg.Now = func() time.Time { return findingsNow } })
}

func TestSecurityHubFindingsSLAConfig(t *testing.T) {
	t.Parallel()
	testSLAConfig(t, securityHub, "aws.securityhub.findings", "findings_past_sla", map[int]int{0: 2, 2: 4, 60: 0})
}

func TestSecurityHubFindingsFixtures(t *testing.T) {
	t.Parallel()
	runSecurityHubFixtures(t, &SecurityHubFindings{}, "findings", []hubFixture{
		{
			name: "subscribed",
			routes: map[string]route{
				"securityhub:DescribeHub": {file: "securityhub/DescribeHub.json"},
				"securityhub:GetFindings": {file: "securityhub/GetFindings.json"},
			},
			want: map[string]any{"enabled": true, "subscribed_at": "2019-11-19T23:15:10Z", "findings_open": 2, "critical_findings_open": 1,
				"findings_past_sla": 1, "oldest_finding_created": "2026-09-01T08:15:00Z", "sla_days": 30},
		},
		{
			name:   "not subscribed",
			routes: map[string]route{"securityhub:DescribeHub": {file: "securityhub/NotSubscribed.json", status: http.StatusUnauthorized}},
			want: map[string]any{"enabled": false, "subscribed_at": "", "findings_open": 0, "critical_findings_open": 0,
				"findings_past_sla": 0, "oldest_finding_created": "", "sla_days": 30},
		},
	})
}
