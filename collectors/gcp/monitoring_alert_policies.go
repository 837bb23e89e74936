package gcp

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	monitoring "google.golang.org/api/monitoring/v3"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
	"github.com/attestdev/attest/collectors/gcp/gcpapi"
)

// AlertPolicies collects the Cloud Monitoring alerting policies of a
// project and whether each notifies a channel.
//
// Cloud Monitoring API docs: https://cloud.google.com/monitoring/api/ref_v3/rest/v3/projects.alertPolicies/list
// Operation: monitoring.alertPolicies.list (GET /v3/projects/{project}/alertPolicies).
type AlertPolicies struct{ src *Source }

const (
	opAlertPoliciesList = "monitoring.alertPolicies.list"
	typeAlertPolicy     = "gcp.monitoring.alert_policy"
)

// Describe returns the collector's metadata.
func (c *AlertPolicies) Describe() collectors.Descriptor {
	return collectors.Descriptor{
		ID: "gcp.alert_policies", Version: 1, Source: SourceName, Title: "Cloud Monitoring alerting policies",
		ResourceTypes: []collectors.ResourceType{{Name: typeAlertPolicy, Doc: "A Cloud Monitoring alerting policy. ID is its resource name.", Attributes: []collectors.Attribute{
			{Name: "enabled", Type: "bool", Doc: "The policy is enabled."},
			{Name: "conditions", Type: "int", Doc: "Number of conditions."},
			{Name: "notification_channels", Type: "int", Doc: "Number of notification channels the policy notifies."},
		}}},
		Permissions: []string{opAlertPoliciesList},
	}
}

// Collect lists the alerting policies of project target.Account. A project
// with the Cloud Monitoring API disabled has none.
func (c *AlertPolicies) Collect(ctx context.Context, target evidence.Target, out collectors.Sink) error {
	opts, err := c.src.options(ctx, "monitoring", "")
	if err != nil {
		return err
	}
	svc, err := monitoring.NewService(ctx, opts...)
	if err != nil {
		return fmt.Errorf("gcp monitoring client: %w", err)
	}
	tctx, trace := collectors.WithTrace(ctx)
	var ps []*monitoring.AlertPolicy
	err = svc.Projects.AlertPolicies.List("projects/"+target.Account).Pages(tctx, func(p *monitoring.ListAlertPoliciesResponse) error {
		ps = append(ps, p.AlertPolicies...)
		return nil
	})
	if err != nil {
		if apiDisabled(err) {
			return nil
		}
		return fmt.Errorf("gcp %s %s: %w", opAlertPoliciesList, target.Account, gcpapi.Classify(err, opAlertPoliciesList, opAlertPoliciesList))
	}
	records := trace.Records()
	slices.SortFunc(ps, func(a, b *monitoring.AlertPolicy) int { return cmp.Compare(a.Name, b.Name) })
	for _, p := range ps {
		// enabled is a BoolValue that the API omits when false.
		out.Emit(evidence.Resource{Type: typeAlertPolicy, ID: p.Name, Name: p.DisplayName, Account: target.Account, Records: records,
			Attributes: map[string]any{"enabled": p.Enabled, "conditions": len(p.Conditions), "notification_channels": len(p.NotificationChannels)}})
	}
	return nil
}
