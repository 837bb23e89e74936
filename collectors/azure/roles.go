package azure

import (
	"context"
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/authorization/armauthorization/v2"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
)

const (
	opRoleAssignmentsList  = "Microsoft.Authorization/roleAssignments/read"
	typeSubscriptionAdmins = "azure.authorization.subscription_admins"
	// The built-in role definitions' IDs are the same in every tenant.
	roleOwner                   = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635"
	roleUserAccessAdministrator = "18d7d88d-a6a9-4cb0-b77b-4bb7d1a7f4a7"
)

// RoleAssignments counts the principals holding Owner or User Access
// Administrator on a subscription, directly or inherited from a management
// group or the root.
//
// API: https://learn.microsoft.com/rest/api/authorization/role-assignments/list-for-subscription
// Operation: GET /subscriptions/{subscriptionId}/providers/Microsoft.Authorization/roleAssignments?$filter=atScope() (Microsoft.Authorization/roleAssignments/read).
type RoleAssignments struct{ src *Source }

// Describe returns the collector's metadata.
func (c *RoleAssignments) Describe() collectors.Descriptor {
	return collectors.Descriptor{
		ID: "azure.authorization", Version: 1, Source: SourceName, Title: "Owner and User Access Administrator assignments",
		ResourceTypes: []collectors.ResourceType{{Name: typeSubscriptionAdmins, Doc: "The privileged role assignments that apply to a whole subscription. ID is /subscriptions/{id}/providers/microsoft.authorization/roleassignments.", Attributes: []collectors.Attribute{
			{Name: "owners", Type: "int", Doc: "Distinct principals assigned Owner at the subscription or above (management group, root)."},
			{Name: "user_access_administrators", Type: "int", Doc: "Distinct principals assigned User Access Administrator at the subscription or above."},
			{Name: "owner_principals", Type: "list", Doc: "The Owners' principal IDs with their type (User, Group, ServicePrincipal), e.g. User:2a1f...; sorted."},
			{Name: "user_access_administrator_principals", Type: "list", Doc: "The User Access Administrators' principal IDs with their type; sorted."},
		}}},
		Permissions: []string{opRoleAssignmentsList},
	}
}

// Collect lists the role assignments at or above subscription
// target.Account.
func (c *RoleAssignments) Collect(ctx context.Context, target evidence.Target, out collectors.Sink) error {
	client, err := newClient(c.src, armauthorization.NewRoleAssignmentsClient, target.Account)
	if err != nil {
		return err
	}
	tctx, trace := collectors.WithTrace(ctx)
	var found []*armauthorization.RoleAssignment
	pager := client.NewListForSubscriptionPager(&armauthorization.RoleAssignmentsClientListForSubscriptionOptions{Filter: to.Ptr("atScope()")})
	err = list(tctx, c.src, out, pager, opRoleAssignmentsList, "Microsoft.Authorization", func(p armauthorization.RoleAssignmentsClientListForSubscriptionResponse) {
		found = append(found, p.Value...)
	})
	if err != nil {
		return fmt.Errorf("azure %s %s: %w", opRoleAssignmentsList, target.Account, err)
	}
	owners, uaas := []string{}, []string{}
	for _, a := range found {
		if a == nil || a.Properties == nil || !appliesToSubscription(str(a.Properties.Scope), target.Account) {
			continue
		}
		who := "Unknown"
		if a.Properties.PrincipalType != nil {
			who = string(*a.Properties.PrincipalType)
		}
		who += ":" + str(a.Properties.PrincipalID)
		switch strings.ToLower(path.Base(str(a.Properties.RoleDefinitionID))) {
		case roleOwner:
			owners = append(owners, who)
		case roleUserAccessAdministrator:
			uaas = append(uaas, who)
		}
	}
	slices.Sort(owners)
	slices.Sort(uaas)
	owners, uaas = slices.Compact(owners), slices.Compact(uaas)
	out.Emit(evidence.Resource{Type: typeSubscriptionAdmins, ID: "/subscriptions/" + target.Account + "/providers/microsoft.authorization/roleassignments",
		Name: "subscription administrators", Account: target.Account, Records: trace.Records(), Attributes: map[string]any{
			"owners": len(owners), "user_access_administrators": len(uaas),
			"owner_principals": anyList(owners), "user_access_administrator_principals": anyList(uaas),
		}})
	return nil
}

// appliesToSubscription reports whether an assignment at scope covers the
// whole subscription sub: the root, a management group, or the
// subscription itself (not one of its resource groups or resources).
func appliesToSubscription(scope, sub string) bool {
	s := strings.ToLower(strings.TrimRight(scope, "/"))
	return s == "" || s == "/subscriptions/"+strings.ToLower(sub) || strings.HasPrefix(s, "/providers/microsoft.management/managementgroups/")
}
