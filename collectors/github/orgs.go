package github

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	gh "github.com/google/go-github/v92/github"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
)

// OrgCollector reads organisation security settings and members: the 2FA
// requirement, members without 2FA, owners, outside collaborators and the
// default repository permission. It also emits one identity.account per
// member for access reviews.
//
// GitHub API docs:
//   - https://docs.github.com/rest/orgs/orgs#get-an-organization (GET /orgs/{org})
//   - https://docs.github.com/rest/orgs/members#list-organization-members (GET /orgs/{org}/members, filter=2fa_disabled, role=admin)
//   - https://docs.github.com/rest/orgs/outside-collaborators#list-outside-collaborators-for-an-organization (GET /orgs/{org}/outside_collaborators)
//
// GitHub shows two_factor_requirement_enabled, default_repository_permission
// and the 2fa_disabled filter only to organisation owners. When the token
// cannot see them, the attributes are gaps, never assumed values.
type OrgCollector struct{ src *Source }

const (
	opGetOrg        = "GET /orgs/{org}"
	opListMembers   = "GET /orgs/{org}/members"
	opListOutside   = "GET /orgs/{org}/outside_collaborators"
	ownerRole       = "organization owner role"
	typeOrg         = "github.organization"
	typeAccount     = "identity.account"
	orgCollectorID  = "github.org"
	orgCollectorVer = 1
)

// Describe returns the collector's metadata.
func (c *OrgCollector) Describe() collectors.Descriptor {
	return collectors.Descriptor{
		ID: orgCollectorID, Version: orgCollectorVer, Source: SourceName,
		Title: "GitHub organisation settings, 2FA and members",
		ResourceTypes: []collectors.ResourceType{
			{Name: typeOrg, Doc: "A GitHub organisation's security settings.", Attributes: []collectors.Attribute{
				{Name: "two_factor_requirement_enabled", Type: "bool", Doc: "Members must enable two-factor authentication (visible to owners only)."},
				{Name: "members_count", Type: "int", Doc: "Number of organisation members."},
				{Name: "members_without_2fa", Type: "int", Doc: "Members with two-factor authentication disabled (filter=2fa_disabled; owners only)."},
				{Name: "owners_count", Type: "int", Doc: "Number of organisation owners (role=admin)."},
				{Name: "outside_collaborators_count", Type: "int", Doc: "Number of outside collaborators on organisation repositories."},
				{Name: "default_repository_permission", Type: "string", Doc: "Base permission members have on every repository: none, read, write or admin (owners only)."},
			}},
			accountType(),
		},
		Permissions: []string{scopeReadOrg, permOrgMembers, permOrgAdmin},
	}
}

func accountType() collectors.ResourceType {
	return collectors.ResourceType{Name: typeAccount, Doc: "An account with access to a system, for access reviews.", Fixed: map[string]any{"system": "github"}, Attributes: []collectors.Attribute{
		{Name: "system", Type: "string", Doc: "The system: github."},
		{Name: "account_id", Type: "string", Doc: "The organisation the membership belongs to."},
		{Name: "user", Type: "string", Doc: "The GitHub login."},
		{Name: "email", Type: "string", Doc: "The public e-mail address, or empty."},
		{Name: "person", Type: "string", Doc: "Key that joins accounts of one person across systems (the lower-case login)."},
		{Name: "mfa", Type: "bool", Doc: "Two-factor authentication is enabled."},
		{Name: "admin", Type: "bool", Doc: "The member is an organisation owner."},
		{Name: "last_login", Type: "timestamp", Doc: "Last sign-in; GitHub does not publish it, so always empty."},
		{Name: "active", Type: "bool", Doc: "The membership is active."},
	}}
}

// Collect reads the organisation target.Account.
func (c *OrgCollector) Collect(ctx context.Context, target evidence.Target, out collectors.Sink) error {
	client, err := c.src.gh()
	if err != nil {
		return err
	}
	org := target.Account
	tctx, trace := collectors.WithTrace(ctx)
	o, _, err := client.Organizations.Get(tctx, org)
	if err != nil {
		return fmt.Errorf("github %s %s: %w", opGetOrg, org, classify(err, opGetOrg, scopeReadOrg))
	}
	res := evidence.Resource{
		Type: typeOrg, ID: orgURL(o, org), Name: org, Account: org,
		Attributes: map[string]any{},
	}
	if v := o.TwoFactorRequirementEnabled; v != nil {
		res.Attributes["two_factor_requirement_enabled"] = *v
	} else {
		res.Gaps = append(res.Gaps, ownerGap("two_factor_requirement_enabled", opGetOrg))
	}
	if v := o.DefaultRepoPermission; v != nil {
		res.Attributes["default_repository_permission"] = *v
	} else {
		res.Gaps = append(res.Gaps, ownerGap("default_repository_permission", opGetOrg))
	}

	members, err := listUsers(tctx, client, org, "", "")
	if err != nil {
		// Without the member list there is nothing to review: fail the run.
		return fmt.Errorf("github %s %s: %w", opListMembers, org, classify(err, opListMembers, scopeReadOrg))
	}
	res.Attributes["members_count"] = len(members)

	owners, ownersErr := listUsers(tctx, client, org, "", "admin")
	if err := ownersErr; err != nil {
		err = classify(err, opListMembers+"?role=admin", scopeReadOrg)
		ownersErr = err
		if canceled(err) {
			return err
		}
		res.Gaps = append(res.Gaps, collectors.GapOf(err, "owners_count"))
		out.Fail(collectors.FailureOf(err, res.ID))
	} else {
		res.Attributes["owners_count"] = len(owners)
	}

	no2fa, mfaErr := listUsers(tctx, client, org, "2fa_disabled", "")
	if err := mfaErr; err != nil {
		err = ownerOnly(classify(err, opListMembers+"?filter=2fa_disabled", ownerRole))
		mfaErr = err
		if canceled(err) {
			return err
		}
		res.Gaps = append(res.Gaps, collectors.GapOf(err, "members_without_2fa"))
		out.Fail(collectors.FailureOf(err, res.ID))
	} else {
		res.Attributes["members_without_2fa"] = len(no2fa)
	}

	var outside int
	for _, err := range client.Organizations.ListOutsideCollaboratorsIter(tctx, org, &gh.ListOutsideCollaboratorsOptions{ListOptions: gh.ListOptions{PerPage: 100}}) {
		if err != nil {
			err = classify(err, opListOutside, scopeReadOrg)
			if canceled(err) {
				return err
			}
			res.Gaps = append(res.Gaps, collectors.GapOf(err, "outside_collaborators_count"))
			out.Fail(collectors.FailureOf(err, res.ID))
			outside = -1
			break
		}
		outside++
	}
	if outside >= 0 {
		res.Attributes["outside_collaborators_count"] = outside
	}
	res.Records = trace.Records()
	out.Emit(res)

	emitAccounts(out, org, members, owners, ownersErr, no2fa, mfaErr)
	return nil
}

// emitAccounts emits one identity.account per member. An attribute whose
// list could not be read (err set) is a gap with that error's kind.
func emitAccounts(out collectors.Sink, org string, members, owners []string, ownersErr error, no2fa []string, mfaErr error) {
	for _, login := range members {
		acc := evidence.Resource{
			Type: typeAccount, ID: "github:" + org + ":" + login, Name: login, Account: org,
			Attributes: map[string]any{
				"system": "github", "account_id": org, "user": login, "email": "",
				"person": strings.ToLower(login), "last_login": "", "active": true,
			},
		}
		if mfaErr == nil {
			acc.Attributes["mfa"] = !slices.Contains(no2fa, login)
		} else {
			acc.Gaps = append(acc.Gaps, collectors.GapOf(mfaErr, "mfa"))
		}
		if ownersErr == nil {
			acc.Attributes["admin"] = slices.Contains(owners, login)
		} else {
			acc.Gaps = append(acc.Gaps, collectors.GapOf(ownersErr, "admin"))
		}
		out.Emit(acc)
	}
}

// listUsers lists the organisation members' logins, sorted, optionally
// filtered (2fa_disabled) or by role (admin).
func listUsers(ctx context.Context, c *gh.Client, org, filter, role string) ([]string, error) {
	var out []string
	opts := &gh.ListMembersOptions{Filter: filter, Role: role, ListOptions: gh.ListOptions{PerPage: 100}}
	for u, err := range c.Organizations.ListMembersIter(ctx, org, opts) {
		if err != nil {
			return nil, err
		}
		out = append(out, u.GetLogin())
	}
	slices.Sort(out)
	return out, nil
}

// ownerGap is the gap for a field GitHub shows only to organisation owners.
func ownerGap(attr, op string) evidence.Gap {
	return evidence.Gap{
		Attribute: attr, Kind: evidence.Denied, Operation: op, Permission: ownerRole,
		Message: "GitHub returns this only to organisation owners; the token's user is not an owner",
	}
}

// ownerOnly turns a 403 or 422 answer to an owner-only filter into a denial
// that names the owner role.
func ownerOnly(err error) error {
	var api *collectors.APIError
	if errors.As(err, &api) {
		if s := statusOf(err); s == http.StatusForbidden || s == http.StatusUnprocessableEntity {
			api.Kind = evidence.Denied
			if api.Permission == "" || s == http.StatusUnprocessableEntity {
				api.Permission = ownerRole
			}
		}
	}
	return err
}

func canceled(err error) bool {
	k := collectors.Classify(err)
	return k == evidence.Cancelled || k == evidence.Timeout
}

func orgURL(o *gh.Organization, org string) string {
	if u := o.GetHTMLURL(); u != "" {
		return u
	}
	return "https://github.com/" + org
}
