package workspace

import (
	"context"
	"errors"
	"net/url"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
	"github.com/attestdev/attest/collectors/internal/gcptest"
)

func TestDriveSharingCollector(t *testing.T) {
	t.Parallel()
	filter := `customer == "customers/my_customer" && setting.type.matches('^settings/drive_and_docs\\.external_sharing$')`
	list := gcptest.Key("GET", "/v1/policies", url.Values{"filter": {filter}})
	page2 := gcptest.Key("GET", "/v1/policies", url.Values{"filter": {filter}, "pageToken": {"CiQKIgogMDNwaDhhMnoxZW54NGx4"}})
	root := evidence.Resource{Type: typeDriveSharing, ID: "policies/ahv4hg7qc24kvaghb7zihwf4riid4", Name: "orgUnits/03ph8a2z1enx4lx", Account: "my_customer",
		Attributes: map[string]any{"org_unit": "orgUnits/03ph8a2z1enx4lx", "group": "", "policy_type": "ADMIN",
			"external_sharing_mode": "ALLOWLISTED_DOMAINS", "warn_for_external_sharing": true, "allow_publishing_files": false}}
	group := evidence.Resource{Type: typeDriveSharing, ID: "policies/ahv4hg7qc24kvaghb7zihwf4t5m2x", Name: "groups/01x0gk373ah1m8k", Account: "my_customer",
		Attributes: map[string]any{"org_unit": "", "group": "groups/01x0gk373ah1m8k", "policy_type": "ADMIN",
			"external_sharing_mode": "ALLOWED", "warn_for_external_sharing": false, "allow_publishing_files": true}}
	blockReply, started := gcptest.Blocking()
	tests := []struct {
		name    string
		fx      gcptest.Fixtures
		started chan struct{}
		wantErr evidence.FailureKind
		wantPer string
		want    []evidence.Resource
	}{
		{name: "happy", fx: gcptest.Fixtures{list: {Body: "policies_drive_sharing.json"}}, want: []evidence.Resource{root, group}},
		{name: "two pages", fx: gcptest.Fixtures{list: {Body: "policies_drive_sharing_page1.json"}, page2: {Body: "policies_drive_sharing_page2.json"}},
			want: []evidence.Resource{root, group}},
		{name: "empty", fx: gcptest.Fixtures{list: {Body: "policies_empty.json"}}},
		{name: "absent customer is an error", fx: gcptest.Fixtures{list: gcptest.NotFoundReply}, wantErr: evidence.Errored},
		{name: "denied (scope not delegated)", fx: gcptest.Fixtures{list: gcptest.DeniedReply}, wantErr: evidence.Denied, wantPer: scopePolicies},
		{name: "denied on the second page", fx: gcptest.Fixtures{list: {Body: "policies_drive_sharing_page1.json"}, page2: gcptest.DeniedReply},
			wantErr: evidence.Denied, wantPer: scopePolicies},
		{name: "throttled", fx: gcptest.Fixtures{list: gcptest.ThrottledReply}, wantErr: evidence.Throttled},
		{name: "cancelled", fx: gcptest.Fixtures{list: blockReply}, started: started, wantErr: evidence.Cancelled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, err := runFixture(t, tt.fx, driveSharingID, tt.started)
			if tt.wantErr != "" {
				if err == nil || collectors.Classify(err) != tt.wantErr {
					t.Fatalf("err = %v, want kind %s", err, tt.wantErr)
				}
				if f := collectors.FailureOf(err, ""); tt.wantPer != "" && f.Permission != tt.wantPer {
					t.Errorf("permission = %q, want %q", f.Permission, tt.wantPer)
				}
				if tt.wantErr == evidence.Cancelled && !errors.Is(err, context.Canceled) {
					t.Fatalf("err = %v, want context.Canceled in chain", err)
				}
				if n := len(s.ByType(typeDriveSharing)); n != 0 {
					t.Errorf("%d policies emitted from a failed listing, want none", n)
				}
				return
			}
			if err != nil {
				t.Fatalf("Collect: %v", err)
			}
			if diff := cmp.Diff(tt.want, s.ByType(typeDriveSharing)); diff != "" {
				t.Errorf("policies (-want +got):\n%s", diff)
			}
			gcptest.CheckAttributes(t, NewSource(Config{}).Collectors(), s.Resources)
		})
	}
}
