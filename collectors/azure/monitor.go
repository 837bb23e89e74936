package azure

import (
	"context"
	"fmt"
	"slices"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/arm"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/monitor/armmonitor"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/security/armsecurity"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
)

const (
	opDiagnosticSettingsList = "Microsoft.Insights/diagnosticSettings/read"
	opPricingsList           = "Microsoft.Security/pricings/read"
	typeActivityLog          = "azure.monitor.activity_log"
	typeDefender             = "azure.security.defender"
)

// activityLogCategories are the categories of the subscription activity
// log; the category group allLogs stands for all of them.
var activityLogCategories = []string{"Administrative", "Alert", "Autoscale", "Policy", "Recommendation", "ResourceHealth", "Security", "ServiceHealth"}

// ActivityLog reads the diagnostic settings of a subscription's activity
// log: whether it is exported to a Log Analytics workspace, a storage
// account, an event hub or a partner solution, and which categories.
//
// API: https://learn.microsoft.com/rest/api/monitor/subscription-diagnostic-settings/list
// Operation: GET /subscriptions/{subscriptionId}/providers/Microsoft.Insights/diagnosticSettings (Microsoft.Insights/diagnosticSettings/read).
type ActivityLog struct{ src *Source }

// Describe returns the collector's metadata.
func (c *ActivityLog) Describe() collectors.Descriptor {
	return collectors.Descriptor{
		ID: "azure.activitylog", Version: 1, Source: SourceName, Title: "Activity log export",
		ResourceTypes: []collectors.ResourceType{{Name: typeActivityLog, Doc: "The activity log of a subscription. ID is /subscriptions/{id}/providers/microsoft.insights/diagnosticsettings.", Attributes: []collectors.Attribute{
			{Name: "settings", Type: "int", Doc: "The number of diagnostic settings of the activity log."},
			{Name: "exported", Type: "bool", Doc: "A diagnostic setting sends at least one log category to a destination."},
			{Name: "categories", Type: "list", Doc: "The categories exported by some setting with a destination, sorted (the group allLogs counts as every category)."},
			{Name: "destinations", Type: "list", Doc: "The kinds of destination exported to: log_analytics, storage, event_hub, partner; sorted."},
		}}},
		Permissions: []string{opDiagnosticSettingsList},
	}
}

// Collect reads the activity log settings of subscription target.Account.
// A subscription without settings is evidence: its activity log is kept
// 90 days and exported nowhere.
func (c *ActivityLog) Collect(ctx context.Context, target evidence.Target, out collectors.Sink) error {
	client, err := newClient(c.src, func(_ string, cred azcore.TokenCredential, o *arm.ClientOptions) (*armmonitor.DiagnosticSettingsClient, error) {
		return armmonitor.NewDiagnosticSettingsClient(cred, o)
	}, target.Account)
	if err != nil {
		return err
	}
	tctx, trace := collectors.WithTrace(ctx)
	var found []*armmonitor.DiagnosticSettingsResource
	err = list(tctx, c.src, out, client.NewListPager("subscriptions/"+target.Account, nil), opDiagnosticSettingsList, "Microsoft.Insights", func(p armmonitor.DiagnosticSettingsClientListResponse) {
		found = append(found, p.Value...)
	})
	if err != nil {
		return fmt.Errorf("azure %s %s: %w", opDiagnosticSettingsList, target.Account, err)
	}
	cats, dests := []string{}, []string{}
	for _, s := range found {
		if s == nil || s.Properties == nil {
			continue
		}
		d := destinationsOf(s.Properties)
		if len(d) == 0 {
			continue
		}
		enabled := enabledCategories(s.Properties.Logs)
		if len(enabled) == 0 {
			continue
		}
		cats = append(cats, enabled...)
		dests = append(dests, d...)
	}
	slices.Sort(cats)
	slices.Sort(dests)
	cats, dests = slices.Compact(cats), slices.Compact(dests)
	out.Emit(evidence.Resource{Type: typeActivityLog, ID: "/subscriptions/" + target.Account + "/providers/microsoft.insights/diagnosticsettings",
		Name: "activity log", Account: target.Account, Records: trace.Records(), Attributes: map[string]any{
			"settings": len(found), "exported": len(cats) > 0, "categories": anyList(cats), "destinations": anyList(dests),
		}})
	return nil
}

func destinationsOf(p *armmonitor.DiagnosticSettings) []string {
	var d []string
	if str(p.WorkspaceID) != "" {
		d = append(d, "log_analytics")
	}
	if str(p.StorageAccountID) != "" {
		d = append(d, "storage")
	}
	if str(p.EventHubAuthorizationRuleID) != "" {
		d = append(d, "event_hub")
	}
	if str(p.MarketplacePartnerID) != "" {
		d = append(d, "partner")
	}
	return d
}

func enabledCategories(logs []*armmonitor.LogSettings) []string {
	var out []string
	for _, l := range logs {
		if l == nil || !boolOr(l.Enabled, false) {
			continue
		}
		switch {
		case str(l.Category) != "":
			out = append(out, str(l.Category))
		case str(l.CategoryGroup) == "allLogs":
			out = append(out, activityLogCategories...)
		}
	}
	return out
}

// Defender reads the Microsoft Defender for Cloud plans of a subscription:
// which are on (pricing tier Standard) and which are off (Free).
//
// API: https://learn.microsoft.com/rest/api/defenderforcloud/pricings/list
// Operation: GET /subscriptions/{subscriptionId}/providers/Microsoft.Security/pricings (Microsoft.Security/pricings/read).
type Defender struct{ src *Source }

// Describe returns the collector's metadata.
func (c *Defender) Describe() collectors.Descriptor {
	return collectors.Descriptor{
		ID: "azure.defender", Version: 1, Source: SourceName, Title: "Microsoft Defender for Cloud plans",
		ResourceTypes: []collectors.ResourceType{{Name: typeDefender, Doc: "The Defender for Cloud plans of a subscription. ID is /subscriptions/{id}/providers/microsoft.security/pricings.", Attributes: []collectors.Attribute{
			{Name: "standard_plans", Type: "list", Doc: "The plans on the Standard tier (enabled), e.g. VirtualMachines, SqlServers, StorageAccounts, KeyVaults; sorted."},
			{Name: "free_plans", Type: "list", Doc: "The plans on the Free tier (not enabled), sorted."},
		}}},
		Permissions: []string{opPricingsList},
	}
}

// Collect reads the plans of subscription target.Account.
func (c *Defender) Collect(ctx context.Context, target evidence.Target, out collectors.Sink) error {
	client, err := newClient(c.src, func(_ string, cred azcore.TokenCredential, o *arm.ClientOptions) (*armsecurity.PricingsClient, error) {
		return armsecurity.NewPricingsClient(cred, o)
	}, target.Account)
	if err != nil {
		return err
	}
	tctx, trace := collectors.WithTrace(ctx)
	resp, err := client.List(tctx, "subscriptions/"+target.Account, nil)
	if err != nil {
		return fmt.Errorf("azure %s %s: %w", opPricingsList, target.Account, c.src.classify(err, opPricingsList))
	}
	standard, free := []string{}, []string{}
	for _, p := range resp.Value {
		if p == nil || p.Properties == nil || p.Properties.PricingTier == nil {
			continue
		}
		if *p.Properties.PricingTier == armsecurity.PricingTierStandard {
			standard = append(standard, str(p.Name))
		} else {
			free = append(free, str(p.Name))
		}
	}
	slices.Sort(standard)
	slices.Sort(free)
	out.Emit(evidence.Resource{Type: typeDefender, ID: "/subscriptions/" + target.Account + "/providers/microsoft.security/pricings",
		Name: "Defender for Cloud", Account: target.Account, Records: trace.Records(), Attributes: map[string]any{
			"standard_plans": anyList(standard), "free_plans": anyList(free),
		}})
	return nil
}
