package azure

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/network/armnetwork/v7"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
	"github.com/attestdev/attest/collectors/internal/gcptest"
	"github.com/attestdev/attest/internal/fake/azurefake"
)

// TestDemo runs every collector against the demo subscription, one item
// per page, and checks what each reads.
func TestDemo(t *testing.T) {
	t.Parallel()
	st := azurefake.Demo()
	st.PageSize = 1
	srv := serve(t, st, nil)
	src := testSource(srv, 0, 1, 10*time.Second)
	got := map[string]evidence.Resource{}
	var all []evidence.Resource
	for _, c := range src.Collectors() {
		s, err := collect(t, src, c.Describe().ID, nil)
		if err != nil || len(s.Failures) > 0 {
			t.Fatalf("%s: %v %v", c.Describe().ID, err, s.Failures)
		}
		for _, r := range s.Resources {
			got[r.Type+" "+r.Name] = r
			all = append(all, r)
		}
	}
	gcptest.CheckAttributes(t, src.Collectors(), all)
	count := map[string]int{}
	for _, r := range all {
		count[r.Type]++
	}
	want := map[string]int{typeSubscription: 1, typeResource: 10, typeFlexibleServer: 2, typeStorageAccount: 2, typeSQLServer: 1, typeSQLDatabase: 1,
		typeKeyVault: 1, typeKey: 3, typeSecurityGroup: 2, typeActivityLog: 1, typeDefender: 1, typeSubscriptionAdmins: 1, typeDisk: 3, typeVM: 2, typeClassicAdmins: 1}
	for k, v := range want {
		if count[k] != v {
			t.Errorf("%s: %d resources, want %d", k, count[k], v)
		}
	}
	check := func(key, attr string, want any) {
		t.Helper()
		r, ok := got[key]
		if !ok {
			t.Errorf("no %s", key)
			return
		}
		if g := r.Attributes[attr]; !equal(g, want) {
			t.Errorf("%s %s = %#v, want %#v", key, attr, g, want)
		}
	}
	check(typeSubscription+" acme-prod", "state", "Enabled")
	check(typeResource+" acmemktexports", "location", "eastus")
	check(typeResource+" acme-demo.example", "location", "global")
	check(typeResource+" acmeproddata", "resource_group", "acme-prod-data")
	check(typeStorageAccount+" acmeproddata", "minimum_tls_version", "TLS1_2")
	check(typeStorageAccount+" acmeproddata", "key_source", "Microsoft.Keyvault")
	check(typeStorageAccount+" acmeproddata", "encrypted_services", []any{"blob", "file"})
	check(typeStorageAccount+" acmeproddata", "network_default_action", "Deny")
	check(typeStorageAccount+" acmemktexports", "allow_blob_public_access", true)
	check(typeStorageAccount+" acmemktexports", "minimum_tls_version", "TLS1_0")
	check(typeSQLServer+" acme-orders-sql", "minimal_tls_version", "1.2")
	check(typeSQLServer+" acme-orders-sql", "entra_only_auth", true)
	check(typeSQLServer+" acme-orders-sql", "auditing_enabled", true)
	check(typeSQLServer+" acme-orders-sql", "open_to_internet", false)
	check(typeSQLServer+" acme-orders-sql", "firewall_rules", 1)
	check(typeSQLDatabase+" orders", "tde_enabled", true)
	check(typeSQLDatabase+" orders", "backup_retention_days", 14)
	check(typeSQLDatabase+" orders", "backup_storage_redundancy", "Geo")
	check(typeKeyVault+" acme-prod-kv", "purge_protection", false)
	check(typeKeyVault+" acme-prod-kv", "public_network_access", "disabled")
	check(typeSecurityGroup+" acme-legacy-nsg", "open_restricted_ports", []any{"3389"})
	check(typeSecurityGroup+" acme-legacy-nsg", "open_rules", []any{"allow-rdp"})
	check(typeSecurityGroup+" acme-web-nsg", "open_restricted_ports", []any{})
	check(typeActivityLog+" activity log", "categories", []any{"Administrative", "Policy", "Security"})
	check(typeActivityLog+" activity log", "destinations", []any{"log_analytics"})
	check(typeDefender+" Defender for Cloud", "standard_plans", []any{"SqlServers", "StorageAccounts", "VirtualMachines"})
	check(typeDefender+" Defender for Cloud", "free_plans", []any{"Arm", "KeyVaults"})
	check(typeFlexibleServer+" acme-billing-pg", "engine", "postgresql")
	check(typeFlexibleServer+" acme-billing-pg", "geo_redundant_backup", true)
	check(typeFlexibleServer+" acme-billing-pg", "backup_retention_days", 35)
	check(typeFlexibleServer+" acme-billing-pg", "tls_required", true)
	check(typeFlexibleServer+" acme-billing-pg", "min_tls_version", "1.2")
	check(typeFlexibleServer+" acme-billing-pg", "high_availability", true)
	check(typeFlexibleServer+" acme-wiki-mysql", "engine", "mysql")
	check(typeFlexibleServer+" acme-wiki-mysql", "tls_required", false)
	check(typeFlexibleServer+" acme-wiki-mysql", "min_tls_version", "1.0")
	check(typeFlexibleServer+" acme-wiki-mysql", "public_network_access", "Enabled")
	check(typeDisk+" acme-app-01_OsDisk_1", "encryption_type", "EncryptionAtRestWithCustomerKey")
	check(typeDisk+" acme-app-01_OsDisk_1", "disk_encryption_set", "/subscriptions/"+testSub+"/resourcegroups/acme-prod-sec/providers/microsoft.compute/diskencryptionsets/acme-prod-des")
	check(typeDisk+" acme-app-01_OsDisk_1", "network_access_policy", "DenyAll")
	check(typeDisk+" acme-app-01_OsDisk_1", "public_network_access", "Disabled")
	check(typeDisk+" acme-app-01_OsDisk_1", "disk_state", "Attached")
	check(typeDisk+" acme-app-01_OsDisk_1", "managed_by", "/subscriptions/"+testSub+"/resourcegroups/acme-prod-app/providers/microsoft.compute/virtualmachines/acme-app-01")
	check(typeDisk+" acme-legacy-data", "encryption_type", "EncryptionAtRestWithPlatformKey")
	check(typeDisk+" acme-legacy-data", "disk_state", "Unattached")
	check(typeDisk+" acme-legacy-data", "managed_by", "")
	// Left out of the response: no encryption type, and the API's defaults.
	check(typeDisk+" acme-legacy-01_OsDisk_1", "encryption_type", "")
	check(typeDisk+" acme-legacy-01_OsDisk_1", "network_access_policy", "AllowAll")
	check(typeDisk+" acme-legacy-01_OsDisk_1", "public_network_access", "Enabled")
	check(typeClassicAdmins+" classic administrators", "service_administrators", 1)
	check(typeClassicAdmins+" classic administrators", "co_administrators", 1)
	check(typeClassicAdmins+" classic administrators", "administrators", []any{"CoAdministrator:contractor@partner.example", "ServiceAdministrator:it-admin@acme-demo.example"})
	check(typeVM+" acme-app-01", "protected", true)
	check(typeVM+" acme-app-01", "protection_state", "Protected")
	check(typeVM+" acme-app-01", "last_backup_status", "Completed")
	check(typeVM+" acme-app-01", "encryption_at_host", true)
	check(typeVM+" acme-app-01", "vault", "/subscriptions/"+testSub+"/resourcegroups/acme-prod-sec/providers/microsoft.recoveryservices/vaults/acme-prod-rsv")
	check(typeVM+" acme-legacy-01", "protected", false)
	check(typeVM+" acme-legacy-01", "protection_state", "ProtectionStopped")
	check(typeVM+" acme-legacy-01", "encryption_at_host", false)
	if at, err := time.Parse(time.RFC3339, fmt.Sprint(got[typeVM+" acme-app-01"].Attributes["last_backup_at"])); err != nil || time.Since(at) > 25*time.Hour || time.Since(at) < time.Hour {
		t.Errorf("acme-app-01 last_backup_at %v: %v", at, err)
	}
	// The resource group Owner does not count; the management group's does.
	check(typeSubscriptionAdmins+" subscription administrators", "owners", 2)
	check(typeSubscriptionAdmins+" subscription administrators", "user_access_administrators", 1)
}

func equal(a, b any) bool {
	as, aok := a.([]any)
	bs, bok := b.([]any)
	if aok && bok {
		return slices.EqualFunc(as, bs, func(x, y any) bool { return x == y })
	}
	return a == b
}

// TestEmpty: a subscription with nothing is complete with no resources,
// and the subscription-level settings say nothing is exported or on.
func TestEmpty(t *testing.T) {
	t.Parallel()
	st := &azurefake.State{Token: azurefake.DemoToken, Subscriptions: []azurefake.Subscription{{ID: testSub, DisplayName: "empty", State: "Enabled"}}}
	src := testSource(serve(t, st, nil), 0, 1, 10*time.Second)
	for _, c := range src.Collectors() {
		s, err := collect(t, src, c.Describe().ID, nil)
		if err != nil || len(s.Failures) > 0 {
			t.Fatalf("%s: %v %v", c.Describe().ID, err, s.Failures)
		}
		for _, r := range s.Resources {
			switch r.Type {
			case typeActivityLog:
				if r.Attributes["exported"] != false {
					t.Errorf("activity log exported = %v", r.Attributes["exported"])
				}
			case typeDefender:
				if len(r.Attributes["standard_plans"].([]any)) != 0 {
					t.Errorf("standard plans = %v", r.Attributes["standard_plans"])
				}
			case typeClassicAdmins:
				if r.Attributes["co_administrators"] != 0 || r.Attributes["service_administrators"] != 0 {
					t.Errorf("classic administrators = %v", r.Attributes)
				}
			case typeSubscriptionAdmins:
				if r.Attributes["owners"] != 0 {
					t.Errorf("owners = %v", r.Attributes["owners"])
				}
			case typeSubscription:
			default:
				t.Errorf("%s: unexpected %s %s", c.Describe().ID, r.Type, r.ID)
			}
		}
	}
}

// TestNotRegistered: a subscription not registered for Microsoft.Sql holds
// no SQL servers; the listing is complete and the skip is recorded.
func TestNotRegistered(t *testing.T) {
	t.Parallel()
	st := azurefake.Demo()
	st.Subscriptions[0].Unregistered = []string{"Microsoft.Sql"}
	src := testSource(serve(t, st, nil), 0, 1, 10*time.Second)
	s, err := collect(t, src, "azure.sql", nil)
	if err != nil || len(s.Failures) > 0 || len(s.Resources) > 0 {
		t.Fatalf("err %v failures %v resources %d", err, s.Failures, len(s.Resources))
	}
	if len(s.Skipped) != 1 || s.Skipped[0].Resource != "Microsoft.Sql" {
		t.Errorf("skipped = %v", s.Skipped)
	}
}

// TestListingFailures: a listing that is denied, not found, throttled or
// failing fails the run, never an empty estate; a denial names the action
// Azure names.
func TestListingFailures(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		h    http.HandlerFunc
		kind evidence.FailureKind
		perm string
	}{
		{"denied", denied("Microsoft.Storage/storageAccounts/read"), evidence.Denied, "Microsoft.Storage/storageAccounts/read"},
		{"not found", armError(http.StatusNotFound, "SubscriptionNotFound", "The subscription '"+testSub+"' could not be found.", nil), evidence.Errored, ""},
		{"server error", armError(http.StatusInternalServerError, "InternalServerError", "Encountered internal server error.", nil), evidence.Errored, ""},
		{"throttled", armError(http.StatusTooManyRequests, "SubscriptionRequestsThrottled", "Number of 'read' requests for subscription exceeded the limit.", map[string]string{"Retry-After": "3600"}), evidence.Throttled, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := serve(t, azurefake.Demo(), map[string]http.HandlerFunc{opStorageAccountsList: tc.h})
			start := time.Now()
			s, err := collect(t, testSource(srv, 2, 1, 10*time.Second), "azure.storage", nil)
			if err == nil || len(s.Resources) > 0 {
				t.Fatalf("err %v, %d resources: a failed listing must fail the run", err, len(s.Resources))
			}
			f := collectors.FailureOf(err, "")
			if f.Kind != tc.kind || f.Permission != tc.perm {
				t.Errorf("failure %s (needs %q), want %s (needs %q): %v", f.Kind, f.Permission, tc.kind, tc.perm, err)
			}
			if tc.kind == evidence.Throttled && (time.Since(start) > 5*time.Second || !strings.Contains(err.Error(), "asked to wait 1h0m0s, more than the configured bound of 1s")) {
				t.Errorf("throttled after %s: %v", time.Since(start), err)
			}
		})
	}
}

// TestThrottledThenServed: a 429 whose Retry-After is within the bound is
// waited out and retried.
func TestThrottledThenServed(t *testing.T) {
	t.Parallel()
	var n atomic.Int32
	fake := azurefake.NewHandler(azurefake.Demo())
	srv := serve(t, azurefake.Demo(), map[string]http.HandlerFunc{opVaultsList: counting(&n, func(w http.ResponseWriter, r *http.Request) {
		if n.Load() == 1 {
			armError(http.StatusTooManyRequests, "SubscriptionRequestsThrottled", "Number of 'read' requests for subscription exceeded the limit.", map[string]string{"Retry-After": "1"})(w, r)
			return
		}
		fake.ServeHTTP(w, r)
	})})
	s, err := collect(t, testSource(srv, 2, 5, 10*time.Second), "azure.keyvault", nil)
	if err != nil || len(s.Resources) != 1 || n.Load() != 2 {
		t.Fatalf("err %v, %d resources, %d requests", err, len(s.Resources), n.Load())
	}
}

// TestThrottledRetriesRunOut: a subscription that stays throttled ends as
// throttled after the bounded retries.
func TestThrottledRetriesRunOut(t *testing.T) {
	t.Parallel()
	var n atomic.Int32
	srv := serve(t, azurefake.Demo(), map[string]http.HandlerFunc{opNSGList: counting(&n, armError(http.StatusTooManyRequests, "SubscriptionRequestsThrottled", "Number of 'read' requests for subscription exceeded the limit.", map[string]string{"Retry-After": "1"}))})
	_, err := collect(t, testSource(srv, 1, 5, 10*time.Second), "azure.network", nil)
	if collectors.Classify(err) != evidence.Throttled || n.Load() != 2 || !strings.Contains(err.Error(), "still limited after waiting") {
		t.Fatalf("%s after %d requests: %v", collectors.Classify(err), n.Load(), err)
	}
}

// TestHangingAndCancelled: a call that never answers ends at its deadline
// as a timeout; a cancelled run ends at once as cancelled.
func TestHangingAndCancelled(t *testing.T) {
	t.Parallel()
	started := make(chan struct{}, 1)
	srv := serve(t, azurefake.Demo(), map[string]http.HandlerFunc{opDiagnosticSettingsList: hang(started)})
	_, err := collect(t, testSource(srv, 0, 1, 300*time.Millisecond), "azure.activitylog", nil)
	if k := collectors.Classify(err); k != evidence.Timeout {
		t.Errorf("hanging: %s: %v", k, err)
	}
	start := time.Now()
	_, err = collect(t, testSource(srv, 3, 60, time.Minute), "azure.activitylog", started)
	if k := collectors.Classify(err); k != evidence.Cancelled || time.Since(start) > 5*time.Second {
		t.Errorf("cancelled: %s after %s: %v", k, time.Since(start), err)
	}
}

// TestSQLPartial: a denied auditing read and a failed TDE read leave gaps
// on the server and database and are reported; the run is partial.
func TestSQLPartial(t *testing.T) {
	t.Parallel()
	srv := serve(t, azurefake.Demo(), map[string]http.HandlerFunc{
		opSQLAuditingGet: denied(opSQLAuditingGet),
		opSQLTDEGet:      armError(http.StatusInternalServerError, "InternalServerError", "Encountered internal server error.", nil),
	})
	s, err := collect(t, testSource(srv, 0, 1, 10*time.Second), "azure.sql", nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Failures) != 2 {
		t.Fatalf("failures = %v", s.Failures)
	}
	srvs, dbs := s.ByType(typeSQLServer), s.ByType(typeSQLDatabase)
	if len(srvs) != 1 || len(srvs[0].Gaps) != 1 || srvs[0].Gaps[0].Attribute != "auditing_enabled" || srvs[0].Gaps[0].Permission != opSQLAuditingGet {
		t.Errorf("server gaps = %+v", srvs)
	}
	if len(dbs) != 1 || len(dbs[0].Gaps) != 1 || dbs[0].Gaps[0].Attribute != "tde_enabled" || dbs[0].Attributes["backup_retention_days"] != 14 {
		t.Errorf("database gaps = %+v", dbs)
	}
}

// TestPlan: subscriptions under a management group are found; a group that
// cannot be read fails the plan.
func TestPlan(t *testing.T) {
	t.Parallel()
	srv := serve(t, azurefake.Demo(), nil)
	src := NewSource(Config{ManagementGroups: []string{azurefake.DemoManagementGroup}, Endpoint: srv.URL, HTTPClient: srv.Client(),
		Credential: azurefake.Credential{Token: azurefake.DemoToken}})
	jobs, err := src.Plan(t.Context(), func(id string) bool { return id == "azure.storage" })
	if err != nil || len(jobs) != 1 || jobs[0].Target.Account != testSub {
		t.Fatalf("jobs %v, err %v", jobs, err)
	}
	bad := NewSource(Config{ManagementGroups: []string{"nowhere"}, Endpoint: srv.URL, HTTPClient: srv.Client(),
		Credential: azurefake.Credential{Token: azurefake.DemoToken}})
	if _, err := bad.Plan(t.Context(), func(string) bool { return true }); err == nil {
		t.Error("an unknown management group planned")
	}
	wrong := NewSource(Config{Subscriptions: []string{testSub}, Endpoint: srv.URL, HTTPClient: srv.Client(),
		Credential: azurefake.Credential{Token: "stolen"}})
	s, err := collect(t, wrong, "azure.subscriptions", nil)
	if collectors.Classify(err) != evidence.Denied || len(s.Resources) > 0 {
		t.Errorf("wrong token: %v", err)
	}
}

func TestValidate(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		cfg  Config
		want string
	}{
		{Config{}, "subscriptions or management_groups"},
		{Config{Subscriptions: []string{"acme-prod"}}, "not a subscription ID"},
		{Config{Subscriptions: []string{testSub}, Cloud: "mars"}, "cloud"},
		{Config{Subscriptions: []string{testSub}, Endpoint: "ftp://x"}, "endpoint"},
		{Config{Subscriptions: []string{testSub}, Endpoint: "http://arm.example.com"}, "unencrypted"},
		{Config{Subscriptions: []string{testSub}, Endpoint: "http://127.0.0.1:8080"}, ""},
		{Config{Subscriptions: []string{testSub}, Endpoint: "https://management.local.azurestack.external"}, ""},
		{Config{Subscriptions: []string{testSub}, RestrictedPorts: []int{70000}}, "out of range"},
		{Config{Subscriptions: []string{testSub}, Cloud: "china"}, ""},
	} {
		err := tc.cfg.Validate()
		if (tc.want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("%+v: %v, want %q", tc.cfg, err, tc.want)
		}
	}
}

// TestOperations: every route the collectors call is named by the action
// the collector declares.
func TestOperations(t *testing.T) {
	t.Parallel()
	for path, want := range map[string]string{
		"/subscriptions/x":           opSubscriptionGet,
		"/subscriptions/x/resources": opResourcesList,
		"/subscriptions/x/resourceGroups/g/providers/Microsoft.Sql/servers/s/databases/d/transparentDataEncryption/current": opSQLTDEGet,
		"/subscriptions/x/resourceGroups/g/providers/Microsoft.Sql/servers/s/auditingSettings/default":                      opSQLAuditingGet,
		"/subscriptions/x/providers/Microsoft.Insights/diagnosticSettings":                                                  opDiagnosticSettingsList,
		"/providers/Microsoft.Management/managementGroups/g/descendants":                                                    opDescendants,
		"/subscriptions/x/resourceGroups/g/providers/Microsoft.KeyVault/vaults/v/keys":                                      opKeysList,
		"/subscriptions/x/providers/Microsoft.Compute/disks":                                                                opDisksList,
		"/subscriptions/x/providers/Microsoft.Authorization/classicAdministrators":                                          opClassicAdminsList,
		"/subscriptions/x/providers/Microsoft.Compute/virtualMachines":                                                      opVMsList,
		"/subscriptions/x/providers/Microsoft.RecoveryServices/vaults":                                                      opRecoveryVaultsList,
		"/subscriptions/x/resourceGroups/g/providers/Microsoft.RecoveryServices/vaults/v/backupProtectedItems":              opProtectedItemsList,
	} {
		if got := actionOf(path); !strings.EqualFold(got, want) {
			t.Errorf("%s: %s, want %s", path, got, want)
		}
	}
}

func TestPolicy(t *testing.T) {
	t.Parallel()
	src := NewSource(Config{})
	var ds []collectors.Descriptor
	for _, c := range src.Collectors() {
		ds = append(ds, c.Describe())
	}
	b, err := Policy(ds)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"IsCustom": true`, `"Microsoft.Storage/storageAccounts/read"`, `"Microsoft.Sql/servers/databases/transparentDataEncryption/read"`,
		`"NotActions": []`, `"/subscriptions/{subscriptionId}"`, `"Microsoft.Management/managementGroups/descendants/read"`, `"Microsoft.Compute/disks/read"`,
		`"Microsoft.RecoveryServices/vaults/backupProtectedItems/read"`, `"Microsoft.Compute/virtualMachines/read"`,
		`"Microsoft.Authorization/classicAdministrators/read"`, `"Microsoft.RecoveryServices/vaults/read"`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("policy lacks %s:\n%s", want, b)
		}
	}
	if strings.Contains(string(b), "write") || strings.Contains(string(b), "*") {
		t.Errorf("policy grants more than reads:\n%s", b)
	}
}

// TestExposure: rule priorities decide; a deny from the internet shadows
// a later allow; narrower sources and UDP do not open a port.
func TestExposure(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		rules string
		want  []any
	}{
		{"deny first", `[{"name":"deny-ssh","properties":{"protocol":"Tcp","access":"Deny","direction":"Inbound","priority":100,"sourceAddressPrefix":"Internet","destinationPortRange":"22"}},{"name":"allow-all","properties":{"protocol":"*","access":"Allow","direction":"Inbound","priority":200,"sourceAddressPrefix":"*","destinationPortRange":"*"}}]`, []any{"1433", "3306", "3389", "5432", "6379", "27017"}},
		{"narrow and udp", `[{"name":"office","properties":{"protocol":"Tcp","access":"Allow","direction":"Inbound","priority":100,"sourceAddressPrefix":"203.0.113.0/24","destinationPortRange":"22"}},{"name":"dns","properties":{"protocol":"Udp","access":"Allow","direction":"Inbound","priority":110,"sourceAddressPrefix":"*","destinationPortRange":"1-65535"}}]`, []any{}},
		{"ranges", `[{"name":"db","properties":{"protocol":"Tcp","access":"Allow","direction":"Inbound","priority":100,"sourceAddressPrefixes":["10.0.0.0/8","0.0.0.0/0"],"destinationPortRanges":["5000-5500","80"]}}]`, []any{"5432"}},
	}
	for _, tc := range cases {
		rules := decodeRules(t, tc.rules)
		got, _ := exposure(rules, NewSource(Config{}).cfg.RestrictedPorts)
		if !equal(got, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}

func decodeRules(t *testing.T, s string) []*armnetwork.SecurityRule {
	t.Helper()
	var rules []*armnetwork.SecurityRule
	if err := json.Unmarshal([]byte(s), &rules); err != nil {
		t.Fatal(err)
	}
	return rules
}

func TestLowestTLS(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"TLSv1.2": "1.2", "TLSv1.2,TLSv1.3": "1.2", "TLSv1,TLSv1.1,TLSv1.2": "1.0", "": "", "TLSv1.3": "1.3"} {
		if got := lowestTLS(in); got != want {
			t.Errorf("lowestTLS(%q) = %q, want %q", in, got, want)
		}
	}
}
