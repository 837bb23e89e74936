package aws

import (
	"net/http"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
	"github.com/attestdev/attest/internal/fake/awsfake"
)

// securityHubStandards is an account with Security Hub in eu-central-1
// with three ready standards (CIS 1.2.0 as a ruleset), one incomplete,
// and Security Hub in us-east-1 with none.
func securityHubStandards() *awsfake.State {
	at := time.Date(2024, 2, 12, 9, 0, 0, 0, time.UTC)
	return &awsfake.State{Monitoring: awsfake.Monitoring{Hubs: []awsfake.Hub{
		{Region: "eu-central-1", SubscribedAt: at, Standards: []awsfake.HubStandard{
			{ID: "cis-aws-foundations-benchmark/v/1.2.0", Ruleset: true},
			{ID: "aws-foundational-security-best-practices/v/1.0.0"},
			{ID: "cis-aws-foundations-benchmark/v/1.4.0"},
			{ID: "nist-800-53/v/5.0.0", Status: "INCOMPLETE"},
		}},
		{Region: "us-east-1", SubscribedAt: at},
	}}}
}

func TestSecurityHubStandards(t *testing.T) {
	t.Parallel()
	const c, r = "aws.securityhub.standards", "eu-central-1"
	name := []string{"Security Hub standards eu-central-1"}
	ready := map[string]any{"enabled": true,
		"standards":           []string{"aws-foundational-security-best-practices/v/1.0.0", "cis-aws-foundations-benchmark/v/1.2.0", "cis-aws-foundations-benchmark/v/1.4.0"},
		"standard_names":      []string{"aws-foundational-security-best-practices", "cis-aws-foundations-benchmark"},
		"standards_not_ready": []string{"nist-800-53/v/5.0.0 (INCOMPLETE)"}}
	none := map[string]any{"standards": []string{}, "standard_names": []string{}, "standards_not_ready": []string{}}
	runCases(t, []caseTest{
		{name: "happy", collector: c, region: r, typ: SecurityHubStandardsType, state: securityHubStandards, wantNames: name, wantAttrs: ready,
			wantCalls: map[string]int{"securityhub:GetEnabledStandards": 1}},
		{name: "two pages", collector: c, region: r, typ: SecurityHubStandardsType,
			state: func() *awsfake.State {
				st := securityHubStandards()
				st.PageSize = 3
				return st
			},
			wantNames: name, wantAttrs: ready, wantCalls: map[string]int{"securityhub:GetEnabledStandards": 2}},
		{name: "empty", collector: c, region: "us-east-1", typ: SecurityHubStandardsType, state: securityHubStandards,
			wantNames: []string{"Security Hub standards us-east-1"}, wantAttrs: merge(none, map[string]any{"enabled": true}),
			wantCalls: map[string]int{"securityhub:GetEnabledStandards": 1}},
		{name: "not subscribed", collector: c, region: "ap-southeast-2", typ: SecurityHubStandardsType, state: securityHubStandards,
			wantNames: []string{"Security Hub standards ap-southeast-2"}, wantAttrs: merge(none, map[string]any{"enabled": false}),
			wantCalls: map[string]int{"securityhub:GetEnabledStandards": 1}},
		{name: "absent", collector: c, region: r,
			state: func() *awsfake.State {
				return withFault(securityHubStandards(), "securityhub:GetEnabledStandards", "ResourceNotFoundException", http.StatusNotFound)
			},
			wantErr: evidence.Errored},
		{name: "denied", collector: c, region: r,
			state: func() *awsfake.State {
				return withFault(securityHubStandards(), "securityhub:GetEnabledStandards", "AccessDeniedException", http.StatusForbidden)
			},
			wantErr: evidence.Denied, wantPermission: "securityhub:GetEnabledStandards"},
		{name: "other invalid access", collector: c, region: r,
			state: func() *awsfake.State {
				return withFault(securityHubStandards(), "securityhub:GetEnabledStandards", "InvalidAccessException", http.StatusUnauthorized)
			},
			wantErr: evidence.Errored},
		{name: "throttled", collector: c, region: r,
			state: func() *awsfake.State {
				return withFault(securityHubStandards(), "securityhub:GetEnabledStandards", "TooManyRequestsException", http.StatusTooManyRequests)
			},
			wantErr: evidence.Throttled, wantCalls: map[string]int{"securityhub:GetEnabledStandards": 2}},
		{name: "cancelled", collector: c, region: r, state: securityHubStandards, block: "securityhub:GetEnabledStandards"},
	})
}

// merge returns a copy of a with the entries of b.
func merge(a, b map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}

func TestSecurityHubStandardsFixtures(t *testing.T) {
	t.Parallel()
	runSecurityHubFixtures(t, &SecurityHubStandards{}, "standards", []hubFixture{
		{
			name:   "subscribed",
			routes: map[string]route{"securityhub:GetEnabledStandards": {file: "securityhub/GetEnabledStandards.json"}},
			want: map[string]any{"enabled": true,
				"standards":           []string{"aws-foundational-security-best-practices/v/1.0.0", "cis-aws-foundations-benchmark/v/1.2.0"},
				"standard_names":      []string{"aws-foundational-security-best-practices", "cis-aws-foundations-benchmark"},
				"standards_not_ready": []string{"pci-dss/v/3.2.1 (INCOMPLETE)"}},
		},
		{
			name:   "not subscribed",
			routes: map[string]route{"securityhub:GetEnabledStandards": {file: "securityhub/NotSubscribed.json", status: http.StatusUnauthorized}},
			want:   map[string]any{"enabled": false, "standards": []string{}, "standard_names": []string{}, "standards_not_ready": []string{}},
		},
	})
}

// A hubFixture is a case of runSecurityHubFixtures: the fixture server's
// routes and the attributes they must give.
type hubFixture struct {
	name   string
	routes map[string]route
	want   map[string]any
}

// runSecurityHubFixtures runs Security Hub collector c, whose resource
// type is aws.securityhub.<kind>, against the fixture server of each
// case's routes in eu-central-1 at findingsNow, and requires its one
// resource to have the case's attributes.
func runSecurityHubFixtures(t *testing.T, c collectors.Collector, kind string, cases []hubFixture) {
	t.Helper()
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			src := newFixtureSource(t, tt.routes)
			src.cfg.Now = func() time.Time { return findingsNow }
			out, err := collect(t.Context(), t, src, "aws.securityhub."+kind, "eu-central-1")
			if err != nil {
				t.Fatal(err)
			}
			for i := range out.resources {
				out.resources[i].Records = nil
			}
			want := []evidence.Resource{{Type: "aws.securityhub." + kind, ID: "arn:aws:securityhub:eu-central-1:123456789012:" + kind,
				Name: "Security Hub " + kind + " eu-central-1", Account: testAccount, Region: "eu-central-1", Attributes: tt.want}}
			if diff := cmp.Diff(want, out.resources); diff != "" {
				t.Errorf("resources (-want +got):\n%s", diff)
			}
			checkDescribed(t, c, out.resources)
		})
	}
}
