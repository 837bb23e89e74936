package azurefake

import (
	"fmt"
	"strings"
	"time"
)

// DemoToken is the bearer token the demo Resource Manager accepts.
const DemoToken = "demo-azure-arm-token"

// DemoSubscription is the demo organisation's Azure subscription.
const DemoSubscription = "5f3c9a1e-7b2d-4c8e-9a6f-1d2e3f4a5b6c"

// DemoTenant is the demo organisation's Microsoft Entra tenant.
const DemoTenant = "8d2c1b4a-3e5f-4a6b-8c7d-9e0f1a2b3c4d"

// DemoManagementGroup holds the demo subscription.
const DemoManagementGroup = "acme-root"

// Demo returns the demo organisation's Azure estate, shaped like the
// examples of the Resource Manager REST reference: a mix of compliant and
// non-compliant settings, so that some demo controls pass and some fail.
//
//   - Everything is in germanywestcentral or westeurope, except the
//     marketing exports storage account in eastus (residency fails); a DNS
//     zone is global.
//   - acmeproddata requires TLS 1.2 and HTTPS, blocks public blob access,
//     denies by default and uses a customer-managed key; acmemktexports
//     accepts TLS 1.0 and allows public blob access.
//   - The orders SQL server requires TLS 1.2, has public access off,
//     Entra-only authentication, auditing, an office firewall rule, and
//     its database has TDE on and keeps geo-redundant backups for 14 days.
//   - The key vault has soft delete but no purge protection, and public
//     network access disabled. Its storage-cmk key rotates every year
//     (P1Y); its token-signing key has no rotation policy; an old disabled
//     key has none either.
//   - The legacy NSG allows RDP from any source; the web NSG allows HTTPS
//     from the internet and SSH only from 10.0.0.0/8.
//   - The activity log goes to a Log Analytics workspace (Administrative,
//     Security, Policy).
//   - Defender for Cloud covers servers, SQL and storage; Key Vault and
//     Resource Manager plans are Free.
//   - Two Owners (a user and a group) and one User Access Administrator.
//   - The PostgreSQL flexible server keeps geo-redundant backups for 35
//     days, requires TLS 1.2 and has no public access; the MySQL flexible
//     server keeps local backups for 7 days, accepts TLS 1.0 and is public.
//   - The app VM's OS disk is encrypted with a customer-managed key and
//     cannot be exported (DenyAll, public access disabled); the unattached
//     legacy data disk uses the platform key and can be exported from any
//     network; the legacy VM's OS disk's response records no encryption
//     type and no network settings (read as AllowAll).
//   - The app VM (encryption at host on) is backed up by the production
//     Recovery Services vault, last at 02:00 UTC; the legacy VM's
//     protection was stopped, its last backup 40 days earlier.
//   - A classic Service Administrator and a Co-Administrator remain.
func Demo() *State {
	sub := "/subscriptions/" + DemoSubscription
	rg := func(g string) string { return sub + "/resourceGroups/" + g }
	res := func(group, typ, name, loc string) Object {
		return Object{"id": rg(group) + "/providers/" + typ + "/" + name, "name": name, "type": typ, "location": loc, "tags": Object{}}
	}
	// The latest scheduled backup ran at 02:00 UTC, one to 25 hours ago.
	lastNight := time.Now().UTC().Add(-3 * time.Hour).Truncate(24 * time.Hour).Add(2 * time.Hour)
	return &State{
		Token:            DemoToken,
		ManagementGroups: map[string][]string{DemoManagementGroup: {DemoSubscription}},
		Subscriptions: []Subscription{{
			ID: DemoSubscription, DisplayName: "acme-prod", TenantID: DemoTenant, State: "Enabled",
			Resources: []Object{
				res("acme-prod-data", "Microsoft.Storage/storageAccounts", "acmeproddata", "germanywestcentral"),
				res("acme-marketing", "Microsoft.Storage/storageAccounts", "acmemktexports", "eastus"),
				res("acme-prod-data", "Microsoft.Sql/servers", "acme-orders-sql", "germanywestcentral"),
				res("acme-prod-data", "Microsoft.Sql/servers/databases", "acme-orders-sql/orders", "germanywestcentral"),
				res("acme-prod-sec", "Microsoft.KeyVault/vaults", "acme-prod-kv", "germanywestcentral"),
				res("acme-prod-net", "Microsoft.Network/networkSecurityGroups", "acme-web-nsg", "germanywestcentral"),
				res("acme-legacy", "Microsoft.Network/networkSecurityGroups", "acme-legacy-nsg", "westeurope"),
				res("acme-prod-net", "Microsoft.Network/dnszones", "acme-demo.example", "global"),
				res("acme-prod-data", "Microsoft.DBforPostgreSQL/flexibleServers", "acme-billing-pg", "germanywestcentral"),
				res("acme-legacy", "Microsoft.DBforMySQL/flexibleServers", "acme-wiki-mysql", "westeurope"),
			},
			StorageAccounts: []Object{
				storageAccount(rg("acme-prod-data"), "acmeproddata", "germanywestcentral", Object{
					"keySource": "Microsoft.Keyvault", "requireInfrastructureEncryption": true,
					"keyvaultproperties": Object{"keyname": "storage-cmk", "keyvaulturi": "https://acme-prod-kv.vault.azure.net"},
				}, "TLS1_2", false, "Deny"),
				storageAccount(rg("acme-marketing"), "acmemktexports", "eastus", Object{"keySource": "Microsoft.Storage"}, "TLS1_0", true, "Allow"),
			},
			SQLServers: []SQLServer{{
				Server: Object{
					"id": rg("acme-prod-data") + "/providers/Microsoft.Sql/servers/acme-orders-sql", "name": "acme-orders-sql",
					"type": "Microsoft.Sql/servers", "location": "germanywestcentral", "kind": "v12.0",
					"properties": Object{
						"administratorLogin": "dbadmin", "version": "12.0", "state": "Ready",
						"fullyQualifiedDomainName": "acme-orders-sql.database.windows.net", "minimalTlsVersion": "1.2",
						"publicNetworkAccess": "Disabled",
						"administrators": Object{"administratorType": "ActiveDirectory", "principalType": "Group", "login": "sql-admins",
							"sid": "3c1b2a4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d", "tenantId": DemoTenant, "azureADOnlyAuthentication": true},
					},
				},
				FirewallRules: []Object{{
					"id": rg("acme-prod-data") + "/providers/Microsoft.Sql/servers/acme-orders-sql/firewallRules/office", "name": "office",
					"type": "Microsoft.Sql/servers/firewallRules", "properties": Object{"startIpAddress": "203.0.113.0", "endIpAddress": "203.0.113.255"},
				}},
				Auditing: Object{
					"id": rg("acme-prod-data") + "/providers/Microsoft.Sql/servers/acme-orders-sql/auditingSettings/default", "name": "default",
					"type": "Microsoft.Sql/servers/auditingSettings", "properties": Object{"state": "Enabled", "isAzureMonitorTargetEnabled": true, "retentionDays": 0,
						"auditActionsAndGroups": []string{"SUCCESSFUL_DATABASE_AUTHENTICATION_GROUP", "FAILED_DATABASE_AUTHENTICATION_GROUP", "BATCH_COMPLETED_GROUP"}},
				},
				Databases: []SQLDatabase{
					sqlDatabase(rg("acme-prod-data"), "acme-orders-sql", "master", "Enabled", "Local", 7),
					sqlDatabase(rg("acme-prod-data"), "acme-orders-sql", "orders", "Enabled", "Geo", 14),
				},
			}},
			Vaults: []Object{{
				"id": rg("acme-prod-sec") + "/providers/Microsoft.KeyVault/vaults/acme-prod-kv", "name": "acme-prod-kv",
				"type": "Microsoft.KeyVault/vaults", "location": "germanywestcentral", "tags": Object{},
				"properties": Object{
					"sku": Object{"family": "A", "name": "standard"}, "tenantId": DemoTenant, "enableSoftDelete": true,
					"softDeleteRetentionInDays": 90, "enableRbacAuthorization": true, "vaultUri": "https://acme-prod-kv.vault.azure.net",
					"publicNetworkAccess": "Disabled", "networkAcls": Object{"bypass": "AzureServices", "defaultAction": "Deny", "ipRules": []any{}, "virtualNetworkRules": []any{}},
					"provisioningState": "Succeeded",
				},
			}},
			VaultKeys: map[string][]Object{"acme-prod-kv": {
				VaultKey(rg("acme-prod-sec")+"/providers/Microsoft.KeyVault/vaults/acme-prod-kv", "storage-cmk", true, time.Time{}, "P1Y"),
				VaultKey(rg("acme-prod-sec")+"/providers/Microsoft.KeyVault/vaults/acme-prod-kv", "token-signing", true, time.Date(2027, 6, 30, 0, 0, 0, 0, time.UTC), ""),
				VaultKey(rg("acme-prod-sec")+"/providers/Microsoft.KeyVault/vaults/acme-prod-kv", "legacy-2019", false, time.Time{}, ""),
			}},
			SecurityGroups: []Object{
				nsg(rg("acme-prod-net"), "acme-web-nsg", "germanywestcentral", true,
					nsgRule("allow-https", 100, "Allow", "Internet", "443"), nsgRule("allow-ssh-internal", 110, "Allow", "10.0.0.0/8", "22")),
				nsg(rg("acme-legacy"), "acme-legacy-nsg", "westeurope", true, nsgRule("allow-rdp", 300, "Allow", "*", "3389")),
			},
			DiagnosticSettings: []Object{{
				"id": sub + "/providers/microsoft.insights/diagnosticSettings/export-to-law", "name": "export-to-law",
				"type": "Microsoft.Insights/diagnosticSettings",
				"properties": Object{
					"workspaceId": rg("acme-prod-sec") + "/providers/Microsoft.OperationalInsights/workspaces/acme-audit",
					"logs": []Object{
						{"category": "Administrative", "enabled": true}, {"category": "Security", "enabled": true},
						{"category": "Policy", "enabled": true}, {"category": "ServiceHealth", "enabled": false},
					},
				},
			}},
			Pricings: []Object{
				pricing(sub, "VirtualMachines", "Standard"), pricing(sub, "SqlServers", "Standard"),
				pricing(sub, "StorageAccounts", "Standard"), pricing(sub, "KeyVaults", "Free"), pricing(sub, "Arm", "Free"),
			},
			PostgresServers: []FlexibleServer{flexibleServer(rg("acme-prod-data"), "Microsoft.DBforPostgreSQL", "acme-billing-pg", "germanywestcentral", "16",
				Object{"backupRetentionDays": 35, "geoRedundantBackup": "Enabled"}, "ZoneRedundant", "Disabled",
				map[string]string{"require_secure_transport": "on", "ssl_min_protocol_version": "TLSv1.2"})},
			MySQLServers: []FlexibleServer{flexibleServer(rg("acme-legacy"), "Microsoft.DBforMySQL", "acme-wiki-mysql", "westeurope", "8.0.21",
				Object{"backupRetentionDays": 7, "geoRedundantBackup": "Disabled"}, "Disabled", "Enabled",
				map[string]string{"require_secure_transport": "OFF", "tls_version": "TLSv1,TLSv1.1,TLSv1.2"})},
			RoleAssignments: []Object{
				roleAssignment(sub, "b1c2d3e4-0001-4000-8000-000000000001", roleOwnerID, "User", "1f2e3d4c-0001-4000-8000-00000000a11c", sub),
				roleAssignment(sub, "b1c2d3e4-0002-4000-8000-000000000002", roleOwnerID, "Group", "1f2e3d4c-0002-4000-8000-0000000009a5", "/providers/Microsoft.Management/managementGroups/"+DemoManagementGroup),
				roleAssignment(sub, "b1c2d3e4-0003-4000-8000-000000000003", roleUAAID, "ServicePrincipal", "1f2e3d4c-0003-4000-8000-0000000000c1", sub),
				roleAssignment(sub, "b1c2d3e4-0004-4000-8000-000000000004", roleReaderID, "ServicePrincipal", "1f2e3d4c-0004-4000-8000-00000000a77e", sub),
				roleAssignment(sub, "b1c2d3e4-0005-4000-8000-000000000005", roleOwnerID, "User", "1f2e3d4c-0005-4000-8000-00000000b0b0", rg("acme-marketing")),
			},
			Disks: []Object{
				disk(rg("acme-prod-app"), "acme-app-01_OsDisk_1", "germanywestcentral", Object{"type": "EncryptionAtRestWithCustomerKey",
					"diskEncryptionSetId": rg("acme-prod-sec") + "/providers/Microsoft.Compute/diskEncryptionSets/acme-prod-des"},
					"DenyAll", "Disabled", "Attached", rg("acme-prod-app")+"/providers/Microsoft.Compute/virtualMachines/acme-app-01"),
				disk(rg("acme-legacy"), "acme-legacy-data", "westeurope", Object{"type": "EncryptionAtRestWithPlatformKey"}, "AllowAll", "Enabled", "Unattached", ""),
				disk(rg("acme-legacy"), "acme-legacy-01_OsDisk_1", "westeurope", nil, "", "", "Attached", rg("acme-legacy")+"/providers/Microsoft.Compute/virtualMachines/acme-legacy-01"),
			},
			ClassicAdministrators: []Object{
				classicAdmin(sub, "a1b2c3d4-0001-4000-8000-00000000c1a5", "it-admin@acme-demo.example", "ServiceAdministrator;AccountAdministrator"),
				classicAdmin(sub, "a1b2c3d4-0002-4000-8000-00000000c1a5", "contractor@partner.example", "CoAdministrator"),
			},
			VirtualMachines: []Object{
				virtualMachine(rg("acme-prod-app"), "acme-app-01", "germanywestcentral", true),
				virtualMachine(rg("acme-legacy"), "acme-legacy-01", "westeurope", false),
			},
			RecoveryVaults: []RecoveryVault{
				{Vault: recoveryVault(rg("acme-prod-sec"), "acme-prod-rsv", "germanywestcentral"), ProtectedItems: []Object{
					vmProtectedItem(rg("acme-prod-sec")+"/providers/Microsoft.RecoveryServices/vaults/acme-prod-rsv", rg("acme-prod-app"), "acme-app-01",
						"Protected", "Completed", lastNight),
				}},
				{Vault: recoveryVault(rg("acme-legacy"), "acme-legacy-rsv", "westeurope"), ProtectedItems: []Object{
					vmProtectedItem(rg("acme-legacy")+"/providers/Microsoft.RecoveryServices/vaults/acme-legacy-rsv", rg("acme-legacy"), "acme-legacy-01",
						"ProtectionStopped", "Completed", lastNight.AddDate(0, 0, -40)),
				}},
			},
		}},
	}
}

// disk is a managed disk as Disks - List returns it; a nil enc, policy or
// public leaves the property out of the response.
func disk(rg, name, loc string, enc Object, policy, public, state, managedBy string) Object {
	props := Object{"osType": "Linux", "hyperVGeneration": "V2", "diskSizeGB": 128, "diskIOPSReadWrite": 500, "diskMBpsReadWrite": 100,
		"creationData": Object{"createOption": "Empty"}, "timeCreated": "2025-03-01T09:00:00.0000000+00:00", "provisioningState": "Succeeded",
		"diskState": state, "diskSizeBytes": 137438953472, "uniqueId": "3c0a9e1f-" + fmt.Sprintf("%04x", len(name)) + "-4b2d-8e6f-7a8b9c0d1e2f"}
	if enc != nil {
		props["encryption"] = enc
	}
	if policy != "" {
		props["networkAccessPolicy"] = policy
	}
	if public != "" {
		props["publicNetworkAccess"] = public
	}
	d := Object{"id": rg + "/providers/Microsoft.Compute/disks/" + name, "name": name, "type": "Microsoft.Compute/disks", "location": loc,
		"tags": Object{}, "sku": Object{"name": "Premium_LRS", "tier": "Premium"}, "properties": props}
	if managedBy != "" {
		d["managedBy"] = managedBy
	}
	return d
}

// classicAdmin is a classic administrator as Classic Administrators -
// List returns it.
func classicAdmin(sub, name, email, role string) Object {
	return Object{"id": sub + "/providers/Microsoft.Authorization/classicAdministrators/" + name, "name": name,
		"type": "Microsoft.Authorization/classicAdministrators", "properties": Object{"emailAddress": email, "role": role}}
}

// virtualMachine is a VM as Virtual Machines - List All returns it.
func virtualMachine(rg, name, loc string, encryptionAtHost bool) Object {
	id := rg + "/providers/Microsoft.Compute/virtualMachines/" + name
	return Object{"id": id, "name": name, "type": "Microsoft.Compute/virtualMachines", "location": loc, "tags": Object{},
		"properties": Object{
			"vmId": "6b2f4c1e-" + fmt.Sprintf("%04x", len(name)) + "-4d3a-9e8b-1c2d3e4f5a6b", "hardwareProfile": Object{"vmSize": "Standard_D2s_v5"},
			"storageProfile": Object{
				"imageReference": Object{"publisher": "Canonical", "offer": "ubuntu-24_04-lts", "sku": "server", "version": "latest"},
				"osDisk": Object{"osType": "Linux", "name": name + "_OsDisk_1", "createOption": "FromImage", "caching": "ReadWrite",
					"managedDisk": Object{"storageAccountType": "Premium_LRS", "id": rg + "/providers/Microsoft.Compute/disks/" + name + "_OsDisk_1"}, "diskSizeGB": 128},
				"dataDisks": []Object{},
			},
			"osProfile":         Object{"computerName": name, "adminUsername": "azureuser", "linuxConfiguration": Object{"disablePasswordAuthentication": true}},
			"networkProfile":    Object{"networkInterfaces": []Object{{"id": rg + "/providers/Microsoft.Network/networkInterfaces/" + name + "-nic"}}},
			"securityProfile":   Object{"encryptionAtHost": encryptionAtHost},
			"provisioningState": "Succeeded",
		}}
}

// recoveryVault is a Recovery Services vault as Vaults - List By
// Subscription Id returns it.
func recoveryVault(rg, name, loc string) Object {
	return Object{"id": rg + "/providers/Microsoft.RecoveryServices/vaults/" + name, "name": name, "type": "Microsoft.RecoveryServices/vaults",
		"location": loc, "tags": Object{}, "etag": `W/"datetime'2025-03-01T09%3A00%3A00.0000000Z'"`, "sku": Object{"name": "Standard"},
		"properties": Object{"provisioningState": "Succeeded", "privateEndpointStateForBackup": "None", "privateEndpointStateForSiteRecovery": "None"}}
}

// vmProtectedItem is an Azure VM backup item as Backup Protected Items -
// List returns it (protectedItemType Microsoft.Compute/virtualMachines).
func vmProtectedItem(vault, vmRG, vm, state, status string, last time.Time) Object {
	group := vmRG[strings.LastIndex(vmRG, "/")+1:]
	container := "iaasvmcontainerv2;" + strings.ToLower(group) + ";" + vm
	vmID := vmRG + "/providers/Microsoft.Compute/virtualMachines/" + vm
	return Object{
		"id":   vault + "/backupFabrics/Azure/protectionContainers/IaasVMContainer;" + container + "/protectedItems/VM;" + container,
		"name": "VM;" + container, "type": "Microsoft.RecoveryServices/vaults/backupFabrics/protectionContainers/protectedItems",
		"properties": Object{
			"protectedItemType": "Microsoft.Compute/virtualMachines", "friendlyName": vm, "virtualMachineId": vmID,
			"protectionStatus": "Healthy", "protectionState": state, "healthStatus": "Passed", "lastBackupStatus": status,
			"lastBackupTime": last.Format("2006-01-02T15:04:05.0000000Z"), "lastRecoveryPoint": last.Add(5 * time.Minute).Format("2006-01-02T15:04:05.0000000Z"),
			"protectedItemDataId": "17592186044416", "backupManagementType": "AzureIaasVM", "workloadType": "VM",
			"containerName": container, "sourceResourceId": vmID, "policyId": vault + "/backupPolicies/DefaultPolicy",
		},
	}
}

// Built-in role definition IDs.
const (
	roleOwnerID  = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635"
	roleUAAID    = "18d7d88d-a6a9-4cb0-b77b-4bb7d1a7f4a7"
	roleReaderID = "acdd72a7-3385-48ef-bd42-f606fba81ae7"
)

func storageAccount(rg, name, loc string, enc Object, tls string, publicBlob bool, action string) Object {
	enc["services"] = Object{
		"blob": Object{"enabled": true, "keyType": "Account", "lastEnabledTime": "2025-03-01T09:00:00.0000000Z"},
		"file": Object{"enabled": true, "keyType": "Account", "lastEnabledTime": "2025-03-01T09:00:00.0000000Z"},
	}
	return Object{
		"id": rg + "/providers/Microsoft.Storage/storageAccounts/" + name, "name": name, "type": "Microsoft.Storage/storageAccounts",
		"location": loc, "kind": "StorageV2", "sku": Object{"name": "Standard_ZRS", "tier": "Standard"}, "tags": Object{},
		"properties": Object{
			"encryption": enc, "supportsHttpsTrafficOnly": true, "minimumTlsVersion": tls, "allowBlobPublicAccess": publicBlob,
			"networkAcls":       Object{"bypass": "AzureServices", "defaultAction": action, "ipRules": []any{}, "virtualNetworkRules": []any{}},
			"provisioningState": "Succeeded", "primaryLocation": loc, "statusOfPrimary": "available", "creationTime": "2025-03-01T09:00:00.0000000Z",
			"primaryEndpoints": Object{"blob": "https://" + name + ".blob.core.windows.net/"},
		},
	}
}

func sqlDatabase(rg, server, name, tde, redundancy string, retention int) SQLDatabase {
	id := rg + "/providers/Microsoft.Sql/servers/" + server + "/databases/" + name
	return SQLDatabase{
		Database: Object{"id": id, "name": name, "type": "Microsoft.Sql/servers/databases", "location": "germanywestcentral",
			"sku": Object{"name": "GP_S_Gen5", "tier": "GeneralPurpose", "capacity": 2},
			"properties": Object{"status": "Online", "collation": "SQL_Latin1_General_CP1_CI_AS", "zoneRedundant": false,
				"currentBackupStorageRedundancy": redundancy, "requestedBackupStorageRedundancy": redundancy}},
		TDE: Object{"id": id + "/transparentDataEncryption/Current", "name": "Current",
			"type": "Microsoft.Sql/servers/databases/transparentDataEncryption", "properties": Object{"state": tde}},
		Retention: Object{"id": id + "/backupShortTermRetentionPolicies/default", "name": "default",
			"type":       "Microsoft.Sql/resourceGroups/servers/databases/backupShortTermRetentionPolicies",
			"properties": Object{"retentionDays": retention, "diffBackupIntervalInHours": 12}},
	}
}

func nsg(rg, name, loc string, attached bool, rules ...Object) Object {
	id := rg + "/providers/Microsoft.Network/networkSecurityGroups/" + name
	for _, r := range rules {
		r["id"] = id + "/securityRules/" + r["name"].(string)
	}
	defaults := []Object{
		defaultRule(id, "AllowVnetInBound", 65000, "Allow", "VirtualNetwork"),
		defaultRule(id, "AllowAzureLoadBalancerInBound", 65001, "Allow", "AzureLoadBalancer"),
		defaultRule(id, "DenyAllInBound", 65500, "Deny", "*"),
	}
	props := Object{"securityRules": rules, "defaultSecurityRules": defaults, "provisioningState": "Succeeded",
		"resourceGuid": "2e1d0c9b-8a7f-4e6d-9c5b-3a4b5c6d7e8f"}
	if attached {
		props["subnets"] = []Object{{"id": strings.Replace(rg, "/providers", "", 1) + "/providers/Microsoft.Network/virtualNetworks/vnet/subnets/" + name}}
	}
	return Object{"id": id, "name": name, "type": "Microsoft.Network/networkSecurityGroups", "location": loc, "etag": `W/"00000000-0000-0000-0000-000000000000"`, "properties": props}
}

func nsgRule(name string, prio int, access, source, port string) Object {
	return Object{"name": name, "type": "Microsoft.Network/networkSecurityGroups/securityRules", "properties": Object{
		"protocol": "Tcp", "sourcePortRange": "*", "destinationPortRange": port, "sourceAddressPrefix": source,
		"destinationAddressPrefix": "*", "access": access, "priority": prio, "direction": "Inbound", "provisioningState": "Succeeded",
	}}
}

func defaultRule(nsgID, name string, prio int, access, source string) Object {
	return Object{"id": nsgID + "/defaultSecurityRules/" + name, "name": name, "type": "Microsoft.Network/networkSecurityGroups/defaultSecurityRules",
		"properties": Object{"description": name, "protocol": "*", "sourcePortRange": "*", "destinationPortRange": "*", "sourceAddressPrefix": source,
			"destinationAddressPrefix": "*", "access": access, "priority": prio, "direction": "Inbound", "provisioningState": "Succeeded"}}
}

func pricing(sub, plan, tier string) Object {
	return Object{"id": sub + "/providers/Microsoft.Security/pricings/" + plan, "name": plan, "type": "Microsoft.Security/pricings",
		"properties": Object{"pricingTier": tier}}
}

func roleAssignment(sub, name, role, principalType, principal, scope string) Object {
	return Object{
		"id": scope + "/providers/Microsoft.Authorization/roleAssignments/" + name, "name": name,
		"type": "Microsoft.Authorization/roleAssignments",
		"properties": Object{"roleDefinitionId": sub + "/providers/Microsoft.Authorization/roleDefinitions/" + role,
			"principalId": principal, "principalType": principalType, "scope": scope,
			"createdOn": "2025-03-01T09:00:00.0000000Z", "updatedOn": "2025-03-01T09:00:00.0000000Z"},
	}
}

func flexibleServer(rg, ns, name, loc, version string, backup Object, ha, public string, params map[string]string) FlexibleServer {
	id := rg + "/providers/" + ns + "/flexibleServers/" + name
	cfg := map[string]Object{}
	// MySQL's API writes isReadOnly as "True" or "False", PostgreSQL's as a
	// JSON boolean.
	var readOnly any = false
	if ns == "Microsoft.DBforMySQL" {
		readOnly = "False"
	}
	for k, v := range params {
		cfg[k] = Object{"id": id + "/configurations/" + k, "name": k, "type": ns + "/flexibleServers/configurations",
			"properties": Object{"value": v, "source": "user-override", "dataType": "Enumeration", "isReadOnly": readOnly}}
	}
	return FlexibleServer{
		Server: Object{"id": id, "name": name, "type": ns + "/flexibleServers", "location": loc, "tags": Object{},
			"sku": Object{"name": "Standard_D2ds_v4", "tier": "GeneralPurpose"},
			"properties": Object{"administratorLogin": "dbadmin", "version": version, "state": "Ready",
				"fullyQualifiedDomainName": name + ".postgres.database.azure.com", "storage": Object{"storageSizeGB": 128},
				"backup": backup, "highAvailability": Object{"mode": ha}, "network": Object{"publicNetworkAccess": public}}},
		Configurations: cfg,
	}
}
