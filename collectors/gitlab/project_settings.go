package gitlab

import (
	"context"
	"slices"
	"strconv"
	"time"

	gl "gitlab.com/gitlab-org/api/client-go/v2"

	"github.com/attestdev/attest/collectors/evidence"
)

// approvalSettings is the project-level approval configuration.
type approvalSettings struct {
	ApprovalsBeforeMerge                   int  `json:"approvals_before_merge"`
	ResetApprovalsOnPush                   bool `json:"reset_approvals_on_push"`
	MergeRequestsAuthorApproval            bool `json:"merge_requests_author_approval"`
	MergeRequestsDisableCommittersApproval bool `json:"merge_requests_disable_committers_approval"`
}

// approvalRule is a project approval rule.
type approvalRule struct {
	Name                          string `json:"name"`
	RuleType                      string `json:"rule_type"`
	ApprovalsRequired             int    `json:"approvals_required"`
	AppliesToAllProtectedBranches bool   `json:"applies_to_all_protected_branches"`
	ProtectedBranches             []struct {
		Name string `json:"name"`
	} `json:"protected_branches"`
}

// appliesTo reports whether the rule applies to merge requests into
// branch: a regular or any_approver rule scoped to all branches, all
// protected branches (when branch is protected), or branch itself.
// Code owner and security report rules are conditional and do not count.
func (r approvalRule) appliesTo(branch string, protected bool) bool {
	if r.RuleType != "" && r.RuleType != "regular" && r.RuleType != "any_approver" {
		return false
	}
	if r.AppliesToAllProtectedBranches {
		return protected
	}
	if len(r.ProtectedBranches) == 0 {
		return true
	}
	return slices.ContainsFunc(r.ProtectedBranches, func(b struct {
		Name string `json:"name"`
	}) bool {
		return branchMatches(b.Name, branch)
	})
}

func approvals(ctx context.Context, client *gl.Client, p project, r *projectRun) bool {
	settings, err := get[approvalSettings](ctx, client, projectPath(p)+"/approvals", nil)
	if err != nil {
		if tierMissing(err) {
			r.tier(approvalAttrs, opApprovals, tierPremium, "merge request approval settings")
			return false
		}
		return r.failed(classify(err, opApprovals, roleMaintainer), approvalAttrs)
	}
	rules, err := list[approvalRule](ctx, client, projectPath(p)+"/approval_rules", &pageOpts{PerPage: 100})
	if err != nil {
		if tierMissing(err) {
			r.tier(approvalAttrs, opApprovalRules, tierPremium, "merge request approval rules")
			return false
		}
		return r.failed(classify(err, opApprovalRules, roleMaintainer), approvalAttrs)
	}
	protected, _ := r.res.Attributes["branch_protected"].(bool)
	required, count := settings.ApprovalsBeforeMerge, 0
	for _, rule := range rules {
		if rule.appliesTo(p.DefaultBranch, protected) {
			count++
			required = max(required, rule.ApprovalsRequired)
		}
	}
	a := r.res.Attributes
	a["required_approving_review_count"] = required
	a["approval_rules_count"] = count
	a["author_approval_allowed"] = settings.MergeRequestsAuthorApproval
	a["committers_approval_disabled"] = settings.MergeRequestsDisableCommittersApproval
	a["reset_approvals_on_push"] = settings.ResetApprovalsOnPush
	return false
}

// pushRuleBody is a project push rule; GitLab answers null when the
// project has none.
type pushRuleBody struct {
	ID             int64 `json:"id"`
	PreventSecrets bool  `json:"prevent_secrets"`
}

func pushRule(ctx context.Context, client *gl.Client, p project, r *projectRun) bool {
	rule, err := get[*pushRuleBody](ctx, client, projectPath(p)+"/push_rule", nil)
	if err != nil {
		if tierMissing(err) {
			r.tier(pushRuleAttrs, opPushRule, tierPremium, "push rules")
			return false
		}
		return r.failed(classify(err, opPushRule, roleMaintainer), pushRuleAttrs)
	}
	r.res.Attributes["push_rules_configured"] = rule != nil && rule.ID != 0
	r.res.Attributes["prevent_secrets"] = rule != nil && rule.PreventSecrets
	return false
}

// deployKey is a project deploy key.
type deployKey struct {
	ID        int64      `json:"id"`
	Title     string     `json:"title"`
	CanPush   bool       `json:"can_push"`
	CreatedAt *time.Time `json:"created_at"`
	ExpiresAt *time.Time `json:"expires_at"`
}

func deployKeys(ctx context.Context, client *gl.Client, p project, r *projectRun) bool {
	keys, err := list[deployKey](ctx, client, projectPath(p)+"/deploy_keys", &pageOpts{PerPage: 100})
	if err != nil {
		return r.failed(classify(err, opDeployKeys, roleMaintainer), deployKeyAttrs)
	}
	slices.SortFunc(keys, func(a, b deployKey) int { return int(a.ID - b.ID) })
	write := []string{}
	for _, k := range keys {
		if k.CanPush {
			write = append(write, k.Title)
		}
		r.projectResult.res = append(r.projectResult.res, evidence.Resource{
			Type: typeCredential, ID: p.WebURL + "#deploy_key/" + strconv.FormatInt(k.ID, 10), Name: p.PathWithNamespace + ": " + k.Title,
			Attributes: map[string]any{
				"kind": "deploy_key", "project": p.PathWithNamespace, "title": k.Title, "expires_at": ts(k.ExpiresAt),
				"created_at": ts(k.CreatedAt), "last_used_at": "", "write": k.CanPush, "scopes": []string{}, "access_level": 0,
			},
		})
	}
	slices.Sort(write)
	r.res.Attributes["deploy_keys"] = len(keys)
	r.res.Attributes["write_deploy_keys"] = len(write)
	r.res.Attributes["write_deploy_key_titles"] = write
	return false
}

// accessToken is a project access token (never its secret: GitLab returns
// the token value only when it is created).
type accessToken struct {
	ID          int64       `json:"id"`
	Name        string      `json:"name"`
	Active      bool        `json:"active"`
	Revoked     bool        `json:"revoked"`
	Scopes      []string    `json:"scopes"`
	AccessLevel int         `json:"access_level"`
	CreatedAt   *time.Time  `json:"created_at"`
	LastUsedAt  *time.Time  `json:"last_used_at"`
	ExpiresAt   *gl.ISOTime `json:"expires_at"`
}

type tokenListOpts struct {
	PerPage int    `url:"per_page,omitempty"`
	State   string `url:"state,omitempty"`
}

func accessTokens(ctx context.Context, client *gl.Client, p project, r *projectRun) bool {
	toks, err := list[accessToken](ctx, client, projectPath(p)+"/access_tokens", &tokenListOpts{PerPage: 100, State: "active"})
	if err != nil {
		return r.failed(classify(err, opAccessTokens, roleMaintainer), tokenAttrs)
	}
	slices.SortFunc(toks, func(a, b accessToken) int { return int(a.ID - b.ID) })
	n := 0
	for _, t := range toks {
		if !t.Active || t.Revoked {
			continue
		}
		n++
		scopes := slices.Clone(t.Scopes)
		slices.Sort(scopes)
		exp := ""
		if t.ExpiresAt != nil {
			exp = time.Time(*t.ExpiresAt).UTC().Format(time.RFC3339)
		}
		write := slices.Contains(scopes, "api") || slices.Contains(scopes, "write_repository")
		r.projectResult.res = append(r.projectResult.res, evidence.Resource{
			Type: typeCredential, ID: p.WebURL + "#access_token/" + strconv.FormatInt(t.ID, 10), Name: p.PathWithNamespace + ": " + t.Name,
			Attributes: map[string]any{
				"kind": "project_access_token", "project": p.PathWithNamespace, "title": t.Name, "expires_at": exp,
				"created_at": ts(t.CreatedAt), "last_used_at": ts(t.LastUsedAt), "write": write, "scopes": scopes, "access_level": t.AccessLevel,
			},
		})
	}
	r.res.Attributes["access_tokens"] = n
	return false
}

// securitySettings is a project's security settings (Ultimate). GitLab
// 17.x named the secret push protection flag
// pre_receive_secret_detection_enabled.
type securitySettings struct {
	SecretPushProtection *bool `json:"secret_push_protection_enabled"`
	PreReceive           *bool `json:"pre_receive_secret_detection_enabled"`
}

func secretPushProtection(ctx context.Context, client *gl.Client, p project, r *projectRun) bool {
	st, err := get[securitySettings](ctx, client, projectPath(p)+"/security_settings", nil)
	if err != nil {
		if tierMissing(err) {
			r.tier(securityAttrs, opSecuritySettings, tierUltimate, "secret push protection")
			return false
		}
		return r.failed(classify(err, opSecuritySettings, roleDeveloper), securityAttrs)
	}
	switch {
	case st.SecretPushProtection != nil:
		r.res.Attributes["secret_push_protection_enabled"] = *st.SecretPushProtection
	case st.PreReceive != nil:
		r.res.Attributes["secret_push_protection_enabled"] = *st.PreReceive
	default:
		r.res.Gaps = append(r.res.Gaps, absentGap("secret_push_protection_enabled", opSecuritySettings))
	}
	return false
}
