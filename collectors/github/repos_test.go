package github

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/attestdev/attest/collectors/evidence"
	"github.com/attestdev/attest/collectors/internal/apitest"
)

const (
	gqlDeployKeys2 = "/graphql AttestDeployKeys cursor=Y3Vyc29yOnYyOpK0Y2ktZGVwbG95 name=Hello-World owner=octo-org"
	pathRepos      = "/orgs/octo-org/repos?type=all"
	gqlProtection  = "/graphql AttestRepoProtection"
	gqlProtection2 = "/graphql AttestRepoProtection cursor=Y3Vyc29yOnYyOpHOAAGnJg=="
	gqlRulesets2   = "/graphql AttestRulesets cursor=Y3Vyc29yOnYyOpHOAAAAKg== name=Hello-World owner=octo-org"
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
	"admins_enforced": false, "force_pushes_blocked": false, "code_owner_review_required": false, "codeowners_file": false,
	"deploy_keys": 0, "write_deploy_keys": 0, "write_deploy_key_titles": []any{}}

// merge returns the union of maps, later ones winning.
func merge(ms ...map[string]any) map[string]any {
	out := map[string]any{}
	for _, m := range ms {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}

// noKeys are the deploy key attributes of a repository without any.
var noKeys = map[string]any{"deploy_keys": 0, "write_deploy_keys": 0, "write_deploy_key_titles": []any{}}

func TestRepoCollector(t *testing.T) {
	t.Parallel()
	happy := fixtures{gqlProtection: {Body: "graphql/repo_protection.json"}}
	bothProt := map[string]any{"branch_protected": true, "protection_source": "both", "required_reviews": true,
		"required_approving_review_count": 2, "dismiss_stale_reviews": true, "required_status_checks": true,
		"admins_enforced": true, "force_pushes_blocked": true, "code_owner_review_required": true, "codeowners_file": true}
	keys := map[string]any{"deploy_keys": 2, "write_deploy_keys": 1, "write_deploy_key_titles": []any{"ci-deploy"}}
	both := merge(bothProt, keys)
	rulesetsOnly := map[string]any{"branch_protected": true, "protection_source": "rulesets", "required_reviews": true,
		"required_approving_review_count": 1, "dismiss_stale_reviews": false, "required_status_checks": false,
		"admins_enforced": true, "force_pushes_blocked": true, "code_owner_review_required": false, "codeowners_file": false,
		"deploy_keys": 0, "write_deploy_keys": 0, "write_deploy_key_titles": []any{}}
	rulesetsCodeOwners := merge(rulesetsOnly, map[string]any{"code_owner_review_required": true})
	keyGaps := func(kind evidence.FailureKind, perm string) []evidence.Gap {
		var gs []evidence.Gap
		for _, a := range deployKeyAttrs {
			gs = append(gs, evidence.Gap{Attribute: a, Kind: kind, Operation: opGraphQL, Permission: perm})
		}
		return gs
	}
	unprotectedKeys := func(gaps ...evidence.Gap) evidence.Resource {
		r := repoRes("Hello-World", "public", false, merge(unprotected, map[string]any{"codeowners_file": true}), gaps...)
		for _, g := range gaps {
			delete(r.Attributes, g.Attribute)
		}
		return r
	}
	moreKeys := fixtures{gqlProtection: {Body: "graphql/repo_protection_more_deploy_keys.json"}, gqlDeployKeys2: {Body: "graphql/deploy_keys_page2.json"}}
	with := func(base, over fixtures) fixtures {
		out := fixtures{}
		for k, v := range base {
			out[k] = v
		}
		for k, v := range over {
			out[k] = v
		}
		return out
	}
	blockKeys, startedKeys := blocking()
	gaps := func(kind evidence.FailureKind, perm string) []evidence.Gap {
		var gs []evidence.Gap
		for _, a := range protectionAttrs {
			gs = append(gs, evidence.Gap{Attribute: a, Kind: kind, Operation: opGraphQL, Permission: perm})
		}
		return gs
	}
	const perm = "repo and admin access to the repository, or repository:administration:read"
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
		{name: "rulesets only: evaluate-mode, other-branch and excluding rulesets do not count", fx: fixtures{
			gqlProtection: {Body: "graphql/repo_protection_rulesets.json"},
		}, want: []evidence.Resource{repoRes("Hello-World", "public", false, rulesetsOnly)}},
		{name: "two pages", fx: fixtures{
			gqlProtection:  {Body: "graphql/repo_protection_page1.json"},
			gqlProtection2: {Body: "graphql/repo_protection_page2.json"},
		}, want: []evidence.Resource{repoRes("Hello-World", "public", false, both), repoRes("Spoon-Knife", "private", false, unprotected)}},
		{name: "two pages of rulesets", fx: fixtures{
			gqlProtection: {Body: "graphql/repo_protection_more_rulesets.json"},
			gqlRulesets2:  {Body: "graphql/rulesets_page2.json"},
		}, want: []evidence.Resource{repoRes("Hello-World", "public", false, rulesetsCodeOwners)}},
		{name: "two pages of deploy keys, CODEOWNERS in the root", fx: moreKeys, want: []evidence.Resource{repoRes("Hello-World", "public", false,
			merge(unprotected, map[string]any{"codeowners_file": true, "deploy_keys": 3, "write_deploy_keys": 2, "write_deploy_key_titles": []any{"ci-deploy", "release-bot"}}))}},
		{name: "denied deploy keys (GraphQL)", fx: fixtures{gqlProtection: {Body: "graphql/repo_protection_deploy_keys_denied.json"}},
			want: []evidence.Resource{func() evidence.Resource {
				r := repoRes("Hello-World", "public", false, bothProt, keyGaps(evidence.Denied, perm)...)
				return r
			}()}, wantFail: []evidence.FailureKind{evidence.Denied}},
		{name: "denied second page of deploy keys (HTTP 403)", fx: with(moreKeys, fixtures{gqlDeployKeys2: forbidden}),
			want: []evidence.Resource{unprotectedKeys(keyGaps(evidence.Denied, "members=read")...)}, wantFail: []evidence.FailureKind{evidence.Denied}},
		{name: "absent: repository gone before the second page of deploy keys", fx: with(moreKeys, fixtures{gqlDeployKeys2: {Body: "graphql/org_not_found.json"}}),
			want: []evidence.Resource{unprotectedKeys(keyGaps(evidence.Errored, "")...)}, wantFail: []evidence.FailureKind{evidence.Errored}},
		{name: "throttled second page of deploy keys", fx: with(moreKeys, fixtures{gqlDeployKeys2: secondaryLimited}),
			want: []evidence.Resource{unprotectedKeys(keyGaps(evidence.Throttled, "")...)}, wantFail: []evidence.FailureKind{evidence.Throttled}},
		{name: "cancelled during deploy keys", fx: with(moreKeys, fixtures{gqlDeployKeys2: blockKeys}), started: startedKeys, wantErr: evidence.Cancelled},
		{name: "empty", fx: fixtures{gqlProtection: {Body: "graphql/empty.json"}}},
		{name: "absent: no protection", fx: fixtures{gqlProtection: {Body: "graphql/repo_protection_none.json"}},
			want: []evidence.Resource{repoRes("Hello-World", "public", false, unprotected)}},
		{name: "archived included, filtered by name", mod: func(c *Config) { c.IncludeArchived = true; c.Repos.Exclude = []string{"Hello-*"} }, fx: happy,
			want:     []evidence.Resource{repoRes("old-site", "public", true, unprotected)},
			wantSkip: []evidence.Skip{{Resource: "https://github.com/octo-org/Hello-World", Reason: "filtered out by the repos include/exclude configuration"}}},
		{name: "absent: organisation not found", fx: fixtures{gqlProtection: {Body: "graphql/org_not_found.json"}}, wantErr: evidence.Errored},
		{name: "denied rulesets of one repository", fx: fixtures{gqlProtection: {Body: "graphql/repo_protection_denied.json"}},
			want: []evidence.Resource{repoRes("Hello-World", "public", false, noKeys, gaps(evidence.Denied, perm)...)}, wantFail: []evidence.FailureKind{evidence.Denied}},
		{name: "denied listing (HTTP 403)", fx: fixtures{gqlProtection: forbidden}, wantErr: evidence.Denied},
		{name: "denied listing (insufficient scopes)", fx: fixtures{gqlProtection: {Body: "graphql/insufficient_scopes.json"}}, wantErr: evidence.Denied},
		{name: "rate limited (HTTP 403)", fx: fixtures{gqlProtection: rateLimited}, wantErr: evidence.Throttled},
		{name: "rate limited (GraphQL)", fx: fixtures{gqlProtection: {Body: "graphql/rate_limited.json"}}, wantErr: evidence.Throttled},
		{name: "rate limited mid-run", fx: fixtures{
			gqlProtection: {Body: "graphql/repo_protection_more_rulesets.json"},
			gqlRulesets2:  secondaryLimited,
		}, want: []evidence.Resource{repoRes("Hello-World", "public", false, noKeys, gaps(evidence.Throttled, "")...)}, wantFail: []evidence.FailureKind{evidence.Throttled}},
		{name: "cancelled", fx: fixtures{gqlProtection: blockReply}, started: started, wantErr: evidence.Cancelled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newServer(t, tt.fx)
			s, err := run(t, testSource(srv, tt.mod), "github.repos", tt.started)
			if tt.wantErr != "" {
				apitest.WantKind(t, err, tt.wantErr)
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

func TestRulesetApplies(t *testing.T) {
	t.Parallel()
	rs := func(repo, include, exclude []string) ruleset {
		var r ruleset
		r.Conditions.RefName = &refCondition{Include: include, Exclude: exclude}
		if repo != nil {
			r.Conditions.RepositoryName = &refCondition{Include: repo}
		}
		return r
	}
	tests := []struct {
		name string
		rs   ruleset
		want bool
	}{
		{"default branch", rs(nil, []string{"~DEFAULT_BRANCH"}, nil), true},
		{"all branches", rs(nil, []string{"~ALL"}, nil), true},
		{"exact ref", rs(nil, []string{"refs/heads/main"}, nil), true},
		{"other ref", rs(nil, []string{"refs/heads/release"}, nil), false},
		{"star within a segment", rs(nil, []string{"refs/heads/ma*"}, nil), true},
		{"star does not cross a slash", rs(nil, []string{"refs/*"}, nil), false},
		{"double star crosses slashes", rs(nil, []string{"refs/**"}, nil), true},
		{"character class", rs(nil, []string{"refs/heads/[lm]ain"}, nil), true},
		{"negated class", rs(nil, []string{"refs/heads/[!m]ain"}, nil), false},
		{"excluded", rs(nil, []string{"~ALL"}, []string{"refs/heads/main"}), false},
		{"no ref condition", ruleset{}, false},
		{"repository name matches", rs([]string{"api-*"}, []string{"~ALL"}, nil), true},
		{"repository name does not match", rs([]string{"web-*"}, []string{"~ALL"}, nil), false},
	}
	for _, tt := range tests {
		if got := tt.rs.applies("api-server", "main"); got != tt.want {
			t.Errorf("%s: applies = %v, want %v", tt.name, got, tt.want)
		}
	}
}
