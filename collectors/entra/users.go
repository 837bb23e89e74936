package entra

import (
	"cmp"
	"context"
	"log/slog"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
)

// UsersCollector reads every user of the tenant, members and guests,
// enabled or not, with their last sign-in, authentication method
// registration and directory role assignments, active and eligible
// (Privileged Identity Management). It emits one entra.user and one
// identity.account per user, and one entra.directory_role per role that is
// assigned or eligible (Global Administrator always).
//
// A tenant without Microsoft Entra ID P2 (or ID Governance) has no
// Privileged Identity Management, and Graph answers the eligibility listing
// with AadPremiumLicenseRequired: such a tenant has no eligible assignment
// (Microsoft removes them when the licence ends), which the run records as
// a scope note (a skip) and evidence of none. Any other failure of that
// listing leaves the eligible attributes unknown (gaps) and fails the run
// partially.
//
// Microsoft Graph v1.0 reference:
//   - https://learn.microsoft.com/graph/api/user-list (GET /users, $select with signInActivity)
//   - https://learn.microsoft.com/graph/api/authenticationmethodsroot-list-userregistrationdetails (GET /reports/authenticationMethods/userRegistrationDetails)
//   - https://learn.microsoft.com/graph/api/rbacapplication-list-roledefinitions (GET /roleManagement/directory/roleDefinitions)
//   - https://learn.microsoft.com/graph/api/rbacapplication-list-roleassignments (GET /roleManagement/directory/roleAssignments?$expand=principal)
//   - https://learn.microsoft.com/graph/api/rbacapplication-list-roleeligibilityscheduleinstances (GET /roleManagement/directory/roleEligibilityScheduleInstances?$expand=principal)
type UsersCollector struct{ src *Source }

const (
	opUsers         = "GET /users"
	opRegistration  = "GET /reports/authenticationMethods/userRegistrationDetails"
	opRoleDefs      = "GET /roleManagement/directory/roleDefinitions"
	opRoleAssigns   = "GET /roleManagement/directory/roleAssignments"
	opRoleElig      = "GET /roleManagement/directory/roleEligibilityScheduleInstances"
	pathRoleElig    = "/roleManagement/directory/roleEligibilityScheduleInstances"
	typeUser        = "entra.user"
	typeAccount     = "identity.account"
	typeRole        = "entra.directory_role"
	globalAdminTmpl = "62e90394-69f5-4237-9190-012177145e10"
	userSelect      = "id,userPrincipalName,mail,displayName,accountEnabled,userType,createdDateTime"
)

// Describe returns the collector's metadata.
func (c *UsersCollector) Describe() collectors.Descriptor {
	return collectors.Descriptor{
		ID: usersID, Version: 2, Source: SourceName,
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
				{Name: "eligible_roles", Type: "list", Doc: "Display names of the directory roles the user is eligible for through direct Privileged Identity Management eligibilities, at any scope, sorted: the user can activate them at will. Empty when the tenant has no Microsoft Entra ID P2 licence (no PIM, a scope note of the run); absent (with a gap) when the eligibilities could not be read."},
			}},
			accountType(),
			{Name: typeRole, Doc: "A directory role (role definition) with its active assignments and its eligible (Privileged Identity Management) assignments. Emitted for every assigned or eligible role, and always for Global Administrator. The eligible_ attributes are absent (with a gap) when the eligibilities could not be read, and count none when the tenant has no Microsoft Entra ID P2 licence (no PIM).", Attributes: []collectors.Attribute{
				{Name: "template_id", Type: "string", Doc: "The role's template ID (62e90394-69f5-4237-9190-012177145e10 is Global Administrator)."},
				{Name: "built_in", Type: "bool", Doc: "The role is built in, not custom."},
				{Name: "assignments", Type: "int", Doc: "Active assignments of the role, at any scope."},
				{Name: "user_assignments", Type: "int", Doc: "Active assignments to users."},
				{Name: "group_assignments", Type: "int", Doc: "Active assignments to (role-assignable) groups, whose members hold the role."},
				{Name: "service_principal_assignments", Type: "int", Doc: "Active assignments to service principals (applications, managed identities)."},
				{Name: "users", Type: "list", Doc: "User principal names of the users assigned the role, sorted."},
				{Name: "eligible_assignments", Type: "int", Doc: "Direct eligible assignments of the role (PIM), at any scope."},
				{Name: "eligible_user_assignments", Type: "int", Doc: "Direct eligible assignments to users."},
				{Name: "eligible_group_assignments", Type: "int", Doc: "Direct eligible assignments to (role-assignable) groups."},
				{Name: "eligible_service_principal_assignments", Type: "int", Doc: "Direct eligible assignments to service principals."},
				{Name: "eligible_users", Type: "list", Doc: "User principal names of the users eligible for the role, sorted."},
				{Name: "all_users", Type: "list", Doc: "User principal names of the users holding the role through an active or an eligible direct assignment, each once, sorted: the people who hold or can take the role."},
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
	// MemberType of an eligibility instance: Direct, Group (through a
	// group's eligibility) or Inherited. Empty for active assignments.
	MemberType string `json:"memberType"`
	Principal  *struct {
		Type string `json:"@odata.type"`
	} `json:"principal"`
}

// direct reports whether an eligibility instance is the principal's own,
// not one it has through a group or an inherited scope: the group's own
// eligibility is counted instead, like a group's active assignment.
func (a roleAssignment) direct() bool { return a.MemberType == "" || a.MemberType == "Direct" }

// directory is what one run read, with the failure of each optional part.
type directory struct {
	users    []user
	signIns  error // sign-in activity could not be read
	regs     map[string]registration
	regErr   error
	defs     []roleDefinition
	assigns  []roleAssignment
	rolesErr error
	// eligible are the direct eligibility instances; eligErr is set when
	// they could not be read (unknown), noPIM when the tenant has no
	// licence for Privileged Identity Management (none).
	eligible []roleAssignment
	eligErr  error
	noPIM    bool
}

// usersID is the ID of the users collector.
const usersID = "entra.users"

// Collect reads the users of the tenant target.Account.
func (c *UsersCollector) Collect(ctx context.Context, target evidence.Target, out collectors.Sink) error {
	api, err := c.src.api()
	if err != nil {
		return err
	}
	ctx, trace := collectors.WithTrace(ctx)
	d := &directory{regs: map[string]registration{}}
	// The users' pages follow one another; the registration report and
	// the role listings do not depend on them, so they are read alongside
	// (each into its own fields of d) rather than after the last page.
	// They start once the first page of users came back: when the users
	// cannot be listed the run fails whatever the others read, so they
	// are not asked for, and stopped if a later page fails.
	side, stop := context.WithCancel(ctx)
	defer stop()
	var wg sync.WaitGroup
	var eligErr error
	start := sync.OnceFunc(func() { c.sideListings(side, api, d, out, &wg, &eligErr) })
	if err := c.listUsers(ctx, api, d, start); err != nil {
		stop()
		wg.Wait()
		return err
	}
	start()
	wg.Wait()
	if eligErr != nil {
		return eligErr
	}
	for _, err := range []error{d.regErr, d.rolesErr, d.eligErr} {
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
	// The listings ran at once: their responses are recorded in the order
	// they came, so they are sorted for the evidence not to depend on it.
	records := trace.Records()
	slices.Sort(records)
	c.emit(api, target.Account, d, recorded{out, records})
	return nil
}

// sideListings starts, on wg, the listings that do not depend on the
// users: the registration report, and the role definitions, assignments
// and eligibilities one after the other. Each writes its own fields of d;
// the eligibilities' stopping error is left in eligErr.
func (c *UsersCollector) sideListings(side context.Context, api *client, d *directory, out collectors.Sink, wg *sync.WaitGroup, eligErr *error) {
	wg.Go(func() {
		d.regErr = list(side, api, opRegistration, permAuditLog, "/reports/authenticationMethods/userRegistrationDetails", nil, func(r registration) {
			d.regs[r.ID] = r
		})
	})
	wg.Go(func() {
		d.rolesErr = list(side, api, opRoleDefs, permRoles, "/roleManagement/directory/roleDefinitions", nil, func(r roleDefinition) {
			d.defs = append(d.defs, r)
		})
		if d.rolesErr == nil {
			d.rolesErr = list(side, api, opRoleAssigns, permRoles, "/roleManagement/directory/roleAssignments", url.Values{"$expand": {"principal"}}, func(r roleAssignment) {
				d.assigns = append(d.assigns, r)
			})
		}
		*eligErr = c.listEligible(side, api, d, out)
	})
}

// listEligible lists the direct role eligibilities when the role
// assignments were read. A tenant without the PIM licence has none, which
// is recorded as a skip of the listing; other failures leave d.eligErr.
func (c *UsersCollector) listEligible(ctx context.Context, api *client, d *directory, out collectors.Sink) error {
	if d.rolesErr != nil {
		return nil
	}
	d.eligErr = list(ctx, api, opRoleElig, permRoles, pathRoleElig, url.Values{"$expand": {"principal"}}, func(r roleAssignment) {
		if r.direct() {
			d.eligible = append(d.eligible, r)
		}
	})
	switch {
	case d.eligErr == nil:
	case collectors.Stopped(d.eligErr):
		return d.eligErr
	case noPIM(d.eligErr):
		d.eligErr, d.eligible, d.noPIM = nil, nil, true
		collectors.Skip(out, api.base.JoinPath(pathRoleElig).String(),
			"the tenant has no Microsoft Entra ID P2 or ID Governance licence (AadPremiumLicenseRequired): without Privileged Identity Management no role can be eligible, so eligible assignments are counted as none")
	}
	return nil
}

// listUsers lists the users with their sign-in activity. When Graph
// refuses sign-in activity (403: no licence, or no AuditLog.Read.All), it
// lists them again without it, and their last sign-in is unknown, never
// "never".
func (c *UsersCollector) listUsers(ctx context.Context, api *client, d *directory, first func()) error {
	add := func(u user) {
		first()
		d.users = append(d.users, u)
	}
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
	byPrincipal := func(as []roleAssignment) map[string][]string {
		held := map[string][]string{}
		for _, a := range as {
			name := a.RoleDefinitionID
			if def, ok := names[a.RoleDefinitionID]; ok {
				name = def.DisplayName
			}
			held[a.PrincipalID] = append(held[a.PrincipalID], name)
		}
		return held
	}
	held, eligible := byPrincipal(d.assigns), byPrincipal(d.eligible)
	upn := map[string]string{}
	for _, u := range d.users {
		upn[u.ID] = u.UPN
		ur, ar := c.user(api, tenant, d, u, held[u.ID], eligible[u.ID])
		out.Emit(ur)
		out.Emit(ar)
	}
	if d.rolesErr == nil {
		for _, r := range roles(api, tenant, d, upn) {
			out.Emit(r)
		}
	}
}

// user builds the entra.user and identity.account of u.
func (c *UsersCollector) user(api *client, tenant string, d *directory, u user, held, eligible []string) (evidence.Resource, evidence.Resource) {
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
		rs := sortedSet(held)
		attrs["roles"], acc["admin"] = anyList(rs), len(rs) > 0
	} else {
		gaps = append(gaps, collectors.GapOf(d.rolesErr, "roles"))
		accGaps = append(accGaps, collectors.GapOf(d.rolesErr, "admin"))
	}
	switch {
	case d.rolesErr != nil:
		gaps = append(gaps, collectors.GapOf(d.rolesErr, "eligible_roles"))
	case d.eligErr != nil:
		gaps = append(gaps, collectors.GapOf(d.eligErr, "eligible_roles"))
	default:
		attrs["eligible_roles"] = anyList(sortedSet(eligible))
	}
	id := api.base.JoinPath("users", u.ID).String()
	ur := evidence.Resource{Type: typeUser, ID: id, Name: u.UPN, Account: tenant, Attributes: attrs, Gaps: gaps}
	ar := evidence.Resource{Type: typeAccount, ID: "entra:" + tenant + ":" + u.ID, Name: u.UPN, Account: tenant, Attributes: acc, Gaps: accGaps}
	return ur, ar
}

// tally counts the assignments of one role by kind of principal, with the
// users among them.
type tally struct {
	all, users, groups, sps int
	upns                    []string
}

// tallies counts assignments per role definition ID.
func tallies(assigns []roleAssignment, upn map[string]string) map[string]*tally {
	counts := map[string]*tally{}
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
			t.upns = append(t.upns, cmp.Or(upn[a.PrincipalID], a.PrincipalID))
		case "#microsoft.graph.group":
			t.groups++
		case "#microsoft.graph.servicePrincipal":
			t.sps++
		}
	}
	return counts
}

// eligibleAttrs are the attributes of entra.directory_role that the
// eligibility listing yields.
var eligibleAttrs = []string{"eligible_assignments", "eligible_user_assignments", "eligible_group_assignments",
	"eligible_service_principal_assignments", "eligible_users", "all_users"}

// roles builds the entra.directory_role resources: every role with an
// active or eligible assignment, and Global Administrator always.
func roles(api *client, tenant string, d *directory, upn map[string]string) []evidence.Resource {
	active, eligible := tallies(d.assigns, upn), tallies(d.eligible, upn)
	var out []evidence.Resource
	for _, def := range d.defs {
		t, e := active[def.ID], eligible[def.ID]
		if t == nil && e == nil && def.TemplateID != globalAdminTmpl {
			continue
		}
		t, e = cmp.Or(t, &tally{}), cmp.Or(e, &tally{})
		attrs := map[string]any{
			"template_id": def.TemplateID, "built_in": def.IsBuiltIn, "assignments": t.all, "user_assignments": t.users,
			"group_assignments": t.groups, "service_principal_assignments": t.sps, "users": anyList(sortedSet(t.upns)),
		}
		var gaps []evidence.Gap
		if d.eligErr == nil {
			attrs["eligible_assignments"], attrs["eligible_user_assignments"] = e.all, e.users
			attrs["eligible_group_assignments"], attrs["eligible_service_principal_assignments"] = e.groups, e.sps
			attrs["eligible_users"] = anyList(sortedSet(e.upns))
			attrs["all_users"] = anyList(sortedSet(append(slices.Clone(t.upns), e.upns...)))
		} else {
			for _, a := range eligibleAttrs {
				gaps = append(gaps, collectors.GapOf(d.eligErr, a))
			}
		}
		out = append(out, evidence.Resource{
			Type: typeRole, ID: api.base.JoinPath("roleManagement/directory/roleDefinitions", def.ID).String(), Name: def.DisplayName, Account: tenant,
			Attributes: attrs, Gaps: gaps,
		})
	}
	slices.SortFunc(out, func(a, b evidence.Resource) int { return cmp.Compare(a.Name, b.Name) })
	return out
}

// sortedSet returns ss sorted without duplicates, never nil.
func sortedSet(ss []string) []string {
	out := append([]string{}, ss...)
	slices.Sort(out)
	return slices.Compact(out)
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
