package azure

import (
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
	"github.com/attestdev/attest/internal/fake/azurefake"
)

// TestBackupVaultItemsFail: a vault whose protected items cannot be read
// (denied, absent, throttled, hanging) is reported, and a VM no other
// vault protects gets gaps instead of protected = false; a VM another
// vault protects keeps its protection.
func TestBackupVaultItemsFail(t *testing.T) {
	t.Parallel()
	legacyOnly := func(h http.HandlerFunc) http.HandlerFunc {
		fake := azurefake.NewHandler(azurefake.Demo())
		return func(w http.ResponseWriter, r *http.Request) {
			if strings.Contains(r.URL.Path, "acme-legacy-rsv") {
				h(w, r)
				return
			}
			fake.ServeHTTP(w, r)
		}
	}
	for _, tc := range []struct {
		name string
		h    http.HandlerFunc
		kind evidence.FailureKind
		perm string
	}{
		{"denied", denied(opProtectedItemsList), evidence.Denied, opProtectedItemsList},
		{"not found", armError(http.StatusNotFound, "ResourceNotFound", "The Resource 'Microsoft.RecoveryServices/vaults/acme-legacy-rsv' under resource group 'acme-legacy' was not found.", nil), evidence.Errored, ""},
		{"throttled", armError(http.StatusTooManyRequests, "SubscriptionRequestsThrottled", "Number of 'read' requests for subscription exceeded the limit.", map[string]string{"Retry-After": "3600"}), evidence.Throttled, ""},
		{"hanging", hang(nil), evidence.Timeout, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := serve(t, azurefake.Demo(), map[string]http.HandlerFunc{opProtectedItemsList: legacyOnly(tc.h)})
			s, err := collect(t, testSource(srv, 0, 1, 500*time.Millisecond), "azure.backup", nil)
			if err != nil {
				t.Fatalf("a vault's items failing fails the vault, not the run: %v", err)
			}
			if len(s.Failures) != 1 || s.Failures[0].Kind != tc.kind || s.Failures[0].Permission != tc.perm || !strings.HasSuffix(s.Failures[0].Resource, "/vaults/acme-legacy-rsv") {
				t.Fatalf("failures = %+v, want one %s on the legacy vault", s.Failures, tc.kind)
			}
			vms := map[string]evidence.Resource{}
			for _, r := range s.ByType(typeVM) {
				vms[r.Name] = r
			}
			if app := vms["acme-app-01"]; app.Attributes["protected"] != true || len(app.Gaps) != 0 {
				t.Errorf("acme-app-01: %v, gaps %v", app.Attributes, app.Gaps)
			}
			legacy := vms["acme-legacy-01"]
			if _, ok := legacy.Attributes["protected"]; ok || len(legacy.Gaps) != 5 || legacy.Gaps[0].Kind != tc.kind {
				t.Errorf("acme-legacy-01: %v, gaps %+v: an unread vault must leave protection unknown", legacy.Attributes, legacy.Gaps)
			}
		})
	}
}

// TestBackupCancelled: a run cancelled while reading a vault's items ends
// cancelled, with no VMs.
func TestBackupCancelled(t *testing.T) {
	t.Parallel()
	started := make(chan struct{}, 1)
	srv := serve(t, azurefake.Demo(), map[string]http.HandlerFunc{opProtectedItemsList: hang(started)})
	start := time.Now()
	s, err := collect(t, testSource(srv, 3, 60, time.Minute), "azure.backup", started)
	if k := collectors.Classify(err); k != evidence.Cancelled || len(s.Resources) > 0 || time.Since(start) > 5*time.Second {
		t.Errorf("cancelled: %s, %d resources after %s: %v", k, len(s.Resources), time.Since(start), err)
	}
}

// TestBackupItems: unprotected, stopped, failed and unrelated items, and
// the better of two items for one VM.
func TestBackupItems(t *testing.T) {
	t.Parallel()
	st := azurefake.Demo()
	sub := &st.Subscriptions[0]
	rg := "/subscriptions/" + testSub + "/resourceGroups/acme-prod-app"
	sub.VirtualMachines = append(sub.VirtualMachines, azurefake.Demo().Subscriptions[0].VirtualMachines[0])
	sub.VirtualMachines[2]["id"], sub.VirtualMachines[2]["name"] = rg+"/providers/Microsoft.Compute/virtualMachines/acme-app-02", "acme-app-02"
	// A SQL-in-VM workload item is no VM backup; acme-app-02 has no item.
	vault := &sub.RecoveryVaults[0]
	vault.ProtectedItems = append(vault.ProtectedItems, azurefake.Object{"id": "x", "name": "SQLDataBase;mssqlserver;orders", "properties": azurefake.Object{
		"protectedItemType": "AzureVmWorkloadSQLDatabase", "backupManagementType": "AzureWorkload", "workloadType": "SQLDataBase",
		"sourceResourceId": rg + "/providers/Microsoft.Compute/virtualMachines/acme-app-02", "protectionState": "Protected"}})
	// A stopped item in another vault with a later backup does not hide
	// acme-app-01's protecting one.
	stopped := azurefake.Demo().Subscriptions[0].RecoveryVaults[1].ProtectedItems[0]
	props := stopped["properties"].(azurefake.Object)
	props["sourceResourceId"], props["lastBackupTime"] = rg+"/providers/Microsoft.Compute/virtualMachines/acme-app-01", time.Now().UTC().Format(time.RFC3339)
	sub.RecoveryVaults[1].ProtectedItems = append(sub.RecoveryVaults[1].ProtectedItems, stopped)
	srv := serve(t, st, nil)
	s, err := collect(t, testSource(srv, 0, 1, 10*time.Second), "azure.backup", nil)
	if err != nil || len(s.Failures) > 0 {
		t.Fatalf("%v %v", err, s.Failures)
	}
	for _, r := range s.ByType(typeVM) {
		want := map[string]bool{"acme-app-01": true, "acme-app-02": false, "acme-legacy-01": false}[r.Name]
		if r.Attributes["protected"] != want {
			t.Errorf("%s protected = %v, want %v", r.Name, r.Attributes["protected"], want)
		}
		if r.Name == "acme-app-01" && (r.Attributes["protection_state"] != "Protected" || !strings.HasSuffix(r.Attributes["vault"].(string), "/acme-prod-rsv")) {
			t.Errorf("acme-app-01: %v", r.Attributes)
		}
		if r.Name == "acme-app-02" && (r.Attributes["vault"] != "" || r.Attributes["last_backup_at"] != "") {
			t.Errorf("acme-app-02: %v", r.Attributes)
		}
	}
	if len(s.ByType(typeVM)) != 3 {
		t.Errorf("%d VMs", len(s.ByType(typeVM)))
	}
}

// TestBackupRecordsInVaultOrder: through the real runner, the VMs'
// records do not depend on which vault's items answered first.
func TestBackupRecordsInVaultOrder(t *testing.T) {
	t.Parallel()
	var slow atomic.Value
	fake := azurefake.NewHandler(azurefake.Demo())
	srv := serve(t, azurefake.Demo(), map[string]http.HandlerFunc{opProtectedItemsList: func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(r.URL.Path, slow.Load().(string)) {
			time.Sleep(200 * time.Millisecond)
		}
		fake.ServeHTTP(w, r)
	}})
	src := testSource(srv, 0, 1, 10*time.Second)
	jobs, err := src.Plan(t.Context(), func(id string) bool { return id == "azure.backup" })
	if err != nil {
		t.Fatal(err)
	}
	var runs [][]string
	for _, vault := range []string{"acme-prod-rsv", "acme-legacy-rsv"} {
		slow.Store(vault)
		dir := t.TempDir()
		w, err := evidence.Create(dir)
		if err != nil {
			t.Fatal(err)
		}
		r := &collectors.Runner{Writer: w, Now: func() time.Time { return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) }, Log: slog.New(slog.DiscardHandler)}
		r.Run(t.Context(), jobs)
		if err := w.Close(evidence.Manifest{}); err != nil {
			t.Fatal(err)
		}
		b, err := evidence.Open(dir)
		if err != nil || len(b.Resources) == 0 {
			t.Fatalf("%v, %d resources", err, len(b.Resources))
		}
		runs = append(runs, b.Resources[0].Records)
	}
	if !slices.Equal(runs[0], runs[1]) || len(runs[0]) != 4 {
		t.Errorf("records differ with the order the vaults answered in:\n%v\n%v", runs[0], runs[1])
	}
}
