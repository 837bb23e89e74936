package gcp

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	logging "google.golang.org/api/logging/v2"
	monitoring "google.golang.org/api/monitoring/v3"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
	"github.com/attestdev/attest/collectors/gcp/gcpapi"
)

// LogMetricAlerts collects, per project, which of the CIS Google Cloud
// benchmark's monitored events (section 2.4 to 2.11) a log-based metric
// counts and an enabled alerting policy with a notification channel
// watches, or a log-match alerting policy matches directly.
//
// API docs:
//   - https://cloud.google.com/logging/docs/reference/v2/rest/v2/projects.metrics/list (logging.logMetrics.list)
//   - https://cloud.google.com/monitoring/api/ref_v3/rest/v3/projects.alertPolicies/list (monitoring.alertPolicies.list)
type LogMetricAlerts struct{ src *Source }

const (
	opLogMetricsList  = "logging.logMetrics.list"
	typeLogAlerts     = "gcp.logging.metric_alerts"
	logMetricTypePref = "logging.googleapis.com/user/"
)

// logEvents are the monitored events, each with the terms a log filter
// must contain (compared lower case and without white space) to count it,
// following the CIS benchmark's recommended filters.
var logEvents = []struct {
	name  string
	terms []string
}{
	{"audit-configuration", []string{`setiampolicy`, `auditconfigdeltas`}},
	{"bucket-iam", []string{`resource.type="gcs_bucket"`, `storage.setiampermissions`}},
	{"custom-role", []string{`resource.type="iam_role"`, `google.iam.admin.v1.createrole`, `google.iam.admin.v1.deleterole`, `google.iam.admin.v1.updaterole`}},
	{"project-ownership", []string{`cloudresourcemanager.googleapis.com`, `projectownership`, `projectownerinvitee`, `roles/owner`}},
	{"sql-configuration", []string{`cloudsql.instances.update`}},
	{"vpc-firewall-rule", []string{`resource.type="gce_firewall_rule"`, `compute.firewalls.insert`, `compute.firewalls.patch`, `compute.firewalls.delete`}},
	{"vpc-network", []string{`resource.type="gce_network"`, `compute.networks.insert`, `compute.networks.patch`, `compute.networks.delete`, `compute.networks.removepeering`, `compute.networks.addpeering`}},
	{"vpc-route", []string{`resource.type="gce_route"`, `compute.routes.delete`, `compute.routes.insert`}},
}

// eventsOf returns the monitored events log filter f counts.
func eventsOf(f string) []string {
	f = strings.ToLower(strings.Join(strings.Fields(f), ""))
	var out []string
	for _, e := range logEvents {
		if !slices.ContainsFunc(e.terms, func(t string) bool { return !strings.Contains(f, t) }) {
			out = append(out, e.name)
		}
	}
	return out
}

// Describe returns the collector's metadata.
func (c *LogMetricAlerts) Describe() collectors.Descriptor {
	names := make([]string, len(logEvents))
	for i, e := range logEvents {
		names[i] = e.name
	}
	return collectors.Descriptor{
		ID: "gcp.log_metric_alerts", Version: 1, Source: SourceName, Title: "Log-based metric alerts for the CIS monitored events",
		ResourceTypes: []collectors.ResourceType{{Name: typeLogAlerts, Doc: "The log-based metric alerts of one project. ID is projects/ID/logMetricAlerts. Events: " + strings.Join(names, ", ") + ".", Attributes: []collectors.Attribute{
			{Name: "logging_enabled", Type: "bool", Doc: "The Cloud Logging API is enabled, so log-based metrics can exist."},
			{Name: "monitoring_enabled", Type: "bool", Doc: "The Cloud Monitoring API is enabled, so alerting policies can exist."},
			{Name: "metric_events", Type: "list", Doc: "Events an enabled log-based metric counts (its filter contains the CIS filter's terms), sorted."},
			{Name: "alerted_events", Type: "list", Doc: "Events an enabled alerting policy with a notification channel watches, through a condition on such a metric (metric.type=\"logging.googleapis.com/user/NAME\") or a log-match condition whose filter contains the terms, sorted."},
		}}},
		Permissions: []string{opAlertPoliciesList, opLogMetricsList},
	}
}

// Collect reads the log-based metrics and alerting policies of project
// target.Account. A disabled API is recorded, not skipped: a project
// without Cloud Logging or Cloud Monitoring has no alerts.
func (c *LogMetricAlerts) Collect(ctx context.Context, target evidence.Target, out collectors.Sink) error {
	lopts, err := c.src.options(ctx, "logging", "")
	if err != nil {
		return err
	}
	lsvc, err := logging.NewService(ctx, lopts...)
	if err != nil {
		return fmt.Errorf("gcp logging client: %w", err)
	}
	mopts, err := c.src.options(ctx, "monitoring", "")
	if err != nil {
		return err
	}
	msvc, err := monitoring.NewService(ctx, mopts...)
	if err != nil {
		return fmt.Errorf("gcp monitoring client: %w", err)
	}
	parent := "projects/" + target.Account
	tctx, trace := collectors.WithTrace(ctx)
	metricEvents := map[string][]string{} // metric name -> events
	var counted []string
	loggingOn, monitoringOn := true, true
	err = lsvc.Projects.Metrics.List(parent).Pages(tctx, func(p *logging.ListLogMetricsResponse) error {
		for _, m := range p.Metrics {
			if ev := eventsOf(m.Filter); !m.Disabled && len(ev) > 0 {
				metricEvents[m.Name] = ev
				counted = append(counted, ev...)
			}
		}
		return nil
	})
	switch {
	case err != nil && apiDisabled(err):
		loggingOn = false
	case err != nil:
		return fmt.Errorf("gcp %s %s: %w", opLogMetricsList, target.Account, gcpapi.Classify(err, opLogMetricsList, opLogMetricsList))
	}
	var ps []*monitoring.AlertPolicy
	err = msvc.Projects.AlertPolicies.List(parent).Pages(tctx, func(p *monitoring.ListAlertPoliciesResponse) error {
		ps = append(ps, p.AlertPolicies...)
		return nil
	})
	switch {
	case err != nil && apiDisabled(err):
		monitoringOn = false
	case err != nil:
		return fmt.Errorf("gcp %s %s: %w", opAlertPoliciesList, target.Account, gcpapi.Classify(err, opAlertPoliciesList, opAlertPoliciesList))
	}
	slices.SortFunc(ps, func(a, b *monitoring.AlertPolicy) int { return cmp.Compare(a.Name, b.Name) })
	var alerted []string
	for _, p := range ps {
		if !p.Enabled || len(p.NotificationChannels) == 0 {
			continue
		}
		for _, cond := range p.Conditions {
			alerted = append(alerted, conditionEvents(cond, metricEvents)...)
		}
	}
	out.Emit(evidence.Resource{Type: typeLogAlerts, ID: parent + "/logMetricAlerts", Name: target.Account, Account: target.Account, Records: trace.Records(),
		Attributes: map[string]any{
			"logging_enabled": loggingOn, "monitoring_enabled": monitoringOn,
			"metric_events": sortedList(counted), "alerted_events": sortedList(alerted),
		}})
	return nil
}

// conditionEvents returns the events alerting condition cond watches: those
// of the log-based metrics its filter or query names, or those its
// log-match filter counts itself.
func conditionEvents(cond *monitoring.Condition, metricEvents map[string][]string) []string {
	var text string
	switch {
	case cond.ConditionThreshold != nil:
		text = cond.ConditionThreshold.Filter
	case cond.ConditionAbsent != nil:
		text = cond.ConditionAbsent.Filter
	case cond.ConditionMonitoringQueryLanguage != nil:
		text = cond.ConditionMonitoringQueryLanguage.Query
	case cond.ConditionMatchedLog != nil:
		return eventsOf(cond.ConditionMatchedLog.Filter)
	}
	var out []string
	for m, ev := range metricEvents {
		// The quote (filter) or end of word (MQL) keeps "owner" from
		// matching "owner-changes".
		ref := logMetricTypePref + m
		if strings.Contains(text, ref+`"`) || strings.Contains(text, ref+"'") || strings.HasSuffix(strings.TrimSpace(text), ref) ||
			strings.Contains(text, ref+" ") || strings.Contains(text, ref+"\n") {
			out = append(out, ev...)
		}
	}
	return out
}
