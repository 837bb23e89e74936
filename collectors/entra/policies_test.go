package entra

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/attestdev/attest/collectors/evidence"
	"github.com/attestdev/attest/collectors/internal/apitest"
)

func wantPolicies(base string) []evidence.Resource {
	p := func(id, name, state string, allUsers bool, excl int, unconditional bool, types []any, modern, legacy bool, controls []any, mfa, blocks, compliant bool) evidence.Resource {
		return evidence.Resource{Type: "entra.conditional_access_policy", ID: base + "/v1.0/identity/conditionalAccess/policies/" + id, Name: name, Account: testTenant,
			Attributes: map[string]any{"state": state, "all_users": allUsers, "exclusions": excl, "all_applications": true, "unconditional": unconditional,
				"client_app_types": types, "modern_clients": modern, "legacy_clients": legacy, "grant_controls": controls, "requires_mfa": mfa, "blocks": blocks,
				"requires_compliant_device": compliant}}
	}
	return []evidence.Resource{
		p("7f8e9d0c-2b3a-4c5d-8e7f-0a1b2c3d4e5f", "Block legacy authentication", "enabledForReportingButNotEnforced", true, 0, true,
			[]any{"exchangeActiveSync", "other"}, false, true, []any{"block"}, false, true, false),
		p("0c1d2e3f-4a5b-4c6d-9e8f-7a6b5c4d3e2f", "MFA or compliant device outside the office", "enabled", false, 1, false,
			[]any{"browser", "mobileAppsAndDesktopClients"}, true, false, []any{"compliantDevice", "mfa"}, false, false, false),
		p("9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b", "Phishing-resistant MFA for admins", "enabled", false, 0, true,
			[]any{"all"}, true, true, []any{}, true, false, false),
		p("5a2d3f6c-1b7e-4d8a-9c0b-6e1f2a3b4c5d", "Require MFA for all users", "enabled", true, 1, true,
			[]any{"all"}, true, true, []any{"mfa"}, true, false, false),
		p("3b4c5d6e-7f80-4a1b-9c2d-3e4f5a6b7c8d", "Require a compliant device for all users", "enabled", true, 1, true,
			[]any{"all"}, true, true, []any{"compliantDevice", "mfa"}, true, false, true),
	}
}

func wantTenant(ps []evidence.Resource) evidence.Resource {
	summary := []any{}
	for _, p := range ps {
		m := map[string]any{"name": p.Name}
		for k, v := range p.Attributes {
			m[k] = v
		}
		summary = append(summary, m)
	}
	return evidence.Resource{Type: "entra.tenant", ID: testTenant, Name: testTenant, Account: testTenant, Attributes: map[string]any{
		"conditional_access": summary, "security_defaults_enabled": false, "guest_invites_from": "everyone", "guest_access": "member",
	}}
}

func TestPoliciesCollector(t *testing.T) {
	t.Parallel()
	happy := fixtures{caKey: {Body: "ca_policies.json"}, sdKey: {Body: "security_defaults.json"}, authzKey: {Body: "authorization_policy.json"}}
	blockReply, started := blocking()
	tests := []struct {
		name     string
		fx       fixtures
		started  chan struct{}
		wantErr  evidence.FailureKind
		wantPerm string
		empty    bool
		mod      func(tenant *evidence.Resource)
		wantFail []evidence.FailureKind
	}{
		{name: "happy", fx: happy},
		{name: "empty", fx: happy.With(fixtures{caKey: {Body: "empty.json"}, sdKey: {Body: strings.Replace(readFixture(t, "security_defaults.json"), `"isEnabled": false`, `"isEnabled": true`, 1)}}),
			empty: true, mod: func(tn *evidence.Resource) { tn.Attributes["security_defaults_enabled"] = true }},
		{name: "denied", fx: fixtures{caKey: forbidden}, wantErr: evidence.Denied, wantPerm: "Policy.Read.All"},
		{name: "unlicensed listing names the licence", fx: fixtures{caKey: licence}, wantErr: evidence.Denied, wantPerm: "Policy.Read.All and a Microsoft Entra ID P1 or P2 licence"},
		{name: "absent listing is an error, not none", fx: fixtures{caKey: missing}, wantErr: evidence.Errored},
		{name: "throttled", fx: fixtures{caKey: throttled}, wantErr: evidence.Throttled},
		{name: "security defaults not found are unknown, not off", fx: happy.With(fixtures{sdKey: missing}), mod: func(tn *evidence.Resource) {
			delete(tn.Attributes, "security_defaults_enabled")
			tn.Gaps = []evidence.Gap{{Attribute: "security_defaults_enabled", Kind: evidence.Errored, Operation: opSecurityDefaults}}
		}, wantFail: []evidence.FailureKind{evidence.Errored}},
		{name: "security defaults without isEnabled are unknown", fx: happy.With(fixtures{sdKey: {Body: `{"id": "00000000-0000-0000-0000-000000000005"}`}}), mod: func(tn *evidence.Resource) {
			delete(tn.Attributes, "security_defaults_enabled")
			tn.Gaps = []evidence.Gap{{Attribute: "security_defaults_enabled", Kind: evidence.Errored, Operation: opSecurityDefaults}}
		}, wantFail: []evidence.FailureKind{evidence.Errored}},
		{name: "authorization policy denied", fx: happy.With(fixtures{authzKey: forbidden}), mod: func(tn *evidence.Resource) {
			delete(tn.Attributes, "guest_invites_from")
			delete(tn.Attributes, "guest_access")
			g := evidence.Gap{Attribute: "guest_invites_from", Kind: evidence.Denied, Operation: opAuthorization, Permission: "Policy.Read.All"}
			g2 := g
			g2.Attribute = "guest_access"
			tn.Gaps = []evidence.Gap{g, g2}
		}, wantFail: []evidence.FailureKind{evidence.Denied}},
		{name: "security defaults throttled", fx: happy.With(fixtures{sdKey: throttled}), mod: func(tn *evidence.Resource) {
			delete(tn.Attributes, "security_defaults_enabled")
			tn.Gaps = []evidence.Gap{{Attribute: "security_defaults_enabled", Kind: evidence.Throttled, Operation: opSecurityDefaults}}
		}, wantFail: []evidence.FailureKind{evidence.Throttled}},
		{name: "cancelled", fx: happy.With(fixtures{sdKey: blockReply}), started: started, wantErr: evidence.Cancelled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newServer(t, tt.fx)
			s, err := run(t, testSource(srv), "entra.policies", tt.started)
			if tt.wantErr != "" {
				apitest.WantKind(t, err, tt.wantErr)
				if tt.wantPerm != "" && !strings.Contains(err.Error(), "needs "+tt.wantPerm+")") {
					t.Errorf("err = %v, want it to name %s", err, tt.wantPerm)
				}
				return
			}
			if err != nil {
				t.Fatalf("Collect: %v", err)
			}
			ps := wantPolicies(srv.URL)
			if tt.empty {
				ps = nil
			}
			tn := wantTenant(ps)
			if tt.mod != nil {
				tt.mod(&tn)
			}
			if diff := cmp.Diff(ps, s.ByType("entra.conditional_access_policy")); diff != "" {
				t.Errorf("policies (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff([]evidence.Resource{tn}, s.ByType("entra.tenant")); diff != "" {
				t.Errorf("tenant (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantFail, s.Kinds()); diff != "" {
				t.Errorf("failures (-want +got):\n%s", diff)
			}
		})
	}
}

// TestPoliciesTwoPages follows @odata.nextLink through the Conditional
// Access policies.
func TestPoliciesTwoPages(t *testing.T) {
	t.Parallel()
	fx := fixtures{sdKey: {Body: "security_defaults.json"}, authzKey: {Body: "authorization_policy.json"}}
	srv := newServer(t, fx)
	all := readFixture(t, "ca_policies.json")
	// Page 1 holds the first two policies, page 2 the other two.
	i := strings.Index(all, `    {
      "id": "0c1d2e3f`)
	head, tail := all[:i], all[i:]
	page1 := strings.Replace(strings.TrimRight(head, ",\n "), `"value"`, `"@odata.nextLink": "`+srv.URL+`/v1.0/identity/conditionalAccess/policies?$skiptoken=Mi0y",
  "value"`, 1) + "\n  ]\n}\n"
	page2 := "{\n  \"@odata.context\": \"https://graph.microsoft.com/v1.0/$metadata#identity/conditionalAccess/policies\",\n  \"value\": [\n" + tail
	fx[caKey] = reply{Body: page1}
	fx[key("/identity/conditionalAccess/policies", map[string][]string{"$skiptoken": {"Mi0y"}})] = reply{Body: page2}
	s, err := run(t, testSource(srv), "entra.policies", nil)
	if err != nil {
		t.Fatal(err)
	}
	want := wantPolicies(srv.URL)
	if diff := cmp.Diff(want, s.ByType("entra.conditional_access_policy")); diff != "" {
		t.Errorf("policies (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]evidence.Resource{wantTenant(want)}, s.ByType("entra.tenant")); diff != "" {
		t.Errorf("tenant (-want +got):\n%s", diff)
	}
}
