package gcp

import (
	"testing"

	"github.com/attestdev/attest/collectors/evidence"
	"github.com/attestdev/attest/collectors/internal/gcptest"
)

// getEffectivePolicy returns one policy, without pages; a list constraint's
// values come in one response.
func TestOrgPolicies(t *testing.T) {
	t.Parallel()
	key := func(c string) string {
		return "GET /v2/projects/" + project + "/policies/" + c + ":getEffectivePolicy"
	}
	happy := gcptest.Fixtures{}
	unset := gcptest.Fixtures{}
	for _, c := range OrgPolicyConstraints {
		happy[key(c)] = gcptest.Reply{Body: "orgpolicy_" + c + ".json"}
		unset[key(c)] = gcptest.Reply{Body: "orgpolicy_unset.json"}
	}
	pol := func(c string, api, enforced, allowAll, denyAll bool, allowed []any) evidence.Resource {
		return evidence.Resource{Type: typeOrgPolicy, ID: "projects/" + project + "/policies/" + c, Name: c, Account: project, Attributes: map[string]any{
			"constraint": c, "api_enabled": api, "enforced": enforced, "allow_all": allowAll, "deny_all": denyAll,
			"allowed_values": allowed, "denied_values": []any{},
		}}
	}
	want := []evidence.Resource{
		pol("compute.vmExternalIpAccess", true, false, false, true, []any{}),
		pol("iam.allowedPolicyMemberDomains", true, false, false, false, []any{"C01abc234", "is:C03xgje4y"}),
		pol("iam.disableServiceAccountKeyCreation", true, true, false, false, []any{}),
		pol("sql.restrictPublicIp", true, false, false, false, []any{}),
		// Enforced only under a condition (tagged resources): not enforced.
		pol("storage.publicAccessPrevention", true, false, false, false, []any{}),
		pol("storage.uniformBucketLevelAccess", true, false, false, false, []any{}),
	}
	var none, disabled []evidence.Resource
	dis := gcptest.Fixtures{}
	for _, c := range OrgPolicyConstraints {
		none = append(none, pol(c, true, false, false, false, []any{}))
		disabled = append(disabled, pol(c, false, false, false, false, []any{}))
		dis[key(c)] = gcptest.Reply{Status: 403, Body: "error_service_disabled.json"}
	}
	block, started := gcptest.Blocking()
	runCases(t, "gcp.org_policies", typeOrgPolicy, []tcase{
		{name: "happy", fx: happy, want: want},
		{name: "empty: no policy set anywhere", fx: unset, want: none},
		{name: "API disabled: recorded, every constraint unenforced", fx: dis, want: disabled},
		{name: "constraint not found", fx: happy.With(gcptest.Fixtures{key("sql.restrictPublicIp"): gcptest.NotFoundReply}),
			want: append(append([]evidence.Resource{}, want[:3]...), want[4:]...), wantFail: []evidence.FailureKind{evidence.Errored}},
		{name: "denied", fx: happy.With(gcptest.Fixtures{key("iam.allowedPolicyMemberDomains"): gcptest.DeniedReply}),
			want: append([]evidence.Resource{want[0]}, want[2:]...), wantFail: []evidence.FailureKind{evidence.Denied}},
		{name: "throttled", fx: happy.With(gcptest.Fixtures{key("compute.vmExternalIpAccess"): gcptest.ThrottledReply}),
			want: want[1:], wantFail: []evidence.FailureKind{evidence.Throttled}},
		{name: "cancelled", fx: happy.With(gcptest.Fixtures{key("compute.vmExternalIpAccess"): block}), started: started, wantErr: evidence.Cancelled},
	})
}

func TestLogMetricAlerts(t *testing.T) {
	t.Parallel()
	const (
		metrics = "GET /v2/projects/" + project + "/metrics"
		alerts  = "GET /v3/projects/" + project + "/alertPolicies"
	)
	res := func(logging, monitoring bool, counted, alerted []any) []evidence.Resource {
		return []evidence.Resource{{Type: typeLogAlerts, ID: "projects/" + project + "/logMetricAlerts", Name: project, Account: project,
			Attributes: map[string]any{"logging_enabled": logging, "monitoring_enabled": monitoring, "metric_events": counted, "alerted_events": alerted}}}
	}
	// The firewall metric is disabled, but a log-match policy watches
	// firewall changes; the audit policy has no channel, the custom role
	// policy is disabled, and a policy on a metric whose name only starts
	// like the audit configuration metric's does not count.
	counted := []any{"audit-configuration", "custom-role", "project-ownership"}
	alerted := []any{"project-ownership", "vpc-firewall-rule"}
	happy := gcptest.Fixtures{metrics: {Body: "logging_metrics.json"}, alerts: {Body: "monitoring_alert_policies_cis.json"}}
	disabled := gcptest.Reply{Status: 403, Body: "error_service_disabled.json"}
	block, started := gcptest.Blocking()
	runCases(t, "gcp.log_metric_alerts", typeLogAlerts, []tcase{
		{name: "happy", fx: happy, want: res(true, true, counted, alerted)},
		{name: "two pages", fx: happy.With(gcptest.Fixtures{
			metrics: {Body: "logging_metrics_page1.json"},
			metrics + "?pageToken=CiBhdWRpdC1jb25maWctY2hhbmdlcw": {Body: "logging_metrics_page2.json"},
		}), want: res(true, true, counted, alerted)},
		{name: "empty", fx: gcptest.Fixtures{metrics: {Body: "logging_metrics_empty.json"}, alerts: {Body: "monitoring_alert_policies_empty.json"}},
			want: res(true, true, []any{}, []any{})},
		{name: "alert policies on other metrics only", fx: happy.With(gcptest.Fixtures{alerts: {Body: "monitoring_alert_policies.json"}}),
			want: res(true, true, counted, []any{})},
		{name: "Logging API disabled", fx: happy.With(gcptest.Fixtures{metrics: disabled}), want: res(false, true, []any{}, []any{"vpc-firewall-rule"})},
		{name: "Monitoring API disabled", fx: happy.With(gcptest.Fixtures{alerts: disabled}), want: res(true, false, counted, []any{})},
		{name: "project not found", fx: gcptest.Fixtures{metrics: gcptest.NotFoundReply}, wantErr: evidence.Errored},
		{name: "denied metrics", fx: gcptest.Fixtures{metrics: gcptest.DeniedReply}, wantErr: evidence.Denied, wantPerm: opLogMetricsList},
		{name: "denied alert policies", fx: happy.With(gcptest.Fixtures{alerts: gcptest.DeniedReply}), wantErr: evidence.Denied, wantPerm: opAlertPoliciesList},
		{name: "throttled", fx: gcptest.Fixtures{metrics: gcptest.ThrottledReply}, wantErr: evidence.Throttled},
		{name: "cancelled", fx: happy.With(gcptest.Fixtures{alerts: block}), started: started, wantErr: evidence.Cancelled},
	})
}
