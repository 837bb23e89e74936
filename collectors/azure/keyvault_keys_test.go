package azure

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/keyvault/armkeyvault"
	"github.com/google/go-cmp/cmp"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
	"github.com/attestdev/attest/internal/fake/azurefake"
)

const demoVault = "/subscriptions/" + testSub + "/resourcegroups/acme-prod-sec/providers/microsoft.keyvault/vaults/acme-prod-kv"

// TestVaultKeys reads the demo vault's keys one a page (three pages).
func TestVaultKeys(t *testing.T) {
	t.Parallel()
	st := azurefake.Demo()
	st.PageSize = 1
	s, err := collect(t, testSource(serve(t, st, nil), 0, 1, 10*time.Second), "azure.keyvault.keys", nil)
	if err != nil || len(s.Failures) > 0 {
		t.Fatalf("err %v, failures %v", err, s.Failures)
	}
	key := func(name string, enabled, rotation bool, days int, exp string) evidence.Resource {
		return evidence.Resource{Type: typeKey, ID: demoVault + "/keys/" + name, Name: name, Account: testSub, Region: "germanywestcentral",
			Attributes: map[string]any{"vault": "acme-prod-kv", "enabled": enabled, "rotation_enabled": rotation, "rotate_after_days": days, "expires_at": exp}}
	}
	want := []evidence.Resource{
		key("storage-cmk", true, true, 365, ""),
		key("token-signing", true, false, 0, "2027-06-30T00:00:00Z"),
		key("legacy-2019", false, false, 0, ""),
	}
	got := s.ByType(typeKey)
	for i := range got {
		got[i].Records = nil
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("keys (-want +got):\n%s", diff)
	}
}

// TestVaultKeysEmpty: a vault without keys yields none, completely.
func TestVaultKeysEmpty(t *testing.T) {
	t.Parallel()
	st := azurefake.Demo()
	st.Subscriptions[0].VaultKeys = nil
	s, err := collect(t, testSource(serve(t, st, nil), 0, 1, 10*time.Second), "azure.keyvault.keys", nil)
	if err != nil || len(s.Failures) > 0 || len(s.Resources) > 0 {
		t.Fatalf("err %v, failures %v, resources %v", err, s.Failures, s.Resources)
	}
}

// TestVaultKeysFailures: a vault whose keys cannot be listed is a failure
// on that vault (the run is partial), never a vault without keys; a
// failed vault listing fails the run.
func TestVaultKeysFailures(t *testing.T) {
	t.Parallel()
	throttled := armError(http.StatusTooManyRequests, "TooManyRequests", "The request was throttled.", map[string]string{"Retry-After": "3600"})
	for _, tc := range []struct {
		name string
		op   string
		h    http.HandlerFunc
		kind evidence.FailureKind
		perm string
		run  bool // the whole run fails
	}{
		{"keys denied", opKeysList, denied(opKeysList), evidence.Denied, opKeysList, false},
		{"vault gone", opKeysList, armError(http.StatusNotFound, "ResourceNotFound", "The Resource 'Microsoft.KeyVault/vaults/acme-prod-kv' under resource group 'acme-prod-sec' was not found.", nil), evidence.Errored, "", false},
		{"keys throttled", opKeysList, throttled, evidence.Throttled, "", false},
		{"vaults denied", opVaultsList, denied(opVaultsList), evidence.Denied, opVaultsList, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := serve(t, azurefake.Demo(), map[string]http.HandlerFunc{tc.op: tc.h})
			s, err := collect(t, testSource(srv, 1, 1, 10*time.Second), "azure.keyvault.keys", nil)
			if len(s.Resources) > 0 {
				t.Fatalf("%d keys emitted from a failed listing", len(s.Resources))
			}
			var f evidence.Failure
			switch {
			case tc.run && err != nil:
				f = collectors.FailureOf(err, "")
			case !tc.run && err == nil && len(s.Failures) == 1:
				f = s.Failures[0]
				if f.Resource != demoVault {
					t.Errorf("failure on %q, want the vault", f.Resource)
				}
			default:
				t.Fatalf("err %v, failures %v", err, s.Failures)
			}
			if f.Kind != tc.kind || f.Permission != tc.perm {
				t.Errorf("failure %s (needs %q), want %s (needs %q)", f.Kind, f.Permission, tc.kind, tc.perm)
			}
		})
	}
}

// TestVaultKeysHangingAndCancelled: a keys listing that never answers is a
// timeout on the vault; a cancelled run ends as cancelled.
func TestVaultKeysHangingAndCancelled(t *testing.T) {
	t.Parallel()
	started := make(chan struct{}, 1)
	srv := serve(t, azurefake.Demo(), map[string]http.HandlerFunc{opKeysList: hang(started)})
	s, err := collect(t, testSource(srv, 0, 1, 300*time.Millisecond), "azure.keyvault.keys", nil)
	if err != nil || len(s.Failures) != 1 || s.Failures[0].Kind != evidence.Timeout || len(s.Resources) > 0 {
		t.Errorf("hanging: err %v, failures %v, %d keys", err, s.Failures, len(s.Resources))
	}
	start := time.Now()
	_, err = collect(t, testSource(srv, 3, 60, time.Minute), "azure.keyvault.keys", started)
	if !errors.Is(err, context.Canceled) || collectors.Classify(err) != evidence.Cancelled || time.Since(start) > 5*time.Second {
		t.Errorf("cancelled: %s after %s: %v", collectors.Classify(err), time.Since(start), err)
	}
}

// TestUnreadableRotationIsAGap: a rotation period that is not an ISO 8601
// duration of days leaves rotate_after_days unknown, never a pass.
func TestUnreadableRotationIsAGap(t *testing.T) {
	t.Parallel()
	st := azurefake.Demo()
	st.Subscriptions[0].VaultKeys = map[string][]azurefake.Object{"acme-prod-kv": {
		azurefake.VaultKey(demoVault, "odd", true, time.Time{}, "PT12H"),
	}}
	s, err := collect(t, testSource(serve(t, st, nil), 0, 1, 10*time.Second), "azure.keyvault.keys", nil)
	if err != nil || len(s.Resources) != 1 {
		t.Fatalf("err %v, %d keys", err, len(s.Resources))
	}
	r := s.Resources[0]
	if _, ok := r.Attributes["rotate_after_days"]; ok || r.Attributes["rotation_enabled"] != true || len(r.Gaps) != 1 || r.Gaps[0].Attribute != "rotate_after_days" {
		t.Errorf("attributes %v, gaps %v", r.Attributes, r.Gaps)
	}
}

func TestISODays(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]int{"P90D": 90, "P1Y": 365, "P6M": 186, "P2W": 14, "P1Y6M": 551, "p30d": 30, "P0D": 0} {
		if got, err := isoDays(in); err != nil || got != want {
			t.Errorf("isoDays(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "P", "PT12H", "P1DT1H", "90", "P-1D", "P1.5Y", "P99999999999D"} {
		if got, err := isoDays(in); err == nil {
			t.Errorf("isoDays(%q) = %d, want an error", in, got)
		}
	}
}

func TestRotateAfter(t *testing.T) {
	t.Parallel()
	expiry := &armkeyvault.KeyRotationPolicyAttributes{ExpiryTime: to.Ptr("P1Y")}
	for _, tc := range []struct {
		name string
		t    *armkeyvault.Trigger
		a    *armkeyvault.KeyRotationPolicyAttributes
		want int
		err  bool
	}{
		{"after create", &armkeyvault.Trigger{TimeAfterCreate: to.Ptr("P90D")}, nil, 90, false},
		{"before expiry", &armkeyvault.Trigger{TimeBeforeExpiry: to.Ptr("P30D")}, expiry, 335, false},
		{"before expiry without expiry", &armkeyvault.Trigger{TimeBeforeExpiry: to.Ptr("P30D")}, nil, 0, true},
		{"no trigger", nil, expiry, 0, true},
	} {
		got, err := rotateAfter(tc.t, tc.a)
		if got != tc.want || (err != nil) != tc.err {
			t.Errorf("%s: %d, %v; want %d (error %v)", tc.name, got, err, tc.want, tc.err)
		}
	}
}
