package entra

import (
	"cmp"
	"context"
	"encoding/json"
	"slices"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
)

// PoliciesCollector reads the tenant's sign-in policies: every Conditional
// Access policy, whether security defaults are enabled, and who may invite
// guests and what guests may see (the authorization policy). It emits one
// entra.conditional_access_policy per policy and one entra.tenant that
// carries all of them, so that a rule can accept either security defaults
// or a Conditional Access policy.
//
// Microsoft Graph v1.0 reference:
//   - https://learn.microsoft.com/graph/api/conditionalaccessroot-list-policies (GET /identity/conditionalAccess/policies)
//   - https://learn.microsoft.com/graph/api/identitysecuritydefaultsenforcementpolicy-get (GET /policies/identitySecurityDefaultsEnforcementPolicy)
//   - https://learn.microsoft.com/graph/api/authorizationpolicy-get (GET /policies/authorizationPolicy)
type PoliciesCollector struct{ src *Source }

const (
	opCAPolicies       = "GET /identity/conditionalAccess/policies"
	opSecurityDefaults = "GET /policies/identitySecurityDefaultsEnforcementPolicy"
	opAuthorization    = "GET /policies/authorizationPolicy"
	typeCAPolicy       = "entra.conditional_access_policy"
	typeTenant         = "entra.tenant"
)

// caAttributes are the attributes of a Conditional Access policy, on
// entra.conditional_access_policy and in entra.tenant's list.
var caAttributes = []collectors.Attribute{
	{Name: "state", Type: "string", Doc: "enabled, disabled or enabledForReportingButNotEnforced (report-only)."},
	{Name: "all_users", Type: "bool", Doc: `The policy includes all users (includeUsers "All").`},
	{Name: "exclusions", Type: "int", Doc: "Excluded users, groups and roles, plus one when guests or external users are excluded."},
	{Name: "all_applications", Type: "bool", Doc: `The policy includes all cloud apps (includeApplications "All") and excludes none.`},
	{Name: "unconditional", Type: "bool", Doc: "The policy has no platform, location, device filter, sign-in risk, user risk or insider risk condition, so it applies to every sign-in of the users and apps it includes."},
	{Name: "client_app_types", Type: "list", Doc: "The client app types the policy applies to (all, browser, mobileAppsAndDesktopClients, exchangeActiveSync, other), sorted."},
	{Name: "modern_clients", Type: "bool", Doc: "The policy applies to browsers and to mobile apps and desktop clients (client app types all, or both)."},
	{Name: "legacy_clients", Type: "bool", Doc: "The policy applies to the legacy authentication clients: Exchange ActiveSync and other clients (client app types all, or both)."},
	{Name: "grant_controls", Type: "list", Doc: "The built-in grant controls (mfa, block, compliantDevice, ...), sorted."},
	{Name: "requires_mfa", Type: "bool", Doc: "Access requires multifactor authentication: the mfa grant control, or a built-in authentication strength (MFA, passwordless MFA, phishing-resistant MFA), with no alternative control (operator AND, or the only control)."},
	{Name: "blocks", Type: "bool", Doc: "The policy blocks access (the block grant control)."},
	{Name: "requires_compliant_device", Type: "bool", Doc: "Access requires a device marked compliant with the device compliance policy (the compliantDevice grant control), with no alternative control (operator AND, or the only control)."},
}

// Describe returns the collector's metadata.
func (c *PoliciesCollector) Describe() collectors.Descriptor {
	return collectors.Descriptor{
		ID: "entra.policies", Version: 1, Source: SourceName,
		Title: "Microsoft Entra ID Conditional Access, security defaults and guest settings",
		ResourceTypes: []collectors.ResourceType{
			{Name: typeCAPolicy, Doc: "A Conditional Access policy. ID is its Graph URL.", Attributes: caAttributes},
			{Name: typeTenant, Doc: "The tenant's sign-in and guest settings. ID is the tenant ID.", Attributes: []collectors.Attribute{
				{Name: "security_defaults_enabled", Type: "bool", Doc: "Security defaults are enabled (identitySecurityDefaultsEnforcementPolicy isEnabled)."},
				{Name: "conditional_access", Type: "list", Doc: "Every Conditional Access policy, as a map of name and the attributes of entra.conditional_access_policy."},
				{Name: "guest_invites_from", Type: "string", Doc: "Who may invite guests: none, adminsAndGuestInviters, adminsGuestInvitersAndAllMembers or everyone."},
				{Name: "guest_access", Type: "string", Doc: `What guests may read of the directory: "member" (same as members), "limited" (the default), "restricted", or the role ID when it is another.`},
			}},
		},
		Permissions: []string{permPolicies},
	}
}

type caPolicy struct {
	ID          string `json:"id"`
	DisplayName string `json:"displayName"`
	State       string `json:"state"`
	Conditions  struct {
		Users struct {
			IncludeUsers  []string        `json:"includeUsers"`
			ExcludeUsers  []string        `json:"excludeUsers"`
			ExcludeGroups []string        `json:"excludeGroups"`
			ExcludeRoles  []string        `json:"excludeRoles"`
			ExcludeGuests json.RawMessage `json:"excludeGuestsOrExternalUsers"`
		} `json:"users"`
		Applications struct {
			IncludeApplications []string `json:"includeApplications"`
			ExcludeApplications []string `json:"excludeApplications"`
		} `json:"applications"`
		ClientAppTypes    []string        `json:"clientAppTypes"`
		Platforms         json.RawMessage `json:"platforms"`
		Locations         json.RawMessage `json:"locations"`
		Devices           json.RawMessage `json:"devices"`
		SignInRiskLevels  []string        `json:"signInRiskLevels"`
		UserRiskLevels    []string        `json:"userRiskLevels"`
		InsiderRiskLevels json.RawMessage `json:"insiderRiskLevels"`
	} `json:"conditions"`
	GrantControls *struct {
		Operator               string   `json:"operator"`
		BuiltInControls        []string `json:"builtInControls"`
		AuthenticationStrength *struct {
			ID string `json:"id"`
		} `json:"authenticationStrength"`
	} `json:"grantControls"`
}

// mfaStrengths are the built-in authentication strengths, each of which
// requires multifactor authentication
// (https://learn.microsoft.com/entra/identity/authentication/concept-authentication-strengths).
var mfaStrengths = []string{
	"00000000-0000-0000-0000-000000000002", // Multifactor authentication
	"00000000-0000-0000-0000-000000000003", // Passwordless MFA
	"00000000-0000-0000-0000-000000000004", // Phishing-resistant MFA
}

// guestRoles name the guest user role IDs of the authorization policy.
var guestRoles = map[string]string{
	"a0b1b346-4d3e-4e8b-98f8-753987be4970": "member",
	"10dae51f-b6af-4016-8d66-8c2a99b929b3": "limited",
	"2af84b1e-32c8-42b7-82bc-daa82404023b": "restricted",
}

// Collect reads the policies of the tenant target.Account.
func (c *PoliciesCollector) Collect(ctx context.Context, target evidence.Target, out collectors.Sink) error {
	api, err := c.src.api()
	if err != nil {
		return err
	}
	ctx, trace := collectors.WithTrace(ctx)
	var ps []caPolicy
	if err := list(ctx, api, opCAPolicies, permPolicies, "/identity/conditionalAccess/policies", nil, func(p caPolicy) { ps = append(ps, p) }); err != nil {
		return err
	}
	slices.SortFunc(ps, func(a, b caPolicy) int {
		return cmp.Or(cmp.Compare(a.DisplayName, b.DisplayName), cmp.Compare(a.ID, b.ID))
	})
	listed := trace.Records()
	summary := make([]any, 0, len(ps))
	for _, p := range ps {
		attrs := caAttrs(p)
		out.Emit(evidence.Resource{Type: typeCAPolicy, ID: api.base.JoinPath("identity/conditionalAccess/policies", p.ID).String(), Name: p.DisplayName, Account: target.Account,
			Attributes: attrs, Records: listed})
		m := map[string]any{"name": p.DisplayName}
		for k, v := range attrs {
			m[k] = v
		}
		summary = append(summary, m)
	}
	tenant := evidence.Resource{Type: typeTenant, ID: target.Account, Name: target.Account, Account: target.Account,
		Attributes: map[string]any{"conditional_access": summary}}
	var sd struct {
		IsEnabled *bool `json:"isEnabled"`
	}
	err = getOne(ctx, api, opSecurityDefaults, permPolicies, "/policies/identitySecurityDefaultsEnforcementPolicy", &sd)
	if err == nil && sd.IsEnabled == nil {
		err = classify(errMissing("isEnabled"), opSecurityDefaults, "")
	}
	if !c.record(err, &tenant, out, "security_defaults_enabled") {
		tenant.Attributes["security_defaults_enabled"] = *sd.IsEnabled
	}
	var az authorizationPolicy
	err = getOne(ctx, api, opAuthorization, permPolicies, "/policies/authorizationPolicy", &az)
	if err == nil {
		az, err = az.single()
		err = classify(err, opAuthorization, "")
	}
	if !c.record(err, &tenant, out, "guest_invites_from", "guest_access") {
		tenant.Attributes["guest_invites_from"] = az.AllowInvitesFrom
		tenant.Attributes["guest_access"] = cmp.Or(guestRoles[az.GuestUserRoleID], az.GuestUserRoleID)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	tenant.Records = trace.Records()
	out.Emit(tenant)
	return nil
}

// record reports err, when not nil, as a failure of the tenant and a gap
// for each of attrs, and says whether it did.
func (c *PoliciesCollector) record(err error, tenant *evidence.Resource, out collectors.Sink, attrs ...string) bool {
	if err == nil {
		return false
	}
	for _, a := range attrs {
		tenant.Gaps = append(tenant.Gaps, collectors.GapOf(err, a))
	}
	out.Fail(collectors.FailureOf(err, tenant.ID))
	return true
}

// authorizationPolicy is the tenant's authorization policy. Graph v1.0
// returns the entity; older responses wrapped it in a one-element value
// array, which single unwraps.
type authorizationPolicy struct {
	AllowInvitesFrom string                `json:"allowInvitesFrom"`
	GuestUserRoleID  string                `json:"guestUserRoleId"`
	Value            []authorizationPolicy `json:"value"`
}

func (a authorizationPolicy) single() (authorizationPolicy, error) {
	if len(a.Value) == 1 {
		a = a.Value[0]
	}
	if a.AllowInvitesFrom == "" || a.GuestUserRoleID == "" {
		return a, errMissing("allowInvitesFrom or guestUserRoleId")
	}
	return a, nil
}

type missingError string

func (e missingError) Error() string { return "response lacks " + string(e) }

func errMissing(what string) error { return missingError(what) }

// caAttrs derives the attributes of a Conditional Access policy.
func caAttrs(p caPolicy) map[string]any {
	u, a, cond := p.Conditions.Users, p.Conditions.Applications, p.Conditions
	types := slices.Clone(cond.ClientAppTypes)
	slices.Sort(types)
	has := func(t string) bool { return slices.Contains(types, "all") || slices.Contains(types, t) }
	exclusions := len(u.ExcludeUsers) + len(u.ExcludeGroups) + len(u.ExcludeRoles)
	if set(u.ExcludeGuests) {
		exclusions++
	}
	var controls []string
	requiresMFA, requiresCompliant := false, false
	if g := p.GrantControls; g != nil {
		controls = slices.Clone(g.BuiltInControls)
		slices.Sort(controls)
		n := len(controls)
		strong := g.AuthenticationStrength != nil && slices.Contains(mfaStrengths, g.AuthenticationStrength.ID)
		if g.AuthenticationStrength != nil {
			n++
		}
		sole := n == 1 || g.Operator == "AND"
		requiresMFA = sole && (slices.Contains(controls, "mfa") || strong)
		requiresCompliant = sole && slices.Contains(controls, "compliantDevice")
	}
	return map[string]any{
		"state":            p.State,
		"all_users":        slices.Contains(u.IncludeUsers, "All"),
		"exclusions":       exclusions,
		"all_applications": slices.Contains(a.IncludeApplications, "All") && len(a.ExcludeApplications) == 0,
		"unconditional": everywhere(cond.Platforms, "Platforms") && everywhere(cond.Locations, "Locations") && !set(cond.Devices) && !set(cond.InsiderRiskLevels) &&
			len(cond.SignInRiskLevels) == 0 && len(cond.UserRiskLevels) == 0,
		"client_app_types":          anyList(types),
		"modern_clients":            has("browser") && has("mobileAppsAndDesktopClients"),
		"legacy_clients":            has("exchangeActiveSync") && has("other"),
		"grant_controls":            anyList(controls),
		"requires_mfa":              requiresMFA,
		"blocks":                    slices.Contains(controls, "block"),
		"requires_compliant_device": requiresCompliant,
	}
}

// set reports whether a JSON value is present and not null.
func set(raw json.RawMessage) bool {
	return len(raw) > 0 && string(raw) != "null"
}

// everywhere reports whether a platforms or locations condition is absent,
// or includes all (includeX ["all"] or ["All"]) and excludes none.
func everywhere(raw json.RawMessage, what string) bool {
	if !set(raw) {
		return true
	}
	var m map[string][]string
	if err := json.Unmarshal(raw, &m); err != nil {
		return false
	}
	inc, exc := m["include"+what], m["exclude"+what]
	return len(inc) == 1 && (inc[0] == "all" || inc[0] == "All") && len(exc) == 0
}
