package okta

import (
	"cmp"
	"context"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
)

// UsersCollector reads every user of the organisation, including
// deactivated (DEPROVISIONED) ones, with their enrolled factors and admin
// role assignments. It emits one okta.user and one identity.account per
// user.
//
// Okta API docs:
//   - https://developer.okta.com/docs/api/openapi/okta-management/management/tag/User/#tag/User/operation/listUsers (GET /api/v1/users)
//   - https://developer.okta.com/docs/api/openapi/okta-management/management/tag/UserFactor/#tag/UserFactor/operation/listFactors (GET /api/v1/users/{id}/factors)
//   - https://developer.okta.com/docs/api/openapi/okta-management/management/tag/RoleAssignmentAUser/#tag/RoleAssignmentAUser/operation/listAssignedRolesForUser (GET /api/v1/users/{id}/roles)
type UsersCollector struct{ src *Source }

const (
	opListUsers   = "GET /api/v1/users"
	opListFactors = "GET /api/v1/users/{id}/factors"
	opListRoles   = "GET /api/v1/users/{id}/roles"
	typeUser      = "okta.user"
	typeAccount   = "identity.account"
)

// weakFactors are factor types that do not count as a second factor.
var weakFactors = []string{"question"}

// Describe returns the collector's metadata.
func (c *UsersCollector) Describe() collectors.Descriptor {
	return collectors.Descriptor{
		ID: "okta.users", Version: 2, Source: SourceName,
		Title: "Okta users, enrolled factors and admin roles",
		ResourceTypes: []collectors.ResourceType{
			{Name: typeUser, Doc: "An Okta user. ID is the user's API URL.", Attributes: []collectors.Attribute{
				{Name: "status", Type: "string", Doc: "Lifecycle status: STAGED, PROVISIONED, ACTIVE, RECOVERY, PASSWORD_EXPIRED, LOCKED_OUT, SUSPENDED or DEPROVISIONED."},
				{Name: "active", Type: "bool", Doc: "The user can sign in: the status is not STAGED, SUSPENDED or DEPROVISIONED."},
				{Name: "factor_types", Type: "list", Doc: "Types of the user's ACTIVE factors (e.g. push, token:software:totp, webauthn), sorted."},
				{Name: "mfa", Type: "bool", Doc: "The user has an ACTIVE factor other than a security question."},
				{Name: "admin_roles", Type: "list", Doc: "Types of the admin roles assigned to the user (e.g. SUPER_ADMIN), sorted."},
				{Name: "admin", Type: "bool", Doc: "The user has at least one admin role."},
				{Name: "last_login", Type: "timestamp", Doc: `Last sign-in, or "" when never.`},
				{Name: "created", Type: "timestamp", Doc: "When the user was created."},
			}},
			accountType(),
		},
		Permissions: []string{scopeUsers, scopeRoles},
	}
}

func accountType() collectors.ResourceType {
	return collectors.ResourceType{Name: typeAccount, Doc: "An account in an identity system, for access reviews across systems.", Fixed: map[string]any{"system": SourceName}, Attributes: []collectors.Attribute{
		{Name: "system", Type: "string", Doc: `The identity system, here "okta".`},
		{Name: "account_id", Type: "string", Doc: "The Okta organisation host, e.g. example.okta.com."},
		{Name: "user", Type: "string", Doc: "The Okta login."},
		{Name: "email", Type: "string", Doc: "The primary e-mail address."},
		{Name: "person", Type: "string", Doc: "Key joining accounts of one person across systems: the lower-cased e-mail address, or login."},
		{Name: "mfa", Type: "bool", Doc: "The user has an active second factor."},
		{Name: "admin", Type: "bool", Doc: "The user has an admin role."},
		{Name: "last_login", Type: "timestamp", Doc: `Last sign-in, or "".`},
		{Name: "active", Type: "bool", Doc: "The user can sign in."},
	}}
}

// user is the part of an Okta user object attest reads.
type user struct {
	ID        string  `json:"id"`
	Status    string  `json:"status"`
	Created   *string `json:"created"`
	LastLogin *string `json:"lastLogin"`
	Profile   struct {
		Login string `json:"login"`
		Email string `json:"email"`
	} `json:"profile"`
}

type factor struct {
	FactorType string `json:"factorType"`
	Status     string `json:"status"`
}

type role struct {
	Type   string `json:"type"`
	Status string `json:"status"`
}

// Collect reads the users of the organisation target.Account.
func (c *UsersCollector) Collect(ctx context.Context, target evidence.Target, out collectors.Sink) error {
	api, err := c.src.api()
	if err != nil {
		return err
	}
	var users []user
	add := func(u user) { users = append(users, u) }
	q := url.Values{"limit": {"200"}}
	if err := list(ctx, api, opListUsers, scopeUsers, "/api/v1/users", q, add); err != nil {
		return err
	}
	// The default listing leaves out deactivated users.
	q.Set("search", `status eq "DEPROVISIONED"`)
	if err := list(ctx, api, opListUsers+"?search", scopeUsers, "/api/v1/users", q, add); err != nil {
		if canceled(err) {
			return err
		}
		out.Fail(collectors.FailureOf(err, api.base.String()))
	}
	slices.SortFunc(users, func(a, b user) int { return cmp.Compare(a.Profile.Login, b.Profile.Login) })
	users = slices.CompactFunc(users, func(a, b user) bool { return a.ID == b.ID })

	rs := make([][2]evidence.Resource, len(users))
	var mu sync.Mutex
	err = collectors.ForEach(ctx, c.src.cfg.Concurrency, len(users), func(ctx context.Context, i int) {
		u, acc, fails := c.user(ctx, api, target.Account, users[i])
		rs[i] = [2]evidence.Resource{u, acc}
		mu.Lock()
		defer mu.Unlock()
		for _, f := range fails {
			out.Fail(f)
		}
	})
	if err != nil {
		return classify(err, opListFactors, "")
	}
	for _, r := range rs {
		out.Emit(r[0])
		out.Emit(r[1])
	}
	return nil
}

// user reads one user's factors and roles and builds its resources.
func (c *UsersCollector) user(ctx context.Context, api *client, org string, u user) (evidence.Resource, evidence.Resource, []evidence.Failure) {
	id := api.base.JoinPath("/api/v1/users", u.ID).String()
	active := !slices.Contains([]string{"STAGED", "SUSPENDED", "DEPROVISIONED"}, u.Status)
	attrs := map[string]any{
		"status": u.Status, "active": active,
		"last_login": ts(u.LastLogin), "created": ts(u.Created),
	}
	acc := map[string]any{
		"system": SourceName, "account_id": org, "user": u.Profile.Login, "email": u.Profile.Email,
		"person": strings.ToLower(cmp.Or(u.Profile.Email, u.Profile.Login)), "last_login": ts(u.LastLogin), "active": active,
	}
	var gaps []evidence.Gap
	var fails []evidence.Failure
	tctx, trace := collectors.WithTrace(ctx)

	types := []string{}
	err := list(tctx, api, opListFactors, scopeUsers, "/api/v1/users/"+url.PathEscape(u.ID)+"/factors", nil, func(f factor) {
		if f.Status == "ACTIVE" {
			types = append(types, f.FactorType)
		}
	})
	// A 404 is not "no factors": the user went away during the run, or
	// the route is not served; either way the factors are unknown.
	if err == nil {
		slices.Sort(types)
		types = slices.Compact(types)
		mfa := slices.ContainsFunc(types, func(t string) bool { return !slices.Contains(weakFactors, t) })
		attrs["factor_types"] = anyList(types)
		attrs["mfa"] = mfa
		acc["mfa"] = mfa
	} else {
		gaps = append(gaps, collectors.GapOf(err, "factor_types"), collectors.GapOf(err, "mfa"))
		fails = append(fails, collectors.FailureOf(err, id))
	}

	roles := []string{}
	err = list(tctx, api, opListRoles, scopeRoles, "/api/v1/users/"+url.PathEscape(u.ID)+"/roles", nil, func(r role) {
		if r.Status == "" || r.Status == "ACTIVE" {
			roles = append(roles, r.Type)
		}
	})
	if err == nil {
		slices.Sort(roles)
		roles = slices.Compact(roles)
		attrs["admin_roles"] = anyList(roles)
		attrs["admin"] = len(roles) > 0
		acc["admin"] = len(roles) > 0
	} else {
		gaps = append(gaps, collectors.GapOf(err, "admin_roles"), collectors.GapOf(err, "admin"))
		fails = append(fails, collectors.FailureOf(err, id))
	}

	ur := evidence.Resource{Type: typeUser, ID: id, Name: u.Profile.Login, Account: org, Attributes: attrs, Records: trace.Records()}
	ar := evidence.Resource{Type: typeAccount, ID: "okta:" + org + ":" + u.ID, Name: u.Profile.Login, Account: org, Attributes: acc, Records: ur.Records}
	for _, g := range gaps {
		ur.Gaps = append(ur.Gaps, g)
		if g.Attribute == "mfa" || g.Attribute == "admin" {
			ar.Gaps = append(ar.Gaps, g)
		}
	}
	return ur, ar, fails
}

// ts normalises an Okta time to RFC 3339 UTC, or "" when absent.
func ts(s *string) string {
	if s == nil || *s == "" {
		return ""
	}
	t, err := time.Parse(time.RFC3339Nano, *s)
	if err != nil {
		return *s
	}
	return t.UTC().Format(time.RFC3339)
}

func anyList(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

func canceled(err error) bool {
	return collectors.Stopped(err)
}
