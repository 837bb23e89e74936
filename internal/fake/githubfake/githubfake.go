// Package githubfake serves a small GitHub organisation over the GitHub REST
// and GraphQL API wire formats, for the demo and for tests. It answers every
// read the github collectors make, pages REST lists with Link headers and
// GraphQL connections with cursors, and refuses any other request.
package githubfake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/attestdev/attest/internal/fake/fakeapi"
)

// State is the organisations the fake serves.
type State struct {
	Orgs []*Org
	// ViewerIsOwner makes the token an organisation owner: only then are
	// two_factor_requirement_enabled, default_repository_permission and the
	// 2fa_disabled filter served, as on GitHub.
	ViewerIsOwner bool
	// MaxPerPage caps page sizes (GitHub: 100), so tests can force paging.
	MaxPerPage int
	// InstallationID accepts POST /app/installations/{id}/access_tokens.
	InstallationID int64
	// Refusals records the requests the fake does not serve; set its
	// OnUnexpected to be told (tests pass t.Errorf).
	fakeapi.Refusals
}

// Org is an organisation.
type Org struct {
	Login                 string
	TwoFactorRequired     bool
	DefaultRepoPermission string
	Members               []Member
	OutsideCollaborators  []string
	Repos                 []*Repo
	// SAMLSSO gives the organisation a SAML identity provider (GraphQL
	// samlIdentityProvider, shown to owners only).
	SAMLSSO bool
	// ActionsEnabledRepositories is all, none or selected; "" means all.
	ActionsEnabledRepositories string
	// AllowedActions is all, local_only or selected; "" means all. It is
	// left out of the answer when Actions is disabled (none), as on GitHub.
	AllowedActions string
	// WorkflowPermissions is the default GITHUB_TOKEN permission, read or
	// write; "" means read.
	WorkflowPermissions string
	// WorkflowsCanApprove lets GitHub Actions approve pull requests.
	WorkflowsCanApprove bool
	// FineGrainedTokens are the fine-grained personal access tokens with
	// access to the organisation, listed only to a GitHub App installation
	// token (ghs_...), as on GitHub; any other token gets 403.
	FineGrainedTokens []FineGrainedToken
}

// FineGrainedToken is a fine-grained personal access token's access to an
// organisation.
type FineGrainedToken struct {
	ID, TokenID int64
	Owner, Name string
	Granted     time.Time
	// Expires is when the token expires; zero when it never does.
	Expires time.Time
	// Expired reports the token as expired (token_expired).
	Expired bool
}

// Member is an organisation member.
type Member struct {
	Login     string
	Owner     bool
	TwoFactor bool
}

// Repo is a repository.
type Repo struct {
	ID            int64
	Name          string
	Visibility    string // public, private, internal
	Archived      bool
	DefaultBranch string
	// Protection is classic protection of the default branch; nil means
	// not protected.
	Protection *Protection
	// Rulesets apply to the default branch.
	Rulesets []Ruleset
	// CodeScanning enables code scanning; Analyses are on the default branch.
	CodeScanning          bool
	Analyses              []Analysis
	Workflows             []Workflow
	DependabotEnabled     bool
	DependabotAlerts      []Alert
	SecretScanningEnabled bool
	// PushProtection enables secret scanning push protection (only with
	// secret scanning).
	PushProtection bool
	SecretAlerts   []Alert
	Pulls          []Pull
	// CodeOwners is the path of the CODEOWNERS file on the default branch
	// (CODEOWNERS, .github/CODEOWNERS or docs/CODEOWNERS); "" means none.
	CodeOwners string
	// DeployKeys are the repository's deploy keys.
	DeployKeys []DeployKey
}

// DeployKey is a repository deploy key.
type DeployKey struct {
	Title    string
	ReadOnly bool
}

// Protection is classic branch protection.
type Protection struct {
	RequiredReviews  int // 0: reviews not required
	DismissStale     bool
	StatusChecks     bool
	EnforceAdmins    bool
	AllowForcePushes bool
	// CodeOwnerReviews requires a review from a code owner.
	CodeOwnerReviews bool
}

// Ruleset is a repository ruleset targeting the default branch.
type Ruleset struct {
	ID               int64
	RequiredReviews  int // -1: no pull_request rule
	DismissStale     bool
	StatusChecks     bool
	NonFastForward   bool
	BypassActorCount int
	// CodeOwnerReview makes the pull_request rule require a code owner's
	// review.
	CodeOwnerReview bool
}

// Analysis is a code scanning analysis.
type Analysis struct {
	Tool      string
	CreatedAt time.Time
}

// Workflow is a GitHub Actions workflow with its runs on the default branch.
type Workflow struct {
	ID   int64
	Name string
	Path string
	Runs []Run
}

// Run is a completed workflow run.
type Run struct {
	CreatedAt  time.Time
	Conclusion string
}

// Alert is a Dependabot or secret scanning alert.
type Alert struct {
	Number    int
	Severity  string // Dependabot: critical, high, medium, low
	State     string // open, fixed, dismissed, resolved
	CreatedAt time.Time
}

// Pull is a closed pull request.
type Pull struct {
	Number    int
	Author    string
	Base      string
	MergedAt  time.Time // zero: closed without merging
	UpdatedAt time.Time
	Reviews   []Review
}

// Review is a pull request review.
type Review struct {
	User  string
	State string // APPROVED, CHANGES_REQUESTED, COMMENTED, DISMISSED
}

// NewHandler returns an http.Handler serving s under / and /api/v3/ (GitHub
// Enterprise Server). The state must not be changed while it serves.
func NewHandler(s *State) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { s.serve(w, r) })
}

func (s *State) serve(w http.ResponseWriter, r *http.Request) {
	p := strings.TrimPrefix(r.URL.EscapedPath(), "/api/v3")
	segs := strings.Split(strings.Trim(p, "/"), "/")
	for i, seg := range segs {
		if u, err := url.PathUnescape(seg); err == nil {
			segs[i] = u
		}
	}
	if r.Method == http.MethodPost && len(segs) == 4 && segs[0] == "app" && segs[1] == "installations" && segs[3] == "access_tokens" {
		if id, _ := strconv.ParseInt(segs[2], 10, 64); id != 0 && id == s.InstallationID && strings.HasPrefix(r.Header.Get("Authorization"), "Bearer ey") {
			writeJSON(w, http.StatusCreated, map[string]any{"token": "ghs_demoinstallationtoken", "expires_at": time.Now().Add(time.Hour).UTC().Format(time.RFC3339)})
			return
		}
		s.Refuse(w, r, "githubfake")
		return
	}
	if r.Method == http.MethodPost && (r.URL.Path == "/graphql" || r.URL.Path == "/api/graphql") {
		s.serveGraphQL(w, r)
		return
	}
	if r.Method != http.MethodGet {
		s.Refuse(w, r, "githubfake")
		return
	}
	switch {
	case len(segs) >= 2 && segs[0] == "orgs":
		org := s.org(segs[1])
		if org == nil {
			notFound(w)
			return
		}
		s.serveOrg(w, r, org, segs[2:])
	case len(segs) >= 3 && segs[0] == "repos":
		org := s.org(segs[1])
		if org == nil {
			notFound(w)
			return
		}
		i := slices.IndexFunc(org.Repos, func(x *Repo) bool { return x.Name == segs[2] })
		if i < 0 {
			notFound(w)
			return
		}
		s.serveRepo(w, r, org, org.Repos[i], segs[3:])
	default:
		s.Refuse(w, r, "githubfake")
	}
}

func (s *State) org(login string) *Org {
	for _, o := range s.Orgs {
		if strings.EqualFold(o.Login, login) {
			return o
		}
	}
	return nil
}

func (s *State) serveOrg(w http.ResponseWriter, r *http.Request, org *Org, rest []string) {
	q := r.URL.Query()
	switch strings.Join(rest, "/") {
	case "":
		body := map[string]any{
			"login": org.Login, "id": 1, "node_id": "MDEyOk9yZ2FuaXphdGlvbjE=", "url": "https://api.github.com/orgs/" + org.Login,
			"html_url": "https://github.com/" + org.Login, "type": "Organization", "public_repos": len(org.Repos),
		}
		if s.ViewerIsOwner {
			body["two_factor_requirement_enabled"] = org.TwoFactorRequired
			body["default_repository_permission"] = org.DefaultRepoPermission
		}
		writeJSON(w, http.StatusOK, body)
	case "members":
		var items []any
		switch {
		case q.Get("filter") == "2fa_disabled" && !s.ViewerIsOwner:
			writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"message": "Only owners can use this filter.", "documentation_url": "https://docs.github.com/rest/orgs/members#list-organization-members"})
			return
		}
		for _, m := range org.Members {
			if q.Get("filter") == "2fa_disabled" && m.TwoFactor {
				continue
			}
			if q.Get("role") == "admin" && !m.Owner {
				continue
			}
			items = append(items, user(m.Login))
		}
		s.page(w, r, items)
	case "personal-access-tokens":
		if !strings.HasPrefix(strings.TrimPrefix(r.Header.Get("Authorization"), "token "), "ghs_") && !strings.HasPrefix(strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "), "ghs_") {
			writeJSON(w, http.StatusForbidden, map[string]any{"message": "Resource not accessible by personal access token",
				"documentation_url": "https://docs.github.com/rest/orgs/personal-access-tokens#list-fine-grained-personal-access-tokens-with-access-to-organization-resources", "status": "403"})
			return
		}
		var items []any
		for _, t := range org.FineGrainedTokens {
			items = append(items, fineGrainedJSON(org, t))
		}
		s.page(w, r, items)
	case "outside_collaborators":
		var items []any
		for _, l := range org.OutsideCollaborators {
			items = append(items, user(l))
		}
		s.page(w, r, items)
	case "repos":
		var items []any
		for _, rp := range org.Repos {
			j := repoJSON(org, rp)
			if s.ViewerIsOwner {
				j["security_and_analysis"] = securityAndAnalysis(rp)
			}
			items = append(items, j)
		}
		s.page(w, r, items)
	case "secret-scanning/alerts":
		s.serveOrgSecrets(w, r, org)
	case "actions/permissions":
		enabled := cmpOr(org.ActionsEnabledRepositories, "all")
		body := map[string]any{"enabled_repositories": enabled}
		if enabled != "none" {
			body["allowed_actions"] = cmpOr(org.AllowedActions, "all")
			if body["allowed_actions"] == "selected" {
				body["selected_actions_url"] = "https://api.github.com/orgs/" + org.Login + "/actions/permissions/selected-actions"
			}
		}
		if !s.ViewerIsOwner {
			writeJSON(w, http.StatusForbidden, map[string]any{"message": "Must have admin rights to Repository.", "documentation_url": "https://docs.github.com/rest/actions/permissions#get-github-actions-permissions-for-an-organization", "status": "403"})
			return
		}
		writeJSON(w, http.StatusOK, body)
	case "actions/permissions/workflow":
		if !s.ViewerIsOwner {
			writeJSON(w, http.StatusForbidden, map[string]any{"message": "Must have admin rights to Repository.", "documentation_url": "https://docs.github.com/rest/actions/permissions#get-default-workflow-permissions-for-an-organization", "status": "403"})
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"default_workflow_permissions": cmpOr(org.WorkflowPermissions, "read"), "can_approve_pull_request_reviews": org.WorkflowsCanApprove})
	default:
		s.Refuse(w, r, "githubfake")
	}
}

func (s *State) serveRepo(w http.ResponseWriter, r *http.Request, org *Org, rp *Repo, rest []string) {
	q := r.URL.Query()
	switch {
	case len(rest) == 2 && rest[0] == "code-scanning" && rest[1] == "analyses":
		if !rp.CodeScanning {
			writeJSON(w, http.StatusForbidden, map[string]any{"message": "Code scanning is not enabled for this repository. Please enable code scanning in the repository settings.", "documentation_url": "https://docs.github.com/rest/code-scanning/code-scanning#list-code-scanning-analyses-for-a-repository", "status": "403"})
			return
		}
		if len(rp.Analyses) == 0 {
			writeJSON(w, http.StatusNotFound, map[string]any{"message": "no analysis found", "documentation_url": "https://docs.github.com/rest/code-scanning/code-scanning#list-code-scanning-analyses-for-a-repository", "status": "404"})
			return
		}
		as := slices.Clone(rp.Analyses)
		slices.SortFunc(as, func(a, b Analysis) int { return b.CreatedAt.Compare(a.CreatedAt) })
		var items []any
		for i, a := range as {
			items = append(items, map[string]any{"ref": "refs/heads/" + rp.DefaultBranch, "commit_sha": "d99612c3e1f2970085cfbaeadf8f010ef69bad83",
				"analysis_key": ".github/workflows/codeql-analysis.yml:analyze", "environment": "{\"language\":\"go\"}", "category": ".github/workflows/codeql-analysis.yml:analyze/language:go",
				"error": "", "created_at": a.CreatedAt.UTC().Format(time.RFC3339), "results_count": 3, "rules_count": 67, "id": 201 + i,
				"url":      fmt.Sprintf("https://api.github.com/repos/%s/%s/code-scanning/analyses/%d", org.Login, rp.Name, 201+i),
				"sarif_id": "47177e22-5596-11eb-80a1-c1e54ef945c6", "tool": map[string]any{"name": a.Tool, "guid": nil, "version": "2.4.0"},
				"deletable": true, "warning": ""})
		}
		s.page(w, r, items)
	case len(rest) == 2 && rest[0] == "actions" && rest[1] == "workflows":
		var items []any
		for _, wf := range rp.Workflows {
			items = append(items, workflowJSON(org, rp, wf))
		}
		s.pageWrapped(w, r, "workflows", items)
	case len(rest) == 4 && rest[0] == "actions" && rest[1] == "workflows" && rest[3] == "runs":
		id, _ := strconv.ParseInt(rest[2], 10, 64)
		i := slices.IndexFunc(rp.Workflows, func(x Workflow) bool { return x.ID == id })
		if i < 0 {
			notFound(w)
			return
		}
		wf := rp.Workflows[i]
		runs := slices.Clone(wf.Runs)
		slices.SortFunc(runs, func(a, b Run) int { return b.CreatedAt.Compare(a.CreatedAt) })
		since := time.Time{}
		if c := strings.TrimPrefix(q.Get("created"), ">="); c != "" {
			since, _ = time.Parse(time.DateOnly, c)
		}
		var items []any
		for i, run := range runs {
			if run.CreatedAt.Before(since) || (q.Get("branch") != "" && q.Get("branch") != rp.DefaultBranch) {
				continue
			}
			items = append(items, map[string]any{"id": 30433642 + i, "name": wf.Name, "head_branch": rp.DefaultBranch, "head_sha": "acb5820ced9479c074f688cc328bf03f341a511d",
				"path": wf.Path, "run_number": 562 - i, "event": "push", "status": "completed", "conclusion": run.Conclusion, "workflow_id": wf.ID,
				"url":        fmt.Sprintf("https://api.github.com/repos/%s/%s/actions/runs/%d", org.Login, rp.Name, 30433642+i),
				"html_url":   fmt.Sprintf("https://github.com/%s/%s/actions/runs/%d", org.Login, rp.Name, 30433642+i),
				"created_at": run.CreatedAt.UTC().Format(time.RFC3339), "updated_at": run.CreatedAt.Add(5 * time.Minute).UTC().Format(time.RFC3339)})
		}
		s.pageWrapped(w, r, "workflow_runs", items)
	case len(rest) == 2 && rest[0] == "secret-scanning" && rest[1] == "alerts":
		if !rp.SecretScanningEnabled {
			writeJSON(w, http.StatusNotFound, map[string]any{"message": "Secret scanning is disabled on this repository.", "documentation_url": "https://docs.github.com/rest/secret-scanning/secret-scanning#list-secret-scanning-alerts-for-a-repository", "status": "404"})
			return
		}
		var items []any
		for _, a := range rp.SecretAlerts {
			if q.Get("state") != "" && a.State != q.Get("state") {
				continue
			}
			items = append(items, map[string]any{"number": a.Number, "state": a.State, "secret_type": "adafruit_io_key", "secret_type_display_name": "Adafruit IO Key",
				"url":        fmt.Sprintf("https://api.github.com/repos/%s/%s/secret-scanning/alerts/%d", org.Login, rp.Name, a.Number),
				"html_url":   fmt.Sprintf("https://github.com/%s/%s/security/secret-scanning/%d", org.Login, rp.Name, a.Number),
				"created_at": a.CreatedAt.UTC().Format(time.RFC3339)})
		}
		s.page(w, r, items)
	default:
		s.Refuse(w, r, "githubfake")
	}
}

// page writes one page of items as a JSON array with a Link header.
func (s *State) page(w http.ResponseWriter, r *http.Request, items []any) {
	part := s.paginate(w, r, items)
	writeJSON(w, http.StatusOK, part)
}

// pageWrapped writes one page as {"total_count": n, key: [...]}.
func (s *State) pageWrapped(w http.ResponseWriter, r *http.Request, key string, items []any) {
	part := s.paginate(w, r, items)
	writeJSON(w, http.StatusOK, map[string]any{"total_count": len(items), key: part})
}

func (s *State) paginate(w http.ResponseWriter, r *http.Request, items []any) []any {
	q := r.URL.Query()
	per, _ := strconv.Atoi(q.Get("per_page"))
	if per <= 0 {
		per = 30
	}
	per = min(per, 100)
	if s.MaxPerPage > 0 {
		per = min(per, s.MaxPerPage)
	}
	page, _ := strconv.Atoi(q.Get("page"))
	page = max(page, 1)
	last := max((len(items)+per-1)/per, 1)
	link := func(n int, rel string) string {
		u := *r.URL
		u.Scheme, u.Host = "http", r.Host
		v := u.Query()
		v.Set("page", strconv.Itoa(n))
		u.RawQuery = v.Encode()
		return fmt.Sprintf("<%s>; rel=%q", u.String(), rel)
	}
	var links []string
	if page < last {
		links = append(links, link(page+1, "next"), link(last, "last"))
	}
	if page > 1 {
		links = append(links, link(1, "first"), link(page-1, "prev"))
	}
	if len(links) > 0 {
		w.Header().Set("Link", strings.Join(links, ", "))
	}
	lo, hi := min((page-1)*per, len(items)), min(page*per, len(items))
	out := items[lo:hi]
	if out == nil {
		out = []any{}
	}
	return out
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("X-GitHub-Api-Version-Selected", "2022-11-28")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func notFound(w http.ResponseWriter) {
	writeJSON(w, http.StatusNotFound, map[string]any{"message": "Not Found", "documentation_url": "https://docs.github.com/rest", "status": "404"})
}

// fineGrainedJSON renders t as GitHub lists it.
func fineGrainedJSON(org *Org, t FineGrainedToken) map[string]any {
	var expires any
	if !t.Expires.IsZero() {
		expires = t.Expires.UTC().Format(time.RFC3339)
	}
	return map[string]any{"id": t.ID, "owner": user(t.Owner), "repository_selection": "all",
		"repositories_url":  fmt.Sprintf("https://api.github.com/organizations/%d/personal-access-tokens/%d/repositories", len(org.Login), t.ID),
		"permissions":       map[string]any{"repository": map[string]any{"metadata": "read"}},
		"access_granted_at": t.Granted.UTC().Format(time.RFC3339), "token_id": t.TokenID, "token_name": t.Name,
		"token_expired": t.Expired, "token_expires_at": expires, "token_last_used_at": nil}
}

func user(login string) map[string]any {
	return map[string]any{"login": login, "id": len(login), "node_id": "MDQ6VXNlcjE=", "avatar_url": "https://github.com/images/error/" + login + "_happy.gif",
		"url": "https://api.github.com/users/" + login, "html_url": "https://github.com/" + login, "type": "User", "site_admin": false}
}

func repoJSON(org *Org, rp *Repo) map[string]any {
	return map[string]any{"id": rp.ID, "node_id": "MDEwOlJlcG9zaXRvcnkxMjk2MjY5", "name": rp.Name, "full_name": org.Login + "/" + rp.Name,
		"owner": map[string]any{"login": org.Login, "type": "Organization"}, "private": rp.Visibility != "public",
		"html_url": "https://github.com/" + org.Login + "/" + rp.Name, "fork": false, "url": "https://api.github.com/repos/" + org.Login + "/" + rp.Name,
		"archived": rp.Archived, "disabled": false, "visibility": rp.Visibility, "default_branch": rp.DefaultBranch,
		"pushed_at": "2011-01-26T19:06:43Z", "created_at": "2011-01-26T19:01:12Z", "updated_at": "2011-01-26T19:14:43Z"}
}

// serveOrgSecrets lists the open (or, by state, other) secret scanning
// alerts of every repository with secret scanning enabled, newest first,
// as GitHub shows them to an organisation owner or security manager
// (https://docs.github.com/rest/secret-scanning/secret-scanning#list-secret-scanning-alerts-for-an-organization);
// others get 404.
func (s *State) serveOrgSecrets(w http.ResponseWriter, r *http.Request, org *Org) {
	if !s.ViewerIsOwner {
		notFound(w)
		return
	}
	state := r.URL.Query().Get("state")
	var items []any
	for _, rp := range org.Repos {
		if !rp.SecretScanningEnabled {
			continue
		}
		for _, a := range rp.SecretAlerts {
			if state != "" && a.State != state {
				continue
			}
			items = append(items, map[string]any{"number": a.Number, "state": a.State, "secret_type": "adafruit_io_key", "secret_type_display_name": "Adafruit IO Key",
				"url":        fmt.Sprintf("https://api.github.com/repos/%s/%s/secret-scanning/alerts/%d", org.Login, rp.Name, a.Number),
				"html_url":   fmt.Sprintf("https://github.com/%s/%s/security/secret-scanning/%d", org.Login, rp.Name, a.Number),
				"created_at": a.CreatedAt.UTC().Format(time.RFC3339), "validity": "unknown", "publicly_leaked": false, "multi_repo": false,
				"repository": map[string]any{"id": rp.ID, "name": rp.Name, "full_name": org.Login + "/" + rp.Name, "private": rp.Visibility != "public",
					"owner": map[string]any{"login": org.Login, "type": "Organization"}, "html_url": "https://github.com/" + org.Login + "/" + rp.Name}})
		}
	}
	s.page(w, r, items)
}

// securityAndAnalysis is a repository's security_and_analysis object, as
// GitHub shows it to administrators. Without secret scanning there is no
// push protection status.
func securityAndAnalysis(rp *Repo) map[string]any {
	status := func(on bool) map[string]any {
		if on {
			return map[string]any{"status": "enabled"}
		}
		return map[string]any{"status": "disabled"}
	}
	sa := map[string]any{"dependabot_security_updates": status(rp.DependabotEnabled)}
	if rp.SecretScanningEnabled || rp.Visibility == "public" {
		sa["secret_scanning"] = status(rp.SecretScanningEnabled)
		sa["secret_scanning_push_protection"] = status(rp.SecretScanningEnabled && rp.PushProtection)
	}
	return sa
}

func workflowJSON(org *Org, rp *Repo, wf Workflow) map[string]any {
	return map[string]any{"id": wf.ID, "node_id": "MDg6V29ya2Zsb3cxNjEzMzU=", "name": wf.Name, "path": wf.Path, "state": "active",
		"created_at": "2020-01-08T23:48:37.000-08:00", "updated_at": "2020-01-08T23:50:21.000-08:00",
		"url":      fmt.Sprintf("https://api.github.com/repos/%s/%s/actions/workflows/%d", org.Login, rp.Name, wf.ID),
		"html_url": fmt.Sprintf("https://github.com/%s/%s/blob/main/%s", org.Login, rp.Name, wf.Path)}
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
