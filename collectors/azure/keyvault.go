package azure

import (
	"context"
	"fmt"

	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/keyvault/armkeyvault"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
)

const (
	opVaultsList = "Microsoft.KeyVault/vaults/read"
	typeKeyVault = "azure.keyvault.vault"
)

// KeyVaults lists the key vaults of a subscription with their recovery and
// network settings. Settings the response leaves out take the default the
// API documents for them.
//
// API: https://learn.microsoft.com/rest/api/keyvault/keyvault/vaults/list-by-subscription
// Operation: GET /subscriptions/{subscriptionId}/providers/Microsoft.KeyVault/vaults (Microsoft.KeyVault/vaults/read).
type KeyVaults struct{ src *Source }

// Describe returns the collector's metadata.
func (c *KeyVaults) Describe() collectors.Descriptor {
	return collectors.Descriptor{
		ID: "azure.keyvault", Version: 1, Source: SourceName, Title: "Key vaults",
		ResourceTypes: []collectors.ResourceType{{Name: typeKeyVault, Doc: "A key vault. ID is its resource ID, lower-cased.", Attributes: []collectors.Attribute{
			{Name: "location", Type: "string", Doc: "The vault's region, lower-cased."},
			{Name: "soft_delete", Type: "bool", Doc: "enableSoftDelete: deleted vaults and objects are kept for the retention period (API default true)."},
			{Name: "soft_delete_retention_days", Type: "int", Doc: "softDeleteRetentionInDays (API default 90)."},
			{Name: "purge_protection", Type: "bool", Doc: "enablePurgeProtection: nobody can purge deleted objects before the retention period ends (default false)."},
			{Name: "public_network_access", Type: "string", Doc: "publicNetworkAccess: enabled or disabled, lower-cased (default enabled)."},
			{Name: "network_default_action", Type: "string", Doc: "networkAcls.defaultAction: Allow or Deny for traffic no network rule matches (default Allow)."},
			{Name: "rbac_authorization", Type: "bool", Doc: "enableRbacAuthorization: data access is authorised with Azure RBAC instead of access policies."},
		}}},
		Permissions: []string{opVaultsList},
	}
}

// Collect lists the key vaults of subscription target.Account.
func (c *KeyVaults) Collect(ctx context.Context, target evidence.Target, out collectors.Sink) error {
	client, err := newClient(c.src, armkeyvault.NewVaultsClient, target.Account)
	if err != nil {
		return err
	}
	tctx, trace := collectors.WithTrace(ctx)
	var found []*armkeyvault.Vault
	err = list(tctx, c.src, out, client.NewListBySubscriptionPager(nil), opVaultsList, "Microsoft.KeyVault", func(p armkeyvault.VaultsClientListBySubscriptionResponse) {
		found = append(found, p.Value...)
	})
	if err != nil {
		return fmt.Errorf("azure %s %s: %w", opVaultsList, target.Account, err)
	}
	records := trace.Records()
	for _, v := range found {
		if v == nil {
			continue
		}
		p := v.Properties
		if p == nil {
			p = &armkeyvault.VaultProperties{}
		}
		retention := 90
		if p.SoftDeleteRetentionInDays != nil {
			retention = int(*p.SoftDeleteRetentionInDays)
		}
		public := "enabled"
		if p.PublicNetworkAccess != nil {
			public = lower(p.PublicNetworkAccess)
		}
		action := "Allow"
		if p.NetworkACLs != nil && p.NetworkACLs.DefaultAction != nil {
			action = string(*p.NetworkACLs.DefaultAction)
		}
		r := resource(typeKeyVault, target.Account, v.ID, v.Name, v.Location, map[string]any{
			"location": lower(v.Location), "soft_delete": boolOr(p.EnableSoftDelete, true), "soft_delete_retention_days": retention,
			"purge_protection": boolOr(p.EnablePurgeProtection, false), "public_network_access": public,
			"network_default_action": action, "rbac_authorization": boolOr(p.EnableRbacAuthorization, false),
		})
		r.Records = records
		out.Emit(r)
	}
	return nil
}
