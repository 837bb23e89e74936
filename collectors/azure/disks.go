package azure

import (
	"context"
	"fmt"

	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/compute/armcompute/v6"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
)

const (
	opDisksList = "Microsoft.Compute/disks/read"
	typeDisk    = "azure.compute.disk"
)

// Disks lists the managed disks of a subscription with their encryption at
// rest and export (network access) settings. Settings the response leaves
// out take the default the API documents for them.
//
// API: https://learn.microsoft.com/rest/api/compute/disks/list
// Operation: GET /subscriptions/{subscriptionId}/providers/Microsoft.Compute/disks (Microsoft.Compute/disks/read).
type Disks struct{ src *Source }

// Describe returns the collector's metadata.
func (c *Disks) Describe() collectors.Descriptor {
	return collectors.Descriptor{
		ID: "azure.compute.disks", Version: 1, Source: SourceName, Title: "Managed disks",
		ResourceTypes: []collectors.ResourceType{{Name: typeDisk, Doc: "A managed disk. ID is its resource ID, lower-cased.", Attributes: []collectors.Attribute{
			{Name: "location", Type: "string", Doc: "The disk's region, lower-cased."},
			{Name: "encryption_type", Type: "string", Doc: "encryption.type, the key source of encryption at rest: EncryptionAtRestWithPlatformKey, EncryptionAtRestWithCustomerKey or EncryptionAtRestWithPlatformAndCustomerKeys; empty when the response records none."},
			{Name: "disk_encryption_set", Type: "string", Doc: "encryption.diskEncryptionSetId, lower-cased: the disk encryption set holding the customer-managed key; empty for none."},
			{Name: "azure_disk_encryption", Type: "bool", Doc: "encryptionSettingsCollection.enabled: Azure Disk Encryption (BitLocker or dm-crypt inside the VM) is on."},
			{Name: "network_access_policy", Type: "string", Doc: "networkAccessPolicy, who may export or upload the disk through a SAS URI: AllowAll, AllowPrivate (through a disk access) or DenyAll (API default AllowAll)."},
			{Name: "public_network_access", Type: "string", Doc: "publicNetworkAccess: Enabled or Disabled, export from the public internet (default Enabled)."},
			{Name: "disk_state", Type: "string", Doc: "diskState: Attached, Unattached, Reserved, ActiveSAS (an export URI is open), ... ; empty when not reported."},
			{Name: "managed_by", Type: "string", Doc: "managedBy, lower-cased: the virtual machine the disk is attached to; empty when unattached."},
		}}},
		Permissions: []string{opDisksList},
	}
}

// Collect lists the managed disks of subscription target.Account.
func (c *Disks) Collect(ctx context.Context, target evidence.Target, out collectors.Sink) error {
	client, err := newClient(c.src, armcompute.NewDisksClient, target.Account)
	if err != nil {
		return err
	}
	tctx, trace := collectors.WithTrace(ctx)
	var found []*armcompute.Disk
	err = list(tctx, c.src, out, client.NewListPager(nil), opDisksList, "Microsoft.Compute", func(p armcompute.DisksClientListResponse) {
		found = append(found, p.Value...)
	})
	if err != nil {
		return fmt.Errorf("azure %s %s: %w", opDisksList, target.Account, err)
	}
	records := trace.Records()
	for _, d := range found {
		if d == nil {
			continue
		}
		r := resource(typeDisk, target.Account, d.ID, d.Name, d.Location, diskAttributes(d))
		r.Records = records
		out.Emit(r)
	}
	return nil
}

// diskAttributes reads a disk's settings, with the API's documented
// defaults for those it leaves out.
func diskAttributes(d *armcompute.Disk) map[string]any {
	p := d.Properties
	if p == nil {
		p = &armcompute.DiskProperties{}
	}
	encType, des := "", ""
	if e := p.Encryption; e != nil {
		if e.Type != nil {
			encType = string(*e.Type)
		}
		des = lower(e.DiskEncryptionSetID)
	}
	ade := p.EncryptionSettingsCollection != nil && boolOr(p.EncryptionSettingsCollection.Enabled, false)
	policy := string(armcompute.NetworkAccessPolicyAllowAll)
	if p.NetworkAccessPolicy != nil {
		policy = string(*p.NetworkAccessPolicy)
	}
	public := string(armcompute.PublicNetworkAccessEnabled)
	if p.PublicNetworkAccess != nil {
		public = string(*p.PublicNetworkAccess)
	}
	state := ""
	if p.DiskState != nil {
		state = string(*p.DiskState)
	}
	return map[string]any{
		"location": lower(d.Location), "encryption_type": encType, "disk_encryption_set": des, "azure_disk_encryption": ade,
		"network_access_policy": policy, "public_network_access": public, "disk_state": state, "managed_by": lower(d.ManagedBy),
	}
}
