package github

import (
	"context"
	"fmt"
	"slices"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
)

// RepoSecurityCollector reads each repository's secret scanning and push
// protection status from the organisation's repository list
// (security_and_analysis), without a call per repository. The status is
// the effective one, whether it was set on the repository or applied by an
// organisation security configuration.
//
// GitHub API docs:
//   - https://docs.github.com/rest/repos/repos#list-organization-repositories (GET /orgs/{org}/repos, security_and_analysis)
//
// GitHub includes security_and_analysis only for repositories the token's
// user administers (or as organisation owner or security manager); for the
// others the attributes are gaps, never assumed values. A repository where
// secret scanning is not available has no push protection status: that is
// recorded as disabled.
type RepoSecurityCollector struct{ src *Source }

const (
	typeRepoSecurity = "github.repository.security"
	repoSecurityID   = "github.repo_security"
	// permSecurityAnalysis is who sees security_and_analysis.
	permSecurityAnalysis = "admin access to the repository (or the organisation owner or security manager role) with " + scopeRepo + " or " + permRepoAdmin
)

// Describe returns the collector's metadata.
func (c *RepoSecurityCollector) Describe() collectors.Descriptor {
	return collectors.Descriptor{
		ID: repoSecurityID, Version: 1, Source: SourceName,
		Title: "GitHub secret scanning and push protection per repository",
		ResourceTypes: []collectors.ResourceType{{Name: typeRepoSecurity, Doc: "The code security settings of a repository. ID is the repository URL with #security.", Attributes: []collectors.Attribute{
			{Name: "archived", Type: "bool", Doc: "The repository is archived (read-only)."},
			{Name: "secret_scanning", Type: "bool", Doc: "Secret scanning is enabled (security_and_analysis.secret_scanning.status)."},
			{Name: "secret_scanning_push_protection", Type: "bool", Doc: "Push protection blocks pushes containing detected secrets (security_and_analysis.secret_scanning_push_protection.status); false where secret scanning is not available."},
		}}},
		Permissions: []string{scopeRepo, permRepoMetadata, permRepoAdmin},
	}
}

// Collect reads the repositories of the organisation target.Account.
func (c *RepoSecurityCollector) Collect(ctx context.Context, target evidence.Target, out collectors.Sink) error {
	client, err := c.src.gh()
	if err != nil {
		return err
	}
	repos, records, err := c.src.listRepos(ctx, client, target.Account, out)
	if err != nil {
		return err
	}
	for _, r := range repos {
		res := evidence.Resource{Type: typeRepoSecurity, ID: repoID(r) + "#security", Name: r.fullName, Account: target.Account,
			Attributes: map[string]any{"archived": r.archived}, Records: slices.Clone(records)}
		sa := r.security
		if sa == nil {
			err := &collectors.APIError{Kind: evidence.Denied, Operation: opListRepos, Permission: permSecurityAnalysis,
				Err: fmt.Errorf("github %s %s: no security_and_analysis for %s", opListRepos, target.Account, r.fullName)}
			res.Gaps = append(res.Gaps, collectors.GapOf(err, "secret_scanning"), collectors.GapOf(err, "secret_scanning_push_protection"))
			out.Emit(res)
			out.Fail(collectors.FailureOf(err, res.ID))
			continue
		}
		res.Attributes["secret_scanning"] = sa.GetSecretScanning().GetStatus() == "enabled"
		res.Attributes["secret_scanning_push_protection"] = sa.GetSecretScanningPushProtection().GetStatus() == "enabled"
		out.Emit(res)
	}
	return nil
}
