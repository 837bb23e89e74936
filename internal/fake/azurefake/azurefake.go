// Package azurefake is a fake Azure Resource Manager API in its wire
// format (JSON lists as {"value": [...], "nextLink": ...}, errors as
// {"error": {"code", "message"}}), for the Azure source's tests, the demo
// and the benchmarks. It serves the GET operations attest calls, pages
// lists of PageSize items through nextLink, answers
// MissingSubscriptionRegistration for unregistered resource providers, and
// accepts only the bearer token of its Credential.
package azurefake

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"

	"github.com/attestdev/attest/internal/fake/fakeapi"
)

// A Credential hands out a fixed bearer token without calling Microsoft
// Entra ID. Tests and the demo inject it into the Azure source.
type Credential struct{ Token string }

// GetToken returns the fixed token, valid for an hour.
func (c Credential) GetToken(_ context.Context, _ policy.TokenRequestOptions) (azcore.AccessToken, error) {
	return azcore.AccessToken{Token: c.Token, ExpiresOn: time.Now().Add(time.Hour)}, nil
}

// An Object is a resource as Resource Manager returns it (id, name, type,
// location, properties, ...).
type Object = map[string]any

// A SQLServer is a logical server with its children.
type SQLServer struct {
	Server        Object
	FirewallRules []Object
	// Auditing is the auditingSettings/default resource; nil answers 404.
	Auditing  Object
	Databases []SQLDatabase
}

// A SQLDatabase is a database with its transparent data encryption.
type SQLDatabase struct {
	Database Object
	// TDE is the transparentDataEncryption/current resource; nil answers
	// 404.
	TDE Object
	// Retention is the backupShortTermRetentionPolicies/default resource;
	// nil answers 404.
	Retention Object
}

// A FlexibleServer is a PostgreSQL or MySQL flexible server with its
// server parameters by name (a missing one answers 404).
type FlexibleServer struct {
	Server         Object
	Configurations map[string]Object
}

// A RecoveryVault is a Recovery Services vault with its backup protected
// items (backupProtectedItems).
type RecoveryVault struct {
	Vault          Object
	ProtectedItems []Object
}

// A Subscription is one subscription and what it holds.
type Subscription struct {
	// ID is the subscription ID (a GUID, lower case).
	ID, DisplayName, TenantID, State string
	Resources                        []Object
	StorageAccounts                  []Object
	SQLServers                       []SQLServer
	Vaults                           []Object
	// VaultKeys are the keys of each vault, by lower-case vault name, as
	// Resource Manager's Keys - List returns them.
	VaultKeys             map[string][]Object
	SecurityGroups        []Object
	PostgresServers       []FlexibleServer
	MySQLServers          []FlexibleServer
	DiagnosticSettings    []Object
	Pricings              []Object
	RoleAssignments       []Object
	Disks                 []Object
	VirtualMachines       []Object
	RecoveryVaults        []RecoveryVault
	ClassicAdministrators []Object
	// Unregistered lists the resource provider namespaces (e.g.
	// Microsoft.Sql) the subscription is not registered for.
	Unregistered []string
}

// State is the fake's estate.
type State struct {
	fakeapi.Refusals
	// Token is the bearer token the fake accepts.
	Token         string
	Subscriptions []Subscription
	// ManagementGroups maps a group ID to the IDs of its subscriptions.
	ManagementGroups map[string][]string
	// PageSize bounds list pages; 0 serves one page.
	PageSize int
}

// NewHandler returns the fake API serving s.
func NewHandler(s *State) http.Handler { return http.HandlerFunc(s.serve) }

func (s *State) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		s.Refuse(w, r, "azurefake")
		return
	}
	if r.Header.Get("Authorization") != "Bearer "+s.Token {
		WriteError(w, http.StatusUnauthorized, "InvalidAuthenticationToken", "The access token is invalid.")
		return
	}
	if r.URL.Query().Get("api-version") == "" {
		WriteError(w, http.StatusBadRequest, "MissingApiVersionParameter", "The api-version query parameter (?api-version=) is required for all requests.")
		return
	}
	segs := strings.Split(strings.Trim(strings.ToLower(r.URL.Path), "/"), "/")
	if len(segs) == 5 && segs[0] == "providers" && segs[1] == "microsoft.management" && segs[2] == "managementgroups" && segs[4] == "descendants" {
		s.descendants(w, r, segs[3])
		return
	}
	if len(segs) < 2 || segs[0] != "subscriptions" {
		s.Refuse(w, r, "azurefake")
		return
	}
	i := slices.IndexFunc(s.Subscriptions, func(sub Subscription) bool { return strings.EqualFold(sub.ID, segs[1]) })
	if i < 0 {
		WriteError(w, http.StatusNotFound, "SubscriptionNotFound", "The subscription '"+segs[1]+"' could not be found.")
		return
	}
	s.subscription(w, r, &s.Subscriptions[i], segs[2:])
}

func (s *State) subscription(w http.ResponseWriter, r *http.Request, sub *Subscription, rest []string) {
	switch {
	case len(rest) == 0:
		writeJSON(w, Object{"id": "/subscriptions/" + sub.ID, "subscriptionId": sub.ID, "displayName": sub.DisplayName,
			"tenantId": sub.TenantID, "state": sub.State, "authorizationSource": "RoleBased"})
		return
	case len(rest) == 1 && rest[0] == "resources":
		s.page(w, r, sub.Resources)
		return
	case len(rest) >= 2 && rest[0] == "resourcegroups" && len(rest) >= 4 && rest[2] == "providers":
		s.resourceGroup(w, r, sub, rest[1], rest[3:])
		return
	case len(rest) != 3 || rest[0] != "providers":
		s.Refuse(w, r, "azurefake")
		return
	}
	ns := rest[1]
	if slices.ContainsFunc(sub.Unregistered, func(u string) bool { return strings.EqualFold(u, ns) }) {
		WriteError(w, http.StatusConflict, "MissingSubscriptionRegistration", fmt.Sprintf("The subscription is not registered to use namespace '%s'. See https://aka.ms/rps-not-found for how to register subscriptions.", rest[1]))
		return
	}
	if ns+"/"+rest[2] == "microsoft.security/pricings" {
		// The pricings list has no nextLink.
		writeJSON(w, Object{"value": orEmpty(sub.Pricings)})
		return
	}
	items, ok := sub.lists()[ns+"/"+rest[2]]
	if !ok {
		s.Refuse(w, r, "azurefake")
		return
	}
	s.page(w, r, items)
}

// lists returns the subscription-wide lists by lower-case
// namespace/type.
func (sub *Subscription) lists() map[string][]Object {
	servers := make([]Object, 0, len(sub.SQLServers))
	for _, sv := range sub.SQLServers {
		servers = append(servers, sv.Server)
	}
	return map[string][]Object{
		"microsoft.storage/storageaccounts":             sub.StorageAccounts,
		"microsoft.sql/servers":                         servers,
		"microsoft.keyvault/vaults":                     sub.Vaults,
		"microsoft.network/networksecuritygroups":       sub.SecurityGroups,
		"microsoft.insights/diagnosticsettings":         sub.DiagnosticSettings,
		"microsoft.authorization/roleassignments":       sub.RoleAssignments,
		"microsoft.compute/disks":                       sub.Disks,
		"microsoft.compute/virtualmachines":             sub.VirtualMachines,
		"microsoft.recoveryservices/vaults":             recoveryVaults(sub.RecoveryVaults),
		"microsoft.authorization/classicadministrators": sub.ClassicAdministrators,
		"microsoft.dbforpostgresql/flexibleservers":     flexibleServers(sub.PostgresServers),
		"microsoft.dbformysql/flexibleservers":          flexibleServers(sub.MySQLServers),
	}
}

// resourceGroup serves the SQL server children under
// /subscriptions/{s}/resourceGroups/{rg}/providers/Microsoft.Sql/servers/{name}/...
func (s *State) resourceGroup(w http.ResponseWriter, r *http.Request, sub *Subscription, rg string, rest []string) {
	if len(rest) == 5 && rest[1] == "flexibleservers" && rest[3] == "configurations" {
		switch rest[0] {
		case "microsoft.dbforpostgresql":
			s.configuration(w, sub.PostgresServers, rg, rest)
			return
		case "microsoft.dbformysql":
			s.configuration(w, sub.MySQLServers, rg, rest)
			return
		}
	}
	if len(rest) == 4 && rest[0] == "microsoft.keyvault" && rest[1] == "vaults" && rest[3] == "keys" {
		s.vaultKeys(w, r, sub, rg, rest[2])
		return
	}
	if len(rest) == 4 && rest[0] == "microsoft.recoveryservices" && rest[1] == "vaults" && rest[3] == "backupprotecteditems" {
		s.protectedItems(w, r, sub.RecoveryVaults, rg, rest[2])
		return
	}
	if len(rest) < 4 || rest[0] != "microsoft.sql" || rest[1] != "servers" {
		s.Refuse(w, r, "azurefake")
		return
	}
	i := slices.IndexFunc(sub.SQLServers, func(sv SQLServer) bool {
		id, _ := sv.Server["id"].(string)
		return strings.HasSuffix(strings.ToLower(id), "/resourcegroups/"+rg+"/providers/microsoft.sql/servers/"+rest[2])
	})
	if i < 0 {
		WriteError(w, http.StatusNotFound, "ResourceNotFound", "The Resource 'Microsoft.Sql/servers/"+rest[2]+"' under resource group '"+rg+"' was not found.")
		return
	}
	s.sqlChild(w, r, sub.SQLServers[i], rest)
}

// vaultKeys serves Keys - List of vault name in resource group rg.
func (s *State) vaultKeys(w http.ResponseWriter, r *http.Request, sub *Subscription, rg, name string) {
	if !slices.ContainsFunc(sub.Vaults, func(v Object) bool {
		id, _ := v["id"].(string)
		return strings.HasSuffix(strings.ToLower(id), "/resourcegroups/"+rg+"/providers/microsoft.keyvault/vaults/"+name)
	}) {
		WriteError(w, http.StatusNotFound, "ResourceNotFound", "The Resource 'Microsoft.KeyVault/vaults/"+name+"' under resource group '"+rg+"' was not found.")
		return
	}
	s.page(w, r, sub.VaultKeys[name])
}

// VaultKey returns a key of the vault with resource ID vaultID as Keys -
// List returns it: enabled or not, expiring at exp (zero: never), with a
// rotation policy whose Rotate action is due rotateAfter (an ISO 8601
// duration; "" for no policy) after creation.
func VaultKey(vaultID, name string, enabled bool, exp time.Time, rotateAfter string) Object {
	attrs := Object{"enabled": enabled, "created": 1735689600, "updated": 1735689600, "recoveryLevel": "Recoverable", "exportable": false}
	if !exp.IsZero() {
		attrs["exp"] = exp.Unix()
	}
	vault := vaultID[strings.LastIndex(vaultID, "/")+1:]
	props := Object{"attributes": attrs, "kty": "RSA", "keyOps": []string{"encrypt", "decrypt", "wrapKey", "unwrapKey"}, "keySize": 2048,
		"keyUri":            "https://" + vault + ".vault.azure.net/keys/" + name,
		"keyUriWithVersion": "https://" + vault + ".vault.azure.net/keys/" + name + "/2f1c9e7d5b3a48e6a0c4d2b8f6e1a3c5"}
	if rotateAfter != "" {
		props["rotationPolicy"] = Object{
			"attributes": Object{"created": 1735689600, "updated": 1735689600, "expiryTime": "P2Y"},
			"lifetimeActions": []Object{
				{"trigger": Object{"timeAfterCreate": rotateAfter}, "action": Object{"type": "rotate"}},
				{"trigger": Object{"timeBeforeExpiry": "P30D"}, "action": Object{"type": "notify"}},
			},
		}
	}
	return Object{"id": vaultID + "/keys/" + name, "name": name, "type": "Microsoft.KeyVault/vaults/keys", "tags": Object{}, "properties": props}
}

// sqlChild serves the children of SQL server sv: rest is
// microsoft.sql/servers/{name}/....
func (s *State) sqlChild(w http.ResponseWriter, r *http.Request, sv SQLServer, rest []string) {
	switch {
	case len(rest) == 4 && rest[3] == "firewallrules":
		s.page(w, r, sv.FirewallRules)
	case len(rest) == 5 && rest[3] == "auditingsettings" && rest[4] == "default":
		writeObject(w, sv.Auditing, "auditingSettings/default")
	case len(rest) == 4 && rest[3] == "databases":
		dbs := make([]Object, 0, len(sv.Databases))
		for _, d := range sv.Databases {
			dbs = append(dbs, d.Database)
		}
		s.page(w, r, dbs)
	case len(rest) == 7 && rest[3] == "databases":
		s.databaseChild(w, r, sv, rest[4], rest[5]+"/"+rest[6])
	default:
		s.Refuse(w, r, "azurefake")
	}
}

// configuration serves .../{ns}/flexibleServers/{name}/configurations/{param}.
func (s *State) configuration(w http.ResponseWriter, servers []FlexibleServer, rg string, rest []string) {
	for _, sv := range servers {
		id, _ := sv.Server["id"].(string)
		if !strings.HasSuffix(strings.ToLower(id), "/resourcegroups/"+rg+"/providers/"+rest[0]+"/flexibleservers/"+rest[2]) {
			continue
		}
		for name, c := range sv.Configurations {
			if strings.EqualFold(name, rest[4]) {
				writeJSON(w, c)
				return
			}
		}
		WriteError(w, http.StatusNotFound, "ConfigurationNotExists", "The configuration '"+rest[4]+"' does not exist for server '"+rest[2]+"'.")
		return
	}
	WriteError(w, http.StatusNotFound, "ResourceNotFound", "The Resource '"+rest[0]+"/flexibleServers/"+rest[2]+"' under resource group '"+rg+"' was not found.")
}

// managementType is the backupManagementType a protected items $filter
// selects ("backupManagementType eq 'AzureIaasVM'").
var managementType = regexp.MustCompile(`(?i)backupManagementType eq '([^']*)'`)

// protectedItems serves .../Microsoft.RecoveryServices/vaults/{name}/backupProtectedItems,
// filtered by backupManagementType when $filter names one.
func (s *State) protectedItems(w http.ResponseWriter, r *http.Request, vaults []RecoveryVault, rg, name string) {
	for _, v := range vaults {
		id, _ := v.Vault["id"].(string)
		if !strings.HasSuffix(strings.ToLower(id), "/resourcegroups/"+rg+"/providers/microsoft.recoveryservices/vaults/"+name) {
			continue
		}
		items := v.ProtectedItems
		if m := managementType.FindStringSubmatch(r.URL.Query().Get("$filter")); m != nil {
			items = nil
			for _, it := range v.ProtectedItems {
				if p, _ := it["properties"].(Object); p != nil && strings.EqualFold(fmt.Sprint(p["backupManagementType"]), m[1]) {
					items = append(items, it)
				}
			}
		}
		s.page(w, r, items)
		return
	}
	WriteError(w, http.StatusNotFound, "ResourceNotFound", "The Resource 'Microsoft.RecoveryServices/vaults/"+name+"' under resource group '"+rg+"' was not found.")
}

func recoveryVaults(vs []RecoveryVault) []Object {
	out := make([]Object, 0, len(vs))
	for _, v := range vs {
		out = append(out, v.Vault)
	}
	return out
}

func flexibleServers(fs []FlexibleServer) []Object {
	out := make([]Object, 0, len(fs))
	for _, f := range fs {
		out = append(out, f.Server)
	}
	return out
}

// databaseChild serves a child of database db of SQL server sv.
func (s *State) databaseChild(w http.ResponseWriter, r *http.Request, sv SQLServer, db, child string) {
	j := slices.IndexFunc(sv.Databases, func(d SQLDatabase) bool { return strings.EqualFold(fmt.Sprint(d.Database["name"]), db) })
	if j < 0 {
		WriteError(w, http.StatusNotFound, "ResourceNotFound", "The requested resource of type 'Microsoft.Sql/servers/databases' with name '"+db+"' was not found.")
		return
	}
	switch child {
	case "transparentdataencryption/current":
		writeObject(w, sv.Databases[j].TDE, "transparentDataEncryption/current")
	case "backupshorttermretentionpolicies/default":
		writeObject(w, sv.Databases[j].Retention, "backupShortTermRetentionPolicies/default")
	default:
		s.Refuse(w, r, "azurefake")
	}
}

func (s *State) descendants(w http.ResponseWriter, r *http.Request, group string) {
	for g, subs := range s.ManagementGroups {
		if !strings.EqualFold(g, group) {
			continue
		}
		var out []Object
		for _, id := range subs {
			out = append(out, Object{"id": "/subscriptions/" + id, "type": "Microsoft.Management/managementGroups/subscriptions", "name": id,
				"properties": Object{"displayName": id, "parent": Object{"id": "/providers/Microsoft.Management/managementGroups/" + g}}})
		}
		s.page(w, r, out)
		return
	}
	WriteError(w, http.StatusNotFound, "NotFound", "'/providers/Microsoft.Management/managementGroups/"+group+"' not found")
}

// page writes the page of items that $skiptoken selects, with a nextLink
// to the next page when there is one.
func (s *State) page(w http.ResponseWriter, r *http.Request, items []Object) {
	start, _ := strconv.Atoi(r.URL.Query().Get("$skiptoken"))
	start = min(max(start, 0), len(items))
	end := len(items)
	if s.PageSize > 0 {
		end = min(start+s.PageSize, len(items))
	}
	body := Object{"value": orEmpty(items[start:end])}
	if end < len(items) {
		q := r.URL.Query()
		q.Set("$skiptoken", strconv.Itoa(end))
		u := url.URL{Scheme: "http", Host: r.Host, Path: r.URL.Path, RawQuery: q.Encode()}
		if r.TLS != nil {
			u.Scheme = "https"
		}
		body["nextLink"] = u.String()
	}
	writeJSON(w, body)
}

func orEmpty(v []Object) []Object {
	if v == nil {
		return []Object{}
	}
	return v
}

func writeObject(w http.ResponseWriter, o Object, what string) {
	if o == nil {
		WriteError(w, http.StatusNotFound, "ResourceNotFound", "The requested resource "+what+" was not found.")
		return
	}
	writeJSON(w, o)
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_ = json.NewEncoder(w).Encode(v)
}

// WriteError writes a Resource Manager error response.
func WriteError(w http.ResponseWriter, status int, code, message string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("x-ms-failure-cause", "gateway")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(Object{"error": Object{"code": code, "message": message}})
}
