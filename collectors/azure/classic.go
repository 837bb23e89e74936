package azure

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/authorization/armauthorization/v2"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
)

const (
	opClassicAdminsList = "Microsoft.Authorization/classicAdministrators/read"
	typeClassicAdmins   = "azure.authorization.classic_admins"
)

// ClassicAdmins lists a subscription's classic administrators: the
// Service Administrator and Co-Administrators, who have full access to
// the subscription outside Azure RBAC. Microsoft retired the roles in
// 2024; a subscription without any answers an empty list.
//
// API: https://learn.microsoft.com/rest/api/authorization/classic-administrators/list
// Operation: GET /subscriptions/{subscriptionId}/providers/Microsoft.Authorization/classicAdministrators?api-version=2015-07-01 (Microsoft.Authorization/classicAdministrators/read).
type ClassicAdmins struct{ src *Source }

// Describe returns the collector's metadata.
func (c *ClassicAdmins) Describe() collectors.Descriptor {
	return collectors.Descriptor{
		ID: "azure.authorization.classic", Version: 1, Source: SourceName, Title: "Classic subscription administrators",
		ResourceTypes: []collectors.ResourceType{{Name: typeClassicAdmins, Doc: "The classic administrators of a subscription. ID is /subscriptions/{id}/providers/microsoft.authorization/classicadministrators.", Attributes: []collectors.Attribute{
			{Name: "service_administrators", Type: "int", Doc: "Classic administrators whose role includes ServiceAdministrator (at most one per subscription)."},
			{Name: "co_administrators", Type: "int", Doc: "Classic administrators whose role includes CoAdministrator."},
			{Name: "administrators", Type: "list", Doc: "The counted administrators as role:emailAddress, e.g. CoAdministrator:alice@example.com; sorted. An AccountAdministrator (a billing role) alone is not listed."},
		}}},
		Permissions: []string{opClassicAdminsList},
	}
}

// Collect lists the classic administrators of subscription target.Account.
func (c *ClassicAdmins) Collect(ctx context.Context, target evidence.Target, out collectors.Sink) error {
	client, err := newClient(c.src, armauthorization.NewClassicAdministratorsClient, target.Account)
	if err != nil {
		return err
	}
	tctx, trace := collectors.WithTrace(ctx)
	var found []*armauthorization.ClassicAdministrator
	err = list(tctx, c.src, out, client.NewListPager(nil), opClassicAdminsList, "Microsoft.Authorization", func(p armauthorization.ClassicAdministratorsClientListResponse) {
		found = append(found, p.Value...)
	})
	if err != nil {
		return fmt.Errorf("azure %s %s: %w", opClassicAdminsList, target.Account, err)
	}
	service, co := 0, 0
	admins := []string{}
	for _, a := range found {
		if a == nil || a.Properties == nil {
			continue
		}
		var roles []string
		for _, r := range strings.Split(str(a.Properties.Role), ";") {
			switch r = strings.TrimSpace(r); {
			case strings.EqualFold(r, "ServiceAdministrator"):
				service++
				roles = append(roles, r)
			case strings.EqualFold(r, "CoAdministrator"):
				co++
				roles = append(roles, r)
			}
		}
		if len(roles) > 0 {
			admins = append(admins, strings.Join(roles, ";")+":"+str(a.Properties.EmailAddress))
		}
	}
	slices.Sort(admins)
	out.Emit(evidence.Resource{Type: typeClassicAdmins, ID: "/subscriptions/" + target.Account + "/providers/microsoft.authorization/classicadministrators",
		Name: "classic administrators", Account: target.Account, Records: trace.Records(), Attributes: map[string]any{
			"service_administrators": service, "co_administrators": co, "administrators": anyList(admins),
		}})
	return nil
}
