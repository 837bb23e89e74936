package github

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/attestdev/attest/collectors/evidence"
)

const (
	pathRepos      = "/orgs/octo-org/repos?type=all"
	pathProtection = "/repos/octo-org/Hello-World/branches/master/protection"
	pathRules      = "/repos/octo-org/Hello-World/rules/branches/master"
	pathRuleset    = "/repos/octo-org/Hello-World/rulesets/42?includes_parents=true"
)

func repoRes(name, visibility string, archived bool, prot map[string]any, gaps ...evidence.Gap) evidence.Resource {
	branch := "master"
	if name == "Spoon-Knife" {
		branch = "main"
	}
	if name == "old-site" {
		branch = "gh-pages"
	}
	a := map[string]any{"visibility": visibility, "archived": archived, "fork": false, "default_branch": branch}
	for k, v := range prot {
		a[k] = v
	}
	return evidence.Resource{Type: "github.repository", ID: "https://github.com/octo-org/" + name, Name: "octo-org/" + name, Account: "octo-org", Attributes: a, Gaps: gaps}
}

var unprotected = map[string]any{"branch_protected": false, "protection_source": "none", "required_reviews": false,
	"required_approving_review_count": 0, "dismiss_stale_reviews": false, "required_status_checks": false,
	"admins_enforced": false, "force_pushes_blocked": false}

func TestRepoCollector(t *testing.T) {
	t.Parallel()
	happy := fixtures{
		pathRepos:      {Body: "repos/list_org.json"},
		pathProtection: {Body: "repos/branch_protection.json"},
		pathRules:      {Body: "repos/rules_branch.json"},
	}
	both := map[string]any{"branch_protected": true, "protection_source": "both", "required_reviews": true,
		"required_approving_review_count": 2, "dismiss_stale_reviews": true, "required_status_checks": true,
		"admins_enforced": true, "force_pushes_blocked": true}
	rulesetsOnly := map[string]any{"branch_protected": true, "protection_source": "rulesets", "required_reviews": true,
		"required_approving_review_count": 1, "dismiss_stale_reviews": false, "required_status_checks": false,
		"admins_enforced": true, "force_pushes_blocked": true}
	var protGaps []evidence.Gap
	for _, a := range protectionAttrs {
		protGaps = append(protGaps, evidence.Gap{Attribute: a, Kind: evidence.Denied, Operation: opProtection, Permission: "administration=read"})
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
		wantSkip []evidence.Skip
	}{
		{name: "happy: classic protection and rulesets", fx: happy, want: []evidence.Resource{repoRes("Hello-World", "public", false, both)},
			wantSkip: []evidence.Skip{{Resource: "https://github.com/octo-org/old-site", Reason: "archived (set include_archived to collect it)"}}},
		{name: "rulesets only", fx: happy.With(fixtures{
			pathProtection: {Status: 404, Body: "repos/branch_not_protected.json"},
			pathRuleset:    {Body: "repos/ruleset.json"},
		}), want: []evidence.Resource{repoRes("Hello-World", "public", false, rulesetsOnly)}},
		{name: "two pages", fx: happy.With(fixtures{
			pathRepos:                              {Body: "repos/list_org.json", Header: next("/orgs/octo-org/repos")},
			"/orgs/octo-org/repos?page=2&type=all": {Body: "repos/list_org_page2.json"},
			"/repos/octo-org/Spoon-Knife/branches/main/protection": {Status: 404, Body: "repos/branch_not_protected.json"},
			"/repos/octo-org/Spoon-Knife/rules/branches/main":      {Body: "empty_list.json"},
		}), want: []evidence.Resource{repoRes("Hello-World", "public", false, both), repoRes("Spoon-Knife", "private", false, unprotected)}},
		{name: "empty", fx: fixtures{pathRepos: {Body: "empty_list.json"}}},
		{name: "absent: no protection", fx: fixtures{
			pathRepos:      {Body: "repos/list_org.json"},
			pathProtection: {Status: 404, Body: "repos/branch_not_protected.json"},
			pathRules:      {Body: "empty_list.json"},
		}, want: []evidence.Resource{repoRes("Hello-World", "public", false, unprotected)}},
		{name: "archived included, filtered by name", mod: func(c *Config) { c.IncludeArchived = true; c.Repos.Exclude = []string{"Hello-*"} }, fx: fixtures{
			pathRepos: {Body: "repos/list_org.json"},
			"/repos/octo-org/old-site/branches/gh-pages/protection": {Status: 404, Body: "repos/branch_not_protected.json"},
			"/repos/octo-org/old-site/rules/branches/gh-pages":      {Body: "empty_list.json"},
		}, want: []evidence.Resource{repoRes("old-site", "public", true, unprotected)},
			wantSkip: []evidence.Skip{{Resource: "https://github.com/octo-org/Hello-World", Reason: "filtered out by the repos include/exclude configuration"}}},
		{name: "denied protection", fx: happy.With(fixtures{pathProtection: {Status: 403, Body: "errors/forbidden.json",
			Header: map[string]string{"X-Accepted-GitHub-Permissions": "administration=read"}}}),
			want: []evidence.Resource{repoRes("Hello-World", "public", false, nil, protGaps...)}, wantFail: []evidence.FailureKind{evidence.Denied}},
		{name: "denied listing", fx: fixtures{pathRepos: forbidden}, wantErr: evidence.Denied},
		{name: "rate limited", fx: fixtures{pathRepos: rateLimited}, wantErr: evidence.Throttled},
		{name: "rate limited mid-run", fx: happy.With(fixtures{pathProtection: rateLimited}),
			want: []evidence.Resource{repoRes("Hello-World", "public", false, nil, throttledGaps(opProtection)...)}, wantFail: []evidence.FailureKind{evidence.Throttled}},
		{name: "cancelled", fx: happy.With(fixtures{pathProtection: blockReply}), started: started, wantErr: evidence.Cancelled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newServer(t, tt.fx)
			s, err := run(t, testSource(srv, tt.mod), "github.repos", tt.started)
			if tt.wantErr != "" {
				if err == nil || kindOf(err) != tt.wantErr {
					t.Fatalf("err = %v (%s), want kind %s", err, kindOf(err), tt.wantErr)
				}
				if tt.wantErr == evidence.Cancelled && !errors.Is(err, context.Canceled) {
					t.Fatalf("err = %v, want context.Canceled in chain", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Collect: %v", err)
			}
			if diff := cmp.Diff(tt.want, s.ByType("github.repository")); diff != "" {
				t.Errorf("repositories (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantFail, s.Kinds()); diff != "" {
				t.Errorf("failures (-want +got):\n%s", diff)
			}
			if tt.wantSkip != nil {
				if diff := cmp.Diff(tt.wantSkip, s.Skipped); diff != "" {
					t.Errorf("skipped (-want +got):\n%s", diff)
				}
			}
		})
	}
}

func throttledGaps(op string) []evidence.Gap {
	var gs []evidence.Gap
	for _, a := range protectionAttrs {
		gs = append(gs, evidence.Gap{Attribute: a, Kind: evidence.Throttled, Operation: op})
	}
	return gs
}
