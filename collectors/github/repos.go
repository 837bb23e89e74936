package github

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"

	gh "github.com/google/go-github/v92/github"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
)

// RepoCollector reads each repository's visibility and how its default
// branch is protected, from classic branch protection and from rulesets
// (the stricter of the two counts).
//
// GitHub API docs:
//   - https://docs.github.com/rest/repos/repos#list-organization-repositories (GET /orgs/{org}/repos)
//   - https://docs.github.com/rest/branches/branch-protection#get-branch-protection (GET /repos/{owner}/{repo}/branches/{branch}/protection)
//   - https://docs.github.com/rest/repos/rules#get-rules-for-a-branch (GET /repos/{owner}/{repo}/rules/branches/{branch})
//   - https://docs.github.com/rest/repos/rules#get-a-repository-ruleset (GET /repos/{owner}/{repo}/rulesets/{ruleset_id})
type RepoCollector struct{ src *Source }

const (
	opProtection = "GET /repos/{owner}/{repo}/branches/{branch}/protection"
	opBranchRule = "GET /repos/{owner}/{repo}/rules/branches/{branch}"
	opRuleset    = "GET /repos/{owner}/{repo}/rulesets/{ruleset_id}"
	typeRepo     = "github.repository"
)

// protectionAttrs are the attributes derived from branch protection.
var protectionAttrs = []string{
	"branch_protected", "protection_source", "required_reviews", "required_approving_review_count",
	"dismiss_stale_reviews", "required_status_checks", "admins_enforced", "force_pushes_blocked",
}

// Describe returns the collector's metadata.
func (c *RepoCollector) Describe() collectors.Descriptor {
	return collectors.Descriptor{
		ID: "github.repos", Version: 1, Source: SourceName,
		Title: "GitHub repositories and default branch protection",
		ResourceTypes: []collectors.ResourceType{{Name: typeRepo, Doc: "A repository and the protection of its default branch.", Attributes: []collectors.Attribute{
			{Name: "visibility", Type: "string", Doc: "public, private or internal."},
			{Name: "archived", Type: "bool", Doc: "The repository is archived (read-only)."},
			{Name: "fork", Type: "bool", Doc: "The repository is a fork."},
			{Name: "default_branch", Type: "string", Doc: "Name of the default branch."},
			{Name: "branch_protected", Type: "bool", Doc: "Classic branch protection or an active ruleset applies to the default branch."},
			{Name: "protection_source", Type: "string", Doc: "Where the protection comes from: classic, rulesets, both or none."},
			{Name: "required_reviews", Type: "bool", Doc: "Changes need an approving pull request review."},
			{Name: "required_approving_review_count", Type: "int", Doc: "Approvals required (0 when reviews are not required)."},
			{Name: "dismiss_stale_reviews", Type: "bool", Doc: "New commits dismiss earlier approvals."},
			{Name: "required_status_checks", Type: "bool", Doc: "Status checks must pass before merging."},
			{Name: "admins_enforced", Type: "bool", Doc: "Administrators are subject to the protection (classic enforce_admins, or a ruleset without bypass actors)."},
			{Name: "force_pushes_blocked", Type: "bool", Doc: "Force pushes to the default branch are blocked."},
		}}},
		Permissions: []string{scopeRepo, permRepoMetadata, permRepoAdmin},
	}
}

// Collect reads every selected repository of the organisation.
func (c *RepoCollector) Collect(ctx context.Context, target evidence.Target, out collectors.Sink) error {
	return c.src.eachRepo(ctx, target.Account, out, c.repo)
}

// repoResult is what one repository's worker found.
type repoResult struct {
	res   *evidence.Resource
	fails []evidence.Failure
	err   error // a cancellation that ends the run
}

// flush emits results in repository order and returns the run's error.
// eachRepo runs fn for every selected repository of org, at most
// cfg.Concurrency at once, and emits what it found in repository order.
func (s *Source) eachRepo(ctx context.Context, org string, out collectors.Sink, fn func(context.Context, *gh.Client, *gh.Repository) repoResult) error {
	client, err := s.gh()
	if err != nil {
		return err
	}
	repos, err := s.listRepos(ctx, client, org, out)
	if err != nil {
		return err
	}
	results := make([]repoResult, len(repos))
	err = forEach(ctx, s.cfg.Concurrency, indexes(len(repos)), func(ctx context.Context, i int) {
		results[i] = fn(ctx, client, repos[i])
	})
	return flush(out, results, err)
}

func flush(out collectors.Sink, results []repoResult, err error) error {
	for _, r := range results {
		if r.res != nil {
			out.Emit(*r.res)
		}
		for _, f := range r.fails {
			out.Fail(f)
		}
		if r.err != nil && err == nil {
			err = r.err
		}
	}
	return err
}

func (c *RepoCollector) repo(ctx context.Context, client *gh.Client, r *gh.Repository) repoResult {
	ctx, trace := collectors.WithTrace(ctx)
	owner, name, branch := r.GetOwner().GetLogin(), r.GetName(), r.GetDefaultBranch()
	res := &evidence.Resource{
		Type: typeRepo, ID: repoID(r), Name: r.GetFullName(), Account: owner,
		Attributes: map[string]any{
			"visibility": visibility(r), "archived": r.GetArchived(), "fork": r.GetFork(), "default_branch": branch,
		},
	}
	var out repoResult
	out.res = res
	gap := func(err error) {
		for _, a := range protectionAttrs {
			res.Gaps = append(res.Gaps, collectors.GapOf(err, a))
		}
		out.fails = append(out.fails, collectors.FailureOf(err, res.ID))
	}
	if branch == "" {
		// An empty repository has no branch to protect.
		for k, v := range map[string]any{"branch_protected": false, "protection_source": "none", "required_reviews": false,
			"required_approving_review_count": 0, "dismiss_stale_reviews": false, "required_status_checks": false,
			"admins_enforced": false, "force_pushes_blocked": false} {
			res.Attributes[k] = v
		}
		res.Records = trace.Records()
		return out
	}

	var p protection
	classic, _, err := client.Repositories.GetBranchProtection(ctx, owner, name, branch)
	switch {
	case err == nil:
		p.mergeClassic(classic)
	case errors.Is(err, gh.ErrBranchNotProtected):
		// "Branch not protected": no classic protection, which is evidence.
	default:
		err = classify(err, opProtection, scopeRepo+" and admin access to the repository, or "+permRepoAdmin)
		if canceled(err) {
			out.err = err
			return out
		}
		gap(err)
		res.Records = trace.Records()
		return out
	}
	rules, _, err := client.Repositories.ListRulesForBranch(ctx, owner, name, branch, &gh.ListOptions{PerPage: 100})
	switch {
	case err == nil:
		if err := p.mergeRules(ctx, client, owner, name, rules); err != nil {
			if canceled(err) {
				out.err = err
				return out
			}
			gap(err)
			res.Records = trace.Records()
			return out
		}
	case statusOf(err) == http.StatusNotFound:
	default:
		err = classify(err, opBranchRule, scopeRepo+" or "+permRepoMetadata)
		if canceled(err) {
			out.err = err
			return out
		}
		gap(err)
		res.Records = trace.Records()
		return out
	}
	for k, v := range p.attrs() {
		res.Attributes[k] = v
	}
	res.Records = trace.Records()
	return out
}

func visibility(r *gh.Repository) string {
	if v := r.GetVisibility(); v != "" {
		return v
	}
	if r.GetPrivate() {
		return "private"
	}
	return "public"
}

// protection is the effective protection of a branch.
type protection struct {
	classic, rulesets  bool
	reviews            bool
	reviewCount        int
	dismissStale       bool
	statusChecks       bool
	adminsEnforced     bool
	forcePushesBlocked bool
}

func (p *protection) mergeClassic(c *gh.Protection) {
	p.classic = true
	if rv := c.RequiredPullRequestReviews; rv != nil {
		p.reviews = true
		p.reviewCount = max(p.reviewCount, rv.RequiredApprovingReviewCount)
		p.dismissStale = p.dismissStale || rv.DismissStaleReviews
	}
	if c.RequiredStatusChecks != nil {
		p.statusChecks = true
	}
	if c.EnforceAdmins != nil && c.EnforceAdmins.Enabled {
		p.adminsEnforced = true
	}
	// Classic protection blocks force pushes unless allow_force_pushes is on.
	if c.AllowForcePushes == nil || !c.AllowForcePushes.Enabled {
		p.forcePushesBlocked = true
	}
}

func (p *protection) mergeRules(ctx context.Context, client *gh.Client, owner, repo string, r *gh.BranchRules) error {
	if r == nil {
		return nil
	}
	var ids []int64
	for _, pr := range r.PullRequest {
		p.rulesets = true
		p.reviews = true
		p.reviewCount = max(p.reviewCount, pr.Parameters.RequiredApprovingReviewCount)
		p.dismissStale = p.dismissStale || pr.Parameters.DismissStaleReviewsOnPush
		ids = append(ids, pr.RulesetID)
	}
	for _, sc := range r.RequiredStatusChecks {
		p.rulesets = true
		p.statusChecks = true
		ids = append(ids, sc.RulesetID)
	}
	for _, nf := range r.NonFastForward {
		p.rulesets = true
		p.forcePushesBlocked = true
		ids = append(ids, nf.RulesetID)
	}
	if len(r.Update) > 0 || len(r.Deletion) > 0 || len(r.RequiredLinearHistory) > 0 || len(r.RequiredSignatures) > 0 {
		p.rulesets = true
	}
	if p.adminsEnforced {
		return nil
	}
	slices.Sort(ids)
	for _, id := range slices.Compact(ids) {
		rs, _, err := client.Repositories.GetRuleset(ctx, owner, repo, id, true)
		if err != nil {
			return fmt.Errorf("ruleset %d: %w", id, classify(err, opRuleset, scopeRepo+" or "+permRepoAdmin))
		}
		// A ruleset with nobody allowed to bypass binds administrators too.
		if rs.Enforcement == gh.RulesetEnforcementActive && len(rs.BypassActors) == 0 {
			p.adminsEnforced = true
			break
		}
	}
	return nil
}

func (p *protection) attrs() map[string]any {
	src := "none"
	switch {
	case p.classic && p.rulesets:
		src = "both"
	case p.classic:
		src = "classic"
	case p.rulesets:
		src = "rulesets"
	}
	return map[string]any{
		"branch_protected":                p.classic || p.rulesets,
		"protection_source":               src,
		"required_reviews":                p.reviews,
		"required_approving_review_count": p.reviewCount,
		"dismiss_stale_reviews":           p.dismissStale,
		"required_status_checks":          p.statusChecks,
		"admins_enforced":                 p.adminsEnforced,
		"force_pushes_blocked":            p.forcePushesBlocked,
	}
}
