package aws

import (
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/attestdev/attest/collectors/evidence"
	"github.com/attestdev/attest/internal/fake/awsfake"
)

func shieldState(active bool) func() *awsfake.State {
	return func() *awsfake.State { return &awsfake.State{Protection: awsfake.Protection{ShieldAdvanced: active}} }
}

func TestShieldSubscription(t *testing.T) {
	t.Parallel()
	const c = "aws.shield"
	name := []string{"Shield Advanced " + testAccount}
	runCases(t, []caseTest{
		{name: "active", collector: c, typ: ShieldSubscriptionType, state: shieldState(true), wantNames: name,
			wantAttrs: map[string]any{"active": true, "required": false}, wantCalls: map[string]int{"shield:GetSubscriptionState": 1}},
		{name: "inactive", collector: c, typ: ShieldSubscriptionType, state: shieldState(false), wantNames: name,
			wantAttrs: map[string]any{"active": false}},
		{name: "denied", collector: c,
			state: func() *awsfake.State {
				return withFault(shieldState(true)(), "shield:GetSubscriptionState", "AccessDeniedException", http.StatusBadRequest)
			},
			wantErr: evidence.Denied, wantPermission: "shield:GetSubscriptionState"},
		{name: "throttled", collector: c,
			state: func() *awsfake.State {
				return withFault(shieldState(true)(), "shield:GetSubscriptionState", "ThrottlingException", http.StatusBadRequest)
			},
			wantErr: evidence.Throttled, wantCalls: map[string]int{"shield:GetSubscriptionState": 2}},
		{name: "cancelled", collector: c, state: shieldState(true), block: "shield:GetSubscriptionState"},
	})
	runCases(t, []caseTest{
		{name: "required by config", collector: c, typ: ShieldSubscriptionType, state: shieldState(false), wantNames: name,
			wantAttrs: map[string]any{"active": false, "required": true}},
	}, func(s *Source) { s.cfg.ShieldRequired = true })
}

func TestShieldSubscriptionFixtures(t *testing.T) {
	t.Parallel()
	src := newFixtureSource(t, map[string]route{"shield:GetSubscriptionState": {file: "shield/GetSubscriptionState.json"}})
	out, err := collect(t.Context(), t, src, "aws.shield", "")
	if err != nil {
		t.Fatal(err)
	}
	want := []evidence.Resource{{Type: ShieldSubscriptionType, ID: "arn:aws:shield::123456789012:subscription", Name: "Shield Advanced " + testAccount,
		Account: testAccount, Attributes: map[string]any{"active": true, "required": false}}}
	if diff := cmp.Diff(want, out.resources); diff != "" {
		t.Errorf("resources (-want +got):\n%s", diff)
	}
}
