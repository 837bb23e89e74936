package gcp

import (
	"testing"

	"github.com/attestdev/attest/collectors/evidence"
	"github.com/attestdev/attest/collectors/internal/gcptest"
)

func TestKMSKeys(t *testing.T) {
	t.Parallel()
	const (
		locs    = "GET /v1/projects/" + project + "/locations"
		ringsEU = "GET /v1/projects/" + project + "/locations/europe-west3/keyRings"
		ringsGl = "GET /v1/projects/" + project + "/locations/global/keyRings"
		keys    = "GET /v1/projects/" + project + "/locations/europe-west3/keyRings/example-ring/cryptoKeys"
	)
	happy := gcptest.Fixtures{
		locs:    {Body: "kms_locations.json"},
		ringsEU: {Body: "kms_keyrings_europe-west3.json"},
		ringsGl: {Body: "kms_keyrings_empty.json"},
		keys:    {Body: "kms_cryptokeys.json"},
	}
	key := func(name, purpose string, days int, next, prot, state string) evidence.Resource {
		return evidence.Resource{Type: typeKMSKey, ID: "projects/example-project/locations/europe-west3/keyRings/example-ring/cryptoKeys/" + name,
			Name: name, Account: project, Region: "europe-west3", Attributes: map[string]any{
				"purpose": purpose, "location": "europe-west3", "rotation_period_days": days, "next_rotation": next,
				"protection_level": prot, "primary_state": state,
			}}
	}
	rotated := key("example-key", "ENCRYPT_DECRYPT", 90, "2024-05-12T22:13:20Z", "HSM", "ENABLED")
	signing := key("signing-key", "ASYMMETRIC_SIGN", 0, "", "SOFTWARE", "")
	yearly := key("yearly-key", "ENCRYPT_DECRYPT", 365, "2024-11-13T22:13:20Z", "SOFTWARE", "ENABLED")
	block, started := gcptest.Blocking()
	runCases(t, "gcp.kms", typeKMSKey, []tcase{
		{name: "happy", fx: happy, want: []evidence.Resource{rotated, signing}},
		{name: "two pages", fx: happy.With(gcptest.Fixtures{
			keys:                                   {Body: "kms_cryptokeys_page1.json"},
			keys + "?pageToken=c2lnbmluZy1rZXk%3D": {Body: "kms_cryptokeys_page2.json"},
		}), want: []evidence.Resource{rotated, signing, yearly}},
		{name: "empty", fx: happy.With(gcptest.Fixtures{ringsEU: {Body: "kms_keyrings_empty.json"}})},
		{name: "absent: API disabled means no keys", fx: gcptest.Fixtures{locs: {Status: 403, Body: "error_service_disabled.json"}}},
		{name: "denied", fx: gcptest.Fixtures{locs: gcptest.DeniedReply}, wantErr: evidence.Denied, wantPerm: opKMSLocations},
		{name: "denied keys of one ring", fx: happy.With(gcptest.Fixtures{keys: gcptest.DeniedReply}),
			wantFail: []evidence.FailureKind{evidence.Denied}},
		{name: "throttled", fx: gcptest.Fixtures{locs: gcptest.ThrottledReply}, wantErr: evidence.Throttled},
		{name: "cancelled", fx: happy.With(gcptest.Fixtures{keys: block}), started: started, wantErr: evidence.Cancelled},
	})
}

func TestRotationDays(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]int{"7776000s": 90, "7776001s": 91, "": 0, "86400.5s": 2, "bogus": 0} {
		if got := rotationDays(in); got != want {
			t.Errorf("rotationDays(%q) = %d, want %d", in, got, want)
		}
	}
}
