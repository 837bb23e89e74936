package azure

import (
	"context"
	"fmt"
	"slices"

	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/storage/armstorage"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
)

const (
	opStorageAccountsList = "Microsoft.Storage/storageAccounts/read"
	typeStorageAccount    = "azure.storage.account"
)

// StorageAccounts lists the storage accounts of a subscription with their
// encryption, transport and public access settings. Settings the response
// leaves out take the default the API documents for them.
//
// API: https://learn.microsoft.com/rest/api/storagerp/storage-accounts/list
// Operation: GET /subscriptions/{subscriptionId}/providers/Microsoft.Storage/storageAccounts (Microsoft.Storage/storageAccounts/read).
type StorageAccounts struct{ src *Source }

// Describe returns the collector's metadata.
func (c *StorageAccounts) Describe() collectors.Descriptor {
	return collectors.Descriptor{
		ID: "azure.storage", Version: 1, Source: SourceName, Title: "Storage accounts",
		ResourceTypes: []collectors.ResourceType{{Name: typeStorageAccount, Doc: "A storage account. ID is its resource ID, lower-cased.", Attributes: []collectors.Attribute{
			{Name: "location", Type: "string", Doc: "The account's region, lower-cased."},
			{Name: "key_source", Type: "string", Doc: "Who holds the encryption key: Microsoft.Storage (Microsoft-managed) or Microsoft.Keyvault (customer-managed)."},
			{Name: "encrypted_services", Type: "list", Doc: "The services (blob, file, queue, table) whose encryption at rest is enabled, sorted."},
			{Name: "infrastructure_encryption", Type: "bool", Doc: "A second layer of encryption at the infrastructure level is required."},
			{Name: "https_only", Type: "bool", Doc: "supportsHttpsTrafficOnly: only HTTPS requests are accepted (API default true)."},
			{Name: "minimum_tls_version", Type: "string", Doc: "minimumTlsVersion: TLS1_0, TLS1_1, TLS1_2 or TLS1_3 (API default TLS1_0)."},
			{Name: "allow_blob_public_access", Type: "bool", Doc: "allowBlobPublicAccess: containers may allow anonymous public read access (API default false)."},
			{Name: "network_default_action", Type: "string", Doc: "networkAcls.defaultAction: Allow or Deny for traffic no network rule matches (default Allow)."},
			{Name: "public_network_access", Type: "string", Doc: "publicNetworkAccess: Enabled, Disabled or SecuredByPerimeter (default Enabled)."},
		}}},
		Permissions: []string{opStorageAccountsList},
	}
}

// Collect lists the storage accounts of subscription target.Account.
func (c *StorageAccounts) Collect(ctx context.Context, target evidence.Target, out collectors.Sink) error {
	client, err := newClient(c.src, armstorage.NewAccountsClient, target.Account)
	if err != nil {
		return err
	}
	tctx, trace := collectors.WithTrace(ctx)
	var found []*armstorage.Account
	err = list(tctx, c.src, out, client.NewListPager(nil), opStorageAccountsList, "Microsoft.Storage", func(p armstorage.AccountsClientListResponse) {
		found = append(found, p.Value...)
	})
	if err != nil {
		return fmt.Errorf("azure %s %s: %w", opStorageAccountsList, target.Account, err)
	}
	records := trace.Records()
	for _, a := range found {
		if a == nil {
			continue
		}
		r := resource(typeStorageAccount, target.Account, a.ID, a.Name, a.Location, storageAttributes(a))
		r.Records = records
		out.Emit(r)
	}
	return nil
}

// storageAttributes reads an account's settings, with the API's documented
// defaults for those it leaves out.
func storageAttributes(a *armstorage.Account) map[string]any {
	p := a.Properties
	if p == nil {
		p = &armstorage.AccountProperties{}
	}
	keySource, infra := "", false
	services := []string{}
	if e := p.Encryption; e != nil {
		if e.KeySource != nil {
			keySource = string(*e.KeySource)
		}
		infra = boolOr(e.RequireInfrastructureEncryption, false)
		if s := e.Services; s != nil {
			for name, svc := range map[string]*armstorage.EncryptionService{"blob": s.Blob, "file": s.File, "queue": s.Queue, "table": s.Table} {
				if svc != nil && boolOr(svc.Enabled, false) {
					services = append(services, name)
				}
			}
		}
	}
	slices.Sort(services)
	tls := "TLS1_0"
	if p.MinimumTLSVersion != nil {
		tls = string(*p.MinimumTLSVersion)
	}
	action := "Allow"
	if p.NetworkRuleSet != nil && p.NetworkRuleSet.DefaultAction != nil {
		action = string(*p.NetworkRuleSet.DefaultAction)
	}
	public := "Enabled"
	if p.PublicNetworkAccess != nil {
		public = string(*p.PublicNetworkAccess)
	}
	return map[string]any{
		"location": lower(a.Location), "key_source": keySource, "encrypted_services": anyList(services),
		"infrastructure_encryption": infra, "https_only": boolOr(p.EnableHTTPSTrafficOnly, true),
		"minimum_tls_version": tls, "allow_blob_public_access": boolOr(p.AllowBlobPublicAccess, false),
		"network_default_action": action, "public_network_access": public,
	}
}
