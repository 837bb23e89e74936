package github

import (
	"context"
	"fmt"

	gh "github.com/google/go-github/v92/github"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
)

// OrgSecurityCollector reads organisation-wide security settings that are
// not part of the organisation object: the GitHub Actions policy (which
// repositories may run workflows and which actions they may use), the
// default permissions of the workflow token (GITHUB_TOKEN), and whether
// SAML single sign-on is enabled for the organisation.
//
// GitHub API docs:
//   - https://docs.github.com/rest/actions/permissions#get-github-actions-permissions-for-an-organization (GET /orgs/{org}/actions/permissions)
//   - https://docs.github.com/rest/actions/permissions#get-default-workflow-permissions-for-an-organization (GET /orgs/{org}/actions/permissions/workflow)
//   - https://docs.github.com/graphql/reference/objects#organization (samlIdentityProvider, viewerCanAdminister)
//
// GitHub shows samlIdentityProvider only to organisation owners, and SAML
// single sign-on exists only on GitHub Enterprise Cloud: on other plans the
// field is null, which is recorded as SAML SSO not enabled. The API does not
// show whether SAML authentication is required of every member, nor SAML
// configured on the enterprise account instead of the organisation.
type OrgSecurityCollector struct{ src *Source }

const (
	opActionsPermissions  = "GET /orgs/{org}/actions/permissions"
	opWorkflowPermissions = "GET /orgs/{org}/actions/permissions/workflow"
	typeOrgSecurity       = "github.organization.security"
	orgSecurityID         = "github.org_security"
)

// orgSAMLQuery reads whether the organisation has a SAML identity
// provider, and whether the token's user administers the organisation
// (only then is the provider visible).
const orgSAMLQuery = `query AttestOrgSAML($org: String!) {
  organization(login: $org) { viewerCanAdminister samlIdentityProvider { ssoUrl } }
}`

// permActionsRead is what reading the organisation's Actions policy needs.
const permActionsRead = "scope:admin:org or " + permOrgActions

// Describe returns the collector's metadata.
func (c *OrgSecurityCollector) Describe() collectors.Descriptor {
	return collectors.Descriptor{
		ID: orgSecurityID, Version: 1, Source: SourceName,
		Title: "GitHub organisation Actions policy, workflow token permissions and SAML SSO",
		ResourceTypes: []collectors.ResourceType{{Name: typeOrgSecurity, Doc: "Organisation-wide GitHub Actions and single sign-on settings.", Attributes: []collectors.Attribute{
			{Name: "actions_enabled_repositories", Type: "string", Doc: "Repositories that may run GitHub Actions: all, none or selected."},
			{Name: "actions_allowed_actions", Type: "string", Doc: `Actions workflows may use: all, local_only or selected; "" when Actions is disabled (enabled_repositories none).`},
			{Name: "default_workflow_permissions", Type: "string", Doc: "Default permissions of the GITHUB_TOKEN in workflows: read or write."},
			{Name: "workflows_can_approve_pull_requests", Type: "bool", Doc: "GitHub Actions may approve pull requests (can_approve_pull_request_reviews)."},
			{Name: "saml_sso_enabled", Type: "bool", Doc: "A SAML identity provider is configured for the organisation (GitHub Enterprise Cloud; visible to owners only). Whether SAML is required of every member is not shown by the API."},
		}}},
		Permissions: []string{scopeAdminOrg, scopeReadOrg, permOrgActions, permOrgMembers},
	}
}

// Collect reads the settings of the organisation target.Account. A call
// that fails leaves its attributes as gaps; the others are still read.
func (c *OrgSecurityCollector) Collect(ctx context.Context, target evidence.Target, out collectors.Sink) error {
	client, err := c.src.gh()
	if err != nil {
		return err
	}
	org := target.Account
	tctx, trace := collectors.WithTrace(ctx)
	res := evidence.Resource{Type: typeOrgSecurity, ID: "https://github.com/" + org + "#security", Name: org, Account: org, Attributes: map[string]any{}}
	fail := func(err error, attrs ...string) error {
		if canceled(err) {
			return err
		}
		for _, a := range attrs {
			res.Gaps = append(res.Gaps, collectors.GapOf(err, a))
		}
		out.Fail(collectors.FailureOf(err, res.ID))
		return nil
	}

	ap, _, err := client.Actions.GetActionsPermissions(tctx, org)
	if err != nil {
		err = classify(err, opActionsPermissions, permActionsRead)
		if err := fail(fmt.Errorf("github %s %s: %w", opActionsPermissions, org, err), "actions_enabled_repositories", "actions_allowed_actions"); err != nil {
			return err
		}
	} else {
		res.Attributes["actions_enabled_repositories"] = ap.GetEnabledRepositories()
		res.Attributes["actions_allowed_actions"] = ap.GetAllowedActions()
	}

	wp, _, err := client.Actions.GetDefaultWorkflowPermissionsInOrganization(tctx, org)
	if err != nil {
		err = classify(err, opWorkflowPermissions, permActionsRead)
		if err := fail(fmt.Errorf("github %s %s: %w", opWorkflowPermissions, org, err), "default_workflow_permissions", "workflows_can_approve_pull_requests"); err != nil {
			return err
		}
	} else {
		res.Attributes["default_workflow_permissions"] = wp.GetDefaultWorkflowPermissions()
		res.Attributes["workflows_can_approve_pull_requests"] = wp.GetCanApprovePullRequestReviews()
	}

	enabled, err := samlEnabled(tctx, client, org)
	if err != nil {
		if err := fail(fmt.Errorf("github graphql SAML identity provider of %s: %w", org, err), "saml_sso_enabled"); err != nil {
			return err
		}
	} else {
		res.Attributes["saml_sso_enabled"] = enabled
	}
	res.Records = trace.Records()
	out.Emit(res)
	return nil
}

// samlEnabled reports whether the organisation has a SAML identity
// provider. When the token's user does not administer the organisation,
// GitHub hides the provider: that is a denial naming the owner role, not
// "not enabled".
func samlEnabled(ctx context.Context, client *gh.Client, org string) (bool, error) {
	var data struct {
		Organization *struct {
			ViewerCanAdminister  bool `json:"viewerCanAdminister"`
			SAMLIdentityProvider *struct {
				SSOURL string `json:"ssoUrl"`
			} `json:"samlIdentityProvider"`
		} `json:"organization"`
	}
	perm := ownerRole + " with " + scopeReadOrg + " or " + permOrgMembers
	err := graphqlWhole(ctx, client, orgSAMLQuery, map[string]any{"org": org}, perm, &data, "organization "+org,
		func() bool { return data.Organization != nil })
	if err != nil {
		return false, err
	}
	if !data.Organization.ViewerCanAdminister {
		return false, &collectors.APIError{Kind: evidence.Denied, Operation: opGraphQL, Permission: ownerRole,
			Err: fmt.Errorf("github graphql: samlIdentityProvider is shown to organisation owners only")}
	}
	return data.Organization.SAMLIdentityProvider != nil, nil
}
