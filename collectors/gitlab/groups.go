package gitlab

import (
	"cmp"
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"

	gl "gitlab.com/gitlab-org/api/client-go/v2"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
)

// GroupCollector reads a top-level group and its subgroups: the 2FA
// requirement and grace period, each group's direct members with their
// access level and, where the token's user is an Owner, their 2FA status,
// each group's pending invitations (Owner), and the top-level group's
// audit events (Premium, Owner). It emits one identity.account per member
// of the hierarchy for access reviews. Whether members are external users
// is shown only to instance administrators: it is a gap and a scope note.
//
// GitLab API docs:
//   - https://docs.gitlab.com/api/groups/#get-a-single-group (GET /groups/:id)
//   - https://docs.gitlab.com/api/groups/#list-all-descendant-groups (GET /groups/:id/descendant_groups)
//   - https://docs.gitlab.com/api/members/#list-all-members-of-a-group-or-project (GET /groups/:id/members)
//   - https://docs.gitlab.com/api/invitations/#list-all-invitations-pending-for-a-group-or-project (GET /groups/:id/invitations)
//   - https://docs.gitlab.com/api/audit_events/#retrieve-all-group-audit-events (GET /groups/:id/audit_events)
//
// GitLab returns two_factor_enabled on members only to group Owners (and
// administrators); without it the 2FA attributes are gaps, never assumed.
type GroupCollector struct{ src *Source }

const (
	opGetGroup       = "GET /groups/{id}"
	opListSubgroups  = "GET /groups/{id}/descendant_groups"
	opListMembers    = "GET /groups/{id}/members"
	typeGroup        = "gitlab.group"
	typeAccount      = "identity.account"
	accessOwner      = 50
	accessMaintainer = 40
)

// Describe returns the collector's metadata.
func (c *GroupCollector) Describe() collectors.Descriptor {
	return collectors.Descriptor{
		ID: "gitlab.groups", Version: 2, Source: SourceName,
		Title: "GitLab groups and subgroups, 2FA requirement, members, pending invitations and audit events",
		ResourceTypes: []collectors.ResourceType{
			{Name: typeGroup, Doc: "A GitLab group or subgroup and its security settings.", Attributes: append([]collectors.Attribute{
				{Name: "full_path", Type: "string", Doc: "The group's full path, e.g. acme/backend."},
				{Name: "top_level", Type: "bool", Doc: "The group is a configured top-level group (not a subgroup)."},
				{Name: "visibility", Type: "string", Doc: "public, internal or private."},
				{Name: "two_factor_requirement_enabled", Type: "bool", Doc: "Members must enable two-factor authentication (require_two_factor_authentication)."},
				{Name: "two_factor_grace_period_hours", Type: "int", Doc: "Hours a member may work without 2FA after the requirement applies (two_factor_grace_period)."},
				{Name: "members_count", Type: "int", Doc: "Direct members of the group."},
				{Name: "owners_count", Type: "int", Doc: "Direct members with the Owner role."},
				{Name: "members_without_2fa", Type: "int", Doc: "Direct members without two-factor authentication (two_factor_enabled, shown to group Owners only)."},
			}, groupAdminAttributes()...)},
			accountType(),
		},
		Permissions:      []string{scopeReadAPI, roleOwner, tierPremium},
		CallsPerResource: 2,
	}
}

func accountType() collectors.ResourceType {
	return collectors.ResourceType{Name: typeAccount, Doc: "An account with access to a system, for access reviews.", Fixed: map[string]any{"system": "gitlab"}, Attributes: []collectors.Attribute{
		{Name: "system", Type: "string", Doc: "The system: gitlab."},
		{Name: "account_id", Type: "string", Doc: "The top-level group the memberships belong to."},
		{Name: "user", Type: "string", Doc: "The GitLab username."},
		{Name: "email", Type: "string", Doc: "The public (or, for enterprise users, the verified) e-mail address, or empty."},
		{Name: "person", Type: "string", Doc: "Key that joins accounts of one person across systems (the lower-case username)."},
		{Name: "mfa", Type: "bool", Doc: "Two-factor authentication is enabled (shown to group Owners only)."},
		{Name: "admin", Type: "bool", Doc: "The member has the Owner role in the group or one of its subgroups."},
		{Name: "access_level", Type: "int", Doc: "Highest GitLab access level of the member in the hierarchy (10 Guest, 20 Reporter, 30 Developer, 40 Maintainer, 50 Owner)."},
		{Name: "last_login", Type: "timestamp", Doc: "Last sign-in; the members API does not publish it, so always empty."},
		{Name: "active", Type: "bool", Doc: "The user's state is active (not blocked or deactivated)."},
	}}
}

// group is the part of a group attest reads. Pointers keep an absent
// field visible.
type group struct {
	ID                   int64  `json:"id"`
	FullPath             string `json:"full_path"`
	WebURL               string `json:"web_url"`
	Visibility           string `json:"visibility"`
	RequireTwoFactorAuth *bool  `json:"require_two_factor_authentication"`
	TwoFactorGracePeriod *int64 `json:"two_factor_grace_period"`
	ParentID             *int64 `json:"parent_id"`
	MarkedForDeletionOn  string `json:"marked_for_deletion_on"`
}

// member is a group member as GET /groups/:id/members returns it.
type member struct {
	ID               int64  `json:"id"`
	Username         string `json:"username"`
	State            string `json:"state"`
	AccessLevel      int    `json:"access_level"`
	Email            string `json:"email"`
	PublicEmail      string `json:"public_email"`
	TwoFactorEnabled *bool  `json:"two_factor_enabled"`
}

func groupPath(id string) string { return "groups/" + gl.PathEscape(id) }

// Collect reads the top-level group target.Account.
func (c *GroupCollector) Collect(ctx context.Context, target evidence.Target, out collectors.Sink) error {
	client, err := c.src.gl()
	if err != nil {
		return err
	}
	top := target.Account
	tctx, trace := collectors.WithTrace(ctx)
	g, err := get[group](tctx, client, groupPath(top), nil)
	if err != nil {
		return fmt.Errorf("gitlab %s %s: %w", opGetGroup, top, classify(err, opGetGroup, roleReporter))
	}
	groups := []group{g}
	subs, subErr := list[group](tctx, client, groupPath(top)+"/descendant_groups", &pageOpts{PerPage: 100})
	// The top-level group's resource keeps the group and subgroup answers.
	topRecords := trace.Records()
	if subErr != nil {
		subErr = classify(subErr, opListSubgroups, roleReporter)
		if stopped(subErr) {
			return subErr
		}
		out.Fail(collectors.FailureOf(subErr, groupURL(c.src.cfg.BaseURL, g)+"#subgroups"))
	}
	slices.SortFunc(subs, func(a, b group) int { return cmp.Compare(a.FullPath, b.FullPath) })
	groups = append(groups, subs...)
	accts := map[string]*account{}
	for i, gr := range groups {
		res, errs := c.group(ctx, client, gr, i == 0, accts, out)
		if i == 0 {
			res.Records = append(topRecords, res.Records...)
		}
		out.Emit(res)
		for _, err := range errs {
			if stopped(err) {
				return err
			}
			out.Fail(collectors.FailureOf(err, res.ID))
		}
	}
	emitAccounts(out, top, accts)
	return nil
}

// account gathers one user's memberships in the hierarchy.
type account struct {
	m     member
	level int
	mfa   *bool
	owner bool
}

// group builds one group's resource (members, pending invitations and,
// for the top-level group, audit events) and adds its members to accts.
// It returns the failures to record.
func (c *GroupCollector) group(ctx context.Context, client *gl.Client, g group, top bool, accts map[string]*account, out collectors.Sink) (evidence.Resource, []error) {
	ctx, trace := collectors.WithTrace(ctx)
	res := c.groupResource(g, top)
	var errs []error
	if err := members(ctx, client, g, &res, accts); err != nil {
		errs = append(errs, err)
	}
	if len(errs) == 0 || !stopped(errs[0]) {
		if err := invitations(ctx, client, g, &res); err != nil {
			errs = append(errs, err)
		}
	}
	if top && (len(errs) == 0 || !stopped(errs[len(errs)-1])) {
		if err := auditEvents(ctx, client, c.src.cfg.Now(), g, &res, out); err != nil {
			errs = append(errs, err)
		}
		res.Gaps = append(res.Gaps, externalGap())
		collectors.Skip(out, res.ID+"#external_members", "external users: GitLab shows the external flag only to instance administrators; external members are not evaluated")
	}
	res.Records = trace.Records()
	return res, errs
}

// groupResource is g's resource with the settings GET /groups/:id answers.
func (c *GroupCollector) groupResource(g group, top bool) evidence.Resource {
	res := evidence.Resource{
		Type: typeGroup, ID: groupURL(c.src.cfg.BaseURL, g), Name: g.FullPath,
		Attributes: map[string]any{"full_path": g.FullPath, "top_level": top, "visibility": g.Visibility},
	}
	if g.RequireTwoFactorAuth != nil {
		res.Attributes["two_factor_requirement_enabled"] = *g.RequireTwoFactorAuth
	} else {
		res.Gaps = append(res.Gaps, absentGap("two_factor_requirement_enabled", opGetGroup))
	}
	if g.TwoFactorGracePeriod != nil {
		res.Attributes["two_factor_grace_period_hours"] = *g.TwoFactorGracePeriod
	} else {
		res.Gaps = append(res.Gaps, absentGap("two_factor_grace_period_hours", opGetGroup))
	}
	return res
}

// members reads g's direct members onto res and adds them to accts.
func members(ctx context.Context, client *gl.Client, g group, res *evidence.Resource, accts map[string]*account) error {
	members, err := list[member](ctx, client, groupPath(g.FullPath)+"/members", &pageOpts{PerPage: 100})
	if err != nil {
		err = classify(err, opListMembers, roleReporter)
		for _, a := range []string{"members_count", "owners_count", "members_without_2fa"} {
			res.Gaps = append(res.Gaps, collectors.GapOf(err, a))
		}
		return err
	}
	owners, no2fa, unknown := 0, 0, 0
	for _, m := range members {
		if m.AccessLevel >= accessOwner {
			owners++
		}
		switch {
		case m.TwoFactorEnabled == nil:
			unknown++
		case !*m.TwoFactorEnabled:
			no2fa++
		}
		a := accts[m.Username]
		if a == nil {
			a = &account{m: m}
			accts[m.Username] = a
		}
		a.level = max(a.level, m.AccessLevel)
		a.owner = a.owner || m.AccessLevel >= accessOwner
		if m.TwoFactorEnabled != nil {
			v := *m.TwoFactorEnabled
			a.mfa = &v
		}
	}
	res.Attributes["members_count"] = len(members)
	res.Attributes["owners_count"] = owners
	if unknown > 0 {
		res.Gaps = append(res.Gaps, ownerGap("members_without_2fa", opListMembers))
	} else {
		res.Attributes["members_without_2fa"] = no2fa
	}
	return nil
}

// emitAccounts emits one identity.account per member of the hierarchy,
// sorted by username.
func emitAccounts(out collectors.Sink, top string, accts map[string]*account) {
	names := make([]string, 0, len(accts))
	for n := range accts {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		a := accts[n]
		acc := evidence.Resource{
			Type: typeAccount, ID: "gitlab:" + top + ":" + n, Name: n, Account: top,
			Attributes: map[string]any{
				"system": "gitlab", "account_id": top, "user": n, "email": cmp.Or(a.m.PublicEmail, a.m.Email),
				"person": strings.ToLower(n), "last_login": "", "active": a.m.State == "" || a.m.State == "active",
				"admin": a.owner, "access_level": a.level,
			},
		}
		if a.mfa != nil {
			acc.Attributes["mfa"] = *a.mfa
		} else {
			acc.Gaps = append(acc.Gaps, ownerGap("mfa", opListMembers))
		}
		out.Emit(acc)
	}
}

// ownerGap is the gap for members' 2FA status, which GitLab shows only to
// group Owners and administrators.
func ownerGap(attr, op string) evidence.Gap {
	return evidence.Gap{
		Attribute: attr, Kind: evidence.Denied, Operation: op, Permission: need(roleOwner),
		Message: "GitLab returns members' two_factor_enabled only to group Owners and administrators, and only in versions whose members API has the field; the answer did not include it",
	}
}

// absentGap is the gap for a field GitLab's answer left out (an older or
// restricted instance): the setting is unknown, never assumed off or on.
func absentGap(attr, op string) evidence.Gap {
	return evidence.Gap{
		Attribute: attr, Kind: evidence.Errored, Operation: op,
		Message: "GitLab's answer does not include this field: the setting is unknown",
	}
}

// groupURL returns the group's web URL, or one built from the base URL.
func groupURL(base string, g group) string {
	if g.WebURL != "" {
		return g.WebURL
	}
	u, err := url.JoinPath(strings.TrimSuffix(strings.TrimSuffix(base, "/"), "/api/v4"), "groups", g.FullPath)
	if err != nil {
		return "gitlab:" + g.FullPath
	}
	return u
}
