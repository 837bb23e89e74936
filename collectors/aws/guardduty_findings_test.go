package aws

import (
	"net/http"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/attestdev/attest/collectors/evidence"
	"github.com/attestdev/attest/internal/fake/awsfake"
)

// findingsNow is the fixed collection time of the findings tests.
var findingsNow = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

func findings() *awsfake.State {
	ago := func(days int) time.Time { return findingsNow.Add(-time.Duration(days) * 24 * time.Hour) }
	return &awsfake.State{
		Detectors: []awsfake.Detector{{ID: "d1", Region: "eu-central-1", Enabled: true}},
		Protection: awsfake.Protection{Findings: []awsfake.Finding{
			{ID: "f-old-high", Region: "eu-central-1", Type: "Backdoor:EC2/C&CActivity.B", Severity: 8, Created: ago(45), Updated: ago(1)},
			{ID: "f-new-high", Region: "eu-central-1", Type: "Recon:EC2/PortProbeUnprotectedPort", Severity: 7, Created: ago(3), Updated: ago(3)},
			{ID: "f-edge", Region: "eu-central-1", Type: "Trojan:EC2/DNSDataExfiltration", Severity: 7.5, Created: ago(29), Updated: ago(29)},
			{ID: "f-old-medium", Region: "eu-central-1", Type: "Recon:EC2/Portscan", Severity: 5, Created: ago(90), Updated: ago(90)},
			{ID: "f-archived", Region: "eu-central-1", Type: "Backdoor:EC2/Spambot", Severity: 8, Archived: true, Created: ago(200), Updated: ago(100)},
			{ID: "f-other-region", Region: "us-east-1", Type: "Backdoor:EC2/Spambot", Severity: 8, Created: ago(200), Updated: ago(200)},
		}},
	}
}

func TestGuardDutyFindings(t *testing.T) {
	t.Parallel()
	const c, r = "aws.guardduty.findings", "eu-central-1"
	name := []string{"GuardDuty findings eu-central-1"}
	open := map[string]any{"detector_present": true, "high_findings_open": 3, "high_findings_past_sla": 1, "sla_days": 30,
		"oldest_high_finding_created": "2026-10-09T12:00:00Z"}
	runCases(t, []caseTest{
		{name: "happy", collector: c, region: r, typ: GuardDutyFindingsType, state: findings, wantNames: name, wantAttrs: open,
			wantCalls: map[string]int{"guardduty:ListFindings": 1, "guardduty:GetFindings": 1}},
		{name: "two pages", collector: c, region: r, typ: GuardDutyFindingsType,
			state: func() *awsfake.State {
				st := findings()
				st.PageSize = 2
				return st
			},
			wantNames: name, wantAttrs: open,
			wantCalls: map[string]int{"guardduty:ListFindings": 2, "guardduty:GetFindings": 1}},
		{name: "no detector", collector: c, region: r, typ: GuardDutyFindingsType,
			state:     func() *awsfake.State { return &awsfake.State{} },
			wantNames: name,
			wantAttrs: map[string]any{"detector_present": false, "high_findings_open": 0, "high_findings_past_sla": 0, "oldest_high_finding_created": ""},
			wantCalls: map[string]int{"guardduty:ListFindings": 0}},
		{name: "no open high findings", collector: c, region: r, typ: GuardDutyFindingsType,
			state: func() *awsfake.State {
				st := findings()
				st.Protection.Findings = st.Protection.Findings[3:]
				return st
			},
			wantNames: name,
			wantAttrs: map[string]any{"detector_present": true, "high_findings_open": 0, "high_findings_past_sla": 0, "oldest_high_finding_created": ""},
			wantCalls: map[string]int{"guardduty:GetFindings": 0}},
		{name: "denied list", collector: c, region: r,
			state: func() *awsfake.State {
				return withFault(findings(), "guardduty:ListFindings", "AccessDeniedException", http.StatusForbidden)
			},
			wantErr: evidence.Denied, wantPermission: "guardduty:ListFindings"},
		{name: "denied get", collector: c, region: r, typ: GuardDutyFindingsType,
			state: func() *awsfake.State {
				return withFault(findings(), "guardduty:GetFindings", "AccessDeniedException", http.StatusForbidden)
			},
			wantNames: name,
			wantGaps:  map[string]evidence.FailureKind{"high_findings_past_sla": evidence.Denied, "oldest_high_finding_created": evidence.Denied},
			wantAttrs: map[string]any{"high_findings_open": 3}},
		{name: "throttled", collector: c, region: r,
			state: func() *awsfake.State {
				return withFault(findings(), "guardduty:ListFindings", "TooManyRequestsException", http.StatusTooManyRequests)
			},
			wantErr: evidence.Throttled, wantCalls: map[string]int{"guardduty:ListFindings": 2}},
		{name: "cancelled list", collector: c, region: r, state: findings, block: "guardduty:ListFindings"},
		{name: "cancelled get", collector: c, region: r, state: findings, block: "guardduty:GetFindings"},
	}, func(s *Source) { s.cfg.Now = func() time.Time { return findingsNow } })
}

func TestGuardDutyFindingsSLAConfig(t *testing.T) {
	t.Parallel()
	testSLAConfig(t, findings, "aws.guardduty.findings", "high_findings_past_sla", map[int]int{0: 1, 2: 3, 60: 0})
}

// testSLAConfig collects a findings collector under aws.findings_sla_days
// set to each key of wantPast and checks the findings counted as past it.
func testSLAConfig(t *testing.T, state func() *awsfake.State, collector, attr string, wantPast map[int]int) {
	t.Helper()
	for sla, want := range wantPast {
		st := state()
		st.AccountID = testAccount
		src := newFakeSource(t, st)
		src.cfg.Now = func() time.Time { return findingsNow }
		src.cfg.FindingsSLADays = sla
		out, err := collect(t.Context(), t, src, collector, "eu-central-1")
		if err != nil {
			t.Fatal(err)
		}
		if got := out.resources[0].Attributes[attr]; got != want {
			t.Errorf("sla %d: %s = %v, want %d", sla, attr, got, want)
		}
	}
}

func TestGuardDutyFindingsFixtures(t *testing.T) {
	t.Parallel()
	src := newFixtureSource(t, map[string]route{
		"guardduty:ListDetectors": {file: "guardduty/ListDetectors.json"},
		"guardduty:ListFindings":  {file: "guardduty/ListFindings.json"},
		"guardduty:GetFindings":   {file: "guardduty/GetFindings.json"},
	})
	src.cfg.Now = func() time.Time { return findingsNow }
	out, err := collect(t.Context(), t, src, "aws.guardduty.findings", "eu-central-1")
	if err != nil {
		t.Fatal(err)
	}
	want := []evidence.Resource{{Type: GuardDutyFindingsType, ID: "arn:aws:guardduty:eu-central-1:123456789012:findings",
		Name: "GuardDuty findings eu-central-1", Account: testAccount, Region: "eu-central-1", Attributes: map[string]any{
			"detector_present": true, "high_findings_open": 2, "high_findings_past_sla": 1, "sla_days": 30,
			"oldest_high_finding_created": "2026-09-01T08:15:00Z"}}}
	for i := range out.resources {
		out.resources[i].Records = nil
	}
	if diff := cmp.Diff(want, out.resources); diff != "" {
		t.Errorf("resources (-want +got):\n%s", diff)
	}
}
