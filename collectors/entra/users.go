package entra

import (
	"cmp"
	"context"
	"log/slog"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
)

// UsersCollector reads every user of the tenant, members and guests,
// enabled or not, with their last sign-in, authentication method
// registration and active directory role assignments. It emits one
// entra.user and one identity.account per user, and one
// entra.directory_role per role that is assigned (Global Administrator
// always).
//
// Microsoft Graph v1.0 reference:
//   - https://learn.microsoft.com/graph/api/user-list (GET /users, $select with signInActivity)
//   - https://learn.microsoft.com/graph/api/authenticationmethodsroot-list-userregistrationdetails (GET /reports/authenticationMethods/userRegistrationDetails)
//   - https://learn.microsoft.com/graph/api/rbacapplication-list-roledefinitions (GET /roleManagement/directory/roleDefinitions)
//   - https://learn.microsoft.com/graph/api/rbacapplication-list-roleassignments (GET /roleManagement/directory/roleAssignments?$expand=principal)
type UsersCollector struct{ src *Source }

const (
	opUsers         = "GET /users"
	opRegistration  = "GET /reports/authenticationMethods/userRegistrationDetails"
	opRoleDefs      = "GET /roleManagement/directory/roleDefinitions"
	opRoleAssigns   = "GET /roleManagement/directory/roleAssignments"
	typeUser        = "entra.user"
	typeAccount     = "identity.account"
	typeRole        = "entra.directory_role"
	globalAdminTmpl = "62e90394-69f5-4237-9190-012177145e10"
	userSelect      = "id,userPrincipalName,mail,displayName,accountEnabled,userType,createdDateTime"
)

// Describe returns the collector's metadata.
func (c *UsersCollector) Describe() collectors.Descriptor {
	return collectors.Descriptor{
		ID: "entra.users", Version: 1, Source: SourceName,
		Title: "Microsoft Entra ID users, MFA registration and directory roles",
		ResourceTypes: []collectors.ResourceType{
			{Name: typeUser, Doc: "A Microsoft Entra ID user. ID is the user's Graph URL.", Attributes: []collectors.Attribute{
				{Name: "user_principal_name", Type: "string", Doc: "The user principal name (sign-in name)."},
				{Name: "mail", Type: "string", Doc: `The primary e-mail address, or "".`},
				{Name: "user_type", Type: "string", Doc: "Member or Guest."},
				{Name: "enabled", Type: "bool", Doc: "accountEnabled: the user can sign in."},
				{Name: "created", Type: "timestamp", Doc: "When the user was created."},
				{Name: "last_sign_in", Type: "timestamp", Doc: `The latest interactive or non-interactive sign-in, or "" when never (Graph also leaves out sign-ins before April 2020). Absent (unknown, with a gap) when Graph does not report sign-in activity: it needs AuditLog.Read.All and a Microsoft Entra ID P1 or P2 licence.`},
				{Name: "mfa_registered", Type: "bool", Doc: "isMfaRegistered of the registration report: the user has registered a strong authentication method. Absent (with a gap) when the report does not list the user (it leaves out disabled users) or could not be read."},
				{Name: "methods_registered", Type: "list", Doc: "Authentication methods the user registered (e.g. microsoftAuthenticatorPush, fido2), sorted; absent like mfa_registered."},
				{Name: "roles", Type: "list", Doc: "Display names of the directory roles the user holds through active direct assignments, at any scope, sorted."},
			}},
			accountType(),
			{Name: typeRole, Doc: "A directory role (role definition) with its active assignments. Emitted for every assigned role, and always for Global Administrator.", Attributes: []collectors.Attribute{
				{Name: "template_id", Type: "string", Doc: "The role's template ID (62e90394-69f5-4237-9190-012177145e10 is Global Administrator)."},
				{Name: "built_in", Type: "bool", Doc: "The role is built in, not custom."},
				{Name: "assignments", Type: "int", Doc: "Active assignments of the role, at any scope."},
				{Name: "user_assignments", Type: "int", Doc: "Active assignments to users."},
				{Name: "group_assignments", Type: "int", Doc: "Active assignments to (role-assignable) groups, whose members hold the role."},
				{Name: "service_principal_assignments", Type: "int", Doc: "Active assignments to service principals (applications, managed identities)."},
				{Name: "users", Type: "list", Doc: "User principal names of the users assigned the role, sorted."},
			}},
		},
		Permissions: []string{permUsers, permAuditLog, permRoles},
	}
}

func accountType() collectors.ResourceType {
	return collectors.ResourceType{Name: typeAccount, Doc: "An account in an identity system, for access reviews across systems.", Fixed: map[string]any{"system": SourceName}, Attributes: []collectors.Attribute{
		{Name: "system", Type: "string", Doc: `The identity system, here "entra".`},
		{Name: "account_id", Type: "string", Doc: "The directory (tenant) ID."},
		{Name: "user", Type: "string", Doc: "The user principal name."},
		{Name: "email", Type: "string", Doc: "The primary e-mail address, or the user principal name."},
		{Name: "person", Type: "string", Doc: "Key joining accounts of one person across systems: the lower-cased e-mail address, or user principal name."},
		{Name: "mfa", Type: "bool", Doc: "The user has registered a strong authentication method (isMfaRegistered)."},
		{Name: "admin", Type: "bool", Doc: "The user holds a directory role through an active direct assignment."},
		{Name: "last_login", Type: "timestamp", Doc: `The latest sign-in, or "" when never; absent when unknown.`},
		{Name: "active", Type: "bool", Doc: "The account is enabled."},
	}}
}

type signInActivity struct {
	LastSignIn           *string `json:"lastSignInDateTime"`
	LastNonInteractive   *string `json:"lastNonInteractiveSignInDateTime"`
	LastSuccessfulSignIn *string `json:"lastSuccessfulSignInDateTime"`
}

// user is the part of a Graph user attest reads.
type user struct {
	ID             string          `json:"id"`
	UPN            string          `json:"userPrincipalName"`
	Mail           *string         `json:"mail"`
	Enabled        *bool           `json:"accountEnabled"`
	UserType       *string         `json:"userType"`
	Created        *string         `json:"createdDateTime"`
	SignInActivity *signInActivity `json:"signInActivity"`
}

type registration struct {
	ID              string   `json:"id"`
	IsMfaRegistered bool     `json:"isMfaRegistered"`
	Methods         []string `json:"methodsRegistered"`
}

type roleDefinition struct {
	ID          string `json:"id"`
	DisplayName string `json:"displayName"`
	TemplateID  string `json:"templateId"`
	IsBuiltIn   bool   `json:"isBuiltIn"`
}

type roleAssignment struct {
	PrincipalID      string `json:"principalId"`
	RoleDefinitionID string `json:"roleDefinitionId"`
	Principal        *struct {
		Type string `json:"@odata.type"`
	} `json:"principal"`
}

// directory is what one run read, with the failure of each optional part.
type directory struct {
	users    []user
	signIns  error // sign-in activity could not be read
	regs     map[string]registration
	regErr   error
	defs     []roleDefinition
	assigns  []roleAssignment
	rolesErr error
}

// Collect reads the users of the tenant target.Account.
func (c *UsersCollector) Collect(ctx context.Context, target evidence.Target, out collectors.Sink) error {
	api, err := c.src.api()
	if err != nil {
		return err
	}
	ctx, trace := collectors.WithTrace(ctx)
	d := &directory{}
	if err := c.listUsers(ctx, api, d); err != nil {
		return err
	}
	d.regs = map[string]registration{}
	d.regErr = list(ctx, api, opRegistration, permAuditLog, "/reports/authenticationMethods/userRegistrationDetails", nil, func(r registration) {
		d.regs[r.ID] = r
	})
	d.rolesErr = list(ctx, api, opRoleDefs, permRoles, "/roleManagement/directory/roleDefinitions", nil, func(r roleDefinition) {
		d.defs = append(d.defs, r)
	})
	if d.rolesErr == nil {
		d.rolesErr = list(ctx, api, opRoleAssigns, permRoles, "/roleManagement/directory/roleAssignments", url.Values{"$expand": {"principal"}}, func(r roleAssignment) {
			d.assigns = append(d.assigns, r)
		})
	}
	for _, err := range []error{d.regErr, d.rolesErr} {
		switch {
		case err == nil:
		case collectors.Stopped(err):
			return err
		case unlicensed(err):
			// A tenant without Entra ID P1/P2 never has the report: like
			// sign-in activity, the users' registration is unknown (a gap
			// on each), and the rest of the run stands.
			slog.WarnContext(ctx, "entra: the authentication methods registration report needs a Microsoft Entra ID P1 or P2 licence; MFA registration is unknown", "err", err)
		default:
			out.Fail(collectors.FailureOf(err, target.Account))
		}
	}
	c.emit(api, target.Account, d, recorded{out, trace.Records()})
	return nil
}

// listUsers lists the users with their sign-in activity. When Graph
// refuses sign-in activity (403: no licence, or no AuditLog.Read.All), it
// lists them again without it, and their last sign-in is unknown, never
// "never".
func (c *UsersCollector) listUsers(ctx context.Context, api *client, d *directory) error {
	add := func(u user) { d.users = append(d.users, u) }
	// With signInActivity, Graph serves at most 120 users a page and
	// refuses a larger $top; without it, 999.
	q := url.Values{"$select": {userSelect + ",signInActivity"}, "$top": {"120"}}
	err := list(ctx, api, opUsers, permAuditLog, "/users", q, add)
	if err != nil && collectors.Classify(err) == evidence.Denied {
		slog.WarnContext(ctx, "entra: sign-in activity not readable; listing users without it", "err", err)
		d.signIns = err
		d.users = nil
		q.Set("$select", userSelect)
		q.Set("$top", "999")
		err = list(ctx, api, opUsers, permUsers, "/users", q, add)
	}
	if err != nil {
		return err
	}
	slices.SortFunc(d.users, func(a, b user) int { return cmp.Compare(strings.ToLower(a.UPN), strings.ToLower(b.UPN)) })
	d.users = slices.CompactFunc(d.users, func(a, b user) bool { return a.ID == b.ID })
	return nil
}

// emit builds and emits the resources of a run.
func (c *UsersCollector) emit(api *client, tenant string, d *directory, out collectors.Sink) {
	names := map[string]roleDefinition{}
	for _, r := range d.defs {
		names[r.ID] = r
	}
	held := map[string][]string{}
	for _, a := range d.assigns {
		if def, ok := names[a.RoleDefinitionID]; ok {
			held[a.PrincipalID] = append(held[a.PrincipalID], def.DisplayName)
		} else {
			held[a.PrincipalID] = append(held[a.PrincipalID], a.RoleDefinitionID)
		}
	}
	upn := map[string]string{}
	for _, u := range d.users {
		upn[u.ID] = u.UPN
		ur, ar := c.user(api, tenant, d, u, held[u.ID])
		out.Emit(ur)
		out.Emit(ar)
	}
	if d.rolesErr == nil {
		for _, r := range roles(api, tenant, d.defs, d.assigns, upn) {
			out.Emit(r)
		}
	}
}

// user builds the entra.user and identity.account of u.
func (c *UsersCollector) user(api *client, tenant string, d *directory, u user, held []string) (evidence.Resource, evidence.Resource) {
	enabled := u.Enabled != nil && *u.Enabled
	mail := ""
	if u.Mail != nil {
		mail = *u.Mail
	}
	attrs := map[string]any{
		"user_principal_name": u.UPN, "mail": mail, "user_type": deref(u.UserType), "enabled": enabled, "created": ts(u.Created),
	}
	acc := map[string]any{
		"system": SourceName, "account_id": tenant, "user": u.UPN, "email": cmp.Or(mail, u.UPN),
		"person": strings.ToLower(cmp.Or(mail, u.UPN)), "active": enabled,
	}
	var gaps, accGaps []evidence.Gap
	if d.signIns == nil {
		last := lastSignIn(u.SignInActivity)
		attrs["last_sign_in"], acc["last_login"] = last, last
	} else {
		g := collectors.GapOf(d.signIns, "last_sign_in")
		gaps = append(gaps, g)
		g.Attribute = "last_login"
		accGaps = append(accGaps, g)
	}
	switch r, ok := d.regs[u.ID]; {
	case d.regErr != nil:
		g := collectors.GapOf(d.regErr, "mfa_registered")
		gaps = append(gaps, g, collectors.GapOf(d.regErr, "methods_registered"))
		g.Attribute = "mfa"
		accGaps = append(accGaps, g)
	case !ok:
		g := evidence.Gap{Attribute: "mfa_registered", Kind: evidence.Errored, Operation: opRegistration,
			Message: "the user is not in the authentication methods registration report (Graph leaves out disabled users)"}
		gm := g
		gm.Attribute = "methods_registered"
		gaps = append(gaps, g, gm)
		g.Attribute = "mfa"
		accGaps = append(accGaps, g)
	default:
		methods := slices.Clone(r.Methods)
		slices.Sort(methods)
		attrs["mfa_registered"], attrs["methods_registered"], acc["mfa"] = r.IsMfaRegistered, anyList(slices.Compact(methods)), r.IsMfaRegistered
	}
	if d.rolesErr == nil {
		rs := slices.Clone(held)
		slices.Sort(rs)
		rs = slices.Compact(rs)
		attrs["roles"], acc["admin"] = anyList(rs), len(rs) > 0
	} else {
		gaps = append(gaps, collectors.GapOf(d.rolesErr, "roles"))
		accGaps = append(accGaps, collectors.GapOf(d.rolesErr, "admin"))
	}
	id := api.base.JoinPath("users", u.ID).String()
	ur := evidence.Resource{Type: typeUser, ID: id, Name: u.UPN, Account: tenant, Attributes: attrs, Gaps: gaps}
	ar := evidence.Resource{Type: typeAccount, ID: "entra:" + tenant + ":" + u.ID, Name: u.UPN, Account: tenant, Attributes: acc, Gaps: accGaps}
	return ur, ar
}

// roles builds the entra.directory_role resources: every role with an
// assignment, and Global Administrator always.
func roles(api *client, tenant string, defs []roleDefinition, assigns []roleAssignment, upn map[string]string) []evidence.Resource {
	type tally struct{ all, users, groups, sps int }
	counts := map[string]*tally{}
	holders := map[string][]string{}
	for _, a := range assigns {
		t := counts[a.RoleDefinitionID]
		if t == nil {
			t = &tally{}
			counts[a.RoleDefinitionID] = t
		}
		t.all++
		typ := ""
		if a.Principal != nil {
			typ = a.Principal.Type
		}
		switch typ {
		case "#microsoft.graph.user":
			t.users++
			holders[a.RoleDefinitionID] = append(holders[a.RoleDefinitionID], cmp.Or(upn[a.PrincipalID], a.PrincipalID))
		case "#microsoft.graph.group":
			t.groups++
		case "#microsoft.graph.servicePrincipal":
			t.sps++
		}
	}
	var out []evidence.Resource
	for _, d := range defs {
		t := counts[d.ID]
		if t == nil && d.TemplateID != globalAdminTmpl {
			continue
		}
		if t == nil {
			t = &tally{}
		}
		us := holders[d.ID]
		slices.Sort(us)
		out = append(out, evidence.Resource{
			Type: typeRole, ID: api.base.JoinPath("roleManagement/directory/roleDefinitions", d.ID).String(), Name: d.DisplayName, Account: tenant,
			Attributes: map[string]any{
				"template_id": d.TemplateID, "built_in": d.IsBuiltIn, "assignments": t.all, "user_assignments": t.users,
				"group_assignments": t.groups, "service_principal_assignments": t.sps, "users": anyList(us),
			},
		})
	}
	slices.SortFunc(out, func(a, b evidence.Resource) int { return cmp.Compare(a.Name, b.Name) })
	return out
}

// lastSignIn returns the latest of a user's interactive and
// non-interactive sign-ins, or "" when there is none (never signed in).
func lastSignIn(a *signInActivity) string {
	if a == nil {
		return ""
	}
	return max(ts(a.LastSignIn), ts(a.LastNonInteractive))
}

// ts normalises a Graph time to RFC 3339 UTC, or "" when absent. Graph
// reports never-used dates as 0001-01-01T00:00:00Z in some properties.
func ts(s *string) string {
	if s == nil || *s == "" {
		return ""
	}
	t, err := time.Parse(time.RFC3339Nano, *s)
	if err != nil {
		return *s
	}
	if t.Year() <= 1601 {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func anyList(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// recorded is a sink that points every resource at the raw responses it
// came from: the listings of the run.
type recorded struct {
	collectors.Sink
	records []string
}

func (r recorded) Emit(res evidence.Resource) {
	res.Records = r.records
	r.Sink.Emit(res)
}
