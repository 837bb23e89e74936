package azure

import (
	"context"
	"fmt"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/arm"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/resources/armresources"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/resources/armsubscriptions"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
)

const (
	opSubscriptionGet = "Microsoft.Resources/subscriptions/read"
	opResourcesList   = "Microsoft.Resources/subscriptions/resources/read"
	typeSubscription  = "azure.subscription"
	typeResource      = "azure.resource"
)

// Subscriptions reads each subscription: its name, state and tenant.
//
// API: https://learn.microsoft.com/rest/api/resources/subscriptions/get
// Operation: GET /subscriptions/{subscriptionId} (Microsoft.Resources/subscriptions/read).
type Subscriptions struct{ src *Source }

// Describe returns the collector's metadata.
func (c *Subscriptions) Describe() collectors.Descriptor {
	return collectors.Descriptor{
		ID: "azure.subscriptions", Version: 1, Source: SourceName, Title: "Subscriptions",
		ResourceTypes: []collectors.ResourceType{{Name: typeSubscription, Doc: "An Azure subscription. ID is /subscriptions/{id}.", Attributes: []collectors.Attribute{
			{Name: "display_name", Type: "string", Doc: "The subscription's display name."},
			{Name: "state", Type: "string", Doc: "Enabled, Warned, PastDue, Disabled or Deleted."},
			{Name: "tenant_id", Type: "string", Doc: "The Microsoft Entra tenant the subscription trusts."},
		}}},
		Permissions: []string{opSubscriptionGet},
	}
}

// Collect reads subscription target.Account.
func (c *Subscriptions) Collect(ctx context.Context, target evidence.Target, out collectors.Sink) error {
	client, err := newClient(c.src, func(_ string, cred azcore.TokenCredential, o *arm.ClientOptions) (*armsubscriptions.Client, error) {
		return armsubscriptions.NewClient(cred, o)
	}, target.Account)
	if err != nil {
		return err
	}
	tctx, trace := collectors.WithTrace(ctx)
	resp, err := client.Get(tctx, target.Account, nil)
	if err != nil {
		return fmt.Errorf("azure %s %s: %w", opSubscriptionGet, target.Account, c.src.classify(err, opSubscriptionGet))
	}
	state := ""
	if resp.State != nil {
		state = string(*resp.State)
	}
	r := evidence.Resource{Type: typeSubscription, ID: "/subscriptions/" + target.Account, Name: str(resp.DisplayName), Account: target.Account,
		Records: trace.Records(), Attributes: map[string]any{"display_name": str(resp.DisplayName), "state": state, "tenant_id": str(resp.TenantID)}}
	out.Emit(r)
	return nil
}

// Resources lists every resource of a subscription with its type and
// location, for data residency.
//
// API: https://learn.microsoft.com/rest/api/resources/resources/list
// Operation: GET /subscriptions/{subscriptionId}/resources (Microsoft.Resources/subscriptions/resources/read).
type Resources struct{ src *Source }

// Describe returns the collector's metadata.
func (c *Resources) Describe() collectors.Descriptor {
	return collectors.Descriptor{
		ID: "azure.resources", Version: 1, Source: SourceName, Title: "Resources and their locations",
		ResourceTypes: []collectors.ResourceType{{Name: typeResource, Doc: "Any Azure resource, as Resource Manager lists it. ID is its resource ID, lower-cased.", Attributes: []collectors.Attribute{
			{Name: "resource_type", Type: "string", Doc: "The resource type, e.g. Microsoft.Storage/storageAccounts."},
			{Name: "location", Type: "string", Doc: "The Azure region the resource is in, lower-cased (e.g. germanywestcentral), or global for resources in no region."},
			{Name: "resource_group", Type: "string", Doc: "The resource group holding the resource."},
		}}},
		Permissions: []string{opResourcesList},
	}
}

// Collect lists the resources of subscription target.Account.
func (c *Resources) Collect(ctx context.Context, target evidence.Target, out collectors.Sink) error {
	client, err := newClient(c.src, armresources.NewClient, target.Account)
	if err != nil {
		return err
	}
	tctx, trace := collectors.WithTrace(ctx)
	var found []*armresources.GenericResourceExpanded
	err = list(tctx, c.src, out, client.NewListPager(nil), opResourcesList, "Microsoft.Resources", func(p armresources.ClientListResponse) {
		found = append(found, p.Value...)
	})
	if err != nil {
		return fmt.Errorf("azure %s %s: %w", opResourcesList, target.Account, err)
	}
	records := trace.Records()
	for _, r := range found {
		if r == nil {
			continue
		}
		res := resource(typeResource, target.Account, r.ID, r.Name, r.Location, map[string]any{
			"resource_type": str(r.Type), "location": strings.ToLower(str(r.Location)), "resource_group": resourceGroup(str(r.ID)),
		})
		res.Records = records
		out.Emit(res)
	}
	return nil
}
