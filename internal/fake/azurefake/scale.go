package azurefake

import (
	"fmt"
	"math/rand/v2"
	"time"
)

// ScaleSize is the shape of a simulated Azure estate for benchmarks.
type ScaleSize struct {
	Subscriptions int
	// Per subscription.
	StorageAccounts, SQLServers, Vaults, SecurityGroups int
	// VirtualMachines per subscription, each with its OS disk; a
	// subscription with any holds one Recovery Services vault backing up
	// about nine in ten of them.
	VirtualMachines int
}

// scaleLastBackup is the simulated VMs' last backup: fixed, so that an
// estate depends on the seed only (the benchmarks count calls, not
// outcomes).
var scaleLastBackup = time.Date(2026, 1, 1, 2, 0, 0, 0, time.UTC)

// Scale returns a simulated estate of sz for benchmarks, shaped like Demo:
// every subscription holds its storage accounts, SQL servers (one
// database each, with auditing and a firewall rule), key vaults and
// network security groups, an activity log diagnostic setting, Defender
// plans and role assignments; about a tenth of everything is
// non-compliant. The same rng seed gives the same estate.
func Scale(rng *rand.Rand, tenant string, sz ScaleSize) *State {
	st := &State{Token: DemoToken}
	for s := range sz.Subscriptions {
		id := fmt.Sprintf("%08x-0000-4000-8000-%012d", 0x5f3c0000+s, s)
		st.Subscriptions = append(st.Subscriptions, scaleSubscription(rng, tenant, id, s, sz))
	}
	return st
}

func scaleSubscription(rng *rand.Rand, tenant, id string, n int, sz ScaleSize) Subscription {
	sub := "/subscriptions/" + id
	rg := sub + "/resourceGroups/rg-data"
	loc := func() string {
		if rng.IntN(10) == 0 {
			return "eastus"
		}
		return "germanywestcentral"
	}
	bad := func() bool { return rng.IntN(10) == 0 }
	out := Subscription{ID: id, DisplayName: fmt.Sprintf("bench-sub-%02d", n), TenantID: tenant, State: "Enabled"}
	res := func(typ, name, l string) {
		out.Resources = append(out.Resources, Object{"id": rg + "/providers/" + typ + "/" + name, "name": name, "type": typ, "location": l, "tags": Object{}})
	}
	for i := range sz.StorageAccounts {
		name, l := fmt.Sprintf("st%02d%04d", n, i), loc()
		tls, public, action := "TLS1_2", false, "Deny"
		if bad() {
			tls, public, action = "TLS1_0", true, "Allow"
		}
		out.StorageAccounts = append(out.StorageAccounts, storageAccount(rg, name, l, Object{"keySource": "Microsoft.Storage"}, tls, public, action))
		res("Microsoft.Storage/storageAccounts", name, l)
	}
	for i := range sz.SQLServers {
		name, l := fmt.Sprintf("sql-%02d-%03d", n, i), loc()
		tde := "Enabled"
		if bad() {
			tde = "Disabled"
		}
		out.SQLServers = append(out.SQLServers, SQLServer{
			Server: Object{"id": rg + "/providers/Microsoft.Sql/servers/" + name, "name": name, "type": "Microsoft.Sql/servers", "location": l, "kind": "v12.0",
				"properties": Object{"administratorLogin": "dbadmin", "version": "12.0", "state": "Ready", "minimalTlsVersion": "1.2",
					"fullyQualifiedDomainName": name + ".database.windows.net", "publicNetworkAccess": "Disabled",
					"administrators": Object{"administratorType": "ActiveDirectory", "principalType": "Group", "login": "sql-admins",
						"sid": "3c1b2a4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d", "tenantId": tenant, "azureADOnlyAuthentication": !bad()}}},
			FirewallRules: []Object{{"id": rg + "/providers/Microsoft.Sql/servers/" + name + "/firewallRules/office", "name": "office",
				"type": "Microsoft.Sql/servers/firewallRules", "properties": Object{"startIpAddress": "203.0.113.0", "endIpAddress": "203.0.113.255"}}},
			Auditing: Object{"id": rg + "/providers/Microsoft.Sql/servers/" + name + "/auditingSettings/default", "name": "default",
				"type": "Microsoft.Sql/servers/auditingSettings", "properties": Object{"state": "Enabled", "isAzureMonitorTargetEnabled": true, "retentionDays": 0}},
			Databases: []SQLDatabase{sqlDatabase(rg, name, "app", tde, "Geo", 14)},
		})
		res("Microsoft.Sql/servers", name, l)
	}
	for i := range sz.Vaults {
		name, l := fmt.Sprintf("kv-%02d-%03d", n, i), loc()
		out.Vaults = append(out.Vaults, Object{"id": rg + "/providers/Microsoft.KeyVault/vaults/" + name, "name": name,
			"type": "Microsoft.KeyVault/vaults", "location": l, "tags": Object{},
			"properties": Object{"sku": Object{"family": "A", "name": "standard"}, "tenantId": tenant, "enableSoftDelete": true,
				"softDeleteRetentionInDays": 90, "enableRbacAuthorization": true, "enablePurgeProtection": !bad(),
				"vaultUri": "https://" + name + ".vault.azure.net", "publicNetworkAccess": "Disabled", "provisioningState": "Succeeded",
				"networkAcls": Object{"bypass": "AzureServices", "defaultAction": "Deny", "ipRules": []any{}, "virtualNetworkRules": []any{}}}})
		res("Microsoft.KeyVault/vaults", name, l)
		rotate := "P90D"
		if bad() {
			rotate = ""
		}
		if out.VaultKeys == nil {
			out.VaultKeys = map[string][]Object{}
		}
		out.VaultKeys[name] = []Object{VaultKey(rg+"/providers/Microsoft.KeyVault/vaults/"+name, "cmk", true, time.Time{}, rotate)}
	}
	for i := range sz.SecurityGroups {
		name, l := fmt.Sprintf("nsg-%02d-%03d", n, i), loc()
		rule := nsgRule("allow-https", 100, "Allow", "Internet", "443")
		if bad() {
			rule = nsgRule("allow-rdp", 300, "Allow", "*", "3389")
		}
		out.SecurityGroups = append(out.SecurityGroups, nsg(rg, name, l, true, rule))
		res("Microsoft.Network/networkSecurityGroups", name, l)
	}
	scaleVMs(rng, &out, rg, sz.VirtualMachines)
	out.DiagnosticSettings = []Object{{"id": sub + "/providers/microsoft.insights/diagnosticSettings/export", "name": "export",
		"type": "Microsoft.Insights/diagnosticSettings", "properties": Object{"workspaceId": rg + "/providers/Microsoft.OperationalInsights/workspaces/audit",
			"logs": []Object{{"category": "Administrative", "enabled": true}, {"category": "Security", "enabled": true}, {"category": "Policy", "enabled": true}}}}}
	out.Pricings = []Object{pricing(sub, "VirtualMachines", "Standard"), pricing(sub, "SqlServers", "Standard"),
		pricing(sub, "StorageAccounts", "Standard"), pricing(sub, "KeyVaults", "Standard"), pricing(sub, "Arm", "Standard")}
	out.RoleAssignments = []Object{
		roleAssignment(sub, fmt.Sprintf("b1c2d3e4-%04d-4000-8000-000000000001", n), roleOwnerID, "Group", "1f2e3d4c-0002-4000-8000-0000000009a5", sub),
		roleAssignment(sub, fmt.Sprintf("b1c2d3e4-%04d-4000-8000-000000000002", n), roleReaderID, "ServicePrincipal", "1f2e3d4c-0004-4000-8000-00000000a77e", sub),
	}
	return out
}

// scaleVMs adds n virtual machines with their OS disks to out, and a
// Recovery Services vault protecting about nine in ten of them.
func scaleVMs(rng *rand.Rand, out *Subscription, rg string, n int) {
	if n == 0 {
		return
	}
	vault := RecoveryVault{Vault: recoveryVault(rg, "rsv-backup", "germanywestcentral")}
	vaultID := vault.Vault["id"].(string)
	for i := range n {
		name := fmt.Sprintf("vm-%03d", i)
		out.VirtualMachines = append(out.VirtualMachines, virtualMachine(rg, name, "germanywestcentral", rng.IntN(2) == 0))
		out.Disks = append(out.Disks, disk(rg, name+"_OsDisk_1", "germanywestcentral", Object{"type": "EncryptionAtRestWithPlatformKey"},
			"DenyAll", "Disabled", "Attached", rg+"/providers/Microsoft.Compute/virtualMachines/"+name))
		if rng.IntN(10) != 0 {
			vault.ProtectedItems = append(vault.ProtectedItems, vmProtectedItem(vaultID, rg, name, "Protected", "Completed", scaleLastBackup))
		}
	}
	out.RecoveryVaults = []RecoveryVault{vault}
}
