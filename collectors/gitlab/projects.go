package gitlab

import (
	"cmp"
	"context"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	gl "gitlab.com/gitlab-org/api/client-go/v2"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
)

// ProjectCollector reads each project of the group hierarchy: visibility,
// how the default branch is protected, the merge request approval
// settings and rules, the push rule, secret push protection, and the
// deploy keys and project
// access tokens (one gitlab.credential each).
//
// GitLab API docs:
//   - https://docs.gitlab.com/api/groups/#list-projects (GET /groups/:id/projects, include_subgroups=true)
//   - https://docs.gitlab.com/api/protected_branches/#list-protected-branches (GET /projects/:id/protected_branches)
//   - https://docs.gitlab.com/api/merge_request_approvals/#retrieve-project-level-mr-approval-configuration (GET /projects/:id/approvals; Premium)
//   - https://docs.gitlab.com/api/merge_request_approvals/#get-all-approval-rules-for-project (GET /projects/:id/approval_rules; Premium)
//   - https://docs.gitlab.com/api/project_push_rules/ (GET /projects/:id/push_rule; Premium)
//   - https://docs.gitlab.com/api/project_security_settings/ (GET /projects/:id/security_settings; Ultimate, Developer)
//   - https://docs.gitlab.com/api/deploy_keys/#list-deploy-keys-for-project (GET /projects/:id/deploy_keys)
//   - https://docs.gitlab.com/api/project_access_tokens/#list-all-project-access-tokens (GET /projects/:id/access_tokens; Maintainer)
//
// Where the instance's tier has no approval or push rules API (GitLab Free
// answers 404 or 403 naming the licence), those attributes are gaps and
// the run's scope notes say so: a control over them is inconclusive, never
// passing.
type ProjectCollector struct{ src *Source }

const (
	opListProjects     = "GET /groups/{id}/projects"
	opProtected        = "GET /projects/{id}/protected_branches"
	opApprovals        = "GET /projects/{id}/approvals"
	opApprovalRules    = "GET /projects/{id}/approval_rules"
	opPushRule         = "GET /projects/{id}/push_rule"
	opDeployKeys       = "GET /projects/{id}/deploy_keys"
	opAccessTokens     = "GET /projects/{id}/access_tokens"
	opSecuritySettings = "GET /projects/{id}/security_settings"
	typeProject        = "gitlab.project"
	typeCredential     = "gitlab.credential"
	projectsCallsPer   = 7
)

var (
	protectionAttrs = []string{"branch_protected", "force_pushes_blocked", "merge_restricted_to_maintainers", "push_restricted_to_maintainers", "merge_access_levels", "push_access_levels", "code_owner_review_required"}
	approvalAttrs   = []string{"required_approving_review_count", "approval_rules_count", "author_approval_allowed", "committers_approval_disabled", "reset_approvals_on_push"}
	pushRuleAttrs   = []string{"push_rules_configured", "prevent_secrets"}
	deployKeyAttrs  = []string{"deploy_keys", "write_deploy_keys", "write_deploy_key_titles"}
	tokenAttrs      = []string{"access_tokens"}
	securityAttrs   = []string{"secret_push_protection_enabled"}
)

// Describe returns the collector's metadata.
func (c *ProjectCollector) Describe() collectors.Descriptor {
	return collectors.Descriptor{
		ID: "gitlab.projects", Version: 1, Source: SourceName,
		Title: "GitLab projects, default branch protection, approval rules, push rules, deploy keys and access tokens",
		ResourceTypes: []collectors.ResourceType{
			{Name: typeProject, Doc: "A project and the protection of its default branch.", Attributes: []collectors.Attribute{
				{Name: "full_path", Type: "string", Doc: "The project's full path (path_with_namespace)."},
				{Name: "visibility", Type: "string", Doc: "public, internal or private."},
				{Name: "archived", Type: "bool", Doc: "The project is archived (archived projects are skipped and listed in the scope notes)."},
				{Name: "fork", Type: "bool", Doc: "The project is a fork."},
				{Name: "default_branch", Type: "string", Doc: "Name of the default branch."},
				{Name: "branch_protected", Type: "bool", Doc: "A protected branch rule (exact name or wildcard) matches the default branch."},
				{Name: "force_pushes_blocked", Type: "bool", Doc: "No matching rule allows force push (allow_force_push false)."},
				{Name: "merge_restricted_to_maintainers", Type: "bool", Doc: "Every matching rule lets only Maintainers (40) or higher, or no one, merge: no Developer role, user, group or deploy key entry."},
				{Name: "push_restricted_to_maintainers", Type: "bool", Doc: "Every matching rule lets only Maintainers (40) or higher, or no one, push: no Developer role, user, group or deploy key entry."},
				{Name: "merge_access_levels", Type: "list", Doc: "Who may merge, as GitLab describes the entries (e.g. Maintainers), sorted."},
				{Name: "push_access_levels", Type: "list", Doc: "Who may push, as GitLab describes the entries, sorted."},
				{Name: "code_owner_review_required", Type: "bool", Doc: "Every matching rule requires code owner approval (code_owner_approval_required; Premium)."},
				{Name: "required_approving_review_count", Type: "int", Doc: "Approvals a merge request into the default branch needs: the highest approvals_required of the approval rules that apply to it (and the legacy approvals_before_merge)."},
				{Name: "approval_rules_count", Type: "int", Doc: "Approval rules that apply to merge requests into the default branch."},
				{Name: "author_approval_allowed", Type: "bool", Doc: "Authors may approve their own merge requests (merge_requests_author_approval)."},
				{Name: "committers_approval_disabled", Type: "bool", Doc: "Users who added commits may not approve (merge_requests_disable_committers_approval)."},
				{Name: "reset_approvals_on_push", Type: "bool", Doc: "New commits remove all approvals (reset_approvals_on_push)."},
				{Name: "push_rules_configured", Type: "bool", Doc: "The project has a push rule."},
				{Name: "prevent_secrets", Type: "bool", Doc: "The push rule rejects files that are likely to contain secrets (prevent_secrets)."},
				{Name: "secret_push_protection_enabled", Type: "bool", Doc: "GitLab secret push protection blocks pushes containing detected secrets (security settings; Ultimate)."},
				{Name: "deploy_keys", Type: "int", Doc: "Deploy keys enabled for the project."},
				{Name: "write_deploy_keys", Type: "int", Doc: "Deploy keys with write access (can_push)."},
				{Name: "write_deploy_key_titles", Type: "list", Doc: "Titles of the deploy keys with write access, sorted."},
				{Name: "access_tokens", Type: "int", Doc: "Active project access tokens."},
			}},
			{Name: typeCredential, Doc: "A deploy key or active project access token of a project.", Attributes: []collectors.Attribute{
				{Name: "kind", Type: "string", Doc: "deploy_key or project_access_token."},
				{Name: "project", Type: "string", Doc: "The project's full path."},
				{Name: "title", Type: "string", Doc: "The key's title or the token's name."},
				{Name: "expires_at", Type: "timestamp", Doc: "When it expires, or empty when it never does."},
				{Name: "created_at", Type: "timestamp", Doc: "When it was created."},
				{Name: "last_used_at", Type: "timestamp", Doc: "When the token was last used (tokens only), or empty."},
				{Name: "write", Type: "bool", Doc: "It can write: a deploy key with can_push, or a token with the api or write_repository scope."},
				{Name: "scopes", Type: "list", Doc: "The token's scopes, sorted (empty for deploy keys)."},
				{Name: "access_level", Type: "int", Doc: "The token's role in the project (0 for deploy keys)."},
			}},
		},
		Permissions:      []string{scopeReadAPI, roleMaintainer, tierPremium, tierUltimate},
		CallsPerResource: projectsCallsPer,
	}
}

// project is the part of a project attest reads.
type project struct {
	ID                int64  `json:"id"`
	PathWithNamespace string `json:"path_with_namespace"`
	WebURL            string `json:"web_url"`
	Visibility        string `json:"visibility"`
	Archived          bool   `json:"archived"`
	DefaultBranch     string `json:"default_branch"`
	EmptyRepo         bool   `json:"empty_repo"`
	ForkedFrom        *struct {
		ID int64 `json:"id"`
	} `json:"forked_from_project"`
}

func projectPath(p project) string { return "projects/" + strconv.FormatInt(p.ID, 10) }

type projectListOpts struct {
	PerPage          int    `url:"per_page,omitempty"`
	IncludeSubgroups bool   `url:"include_subgroups,omitempty"`
	WithShared       *bool  `url:"with_shared,omitempty"`
	OrderBy          string `url:"order_by,omitempty"`
	Sort             string `url:"sort,omitempty"`
}

// listProjects returns the hierarchy's own projects (not those shared with
// it from other namespaces: with_shared=false) that pass the filter,
// sorted by full path. Archived, empty and filtered-out projects are
// recorded as skipped, with why.
func (s *Source) listProjects(ctx context.Context, c *gl.Client, top string, out collectors.Sink) ([]project, error) {
	all, err := list[project](ctx, c, groupPath(top)+"/projects", &projectListOpts{PerPage: 100, IncludeSubgroups: true, WithShared: new(false), OrderBy: "id", Sort: "asc"})
	if err != nil {
		return nil, fmt.Errorf("gitlab %s %s: %w", opListProjects, top, classify(err, opListProjects, roleReporter))
	}
	var keep []project
	for _, p := range all {
		switch {
		case p.Archived:
			collectors.Skip(out, p.WebURL, "archived: read-only, no changes can be pushed or merged")
		case !s.cfg.Projects.Match(p.PathWithNamespace):
			collectors.Skip(out, p.WebURL, "filtered out by the projects include/exclude configuration")
		case p.EmptyRepo || p.DefaultBranch == "":
			collectors.Skip(out, p.WebURL, "empty repository: no default branch to protect or scan")
		default:
			keep = append(keep, p)
		}
	}
	slices.SortFunc(keep, func(a, b project) int { return cmp.Compare(a.PathWithNamespace, b.PathWithNamespace) })
	return keep, nil
}

// projectResult is what one project's worker found.
type projectResult struct {
	res   []evidence.Resource
	fails []evidence.Failure
	skips [][2]string
	err   error // a cancellation that ends the run
}

// eachProject runs fn for every selected project, at most cfg.Concurrency
// at once, and emits what it found in project order.
func (s *Source) eachProject(ctx context.Context, top string, out collectors.Sink, fn func(context.Context, *gl.Client, project) projectResult) error {
	client, err := s.gl()
	if err != nil {
		return err
	}
	projects, err := s.listProjects(ctx, client, top, out)
	if err != nil {
		return err
	}
	results := make([]projectResult, len(projects))
	err = collectors.ForEach(ctx, s.cfg.Concurrency, len(projects), func(ctx context.Context, i int) {
		results[i] = fn(ctx, client, projects[i])
	})
	return emitResults(out, results, err)
}

// emitResults emits the projects' results in order and returns err or the
// first cancellation that ended a project.
func emitResults(out collectors.Sink, results []projectResult, err error) error {
	for _, r := range results {
		for _, res := range r.res {
			out.Emit(res)
		}
		for _, f := range r.fails {
			out.Fail(f)
		}
		for _, sk := range r.skips {
			collectors.Skip(out, sk[0], sk[1])
		}
		if r.err != nil && err == nil {
			err = r.err
		}
	}
	return err
}

// Collect reads every selected project of the top-level group.
func (c *ProjectCollector) Collect(ctx context.Context, target evidence.Target, out collectors.Sink) error {
	return c.src.eachProject(ctx, target.Account, out, c.project)
}

// projectRun collects one project's resource with its gaps and failures.
type projectRun struct {
	projectResult
	res *evidence.Resource
}

// failed records err for attrs: gaps on the resource and a failure of the
// run. It reports whether err ends the run (cancellation).
func (r *projectRun) failed(err error, attrs []string) bool {
	for _, a := range attrs {
		r.res.Gaps = append(r.res.Gaps, collectors.GapOf(err, a))
	}
	r.fails = append(r.fails, collectors.FailureOf(err, r.res.ID))
	if stopped(err) {
		r.err = err
		return true
	}
	return false
}

// tier records that the instance's tier has no API for attrs.
func (r *projectRun) tier(attrs []string, op, tier, what string) {
	for _, a := range attrs {
		r.res.Gaps = append(r.res.Gaps, tierGap(a, op, tier))
	}
	r.skips = append(r.skips, [2]string{r.res.ID + "#" + what, "GitLab " + tier[len("tier:"):] + " feature not available on this instance (" + op + " answered 404 or 403): " + what + " unknown"})
}

func (c *ProjectCollector) project(ctx context.Context, client *gl.Client, p project) projectResult {
	ctx, trace := collectors.WithTrace(ctx)
	res := &evidence.Resource{
		Type: typeProject, ID: p.WebURL, Name: p.PathWithNamespace,
		Attributes: map[string]any{
			"full_path": p.PathWithNamespace, "visibility": p.Visibility, "archived": p.Archived,
			"fork": p.ForkedFrom != nil, "default_branch": p.DefaultBranch,
		},
	}
	r := &projectRun{res: res}
	steps := []func(context.Context, *gl.Client, project, *projectRun) bool{protection, approvals, pushRule, secretPushProtection, deployKeys, accessTokens}
	for _, step := range steps {
		if step(ctx, client, p, r) {
			break
		}
	}
	res.Records = trace.Records()
	r.projectResult.res = append([]evidence.Resource{*res}, r.projectResult.res...)
	return r.projectResult
}

// protectedBranch is a protected branch rule.
type protectedBranch struct {
	Name                      string        `json:"name"`
	PushAccessLevels          []accessEntry `json:"push_access_levels"`
	MergeAccessLevels         []accessEntry `json:"merge_access_levels"`
	AllowForcePush            bool          `json:"allow_force_push"`
	CodeOwnerApprovalRequired bool          `json:"code_owner_approval_required"`
}

// accessEntry is one entry of a protected branch's push or merge access.
type accessEntry struct {
	AccessLevel            *int   `json:"access_level"`
	AccessLevelDescription string `json:"access_level_description"`
	UserID                 *int64 `json:"user_id"`
	GroupID                *int64 `json:"group_id"`
	DeployKeyID            *int64 `json:"deploy_key_id"`
}

// maintainersOnly reports whether the entry lets only Maintainers or
// higher, or no one (0), act.
func (e accessEntry) maintainersOnly() bool {
	if e.UserID != nil || e.GroupID != nil || e.DeployKeyID != nil || e.AccessLevel == nil {
		return false
	}
	return *e.AccessLevel == 0 || *e.AccessLevel >= accessMaintainer
}

// branchMatches reports whether a protected branch name or wildcard
// (GitLab's * matches any characters, including /) matches branch.
func branchMatches(pattern, branch string) bool {
	if pattern == branch {
		return true
	}
	if !strings.Contains(pattern, "*") {
		return false
	}
	re, err := regexp.Compile("^" + strings.ReplaceAll(regexp.QuoteMeta(pattern), `\*`, ".*") + "$")
	return err == nil && re.MatchString(branch)
}

func protection(ctx context.Context, client *gl.Client, p project, r *projectRun) bool {
	rules, err := list[protectedBranch](ctx, client, projectPath(p)+"/protected_branches", &pageOpts{PerPage: 100})
	if err != nil {
		return r.failed(classify(err, opProtected, roleMaintainer), protectionAttrs)
	}
	a := r.res.Attributes
	var matched []protectedBranch
	for _, b := range rules {
		if branchMatches(b.Name, p.DefaultBranch) {
			matched = append(matched, b)
		}
	}
	a["branch_protected"] = len(matched) > 0
	force, mergeOK, pushOK, codeOwners := false, len(matched) > 0, len(matched) > 0, len(matched) > 0
	merge, push := []string{}, []string{}
	for _, b := range matched {
		force = force || b.AllowForcePush
		codeOwners = codeOwners && b.CodeOwnerApprovalRequired
		for _, e := range b.MergeAccessLevels {
			mergeOK = mergeOK && e.maintainersOnly()
			merge = append(merge, e.AccessLevelDescription)
		}
		for _, e := range b.PushAccessLevels {
			pushOK = pushOK && e.maintainersOnly()
			push = append(push, e.AccessLevelDescription)
		}
	}
	slices.Sort(merge)
	slices.Sort(push)
	a["force_pushes_blocked"] = len(matched) > 0 && !force
	a["merge_restricted_to_maintainers"] = mergeOK
	a["push_restricted_to_maintainers"] = pushOK
	a["merge_access_levels"] = slices.Compact(merge)
	a["push_access_levels"] = slices.Compact(push)
	a["code_owner_review_required"] = codeOwners
	return false
}
