package gcp

import (
	"testing"

	"github.com/attestdev/attest/collectors/evidence"
	"github.com/attestdev/attest/collectors/internal/gcptest"
)

func TestFirewalls(t *testing.T) {
	t.Parallel()
	const list = "GET /compute/v1/projects/" + project + "/global/firewalls"
	fw := func(name string, ranges []any, disabled, open, ssh, rdp bool, ports ...any) evidence.Resource {
		return evidence.Resource{Type: typeFirewall, ID: "https://www.googleapis.com/compute/v1/projects/example-project/global/firewalls/" + name,
			Name: name, Account: project, Attributes: map[string]any{
				"network": "default", "direction": "INGRESS", "disabled": disabled, "source_ranges": ranges,
				"open_to_internet": open, "open_ssh": ssh, "open_rdp": rdp, "open_restricted_ports": append([]any{}, ports...),
			}}
	}
	ssh := fw("default-allow-ssh", []any{"0.0.0.0/0"}, false, true, true, false, 22)
	internal := fw("default-allow-internal", []any{"10.128.0.0/9"}, false, false, false, false)
	rdp := fw("allow-rdp-range", []any{"0.0.0.0/0", "::/0"}, false, true, false, true, 3306, 3389)
	off := fw("disabled-all", []any{"0.0.0.0/0"}, true, false, false, false)
	block, started := gcptest.Blocking()
	runCases(t, "gcp.firewall", typeFirewall, []tcase{
		{name: "happy", fx: gcptest.Fixtures{list: {Body: "compute_firewalls.json"}}, want: []evidence.Resource{internal, ssh}},
		{name: "two pages", fx: gcptest.Fixtures{
			list: {Body: "compute_firewalls_page1.json"},
			list + "?pageToken=Cg9hbGxvdy1yZHAtcmFuZ2U%3D": {Body: "compute_firewalls_page2.json"},
		}, want: []evidence.Resource{rdp, internal, ssh, off}},
		{name: "empty", fx: gcptest.Fixtures{list: {Body: "compute_firewalls_empty.json"}}},
		{name: "absent: API disabled means no rules", fx: gcptest.Fixtures{list: {Status: 403, Body: "error_service_disabled.json"}}},
		{name: "denied", fx: gcptest.Fixtures{list: gcptest.DeniedReply}, wantErr: evidence.Denied, wantPerm: opFirewallsList},
		{name: "throttled", fx: gcptest.Fixtures{list: gcptest.ThrottledReply}, wantErr: evidence.Throttled},
		{name: "cancelled", fx: gcptest.Fixtures{list: block}, started: started, wantErr: evidence.Cancelled},
	})
}
