package github

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/attestdev/attest/collectors/evidence"
	"github.com/attestdev/attest/collectors/internal/apitest"
)

func TestOrgSecurityCollector(t *testing.T) {
	t.Parallel()
	const (
		actions  = "/orgs/octo-org/actions/permissions"
		workflow = "/orgs/octo-org/actions/permissions/workflow"
		saml     = "/graphql AttestOrgSAML"
	)
	happy := fixtures{
		actions:  {Body: "orgs/actions_permissions.json"},
		workflow: {Body: "orgs/workflow_permissions.json"},
		saml:     {Body: "graphql/org_saml.json"},
	}
	full := map[string]any{"actions_enabled_repositories": "all", "actions_allowed_actions": "selected",
		"default_workflow_permissions": "read", "workflows_can_approve_pull_requests": false, "saml_sso_enabled": true}
	without := func(over map[string]any, drop ...string) map[string]any {
		out := merge(full, over)
		for _, d := range drop {
			delete(out, d)
		}
		return out
	}
	res := func(attrs map[string]any, gaps ...evidence.Gap) []evidence.Resource {
		return []evidence.Resource{{Type: typeOrgSecurity, ID: "https://github.com/octo-org#security", Name: "octo-org", Account: "octo-org", Attributes: attrs, Gaps: gaps}}
	}
	gap := func(attr string, kind evidence.FailureKind, op, perm string) evidence.Gap {
		return evidence.Gap{Attribute: attr, Kind: kind, Operation: op, Permission: perm}
	}
	const samlPerm = "organization owner role with read:org or organization:members:read"
	blockReply, started := blocking()
	blockSAML, startedSAML := blocking()

	tests := []struct {
		name     string
		fx       fixtures
		started  chan struct{}
		wantErr  evidence.FailureKind
		want     []evidence.Resource
		wantFail []evidence.FailureKind
	}{
		{name: "happy", fx: happy, want: res(full)},
		{name: "absent: Actions disabled, no SAML identity provider (not Enterprise Cloud)", fx: happy.With(fixtures{
			actions: {Body: "orgs/actions_permissions_disabled.json"},
			saml:    {Body: "graphql/org_saml_none.json"},
		}), want: res(without(map[string]any{"actions_enabled_repositories": "none", "actions_allowed_actions": "", "saml_sso_enabled": false}))},
		{name: "not an owner: SAML provider hidden", fx: happy.With(fixtures{saml: {Body: "graphql/org_saml_not_owner.json"}}),
			want:     res(without(nil, "saml_sso_enabled"), gap("saml_sso_enabled", evidence.Denied, opGraphQL, ownerRole)),
			wantFail: []evidence.FailureKind{evidence.Denied}},
		{name: "organisation not found", fx: fixtures{
			actions:  {Status: 404, Body: "errors/not_found.json"},
			workflow: {Status: 404, Body: "errors/not_found.json"},
			saml:     {Body: "graphql/org_not_found.json"},
		}, want: res(map[string]any{},
			gap("actions_enabled_repositories", evidence.Errored, opActionsPermissions, ""),
			gap("actions_allowed_actions", evidence.Errored, opActionsPermissions, ""),
			gap("default_workflow_permissions", evidence.Errored, opWorkflowPermissions, ""),
			gap("workflows_can_approve_pull_requests", evidence.Errored, opWorkflowPermissions, ""),
			gap("saml_sso_enabled", evidence.Errored, opGraphQL, "")),
			wantFail: []evidence.FailureKind{evidence.Errored}},
		{name: "denied Actions policy (HTTP 403)", fx: happy.With(fixtures{actions: forbidden, workflow: forbidden}),
			want: res(without(nil, "actions_enabled_repositories", "actions_allowed_actions", "default_workflow_permissions", "workflows_can_approve_pull_requests"),
				gap("actions_enabled_repositories", evidence.Denied, opActionsPermissions, "members=read"),
				gap("actions_allowed_actions", evidence.Denied, opActionsPermissions, "members=read"),
				gap("default_workflow_permissions", evidence.Denied, opWorkflowPermissions, "members=read"),
				gap("workflows_can_approve_pull_requests", evidence.Denied, opWorkflowPermissions, "members=read")),
			wantFail: []evidence.FailureKind{evidence.Denied}},
		{name: "denied SAML (insufficient scopes)", fx: happy.With(fixtures{saml: {Body: "graphql/insufficient_scopes.json"}}),
			want:     res(without(nil, "saml_sso_enabled"), gap("saml_sso_enabled", evidence.Denied, opGraphQL, samlPerm)),
			wantFail: []evidence.FailureKind{evidence.Denied}},
		{name: "throttled", fx: happy.With(fixtures{actions: rateLimited, workflow: secondaryLimited, saml: {Body: "graphql/rate_limited.json"}}),
			want: res(map[string]any{},
				gap("actions_enabled_repositories", evidence.Throttled, opActionsPermissions, ""),
				gap("actions_allowed_actions", evidence.Throttled, opActionsPermissions, ""),
				gap("default_workflow_permissions", evidence.Throttled, opWorkflowPermissions, ""),
				gap("workflows_can_approve_pull_requests", evidence.Throttled, opWorkflowPermissions, ""),
				gap("saml_sso_enabled", evidence.Throttled, opGraphQL, "")),
			wantFail: []evidence.FailureKind{evidence.Throttled}},
		{name: "cancelled", fx: happy.With(fixtures{workflow: blockReply}), started: started, wantErr: evidence.Cancelled},
		{name: "cancelled during SAML", fx: happy.With(fixtures{saml: blockSAML}), started: startedSAML, wantErr: evidence.Cancelled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newServer(t, tt.fx)
			s, err := run(t, testSource(srv, nil), orgSecurityID, tt.started)
			if tt.wantErr != "" {
				apitest.WantKind(t, err, tt.wantErr)
				return
			}
			if err != nil {
				t.Fatalf("Collect: %v", err)
			}
			if diff := cmp.Diff(tt.want, s.ByType(typeOrgSecurity)); diff != "" {
				t.Errorf("organisation security (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantFail, s.Kinds()); diff != "" {
				t.Errorf("failures (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRepoSecurityCollector(t *testing.T) {
	t.Parallel()
	res := func(name string, attrs map[string]any, gaps ...evidence.Gap) evidence.Resource {
		return evidence.Resource{Type: typeRepoSecurity, ID: "https://github.com/octo-org/" + name + "#security", Name: "octo-org/" + name, Account: "octo-org", Attributes: attrs, Gaps: gaps}
	}
	protected := map[string]any{"archived": false, "secret_scanning": true, "secret_scanning_push_protection": true}
	unavailable := map[string]any{"archived": false, "secret_scanning": false, "secret_scanning_push_protection": false}
	hidden := []evidence.Gap{
		{Attribute: "secret_scanning", Kind: evidence.Denied, Operation: opListRepos, Permission: permSecurityAnalysis},
		{Attribute: "secret_scanning_push_protection", Kind: evidence.Denied, Operation: opListRepos, Permission: permSecurityAnalysis},
	}
	blockReply, started := blocking()

	tests := []struct {
		name     string
		fx       fixtures
		mod      func(*Config)
		started  chan struct{}
		wantErr  evidence.FailureKind
		want     []evidence.Resource
		wantFail []evidence.FailureKind
	}{
		{name: "happy", fx: fixtures{pathRepos: {Body: "repos/list_org_security.json"}}, want: []evidence.Resource{res("Hello-World", protected)}},
		{name: "archived included: secret scanning disabled", mod: func(c *Config) { c.IncludeArchived = true }, fx: fixtures{pathRepos: {Body: "repos/list_org_security.json"}},
			want: []evidence.Resource{res("Hello-World", protected), res("old-site", map[string]any{"archived": true, "secret_scanning": false, "secret_scanning_push_protection": false})}},
		{name: "two pages: secret scanning not available on the second", fx: fixtures{
			pathRepos:                              {Body: "repos/list_org_security.json", Header: next("/orgs/octo-org/repos")},
			"/orgs/octo-org/repos?page=2&type=all": {Body: "repos/list_org_security_page2.json"},
		}, want: []evidence.Resource{res("Hello-World", protected), res("Spoon-Knife", unavailable)}},
		{name: "empty", fx: fixtures{pathRepos: {Body: "empty_list.json"}}},
		{name: "absent: not an admin, security_and_analysis hidden", fx: fixtures{pathRepos: {Body: "repos/list_org_security_not_admin.json"}},
			want: []evidence.Resource{res("Hello-World", map[string]any{"archived": false}, hidden...)}, wantFail: []evidence.FailureKind{evidence.Denied}},
		{name: "not found", fx: fixtures{pathRepos: {Status: 404, Body: "errors/not_found.json"}}, wantErr: evidence.Errored},
		{name: "denied", fx: fixtures{pathRepos: forbidden}, wantErr: evidence.Denied},
		{name: "throttled", fx: fixtures{pathRepos: rateLimited}, wantErr: evidence.Throttled},
		{name: "cancelled", fx: fixtures{pathRepos: blockReply}, started: started, wantErr: evidence.Cancelled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newServer(t, tt.fx)
			s, err := run(t, testSource(srv, tt.mod), repoSecurityID, tt.started)
			if tt.wantErr != "" {
				apitest.WantKind(t, err, tt.wantErr)
				return
			}
			if err != nil {
				t.Fatalf("Collect: %v", err)
			}
			if diff := cmp.Diff(tt.want, s.ByType(typeRepoSecurity)); diff != "" {
				t.Errorf("repository security (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantFail, s.Kinds()); diff != "" {
				t.Errorf("failures (-want +got):\n%s", diff)
			}
		})
	}
}
