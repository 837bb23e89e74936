package azure

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/compute/armcompute/v6"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/recoveryservices/armrecoveryservices"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/recoveryservices/armrecoveryservicesbackup/v4"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
)

const (
	opVMsList            = "Microsoft.Compute/virtualMachines/read"
	opRecoveryVaultsList = "Microsoft.RecoveryServices/vaults/read"
	opProtectedItemsList = "Microsoft.RecoveryServices/vaults/backupProtectedItems/read"
	typeVM               = "azure.compute.virtual_machine"
)

// Backups lists the virtual machines of a subscription and the Recovery
// Services vaults' Azure Backup protected items, and records per virtual
// machine whether a vault protects it and how its latest backup went.
// Azure Backup protects a VM only from a vault in the VM's own
// subscription and region, so the subscription's vaults are all that can.
//
// API: https://learn.microsoft.com/rest/api/compute/virtual-machines/list-all,
// https://learn.microsoft.com/rest/api/recoveryservices/vaults/list-by-subscription-id,
// https://learn.microsoft.com/rest/api/backup/backup-protected-items/list
// Operations: GET /subscriptions/{s}/providers/Microsoft.Compute/virtualMachines (Microsoft.Compute/virtualMachines/read),
// GET /subscriptions/{s}/providers/Microsoft.RecoveryServices/vaults (Microsoft.RecoveryServices/vaults/read),
// GET /subscriptions/{s}/resourceGroups/{g}/providers/Microsoft.RecoveryServices/vaults/{v}/backupProtectedItems?$filter=backupManagementType eq 'AzureIaasVM'
// (Microsoft.RecoveryServices/vaults/backupProtectedItems/read), per vault.
type Backups struct{ src *Source }

// Describe returns the collector's metadata.
func (c *Backups) Describe() collectors.Descriptor {
	return collectors.Descriptor{
		ID: "azure.backup", Version: 1, Source: SourceName, Title: "Virtual machines and their Azure Backup protection",
		ResourceTypes: []collectors.ResourceType{{Name: typeVM, Doc: "A virtual machine. ID is its resource ID, lower-cased.", Attributes: []collectors.Attribute{
			{Name: "location", Type: "string", Doc: "The VM's region, lower-cased."},
			{Name: "encryption_at_host", Type: "bool", Doc: "securityProfile.encryptionAtHost: the host encrypts the VM's temporary disk and disk caches (default false)."},
			{Name: "protected", Type: "bool", Doc: "A Recovery Services vault of the subscription holds an Azure Backup protected item for the VM (backupManagementType AzureIaasVM, matched by sourceResourceId) whose protectionState is Protected, IRPending (first backup pending) or ProtectionError: scheduled backups run. ProtectionStopped, ProtectionPaused and BackupsSuspended do not count."},
			{Name: "protection_state", Type: "string", Doc: "The protected item's protectionState; empty when no vault holds one."},
			{Name: "vault", Type: "string", Doc: "The resource ID of the vault holding the protected item, lower-cased; empty for none."},
			{Name: "last_backup_at", Type: "string", Doc: "lastBackupTime of the protected item, RFC 3339 UTC: when its latest backup ran; empty when none has."},
			{Name: "last_backup_status", Type: "string", Doc: "lastBackupStatus of that backup: Completed, Failed, ...; empty when none has run."},
		}}},
		Permissions:      []string{opVMsList, opRecoveryVaultsList, opProtectedItemsList},
		CallsPerResource: 1,
	}
}

// Collect lists the VMs of subscription target.Account and the protected
// items of each of its Recovery Services vaults. A failed VM or vault
// listing fails the run: without the vaults no VM is known unprotected.
// A vault whose items cannot be listed is reported, and every VM no other
// vault protects gets a gap on its protection attributes.
func (c *Backups) Collect(ctx context.Context, target evidence.Target, out collectors.Sink) error {
	sub := target.Account
	tctx, trace := collectors.WithTrace(ctx)
	vms, err := c.vms(tctx, sub, out)
	if err != nil || len(vms) == 0 {
		return err
	}
	vaults, err := c.vaults(tctx, sub, out)
	if err != nil {
		return err
	}
	found, err := c.items(tctx, sub, vaults, out)
	if err != nil {
		return err
	}
	items, failed := found.byVM, found.failed
	records := append(trace.Records(), found.records...)
	for _, vm := range vms {
		attrs := map[string]any{"location": lower(vm.Location), "protected": false, "protection_state": "", "vault": "", "last_backup_at": "", "last_backup_status": ""}
		attrs["encryption_at_host"] = vm.Properties != nil && vm.Properties.SecurityProfile != nil && boolOr(vm.Properties.SecurityProfile.EncryptionAtHost, false)
		r := resource(typeVM, sub, vm.ID, vm.Name, vm.Location, attrs)
		it, ok := items[r.ID]
		switch {
		case ok:
			attrs["protected"], attrs["protection_state"], attrs["vault"] = it.protected, it.state, it.vault
			attrs["last_backup_at"], attrs["last_backup_status"] = it.lastAt, it.lastStatus
		case failed != nil:
			// A vault that could not be read may protect it.
			for _, a := range []string{"protected", "protection_state", "vault", "last_backup_at", "last_backup_status"} {
				delete(attrs, a)
				r.Gaps = append(r.Gaps, collectors.GapOf(failed, a))
			}
		}
		r.Records = records
		out.Emit(r)
	}
	return nil
}

// vms lists the subscription's virtual machines.
func (c *Backups) vms(ctx context.Context, sub string, out collectors.Sink) ([]*armcompute.VirtualMachine, error) {
	client, err := newClient(c.src, armcompute.NewVirtualMachinesClient, sub)
	if err != nil {
		return nil, err
	}
	var found []*armcompute.VirtualMachine
	err = list(ctx, c.src, out, client.NewListAllPager(nil), opVMsList, "Microsoft.Compute", func(p armcompute.VirtualMachinesClientListAllResponse) {
		for _, v := range p.Value {
			if v != nil {
				found = append(found, v)
			}
		}
	})
	if err != nil {
		return nil, fmt.Errorf("azure %s %s: %w", opVMsList, sub, err)
	}
	return found, nil
}

// vaults lists the subscription's Recovery Services vaults.
func (c *Backups) vaults(ctx context.Context, sub string, out collectors.Sink) ([]*armrecoveryservices.Vault, error) {
	client, err := newClient(c.src, armrecoveryservices.NewVaultsClient, sub)
	if err != nil {
		return nil, err
	}
	var found []*armrecoveryservices.Vault
	err = list(ctx, c.src, out, client.NewListBySubscriptionIDPager(nil), opRecoveryVaultsList, "Microsoft.RecoveryServices", func(p armrecoveryservices.VaultsClientListBySubscriptionIDResponse) {
		for _, v := range p.Value {
			if v != nil && v.Name != nil {
				found = append(found, v)
			}
		}
	})
	if err != nil {
		return nil, fmt.Errorf("azure %s %s: %w", opRecoveryVaultsList, sub, err)
	}
	return found, nil
}

// vmBackup is what a protected item says about a VM's backup.
type vmBackup struct {
	protected                        bool
	state, vault, lastAt, lastStatus string
	last                             time.Time
}

// better reports whether b says more about the VM's protection than o: a
// protecting item over one that does not, then the later backup.
func (b vmBackup) better(o vmBackup) bool {
	if b.protected != o.protected {
		return b.protected
	}
	return b.last.After(o.last)
}

// vaultItems are the vaults' Azure VM protected items by the VM's
// lower-cased resource ID, and the last vault listing that failed.
type vaultItems struct {
	byVM   map[string]vmBackup
	failed error
	// records are the responses read, in vault order (the calls run
	// concurrently; the evidence must not depend on which ended first).
	records []string
}

// items lists the Azure VM protected items of each vault. A vault listing
// that fails is reported on out and in the result; err is returned only
// when the run stopped.
func (c *Backups) items(ctx context.Context, sub string, vaults []*armrecoveryservices.Vault, out collectors.Sink) (vaultItems, error) {
	client, err := newClient(c.src, armrecoveryservicesbackup.NewBackupProtectedItemsClient, sub)
	if err != nil {
		return vaultItems{}, err
	}
	var mu sync.Mutex
	byVM := map[string]vmBackup{}
	var failed, stopped error
	traces := make([][]string, len(vaults))
	opts := &armrecoveryservicesbackup.BackupProtectedItemsClientListOptions{Filter: to.Ptr("backupManagementType eq 'AzureIaasVM'")}
	err = collectors.ForEach(ctx, c.src.cfg.Concurrency, len(vaults), func(ctx context.Context, i int) {
		v := vaults[i]
		vaultID := lower(v.ID)
		ctx, trace := collectors.WithTrace(ctx)
		defer func() { traces[i] = trace.Records() }()
		var got []*armrecoveryservicesbackup.ProtectedItemResource
		err := list(ctx, c.src, out, client.NewListPager(*v.Name, resourceGroup(str(v.ID)), opts), opProtectedItemsList, "Microsoft.RecoveryServices",
			func(p armrecoveryservicesbackup.BackupProtectedItemsClientListResponse) {
				got = append(got, p.Value...)
			})
		mu.Lock()
		defer mu.Unlock()
		switch {
		case collectors.Stopped(err):
			stopped = err
			return
		case err != nil:
			err = fmt.Errorf("azure %s %s: %w", opProtectedItemsList, vaultID, err)
			failed = err
			out.Fail(collectors.FailureOf(err, vaultID))
			return
		}
		for _, it := range got {
			vm, b, ok := vmItem(it, vaultID)
			if ok && (byVM[vm] == vmBackup{} || b.better(byVM[vm])) {
				byVM[vm] = b
			}
		}
	})
	if err != nil {
		return vaultItems{}, err
	}
	if stopped != nil {
		return vaultItems{}, stopped
	}
	var records []string
	for _, t := range traces {
		records = append(records, t...)
	}
	return vaultItems{byVM: byVM, failed: failed, records: records}, nil
}

// vmItem reads an Azure VM protected item: the VM's lower-cased ID and its
// backup. ok is false for other items.
func vmItem(it *armrecoveryservicesbackup.ProtectedItemResource, vaultID string) (string, vmBackup, bool) {
	if it == nil || it.Properties == nil {
		return "", vmBackup{}, false
	}
	vmi, ok := it.Properties.(armrecoveryservicesbackup.AzureIaaSVMProtectedItemClassification)
	if !ok {
		return "", vmBackup{}, false
	}
	p := vmi.GetAzureIaaSVMProtectedItem()
	vm := lower(p.SourceResourceID)
	if vm == "" {
		vm = lower(p.VirtualMachineID)
	}
	if vm == "" {
		return "", vmBackup{}, false
	}
	b := vmBackup{vault: vaultID, lastStatus: str(p.LastBackupStatus)}
	if p.ProtectionState != nil {
		b.state = string(*p.ProtectionState)
	}
	switch armrecoveryservicesbackup.ProtectionState(b.state) {
	case armrecoveryservicesbackup.ProtectionStateProtected, armrecoveryservicesbackup.ProtectionStateIRPending, armrecoveryservicesbackup.ProtectionStateProtectionError:
		b.protected = true
	}
	if p.LastBackupTime != nil && !p.LastBackupTime.IsZero() {
		b.last = p.LastBackupTime.UTC()
		b.lastAt = b.last.Format(time.RFC3339)
	}
	return strings.ToLower(vm), b, true
}
