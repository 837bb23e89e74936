package azure

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
	"github.com/attestdev/attest/internal/fake/azurefake"
)

// listings are the subscription-wide listings of the disk, backup and
// classic administrator collectors: the collector and the action of the
// listing that must never read as an empty estate when it fails.
var listings = []struct{ collector, action string }{
	{"azure.compute.disks", opDisksList},
	{"azure.backup", opVMsList},
	{"azure.backup", opRecoveryVaultsList},
	{"azure.authorization.classic", opClassicAdminsList},
}

// TestListingsFail: each listing that is denied (403 naming the action),
// absent (404), throttled past the bound (429 with Retry-After), hanging
// or cancelled fails the run with no resources.
func TestListingsFail(t *testing.T) {
	t.Parallel()
	for _, l := range listings {
		for _, tc := range []struct {
			name string
			h    http.HandlerFunc
			kind evidence.FailureKind
			perm string
		}{
			{"denied", denied(l.action), evidence.Denied, l.action},
			{"not found", armError(http.StatusNotFound, "SubscriptionNotFound", "The subscription '"+testSub+"' could not be found.", nil), evidence.Errored, ""},
			{"throttled", armError(http.StatusTooManyRequests, "SubscriptionRequestsThrottled", "Number of 'read' requests for subscription exceeded the limit.", map[string]string{"Retry-After": "3600"}), evidence.Throttled, ""},
		} {
			t.Run(l.collector+" "+tc.name, func(t *testing.T) {
				t.Parallel()
				srv := serve(t, azurefake.Demo(), map[string]http.HandlerFunc{l.action: tc.h})
				start := time.Now()
				s, err := collect(t, testSource(srv, 2, 1, 10*time.Second), l.collector, nil)
				if err == nil || len(s.Resources) > 0 {
					t.Fatalf("err %v, %d resources: a failed listing must fail the run", err, len(s.Resources))
				}
				f := collectors.FailureOf(err, "")
				if f.Kind != tc.kind || f.Permission != tc.perm {
					t.Errorf("failure %s (needs %q), want %s (needs %q): %v", f.Kind, f.Permission, tc.kind, tc.perm, err)
				}
				if tc.kind == evidence.Throttled && (time.Since(start) > 5*time.Second || !strings.Contains(err.Error(), "more than the configured bound of 1s")) {
					t.Errorf("throttled after %s: %v", time.Since(start), err)
				}
			})
		}
		t.Run(l.collector+" hanging and cancelled", func(t *testing.T) {
			t.Parallel()
			started := make(chan struct{}, 1)
			srv := serve(t, azurefake.Demo(), map[string]http.HandlerFunc{l.action: hang(started)})
			s, err := collect(t, testSource(srv, 0, 1, 300*time.Millisecond), l.collector, nil)
			if k := collectors.Classify(err); k != evidence.Timeout || len(s.Resources) > 0 {
				t.Errorf("hanging: %s, %d resources: %v", k, len(s.Resources), err)
			}
			start := time.Now()
			s, err = collect(t, testSource(srv, 3, 60, time.Minute), l.collector, started)
			if k := collectors.Classify(err); k != evidence.Cancelled || len(s.Resources) > 0 || time.Since(start) > 5*time.Second {
				t.Errorf("cancelled: %s after %s: %v", k, time.Since(start), err)
			}
		})
	}
}
