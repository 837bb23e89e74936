package github

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"

	gh "github.com/google/go-github/v92/github"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
)

// RepoCollector reads each repository's visibility and how its default
// branch is protected, from classic branch protection and from rulesets
// (the stricter of the two counts). It reads graphQLRepoBatch repositories
// per GraphQL query, with their default branch's protection rule and their
// rulesets, instead of three REST calls per repository.
//
// GitHub API docs:
//   - https://docs.github.com/graphql/reference/objects#repository (organization.repositories)
//   - https://docs.github.com/graphql/reference/objects#branchprotectionrule (Ref.branchProtectionRule)
//   - https://docs.github.com/graphql/reference/objects#repositoryruleset (Repository.rulesets, includeParents)
//
// A ruleset applies when it is active, targets branches, and its ref name
// conditions match the default branch (see refMatches); GitHub returns only
// the organisation rulesets that target the repository.
type RepoCollector struct{ src *Source }

const typeRepo = "github.repository"

// rulesetFields selects what the protection attributes need of a ruleset.
// A ruleset holds each rule type at most once, and GitHub has fewer than
// 50 rule types, so one page of rules is all of them.
const rulesetFields = `enforcement target
        conditions { refName { include exclude } repositoryName { include exclude } }
        bypassActors(first: 1) { totalCount }
        rules(first: 50) { nodes { type parameters { ... on PullRequestParameters { requiredApprovingReviewCount dismissStaleReviewsOnPush requireCodeOwnerReview } } } }`

// deployKeyFields selects what the deploy key attributes need.
const deployKeyFields = `pageInfo { hasNextPage endCursor } nodes { title readOnly }`

// repoProtectionQuery reads repositories with their default branch
// protection, first rulesets, CODEOWNERS file (in any of the three places
// GitHub looks for it, on the default branch: HEAD) and first deploy keys.
var repoProtectionQuery = reposQuery("AttestRepoProtection", `
      defaultBranchRef { name branchProtectionRule { requiresApprovingReviews requiredApprovingReviewCount dismissesStaleReviews requiresStatusChecks isAdminEnforced allowsForcePushes requiresCodeOwnerReviews } }
      rulesets(first: 20, includeParents: true) { pageInfo { hasNextPage endCursor } nodes { `+rulesetFields+` } }
      codeownersRoot: object(expression: "HEAD:CODEOWNERS") { id }
      codeownersGitHub: object(expression: "HEAD:.github/CODEOWNERS") { id }
      codeownersDocs: object(expression: "HEAD:docs/CODEOWNERS") { id }
      deployKeys(first: 100) { `+deployKeyFields+` }`)

// deployKeysQuery reads the further deploy keys of a repository with more
// than fit its page of repoProtectionQuery.
const deployKeysQuery = `query AttestDeployKeys($owner: String!, $name: String!, $cursor: String) {
  repository(owner: $owner, name: $name) {
    deployKeys(first: 100, after: $cursor) { ` + deployKeyFields + ` }
  }
}`

// rulesetsQuery reads the further rulesets of a repository with more than
// fit its page of repoProtectionQuery.
const rulesetsQuery = `query AttestRulesets($owner: String!, $name: String!, $cursor: String) {
  repository(owner: $owner, name: $name) {
    rulesets(first: 100, after: $cursor, includeParents: true) { pageInfo { hasNextPage endCursor } nodes { ` + rulesetFields + ` } }
  }
}`

// permProtection is what reading branch protection and rulesets needs.
const permProtection = scopeRepo + " and admin access to the repository, or " + permRepoAdmin

// protectionAttrs are the attributes derived from branch protection and
// the default branch's files.
var protectionAttrs = []string{
	"branch_protected", "protection_source", "required_reviews", "required_approving_review_count",
	"dismiss_stale_reviews", "required_status_checks", "admins_enforced", "force_pushes_blocked",
	"code_owner_review_required", "codeowners_file",
}

// deployKeyAttrs are the attributes derived from the deploy keys.
var deployKeyAttrs = []string{"deploy_keys", "write_deploy_keys", "write_deploy_key_titles"}

// Describe returns the collector's metadata.
func (c *RepoCollector) Describe() collectors.Descriptor {
	return collectors.Descriptor{
		ID: "github.repos", Version: 3, Source: SourceName,
		Title: "GitHub repositories, default branch protection, CODEOWNERS and deploy keys",
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
			{Name: "code_owner_review_required", Type: "bool", Doc: "Pull requests need an approving review from a code owner (classic require_code_owner_reviews, or a ruleset pull_request rule with require_code_owner_review)."},
			{Name: "codeowners_file", Type: "bool", Doc: "A CODEOWNERS file is on the default branch, in the root, .github/ or docs/ (whether its syntax is valid is not checked)."},
			{Name: "deploy_keys", Type: "int", Doc: "Number of deploy keys of the repository."},
			{Name: "write_deploy_keys", Type: "int", Doc: "Deploy keys with write access (not read-only), whether or not a policy currently disables them."},
			{Name: "write_deploy_key_titles", Type: "list", Doc: "Titles of the deploy keys with write access, sorted."},
		}}},
		Permissions: []string{scopeRepo, permRepoMetadata, permRepoAdmin, permContents},
	}
}

// Collect reads every selected repository of the organisation.
func (c *RepoCollector) Collect(ctx context.Context, target evidence.Target, out collectors.Sink) error {
	return c.src.eachGraphRepo(ctx, target.Account, repoProtectionQuery, scopeRepo+" or "+permRepoMetadata, out, c.repo)
}

// repoResult is what one repository's worker found.
type repoResult struct {
	res   *evidence.Resource
	fails []evidence.Failure
	err   error // a cancellation that ends the run
}

// eachRepo runs fn for every selected repository of org, at most
// cfg.Concurrency at once, and emits what it found in repository order.
func (s *Source) eachRepo(ctx context.Context, org string, out collectors.Sink, fn func(context.Context, *gh.Client, listedRepo) repoResult) error {
	client, err := s.gh()
	if err != nil {
		return err
	}
	repos, _, err := s.listRepos(ctx, client, org, out)
	if err != nil {
		return err
	}
	results := make([]repoResult, len(repos))
	err = collectors.ForEach(ctx, s.cfg.Concurrency, len(repos), func(ctx context.Context, i int) {
		results[i] = fn(ctx, client, repos[i])
	})
	return flush(out, results, err)
}

// flush emits results in order and returns the run's error: err, or the
// first cancellation a result ended with.
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

// ruleset is a repository ruleset as GraphQL returns it.
type ruleset struct {
	Enforcement string `json:"enforcement"`
	Target      string `json:"target"`
	Conditions  struct {
		RefName        *refCondition `json:"refName"`
		RepositoryName *refCondition `json:"repositoryName"`
	} `json:"conditions"`
	BypassActors struct {
		TotalCount int `json:"totalCount"`
	} `json:"bypassActors"`
	Rules struct {
		Nodes []struct {
			Type       string `json:"type"`
			Parameters *struct {
				RequiredApprovingReviewCount *int `json:"requiredApprovingReviewCount"`
				DismissStaleReviewsOnPush    bool `json:"dismissStaleReviewsOnPush"`
				RequireCodeOwnerReview       bool `json:"requireCodeOwnerReview"`
			} `json:"parameters"`
		} `json:"nodes"`
	} `json:"rules"`
}

// refCondition is a ruleset's include/exclude pattern condition.
type refCondition struct {
	Include []string `json:"include"`
	Exclude []string `json:"exclude"`
}

type rulesetConn struct {
	PageInfo pageInfo  `json:"pageInfo"`
	Nodes    []ruleset `json:"nodes"`
}

// protectionNode is the collector's part of a repository node.
type protectionNode struct {
	DefaultBranchRef *struct {
		BranchProtectionRule *struct {
			RequiresApprovingReviews     bool `json:"requiresApprovingReviews"`
			RequiredApprovingReviewCount int  `json:"requiredApprovingReviewCount"`
			DismissesStaleReviews        bool `json:"dismissesStaleReviews"`
			RequiresStatusChecks         bool `json:"requiresStatusChecks"`
			IsAdminEnforced              bool `json:"isAdminEnforced"`
			AllowsForcePushes            bool `json:"allowsForcePushes"`
			RequiresCodeOwnerReviews     bool `json:"requiresCodeOwnerReviews"`
		} `json:"branchProtectionRule"`
	} `json:"defaultBranchRef"`
	Rulesets         *rulesetConn   `json:"rulesets"`
	CodeownersRoot   *struct{}      `json:"codeownersRoot"`
	CodeownersGitHub *struct{}      `json:"codeownersGitHub"`
	CodeownersDocs   *struct{}      `json:"codeownersDocs"`
	DeployKeys       *deployKeyConn `json:"deployKeys"`
}

// deployKeyConn is a page of a repository's deploy keys.
type deployKeyConn struct {
	PageInfo pageInfo `json:"pageInfo"`
	Nodes    []struct {
		Title    string `json:"title"`
		ReadOnly bool   `json:"readOnly"`
	} `json:"nodes"`
}

func (c *RepoCollector) repo(ctx context.Context, client *gh.Client, r *graphRepo) repoResult {
	ctx, trace := collectors.WithTrace(ctx)
	branch := r.branch()
	res := &evidence.Resource{
		Type: typeRepo, ID: r.URL, Name: r.NameWithOwner, Account: r.owner(),
		Attributes: map[string]any{
			"visibility": r.visibility(), "archived": r.IsArchived, "fork": r.IsFork, "default_branch": branch,
		},
	}
	out := repoResult{res: res}
	done := func() repoResult {
		res.Records = append(slices.Clone(r.records), trace.Records()...)
		return out
	}
	gap := func(err error) repoResult {
		for _, a := range protectionAttrs {
			res.Gaps = append(res.Gaps, collectors.GapOf(err, a))
		}
		out.fails = append(out.fails, collectors.FailureOf(err, res.ID))
		return done()
	}
	var node protectionNode
	decodeErr := json.Unmarshal(r.raw, &node)
	if decodeErr != nil {
		decodeErr = fmt.Errorf("github graphql %s: decode: %w", r.NameWithOwner, decodeErr)
	}
	// Deploy keys do not depend on the default branch or its protection.
	if err := cmp.Or(r.err("deployKeys", permProtection), decodeErr); err != nil {
		for _, a := range deployKeyAttrs {
			res.Gaps = append(res.Gaps, collectors.GapOf(err, a))
		}
		out.fails = append(out.fails, collectors.FailureOf(err, res.ID))
	} else if err := deployKeys(ctx, client, r, node.DeployKeys, res.Attributes); err != nil {
		if canceled(err) {
			return repoResult{err: err}
		}
		for _, a := range deployKeyAttrs {
			res.Gaps = append(res.Gaps, collectors.GapOf(err, a))
		}
		out.fails = append(out.fails, collectors.FailureOf(err, res.ID))
	}
	if err := cmp.Or(r.errExcept("deployKeys", permProtection), decodeErr); err != nil {
		return gap(err)
	}
	var p protection
	if branch == "" {
		// An empty repository has no branch to protect.
		for k, v := range p.attrs() {
			res.Attributes[k] = v
		}
		return done()
	}
	p.codeowners = node.CodeownersRoot != nil || node.CodeownersGitHub != nil || node.CodeownersDocs != nil
	p.classicRule(node)
	sets, err := allRulesets(ctx, client, r, node.Rulesets)
	if err != nil {
		if canceled(err) {
			return repoResult{err: err}
		}
		return gap(err)
	}
	for _, rs := range sets {
		if rs.Enforcement == "ACTIVE" && rs.Target == "BRANCH" && rs.applies(r.Name, branch) {
			p.mergeRuleset(rs)
		}
	}
	for k, v := range p.attrs() {
		res.Attributes[k] = v
	}
	return done()
}

// classicRule sets p from the classic branch protection rule of the
// default branch in node, when there is one.
func (p *protection) classicRule(node protectionNode) {
	b := node.DefaultBranchRef
	if b == nil || b.BranchProtectionRule == nil {
		return
	}
	bp := b.BranchProtectionRule
	p.classic = true
	if bp.RequiresApprovingReviews {
		p.reviews = true
		p.reviewCount = bp.RequiredApprovingReviewCount
		p.dismissStale = bp.DismissesStaleReviews
		p.codeOwnerReview = bp.RequiresCodeOwnerReviews
	}
	p.statusChecks = bp.RequiresStatusChecks
	p.adminsEnforced = bp.IsAdminEnforced
	p.forcePushesBlocked = !bp.AllowsForcePushes
}

// allRulesets returns the rulesets of conn and of every following page of
// r's rulesets.
func allRulesets(ctx context.Context, client *gh.Client, r *graphRepo, conn *rulesetConn) ([]ruleset, error) {
	var sets []ruleset
	for conn != nil {
		sets = append(sets, conn.Nodes...)
		if !conn.PageInfo.HasNextPage {
			break
		}
		var more struct {
			Repository *struct {
				Rulesets *rulesetConn `json:"rulesets"`
			} `json:"repository"`
		}
		err := graphqlWhole(ctx, client, rulesetsQuery, map[string]any{"owner": r.owner(), "name": r.Name, "cursor": conn.PageInfo.EndCursor},
			permProtection, &more, "rulesets of "+r.NameWithOwner, func() bool { return more.Repository != nil && more.Repository.Rulesets != nil })
		if err != nil {
			return nil, err
		}
		conn = more.Repository.Rulesets
	}
	return sets, nil
}

// deployKeys counts the repository's deploy keys into attrs, reading
// further pages when its page of the repository list did not hold them all.
// A repository without a deployKeys connection (nil) has none.
func deployKeys(ctx context.Context, client *gh.Client, r *graphRepo, conn *deployKeyConn, attrs map[string]any) error {
	total := 0
	titles := []string{}
	for conn != nil {
		for _, k := range conn.Nodes {
			total++
			if !k.ReadOnly {
				titles = append(titles, k.Title)
			}
		}
		if !conn.PageInfo.HasNextPage {
			break
		}
		var more struct {
			Repository *struct {
				DeployKeys *deployKeyConn `json:"deployKeys"`
			} `json:"repository"`
		}
		err := graphqlWhole(ctx, client, deployKeysQuery, map[string]any{"owner": r.owner(), "name": r.Name, "cursor": conn.PageInfo.EndCursor},
			permProtection, &more, "deploy keys of "+r.NameWithOwner, func() bool { return more.Repository != nil && more.Repository.DeployKeys != nil })
		if err != nil {
			return err
		}
		conn = more.Repository.DeployKeys
	}
	slices.Sort(titles)
	attrs["deploy_keys"] = total
	attrs["write_deploy_keys"] = len(titles)
	attrs["write_deploy_key_titles"] = anyStrings(titles)
	return nil
}

// anyStrings converts ss to a list attribute value.
func anyStrings(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// applies reports whether the ruleset's conditions select the default
// branch of the named repository.
func (rs ruleset) applies(repo, branch string) bool {
	if c := rs.Conditions.RepositoryName; c != nil && !c.matches(repo, "") {
		return false
	}
	c := rs.Conditions.RefName
	return c != nil && c.matches("refs/heads/"+branch, branch)
}

// matches reports whether name passes the condition: an include pattern
// matches and no exclude pattern does. "~ALL" matches everything and
// "~DEFAULT_BRANCH" the default branch (when branch is set).
func (c refCondition) matches(name, branch string) bool {
	match := func(pats []string) bool {
		for _, p := range pats {
			switch {
			case p == "~ALL":
				return true
			case p == "~DEFAULT_BRANCH":
				if branch != "" {
					return true
				}
			case globMatch(p, name):
				return true
			}
		}
		return false
	}
	return match(c.Include) && !match(c.Exclude)
}

// globMatch matches name against a ruleset pattern in GitHub's fnmatch
// syntax: "*" matches within one path segment, "**" across segments, "?"
// one character, and "[...]" a character class. Each pattern is compiled
// once; a pattern that does not compile matches nothing.
func globMatch(pattern, name string) bool {
	re, ok := globCache.Load(pattern)
	if !ok {
		re, _ = globCache.LoadOrStore(pattern, globRegexp(pattern))
	}
	r := re.(*regexp.Regexp)
	return r != nil && r.MatchString(name)
}

// globCache holds the compiled ruleset patterns, by pattern (nil for one
// that does not compile). Rulesets repeat the same few patterns across
// every repository of an organisation.
var globCache sync.Map

// globRegexp compiles a ruleset pattern (see globMatch) to an anchored
// regular expression, or returns nil when it does not compile.
func globRegexp(pattern string) *regexp.Regexp {
	var b strings.Builder
	b.WriteString("^")
	for i := 0; i < len(pattern); i++ {
		switch ch := pattern[i]; ch {
		case '*':
			if i+1 < len(pattern) && pattern[i+1] == '*' {
				b.WriteString(".*")
				i++
			} else {
				b.WriteString("[^/]*")
			}
		case '?':
			b.WriteString("[^/]")
		case '[':
			j := strings.IndexByte(pattern[i:], ']')
			if j < 0 {
				b.WriteString(regexp.QuoteMeta(pattern[i:]))
				i = len(pattern)
				continue
			}
			class := pattern[i+1 : i+j]
			if strings.HasPrefix(class, "!") {
				class = "^" + class[1:]
			}
			b.WriteString("[" + strings.ReplaceAll(class, `\`, `\\`) + "]")
			i += j
		default:
			b.WriteString(regexp.QuoteMeta(string(ch)))
		}
	}
	b.WriteString("$")
	re, err := regexp.Compile(b.String())
	if err != nil {
		return nil
	}
	return re
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
	codeOwnerReview    bool
	codeowners         bool
}

// mergeRuleset adds the rules of an active ruleset that applies to the
// branch. A ruleset that nobody may bypass binds administrators too.
func (p *protection) mergeRuleset(rs ruleset) {
	binding := false
	for _, rule := range rs.Rules.Nodes {
		switch rule.Type {
		case "PULL_REQUEST":
			p.rulesets, p.reviews, binding = true, true, true
			if pr := rule.Parameters; pr != nil {
				if pr.RequiredApprovingReviewCount != nil {
					p.reviewCount = max(p.reviewCount, *pr.RequiredApprovingReviewCount)
				}
				p.dismissStale = p.dismissStale || pr.DismissStaleReviewsOnPush
				p.codeOwnerReview = p.codeOwnerReview || pr.RequireCodeOwnerReview
			}
		case "REQUIRED_STATUS_CHECKS":
			p.rulesets, p.statusChecks, binding = true, true, true
		case "NON_FAST_FORWARD":
			p.rulesets, p.forcePushesBlocked, binding = true, true, true
		case "UPDATE", "DELETION", "REQUIRED_LINEAR_HISTORY", "REQUIRED_SIGNATURES":
			p.rulesets = true
		}
	}
	if binding && rs.BypassActors.TotalCount == 0 {
		p.adminsEnforced = true
	}
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
		"code_owner_review_required":      p.codeOwnerReview,
		"codeowners_file":                 p.codeowners,
	}
}
