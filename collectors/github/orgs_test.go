package github

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/attestdev/attest/collectors/evidence"
	"github.com/attestdev/attest/collectors/internal/apitest"
)

func TestOrgCollector(t *testing.T) {
	t.Parallel()
	const (
		org     = "/orgs/octo-org"
		members = "/orgs/octo-org/members"
		no2fa   = "/orgs/octo-org/members?filter=2fa_disabled"
		admins  = "/orgs/octo-org/members?role=admin"
		outside = "/orgs/octo-org/outside_collaborators"
	)
	happy := fixtures{
		org:     {Body: "orgs/get.json"},
		members: {Body: "orgs/members.json"},
		no2fa:   {Body: "orgs/members_2fa_disabled.json"},
		admins:  {Body: "orgs/members_admin.json"},
		outside: {Body: "orgs/outside_collaborators.json"},
	}
	account := func(login string, mfa, admin bool) evidence.Resource {
		return evidence.Resource{Type: "identity.account", ID: "github:octo-org:" + login, Name: login, Account: "octo-org",
			Attributes: map[string]any{"system": "github", "account_id": "octo-org", "user": login, "email": "", "person": lower(login),
				"mfa": mfa, "admin": admin, "last_login": "", "active": true}}
	}
	orgRes := func(attrs map[string]any, gaps ...evidence.Gap) []evidence.Resource {
		return []evidence.Resource{{Type: "github.organization", ID: "https://github.com/octo-org", Name: "octo-org", Account: "octo-org", Attributes: attrs, Gaps: gaps}}
	}
	full := map[string]any{"two_factor_requirement_enabled": true, "default_repository_permission": "read", "members_count": 2,
		"owners_count": 1, "members_without_2fa": 1, "outside_collaborators_count": 1}
	blockReply, started := blocking()

	tests := []struct {
		name     string
		fx       fixtures
		started  chan struct{}
		wantErr  evidence.FailureKind
		wantOrg  []evidence.Resource
		wantAccs []evidence.Resource
		wantFail []evidence.FailureKind
	}{
		{name: "happy", fx: happy, wantOrg: orgRes(full),
			wantAccs: []evidence.Resource{account("Hubot", false, false), account("octocat", true, true)}},
		{name: "two pages", fx: happy.With(fixtures{
			members:             {Body: "orgs/members.json", Header: next(members)},
			members + "?page=2": {Body: "orgs/members_page2.json"},
		}), wantOrg: orgRes(map[string]any{"two_factor_requirement_enabled": true, "default_repository_permission": "read", "members_count": 3,
			"owners_count": 1, "members_without_2fa": 1, "outside_collaborators_count": 1}),
			wantAccs: []evidence.Resource{account("Hubot", false, false), account("monalisa", true, false), account("octocat", true, true)}},
		{name: "empty", fx: happy.With(fixtures{members: {Body: "empty_list.json"}, no2fa: {Body: "empty_list.json"}, admins: {Body: "empty_list.json"}, outside: {Body: "empty_list.json"}}),
			wantOrg: orgRes(map[string]any{"two_factor_requirement_enabled": true, "default_repository_permission": "read", "members_count": 0,
				"owners_count": 0, "members_without_2fa": 0, "outside_collaborators_count": 0})},
		{name: "absent: not an owner, owner-only fields hidden", fx: happy.With(fixtures{
			org:   {Body: "orgs/get_member.json"},
			no2fa: {Status: 422, Body: "errors/owner_filter.json"},
		}), wantOrg: orgRes(map[string]any{"members_count": 2, "owners_count": 1, "outside_collaborators_count": 1},
			evidence.Gap{Attribute: "two_factor_requirement_enabled", Kind: evidence.Denied, Operation: opGetOrg, Permission: ownerRole},
			evidence.Gap{Attribute: "default_repository_permission", Kind: evidence.Denied, Operation: opGetOrg, Permission: ownerRole},
			evidence.Gap{Attribute: "members_without_2fa", Kind: evidence.Denied, Operation: opListMembers + "?filter=2fa_disabled", Permission: ownerRole},
		), wantAccs: []evidence.Resource{gapMFA(account("Hubot", false, false)), gapMFA(account("octocat", true, true))},
			wantFail: []evidence.FailureKind{evidence.Denied}},
		{name: "denied", fx: fixtures{org: forbidden}, wantErr: evidence.Denied},
		{name: "denied outside collaborators", fx: happy.With(fixtures{outside: forbidden}),
			wantOrg: orgRes(map[string]any{"two_factor_requirement_enabled": true, "default_repository_permission": "read", "members_count": 2,
				"owners_count": 1, "members_without_2fa": 1},
				evidence.Gap{Attribute: "outside_collaborators_count", Kind: evidence.Denied, Operation: opListOutside, Permission: "members=read"}),
			wantAccs: []evidence.Resource{account("Hubot", false, false), account("octocat", true, true)},
			wantFail: []evidence.FailureKind{evidence.Denied}},
		{name: "rate limited", fx: fixtures{org: rateLimited}, wantErr: evidence.Throttled},
		{name: "secondary rate limited", fx: fixtures{org: secondaryLimited}, wantErr: evidence.Throttled},
		{name: "cancelled", fx: happy.With(fixtures{members: blockReply}), started: started, wantErr: evidence.Cancelled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newServer(t, tt.fx)
			s, err := run(t, testSource(srv, nil), "github.org", tt.started)
			if tt.wantErr != "" {
				apitest.WantKind(t, err, tt.wantErr)
				return
			}
			if err != nil {
				t.Fatalf("Collect: %v", err)
			}
			if diff := cmp.Diff(tt.wantOrg, s.ByType("github.organization")); diff != "" {
				t.Errorf("organization (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantAccs, s.ByType("identity.account")); diff != "" {
				t.Errorf("accounts (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantFail, s.Kinds()); diff != "" {
				t.Errorf("failures (-want +got):\n%s", diff)
			}
		})
	}
}

func gapMFA(r evidence.Resource) evidence.Resource {
	delete(r.Attributes, "mfa")
	r.Gaps = []evidence.Gap{{Attribute: "mfa", Kind: evidence.Denied, Operation: opListMembers + "?filter=2fa_disabled", Permission: ownerRole}}
	return r
}
