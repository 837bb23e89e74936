// Package gitlabfake serves GitLab groups over the GitLab REST API wire
// format (/api/v4), for the demo and for tests. It answers every read the
// gitlab collectors make, pages lists the way GitLab does (X-Page,
// X-Per-Page, X-Next-Page, X-Total, X-Total-Pages and a Link header),
// answers errors as {"message": "..."}, hides what the token's role may
// not see, answers the collectors' GraphQL queries (vulnerabilities,
// scanning) in GitLab's GraphQL wire format, and refuses any other
// request.
package gitlabfake

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

// State is what the fake serves.
type State struct {
	// BaseURL is the web URL of the instance in the answers' web_url
	// fields; "" means https://gitlab.example.com.
	BaseURL string
	Groups  []*Group
	// ViewerIsOwner makes the token's user an Owner of every group: only
	// then are members' two_factor_enabled served, as GitLab does for Owners.
	ViewerIsOwner bool
	// Free makes the instance GitLab Free: the approval settings, approval
	// rules, push rule and group audit events endpoints answer 404, and
	// code owner approval is absent from protected branches.
	Free bool
	// Ultimate serves group vulnerabilities over GraphQL; otherwise the
	// query answers a GraphQL error, as on lower tiers.
	Ultimate bool
	// MaxPerPage caps page sizes (GitLab: 100), so tests can force paging.
	MaxPerPage int
	// MaxComplexity is the GraphQL query complexity the fake accepts
	// (GitLab: 250 for authenticated requests); 0 means 250.
	MaxComplexity int
	// Refusals records the requests the fake does not serve.
	fakeapi.Refusals
}

// Group is a group; Subgroups are its children.
type Group struct {
	ID               int64
	Path             string // full path, e.g. acme/backend
	Visibility       string
	Require2FA       bool
	GracePeriodHours int
	Members          []Member
	// Invitations are pending invitations by e-mail (Owner only).
	Invitations []Invitation
	// AuditEvents are the times of the group's audit events (Premium and
	// Owner only; served newest first).
	AuditEvents []time.Time
	Subgroups   []*Group
	Projects    []*Project
}

// Invitation is a pending invitation to a group.
type Invitation struct {
	ID          int64
	Email       string
	AccessLevel int
	CreatedAt   time.Time
}

// Member is a direct member of a group.
type Member struct {
	ID          int64
	Username    string
	AccessLevel int
	TwoFactor   bool
	Blocked     bool
}

// Project is a project of the group it is listed under.
type Project struct {
	ID            int64
	Path          string // the project's own path; full path is group/path
	Visibility    string
	Archived      bool
	DefaultBranch string
	Protected     []ProtectedBranch
	Approvals     Approvals
	Rules         []ApprovalRule
	// SecretPushProtection is the Ultimate project security setting.
	SecretPushProtection bool
	// PushRule nil means the project has none (GitLab answers null).
	PushRule      *PushRule
	DeployKeys    []DeployKey
	Tokens        []Token
	MergeRequests []MergeRequest
	// Pipeline nil means no pipeline ran on the default branch.
	Pipeline *Pipeline
	// CodeOwnersFile is the path of the CODEOWNERS file on the default
	// branch (CODEOWNERS, docs/CODEOWNERS or .gitlab/CODEOWNERS), or empty.
	CodeOwnersFile string
	// Vulnerabilities are the project's open vulnerabilities.
	Vulnerabilities []Vulnerability
}

// Vulnerability is an open (detected) vulnerability.
type Vulnerability struct {
	Severity   string // CRITICAL, HIGH, MEDIUM, LOW
	DetectedAt time.Time
}

// ProtectedBranch is a protected branch rule; levels are GitLab access
// levels (0 no one, 30 Developers, 40 Maintainers).
type ProtectedBranch struct {
	Name           string
	PushLevels     []int
	MergeLevels    []int
	AllowForcePush bool
	CodeOwners     bool
}

// Approvals are the project's approval settings.
type Approvals struct {
	ResetOnPush          bool
	AuthorApproval       bool
	DisableCommitters    bool
	ApprovalsBeforeMerge int
}

// ApprovalRule is an approval rule applying to all branches.
type ApprovalRule struct {
	ID       int64
	Name     string
	Required int
}

// PushRule is a project push rule.
type PushRule struct{ PreventSecrets bool }

// DeployKey is a deploy key.
type DeployKey struct {
	ID        int64
	Title     string
	CanPush   bool
	ExpiresAt time.Time
}

// Token is a project access token.
type Token struct {
	ID        int64
	Name      string
	Scopes    []string
	ExpiresAt time.Time // zero: never
	Revoked   bool
}

// MergeRequest is a merged merge request.
type MergeRequest struct {
	IID        int64
	Author     string
	MergedAt   time.Time
	ApprovedBy []string
}

// Pipeline is the latest default-branch pipeline.
type Pipeline struct {
	ID        int64
	Status    string
	CreatedAt time.Time
	Jobs      []Job
	// Stale makes the pipeline one of an older commit: the branch's head
	// commit has none, so GET /pipelines/latest answers 404 while GraphQL's
	// newest pipeline of the branch is this one.
	Stale bool
}

// Job is a pipeline job; Artifacts are report file types.
type Job struct {
	Name       string
	Status     string
	FinishedAt time.Time
	Artifacts  []string
}

// NewHandler serves s.
func NewHandler(s *State) http.Handler { return &handler{s: s} }

type handler struct{ s *State }

func (h *handler) base() string {
	if h.s.BaseURL != "" {
		return strings.TrimSuffix(h.s.BaseURL, "/")
	}
	return "https://gitlab.example.com"
}

// groups returns every group with its ancestors' order: depth first.
func (h *handler) groups() []*Group {
	var out []*Group
	var walk func(gs []*Group)
	walk = func(gs []*Group) {
		for _, g := range gs {
			out = append(out, g)
			walk(g.Subgroups)
		}
	}
	walk(h.s.Groups)
	return out
}

func (h *handler) group(id string) *Group {
	for _, g := range h.groups() {
		if g.Path == id || strconv.FormatInt(g.ID, 10) == id {
			return g
		}
	}
	return nil
}

// descendants returns g's subgroups at every depth.
func descendants(g *Group) []*Group {
	var out []*Group
	for _, s := range g.Subgroups {
		out = append(out, s)
		out = append(out, descendants(s)...)
	}
	return out
}

func (h *handler) project(id string) (*Project, *Group) {
	for _, g := range h.groups() {
		for _, p := range g.Projects {
			if strconv.FormatInt(p.ID, 10) == id || g.Path+"/"+p.Path == id {
				return p, g
			}
		}
	}
	return nil, nil
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodPost && r.URL.Path == "/api/graphql" {
		h.graphQL(w, r)
		return
	}
	if r.Method != http.MethodGet || !strings.HasPrefix(r.URL.EscapedPath(), "/api/v4/") {
		h.s.Refuse(w, r, "gitlabfake")
		return
	}
	segs := strings.Split(strings.TrimPrefix(r.URL.EscapedPath(), "/api/v4/"), "/")
	for i, s := range segs {
		if u, err := url.PathUnescape(s); err == nil {
			segs[i] = u
		}
	}
	switch {
	case len(segs) >= 2 && segs[0] == "groups":
		h.serveGroup(w, r, segs[1], segs[2:])
	case len(segs) >= 2 && segs[0] == "projects":
		h.serveProject(w, r, segs[1], segs[2:])
	default:
		h.s.Refuse(w, r, "gitlabfake")
	}
}

func (h *handler) serveGroup(w http.ResponseWriter, r *http.Request, id string, rest []string) {
	g := h.group(id)
	if g == nil {
		writeError(w, http.StatusNotFound, "404 Group Not Found")
		return
	}
	switch strings.Join(rest, "/") {
	case "":
		writeJSON(w, h.groupJSON(g))
	case "descendant_groups":
		var out []any
		for _, s := range descendants(g) {
			out = append(out, h.groupJSON(s))
		}
		h.page(w, r, out)
	case "members":
		var out []any
		for _, m := range g.Members {
			out = append(out, h.memberJSON(m))
		}
		h.page(w, r, out)
	case "projects":
		if r.URL.Query().Get("with_shared") != "false" {
			// The fake holds no shared projects; GitLab would add them.
			h.s.Refuse(w, r, "gitlabfake")
			return
		}
		h.page(w, r, h.projectsOf(g, r.URL.Query().Get("include_subgroups") == "true"))
	case "merge_requests":
		h.page(w, r, h.mergeRequests(g, r))
	case "invitations":
		if !h.s.ViewerIsOwner {
			writeError(w, http.StatusForbidden, "403 Forbidden")
			return
		}
		h.page(w, r, invitations(g))
	case "audit_events":
		h.auditEvents(w, r, g)
	default:
		h.s.Refuse(w, r, "gitlabfake")
	}
}

func (h *handler) groupJSON(g *Group) map[string]any {
	name := g.Path[strings.LastIndex(g.Path, "/")+1:]
	return map[string]any{
		"id": g.ID, "name": name, "path": name, "full_name": g.Path, "full_path": g.Path,
		"web_url": h.base() + "/groups/" + g.Path, "visibility": g.Visibility,
		"require_two_factor_authentication": g.Require2FA, "two_factor_grace_period": g.GracePeriodHours,
		"description": "", "parent_id": nil, "created_at": "2024-01-01T00:00:00.000Z",
	}
}

func (h *handler) memberJSON(m Member) map[string]any {
	state := "active"
	if m.Blocked {
		state = "blocked"
	}
	out := map[string]any{
		"id": m.ID, "username": m.Username, "name": m.Username, "state": state,
		"avatar_url": "", "web_url": h.base() + "/" + m.Username, "access_level": m.AccessLevel,
		"created_at": "2024-01-01T00:00:00.000Z", "expires_at": nil, "membership_state": "active",
	}
	if h.s.ViewerIsOwner {
		out["two_factor_enabled"] = m.TwoFactor
	}
	return out
}

func (h *handler) projectsOf(g *Group, sub bool) []any {
	gs := []*Group{g}
	if sub {
		gs = append(gs, descendants(g)...)
	}
	var out []any
	for _, gr := range gs {
		for _, p := range gr.Projects {
			full := gr.Path + "/" + p.Path
			out = append(out, map[string]any{
				"id": p.ID, "name": p.Path, "path": p.Path, "path_with_namespace": full,
				"web_url": h.base() + "/" + full, "visibility": p.Visibility, "archived": p.Archived,
				"default_branch": nullable(p.DefaultBranch), "empty_repo": p.DefaultBranch == "",
				"namespace": map[string]any{"id": gr.ID, "full_path": gr.Path, "kind": "group"},
			})
		}
	}
	return out
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func (h *handler) mergeRequests(g *Group, r *http.Request) []any {
	after, _ := time.Parse(time.RFC3339, r.URL.Query().Get("updated_after"))
	var out []any
	for _, gr := range append([]*Group{g}, descendants(g)...) {
		for _, p := range gr.Projects {
			full := gr.Path + "/" + p.Path
			for _, m := range p.MergeRequests {
				if m.MergedAt.Before(after) {
					continue
				}
				out = append(out, map[string]any{
					"id": p.ID*1000 + m.IID, "iid": m.IID, "project_id": p.ID, "state": "merged",
					"title": fmt.Sprintf("Change %d", m.IID), "target_branch": p.DefaultBranch, "source_branch": fmt.Sprintf("feature-%d", m.IID),
					"author":    map[string]any{"id": 1, "username": m.Author, "name": m.Author, "state": "active"},
					"merged_at": m.MergedAt.UTC().Format(time.RFC3339), "updated_at": m.MergedAt.UTC().Format(time.RFC3339),
					"web_url":    fmt.Sprintf("%s/%s/-/merge_requests/%d", h.base(), full, m.IID),
					"references": map[string]any{"short": fmt.Sprintf("!%d", m.IID), "full": fmt.Sprintf("%s!%d", full, m.IID)},
				})
			}
		}
	}
	return out
}

func (h *handler) serveProject(w http.ResponseWriter, r *http.Request, id string, rest []string) {
	p, _ := h.project(id)
	if p == nil {
		writeError(w, http.StatusNotFound, "404 Project Not Found")
		return
	}
	path := strings.Join(rest, "/")
	switch {
	case path == "protected_branches":
		h.page(w, r, h.protected(p))
	case path == "approvals" || path == "approval_rules" || path == "push_rule":
		if h.s.Free {
			writeError(w, http.StatusNotFound, "404 Not Found")
			return
		}
		h.premium(w, r, p, path)
	case path == "security_settings":
		if h.s.Free || !h.s.Ultimate {
			writeError(w, http.StatusNotFound, "404 Not Found")
			return
		}
		writeJSON(w, map[string]any{
			"project_id": p.ID, "created_at": "2024-08-27T15:30:33.075Z", "updated_at": "2024-10-16T05:09:22.233Z",
			"auto_fix_container_scanning": true, "auto_fix_dast": true, "auto_fix_dependency_scanning": true, "auto_fix_sast": true,
			"continuous_vulnerability_scans_enabled": true, "container_scanning_for_registry_enabled": false,
			"secret_push_protection_enabled": p.SecretPushProtection,
		})
	case path == "deploy_keys":
		h.page(w, r, deployKeys(p))
	case path == "access_tokens":
		h.page(w, r, tokens(p, r.URL.Query().Get("state")))
	case len(rest) == 3 && rest[0] == "merge_requests" && rest[2] == "approvals":
		h.approvals(w, r, p, rest[1])
	case path == "pipelines/latest":
		if p.Pipeline == nil || p.Pipeline.Stale || r.URL.Query().Get("ref") != p.DefaultBranch {
			writeError(w, http.StatusNotFound, "404 Not found")
			return
		}
		writeJSON(w, pipelineJSON(p))
	case len(rest) == 3 && rest[0] == "pipelines" && rest[2] == "jobs":
		if p.Pipeline == nil || rest[1] != strconv.FormatInt(p.Pipeline.ID, 10) {
			writeError(w, http.StatusNotFound, "404 Not found")
			return
		}
		h.page(w, r, jobs(p.Pipeline))
	default:
		h.s.Refuse(w, r, "gitlabfake")
	}
}

func (h *handler) protected(p *Project) []any {
	levels := func(ls []int) []any {
		var out []any
		for i, l := range ls {
			out = append(out, map[string]any{"id": i + 1, "access_level": l, "access_level_description": levelName(l), "user_id": nil, "group_id": nil, "deploy_key_id": nil})
		}
		return out
	}
	var out []any
	for i, b := range p.Protected {
		m := map[string]any{
			"id": i + 1, "name": b.Name, "push_access_levels": levels(b.PushLevels), "merge_access_levels": levels(b.MergeLevels),
			"unprotect_access_levels": []any{}, "allow_force_push": b.AllowForcePush,
		}
		if !h.s.Free {
			m["code_owner_approval_required"] = b.CodeOwners
		}
		out = append(out, m)
	}
	return out
}

func levelName(l int) string {
	switch l {
	case 0:
		return "No one"
	case 30:
		return "Developers + Maintainers"
	case 40:
		return "Maintainers"
	case 50:
		return "Owners"
	}
	return strconv.Itoa(l)
}

func (h *handler) premium(w http.ResponseWriter, r *http.Request, p *Project, path string) {
	switch path {
	case "approvals":
		a := p.Approvals
		writeJSON(w, map[string]any{
			"approvers": []any{}, "approver_groups": []any{}, "approvals_before_merge": a.ApprovalsBeforeMerge,
			"reset_approvals_on_push": a.ResetOnPush, "disable_overriding_approvers_per_merge_request": false,
			"merge_requests_author_approval": a.AuthorApproval, "merge_requests_disable_committers_approval": a.DisableCommitters,
			"require_password_to_approve": false,
		})
	case "approval_rules":
		var out []any
		for _, rule := range p.Rules {
			out = append(out, map[string]any{
				"id": rule.ID, "name": rule.Name, "rule_type": "regular", "eligible_approvers": []any{}, "approvals_required": rule.Required,
				"users": []any{}, "groups": []any{}, "contains_hidden_groups": false, "protected_branches": []any{}, "applies_to_all_protected_branches": false,
			})
		}
		h.page(w, r, out)
	case "push_rule":
		if p.PushRule == nil {
			writeJSON(w, nil)
			return
		}
		writeJSON(w, map[string]any{
			"id": p.ID, "project_id": p.ID, "commit_message_regex": "", "branch_name_regex": "", "deny_delete_tag": false,
			"created_at": "2024-01-01T00:00:00.000Z", "member_check": false, "prevent_secrets": p.PushRule.PreventSecrets,
			"author_email_regex": "", "file_name_regex": "", "max_file_size": 0,
		})
	}
}

func deployKeys(p *Project) []any {
	var out []any
	for _, k := range p.DeployKeys {
		var exp any
		if !k.ExpiresAt.IsZero() {
			exp = k.ExpiresAt.UTC().Format("2006-01-02T15:04:05.000Z")
		}
		out = append(out, map[string]any{
			"id": k.ID, "title": k.Title, "key": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDemoKey" + strconv.FormatInt(k.ID, 10),
			"fingerprint_sha256": "SHA256:demo" + strconv.FormatInt(k.ID, 10), "created_at": "2024-01-01T00:00:00.000Z",
			"expires_at": exp, "can_push": k.CanPush,
		})
	}
	return out
}

func tokens(p *Project, state string) []any {
	var out []any
	for _, t := range p.Tokens {
		if state == "active" && t.Revoked {
			continue
		}
		var exp any
		if !t.ExpiresAt.IsZero() {
			exp = t.ExpiresAt.UTC().Format(time.DateOnly)
		}
		out = append(out, map[string]any{
			"user_id": 900 + t.ID, "scopes": t.Scopes, "name": t.Name, "expires_at": exp, "id": t.ID,
			"active": !t.Revoked, "created_at": "2024-01-01T00:00:00.000Z", "revoked": t.Revoked, "access_level": 40,
			"last_used_at": nil,
		})
	}
	return out
}

func (h *handler) approvals(w http.ResponseWriter, r *http.Request, p *Project, iid string) {
	for _, m := range p.MergeRequests {
		if strconv.FormatInt(m.IID, 10) != iid {
			continue
		}
		by := []any{}
		for _, u := range m.ApprovedBy {
			by = append(by, map[string]any{"user": map[string]any{"id": 1, "username": u, "name": u, "state": "active"}})
		}
		writeJSON(w, map[string]any{
			"id": p.ID*1000 + m.IID, "iid": m.IID, "project_id": p.ID, "state": "merged",
			"approved": len(by) > 0, "approvals_required": 0, "approvals_left": 0, "approved_by": by,
		})
		return
	}
	writeError(w, http.StatusNotFound, "404 Not found")
}

func pipelineJSON(p *Project) map[string]any {
	pl := p.Pipeline
	return map[string]any{
		"id": pl.ID, "iid": pl.ID, "project_id": p.ID, "status": pl.Status, "ref": p.DefaultBranch, "sha": headSHA,
		"source": "push", "created_at": pl.CreatedAt.UTC().Format(time.RFC3339), "updated_at": pl.CreatedAt.UTC().Format(time.RFC3339),
	}
}

func jobs(pl *Pipeline) []any {
	var out []any
	for i, j := range pl.Jobs {
		arts := []any{}
		for _, a := range j.Artifacts {
			arts = append(arts, map[string]any{"file_type": a, "size": 1024, "filename": "gl-" + strings.ReplaceAll(a, "_", "-") + "-report.json", "file_format": nil})
		}
		out = append(out, map[string]any{
			"id": pl.ID*100 + int64(i), "name": j.Name, "stage": "test", "status": j.Status,
			"finished_at": j.FinishedAt.UTC().Format(time.RFC3339), "artifacts": arts, "ref": "main",
			"pipeline": map[string]any{"id": pl.ID, "status": pl.Status},
		})
	}
	return out
}

// page writes one page of items with GitLab's offset pagination headers.
func (h *handler) page(w http.ResponseWriter, r *http.Request, items []any) {
	q := r.URL.Query()
	per, _ := strconv.Atoi(q.Get("per_page"))
	if per <= 0 {
		per = 20
	}
	per = min(per, 100)
	if h.s.MaxPerPage > 0 {
		per = min(per, h.s.MaxPerPage)
	}
	page, _ := strconv.Atoi(q.Get("page"))
	page = max(page, 1)
	total := len(items)
	pages := max((total+per-1)/per, 1)
	lo, hi := min((page-1)*per, total), min(page*per, total)
	link := func(n int) string {
		u := *r.URL
		u.Scheme, u.Host = "http", r.Host
		qq := u.Query()
		qq.Set("page", strconv.Itoa(n))
		qq.Set("per_page", strconv.Itoa(per))
		u.RawQuery = qq.Encode()
		return u.String()
	}
	hdr := w.Header()
	hdr.Set("X-Page", strconv.Itoa(page))
	hdr.Set("X-Per-Page", strconv.Itoa(per))
	hdr.Set("X-Total", strconv.Itoa(total))
	hdr.Set("X-Total-Pages", strconv.Itoa(pages))
	links := []string{}
	if page < pages {
		hdr.Set("X-Next-Page", strconv.Itoa(page+1))
		links = append(links, fmt.Sprintf(`<%s>; rel="next"`, link(page+1)))
	} else {
		hdr.Set("X-Next-Page", "")
	}
	if page > 1 {
		hdr.Set("X-Prev-Page", strconv.Itoa(page-1))
		links = append(links, fmt.Sprintf(`<%s>; rel="prev"`, link(page-1)))
	}
	links = append(links, fmt.Sprintf(`<%s>; rel="first"`, link(1)), fmt.Sprintf(`<%s>; rel="last"`, link(pages)))
	hdr.Set("Link", strings.Join(links, ", "))
	out := slices.Clone(items[lo:hi])
	if out == nil {
		out = []any{}
	}
	writeJSON(w, out)
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"message": msg})
}

// graphQL answers the vulnerabilities query of the gitlab.vulnerabilities
// collector: the open critical and high vulnerabilities of a group and its
// subgroups, pageSize at a time, with the cursor being the next index.
func (h *handler) graphQL(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Query     string         `json:"query"`
		Variables map[string]any `json:"variables"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		h.s.Refuse(w, r, "gitlabfake")
		return
	}
	if strings.Contains(req.Query, "AttestScanning") {
		h.scanning(w, r, req.Query, req.Variables)
		return
	}
	if !strings.Contains(req.Query, "AttestVulnerabilities") {
		h.s.Refuse(w, r, "gitlabfake")
		return
	}
	path, _ := req.Variables["fullPath"].(string)
	g := h.group(path)
	if g == nil {
		writeJSON(w, map[string]any{"data": map[string]any{"group": nil}})
		return
	}
	if h.s.Free || !h.s.Ultimate {
		writeJSON(w, map[string]any{
			"data":   map[string]any{"group": map[string]any{"vulnerabilities": nil}},
			"errors": []any{map[string]any{"message": "The resource that you are attempting to access does not exist or you don't have permission to perform this action", "path": []string{"group", "vulnerabilities"}}},
		})
		return
	}
	var nodes []any
	for _, gr := range append([]*Group{g}, descendants(g)...) {
		for _, p := range gr.Projects {
			for _, v := range p.Vulnerabilities {
				if v.Severity != "CRITICAL" && v.Severity != "HIGH" {
					continue
				}
				nodes = append(nodes, map[string]any{"severity": v.Severity, "state": "DETECTED", "detectedAt": v.DetectedAt.UTC().Format(time.RFC3339),
					"project": map[string]any{"fullPath": gr.Path + "/" + p.Path}})
			}
		}
	}
	per := 100
	if h.s.MaxPerPage > 0 {
		per = min(per, h.s.MaxPerPage)
	}
	start := 0
	if after, ok := req.Variables["after"].(string); ok {
		start, _ = strconv.Atoi(after)
	}
	start = min(start, len(nodes))
	end := min(start+per, len(nodes))
	page := nodes[start:end]
	if page == nil {
		page = []any{}
	}
	writeJSON(w, map[string]any{"data": map[string]any{"group": map[string]any{"vulnerabilities": map[string]any{
		"pageInfo": map[string]any{"hasNextPage": end < len(nodes), "endCursor": strconv.Itoa(end)},
		"nodes":    page,
	}}}})
}
