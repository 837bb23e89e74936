package workspace

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	admin "google.golang.org/api/admin/directory/v1"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
	"github.com/attestdev/attest/collectors/gcp/gcpapi"
)

// UsersCollector reads every user of the Workspace customer with their
// 2-step verification enrolment and enforcement, admin status, suspension
// and last sign-in. It emits one workspace.user and one identity.account per
// user.
//
// Admin SDK docs: https://developers.google.com/workspace/admin/directory/reference/rest/v1/users/list
// Operation: directory.users.list (GET /admin/directory/v1/users?customer=...).
type UsersCollector struct{ src *Source }

const (
	opListUsers = "directory.users.list"
	typeUser    = "workspace.user"
	typeAccount = "identity.account"
)

// Describe returns the collector's metadata.
func (c *UsersCollector) Describe() collectors.Descriptor {
	return collectors.Descriptor{
		ID: "workspace.users", Version: 2, Source: SourceName,
		Title: "Google Workspace users, 2-step verification and admins",
		ResourceTypes: []collectors.ResourceType{
			{Name: typeUser, Doc: "A Google Workspace user. ID is the user's immutable id.", Attributes: []collectors.Attribute{
				{Name: "enrolled_2sv", Type: "bool", Doc: "The user is enrolled in 2-step verification."},
				{Name: "enforced_2sv", Type: "bool", Doc: "2-step verification is enforced for the user (isEnforcedIn2Sv: the effective setting of the user's organisational unit or group)."},
				{Name: "org_unit", Type: "string", Doc: "Path of the user's organisational unit, e.g. / or /Engineering."},
				{Name: "super_admin", Type: "bool", Doc: "The user is a super administrator."},
				{Name: "delegated_admin", Type: "bool", Doc: "The user has a delegated administrator role."},
				{Name: "suspended", Type: "bool", Doc: "The user is suspended."},
				{Name: "archived", Type: "bool", Doc: "The user is archived."},
				{Name: "last_login", Type: "timestamp", Doc: `Last sign-in, or "" when never.`},
				{Name: "created", Type: "timestamp", Doc: "When the account was created."},
			}},
			{Name: typeAccount, Doc: "An account in an identity system, for access reviews across systems.", Fixed: map[string]any{"system": SourceName}, Attributes: []collectors.Attribute{
				{Name: "system", Type: "string", Doc: `The identity system, here "workspace".`},
				{Name: "account_id", Type: "string", Doc: "The Workspace customer ID as configured (default my_customer)."},
				{Name: "user", Type: "string", Doc: "The primary e-mail address, which is the login."},
				{Name: "email", Type: "string", Doc: "The primary e-mail address."},
				{Name: "person", Type: "string", Doc: "Key joining accounts of one person across systems: the lower-cased primary e-mail address."},
				{Name: "mfa", Type: "bool", Doc: "The user is enrolled in 2-step verification."},
				{Name: "admin", Type: "bool", Doc: "The user is a super or delegated administrator."},
				{Name: "last_login", Type: "timestamp", Doc: `Last sign-in, or "".`},
				{Name: "active", Type: "bool", Doc: "The user is neither suspended nor archived."},
			}},
		},
		Permissions: []string{scopeUsers},
	}
}

// Collect reads the users of the customer target.Account.
func (c *UsersCollector) Collect(ctx context.Context, target evidence.Target, out collectors.Sink) error {
	svc, err := c.src.service(ctx)
	if err != nil {
		return err
	}
	tctx, trace := collectors.WithTrace(ctx)
	var users []*admin.User
	err = svc.Users.List().Customer(target.Account).MaxResults(500).OrderBy("email").Projection("basic").
		Pages(tctx, func(p *admin.Users) error {
			users = append(users, p.Users...)
			return nil
		})
	if err != nil {
		return fmt.Errorf("workspace %s %s: %w", opListUsers, target.Account, gcpapi.Classify(err, opListUsers, scopeUsers))
	}
	records := trace.Records()
	slices.SortFunc(users, func(a, b *admin.User) int { return cmp.Compare(a.PrimaryEmail, b.PrimaryEmail) })
	for _, u := range users {
		last := gcpapi.Time(u.LastLoginTime)
		active := !u.Suspended && !u.Archived
		out.Emit(evidence.Resource{
			Type: typeUser, ID: u.Id, Name: u.PrimaryEmail, Account: target.Account, Records: records,
			Attributes: map[string]any{
				"enrolled_2sv": u.IsEnrolledIn2Sv, "enforced_2sv": u.IsEnforcedIn2Sv,
				"super_admin": u.IsAdmin, "delegated_admin": u.IsDelegatedAdmin,
				"suspended": u.Suspended, "archived": u.Archived, "org_unit": u.OrgUnitPath,
				"last_login": last, "created": gcpapi.Time(u.CreationTime),
			},
		})
		out.Emit(evidence.Resource{
			Type: typeAccount, ID: "workspace:" + target.Account + ":" + u.Id, Name: u.PrimaryEmail, Account: target.Account, Records: records,
			Attributes: map[string]any{
				"system": SourceName, "account_id": target.Account, "user": u.PrimaryEmail, "email": u.PrimaryEmail,
				"person": strings.ToLower(u.PrimaryEmail), "mfa": u.IsEnrolledIn2Sv, "admin": u.IsAdmin || u.IsDelegatedAdmin,
				"last_login": last, "active": active,
			},
		})
	}
	return nil
}
