package entra

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/attestdev/attest/collectors/evidence"
	"github.com/attestdev/attest/collectors/internal/apitest"
	"github.com/attestdev/attest/internal/fake/entrafake"
)

// wantUsers returns the entra.user and identity.account resources the
// happy fixtures give on server base.
func wantUsers(base string) (users, accs []evidence.Resource) {
	type u struct {
		id, upn, mail, typ    string
		enabled               bool
		created, last         string
		mfa                   bool
		methods, roles        []any
		noRegistration, admin bool
		eligible              []any
	}
	for _, x := range []u{
		{"87d349ed-44d7-43e1-9a83-5f2406dee5bd", "AdeleV@contoso.com", "AdeleV@contoso.com", "Member", true, "2021-03-14T09:20:11Z", "2025-12-30T17:44:52Z",
			true, []any{"microsoftAuthenticatorPush", "mobilePhone", "softwareOneTimePasscode"}, []any{"Global Administrator"}, false, true, []any{"Global Administrator"}},
		{"626cbf8c-5dde-46b0-8385-9e40d64736fe", "john_fabrikam.com#EXT#@contoso.com", "john@fabrikam.com", "Guest", true, "2024-06-01T12:00:00Z", "",
			false, []any{}, []any{"User Administrator"}, false, true, []any{"Security Administrator"}},
		{"e8b753b5-4117-464e-9a08-713e1ff266b3", "MiriamG@contoso.com", "", "Member", false, "2020-01-10T08:00:00Z", "2025-04-02T10:00:00Z",
			false, nil, []any{}, true, false, []any{"Global Administrator"}},
	} {
		ua := map[string]any{"user_principal_name": x.upn, "mail": x.mail, "user_type": x.typ, "enabled": x.enabled, "created": x.created,
			"last_sign_in": x.last, "roles": x.roles, "eligible_roles": x.eligible}
		email := x.mail
		if email == "" {
			email = x.upn
		}
		aa := map[string]any{"system": "entra", "account_id": testTenant, "user": x.upn, "email": email, "person": strings.ToLower(email),
			"active": x.enabled, "last_login": x.last, "admin": x.admin}
		var ug, ag []evidence.Gap
		if x.noRegistration {
			g := evidence.Gap{Attribute: "mfa_registered", Kind: evidence.Errored, Operation: opRegistration}
			gm := g
			gm.Attribute = "methods_registered"
			ug = []evidence.Gap{g, gm}
			g.Attribute = "mfa"
			ag = []evidence.Gap{g}
		} else {
			ua["mfa_registered"], ua["methods_registered"], aa["mfa"] = x.mfa, x.methods, x.mfa
		}
		users = append(users, evidence.Resource{Type: "entra.user", ID: base + "/v1.0/users/" + x.id, Name: x.upn, Account: testTenant, Attributes: ua, Gaps: ug})
		accs = append(accs, evidence.Resource{Type: "identity.account", ID: "entra:" + testTenant + ":" + x.id, Name: x.upn, Account: testTenant, Attributes: aa, Gaps: ag})
	}
	return users, accs
}

// counts are a role's assignments: all, to users, groups and service
// principals.
type counts struct{ all, users, groups, sps int }

// wantRoles returns the roles the happy fixtures give, active and eligible.
func wantRoles(base string) []evidence.Resource {
	role := func(id, name string, a counts, holders []any, e counts, eligible, all []any) evidence.Resource {
		return evidence.Resource{Type: "entra.directory_role", ID: base + "/v1.0/roleManagement/directory/roleDefinitions/" + id, Name: name, Account: testTenant,
			Attributes: map[string]any{"template_id": id, "built_in": true, "assignments": a.all, "user_assignments": a.users, "group_assignments": a.groups,
				"service_principal_assignments": a.sps, "users": holders,
				"eligible_assignments": e.all, "eligible_user_assignments": e.users, "eligible_group_assignments": e.groups,
				"eligible_service_principal_assignments": e.sps, "eligible_users": eligible, "all_users": all}}
	}
	adele, john, miriam := "AdeleV@contoso.com", "john_fabrikam.com#EXT#@contoso.com", "MiriamG@contoso.com"
	return []evidence.Resource{
		role("88d8e3e3-8f55-4a1e-953a-9b9898b8876b", "Directory Readers", counts{1, 0, 0, 1}, []any{}, counts{}, []any{}, []any{}),
		role("62e90394-69f5-4237-9190-012177145e10", "Global Administrator", counts{2, 1, 1, 0}, []any{adele}, counts{2, 2, 0, 0}, []any{adele, miriam}, []any{adele, miriam}),
		role("194ae4cb-b126-40b2-bd5b-6091b380977d", "Security Administrator", counts{}, []any{}, counts{1, 1, 0, 0}, []any{john}, []any{john}),
		role("fe930be7-5e62-47db-91af-98c3a49a38b1", "User Administrator", counts{1, 1, 0, 0}, []any{john}, counts{1, 0, 1, 0}, []any{}, []any{john}),
	}
}

// withoutEligible turns the happy roles into those of a run that read no
// eligibility: gaps when unknown (g not nil), none when the tenant has no
// PIM. The Security Administrator, only eligible, is then not emitted.
func withoutEligible(rs []evidence.Resource, g *evidence.Gap) []evidence.Resource {
	rs = slices.DeleteFunc(rs, func(r evidence.Resource) bool { return r.Name == "Security Administrator" })
	for i := range rs {
		a := rs[i].Attributes
		if g == nil {
			a["eligible_assignments"], a["eligible_user_assignments"], a["eligible_group_assignments"], a["eligible_service_principal_assignments"] = 0, 0, 0, 0
			a["eligible_users"], a["all_users"] = []any{}, a["users"]
			continue
		}
		for _, attr := range eligibleAttrs {
			delete(a, attr)
			gg := *g
			gg.Attribute = attr
			rs[i].Gaps = append(rs[i].Gaps, gg)
		}
	}
	return rs
}

// eligibleUnknown replaces eligible_roles of every user by gap g, and the
// roles' eligible attributes by gaps.
func eligibleUnknown(g evidence.Gap) func(us, as, rs []evidence.Resource) []evidence.Resource {
	return func(us, _, rs []evidence.Resource) []evidence.Resource {
		for i := range us {
			delete(us[i].Attributes, "eligible_roles")
			gg := g
			gg.Attribute = "eligible_roles"
			us[i].Gaps = append(us[i].Gaps, gg)
		}
		return withoutEligible(rs, &g)
	}
}

func TestUsersCollector(t *testing.T) {
	t.Parallel()
	happy := fixtures{
		usersKey:        {Body: "users.json"},
		registrationKey: {Body: "registration.json"},
		roleDefsKey:     {Body: "roledefs.json"},
		roleAssignsKey:  {Body: "roleassigns.json"},
		roleEligKey:     {Body: "roleelig.json"},
	}
	blockReply, started := blocking()
	pimBlock, pimStarted := blocking()
	pimLicence := reply{Status: 400, Body: "error_pim_licence.json"}
	// gapAll replaces attribute attr of every user (and account attribute
	// accAttr) by a gap.
	gapAll := func(attr, accAttr string, g evidence.Gap) func(us, as, rs []evidence.Resource) []evidence.Resource {
		return func(us, as, rs []evidence.Resource) []evidence.Resource {
			for i := range us {
				delete(us[i].Attributes, attr)
				g.Attribute = attr
				us[i].Gaps = append(us[i].Gaps, g)
				if accAttr != "" {
					delete(as[i].Attributes, accAttr)
					g.Attribute = accAttr
					as[i].Gaps = append(as[i].Gaps, g)
				}
			}
			return rs
		}
	}
	tests := []struct {
		name     string
		fx       fixtures
		started  chan struct{}
		wantErr  evidence.FailureKind
		wantPerm string
		mod      func(us, as, rs []evidence.Resource) []evidence.Resource
		empty    bool
		wantFail []evidence.FailureKind
		wantSkip bool
	}{
		{name: "happy", fx: happy},
		{name: "empty", fx: fixtures{usersKey: {Body: "empty.json"}, registrationKey: {Body: "empty.json"}, roleDefsKey: {Body: "roledefs_ga.json"},
			roleAssignsKey: {Body: "empty.json"}, roleEligKey: {Body: "empty.json"}}, empty: true},
		{name: "no PIM licence: no eligible assignment, a scope note", fx: happy.With(fixtures{roleEligKey: pimLicence}), wantSkip: true,
			mod: func(us, _, rs []evidence.Resource) []evidence.Resource {
				for i := range us {
					us[i].Attributes["eligible_roles"] = []any{}
				}
				return withoutEligible(rs, nil)
			}},
		{name: "no PIM licence answered with 403: none too", fx: happy.With(fixtures{roleEligKey: {Status: 403, Body: "error_pim_licence.json"}}), wantSkip: true,
			mod: func(us, _, rs []evidence.Resource) []evidence.Resource {
				for i := range us {
					us[i].Attributes["eligible_roles"] = []any{}
				}
				return withoutEligible(rs, nil)
			}},
		{name: "eligibility denied is unknown, not none", fx: happy.With(fixtures{roleEligKey: forbidden}),
			mod:      eligibleUnknown(evidence.Gap{Kind: evidence.Denied, Operation: opRoleElig, Permission: "RoleManagement.Read.Directory"}),
			wantFail: []evidence.FailureKind{evidence.Denied}},
		{name: "eligibility throttled is unknown", fx: happy.With(fixtures{roleEligKey: throttled}),
			mod: eligibleUnknown(evidence.Gap{Kind: evidence.Throttled, Operation: opRoleElig}), wantFail: []evidence.FailureKind{evidence.Throttled}},
		{name: "eligibility not found is unknown", fx: happy.With(fixtures{roleEligKey: missing}),
			mod: eligibleUnknown(evidence.Gap{Kind: evidence.Errored, Operation: opRoleElig}), wantFail: []evidence.FailureKind{evidence.Errored}},
		{name: "eligibility cancelled", fx: happy.With(fixtures{roleEligKey: pimBlock}), started: pimStarted, wantErr: evidence.Cancelled},
		{name: "no licence: last sign-in unknown, not never", fx: happy.With(fixtures{usersKey: licence, usersNoSignIn: {Body: "users_nosignin.json"}, registrationKey: licence}),
			mod: func(us, as, rs []evidence.Resource) []evidence.Resource {
				perm := "AuditLog.Read.All and a Microsoft Entra ID P1 or P2 licence"
				gapAll("last_sign_in", "last_login", evidence.Gap{Kind: evidence.Denied, Operation: opUsers, Permission: perm})(us, as, rs)
				for i := range us {
					us[i].Gaps = nil
					as[i].Gaps = nil
					for _, a := range []string{"mfa_registered", "methods_registered"} {
						delete(us[i].Attributes, a)
					}
					delete(as[i].Attributes, "mfa")
					gs := evidence.Gap{Attribute: "last_sign_in", Kind: evidence.Denied, Operation: opUsers, Permission: perm}
					gm := evidence.Gap{Attribute: "mfa_registered", Kind: evidence.Denied, Operation: opRegistration, Permission: perm}
					gr := gm
					gr.Attribute = "methods_registered"
					us[i].Gaps = []evidence.Gap{gs, gm, gr}
					gs.Attribute, gm.Attribute = "last_login", "mfa"
					as[i].Gaps = []evidence.Gap{gs, gm}
				}
				return rs
			}},
		{name: "registration report denied is unknown, and a failure", fx: happy.With(fixtures{registrationKey: forbidden}),
			mod: func(us, as, rs []evidence.Resource) []evidence.Resource {
				for i := range us {
					for _, a := range []string{"mfa_registered", "methods_registered"} {
						delete(us[i].Attributes, a)
					}
					delete(as[i].Attributes, "mfa")
					gm := evidence.Gap{Attribute: "mfa_registered", Kind: evidence.Denied, Operation: opRegistration, Permission: "AuditLog.Read.All"}
					gr := gm
					gr.Attribute = "methods_registered"
					us[i].Gaps = []evidence.Gap{gm, gr}
					gm.Attribute = "mfa"
					as[i].Gaps = []evidence.Gap{gm}
				}
				return rs
			}, wantFail: []evidence.FailureKind{evidence.Denied}},
		{name: "denied", fx: fixtures{usersKey: forbidden, usersNoSignIn: forbidden}, wantErr: evidence.Denied, wantPerm: "User.Read.All"},
		{name: "absent users listing is an error, not none", fx: fixtures{usersKey: missing}, wantErr: evidence.Errored},
		{name: "throttled", fx: fixtures{usersKey: throttled}, wantErr: evidence.Throttled},
		{name: "roles denied are unknown, not none", fx: happy.With(fixtures{roleDefsKey: forbidden}),
			mod: func(us, as, rs []evidence.Resource) []evidence.Resource {
				g := evidence.Gap{Kind: evidence.Denied, Operation: opRoleDefs, Permission: "RoleManagement.Read.Directory"}
				gapAll("roles", "admin", g)(us, as, rs)
				gapAll("eligible_roles", "", g)(us, as, rs)
				return nil
			}, wantFail: []evidence.FailureKind{evidence.Denied}},
		{name: "registration report not found is unknown, not unregistered", fx: happy.With(fixtures{registrationKey: missing}),
			mod: func(us, as, rs []evidence.Resource) []evidence.Resource {
				for i := range us {
					us[i].Gaps, as[i].Gaps = nil, nil
					delete(us[i].Attributes, "methods_registered")
					delete(us[i].Attributes, "mfa_registered")
					delete(as[i].Attributes, "mfa")
					g := evidence.Gap{Attribute: "mfa_registered", Kind: evidence.Errored, Operation: opRegistration}
					gm := g
					gm.Attribute = "methods_registered"
					us[i].Gaps = []evidence.Gap{g, gm}
					g.Attribute = "mfa"
					as[i].Gaps = []evidence.Gap{g}
				}
				return rs
			}, wantFail: []evidence.FailureKind{evidence.Errored}},
		{name: "cancelled", fx: happy.With(fixtures{registrationKey: blockReply}), started: started, wantErr: evidence.Cancelled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newServer(t, tt.fx)
			s, err := run(t, testSource(srv), "entra.users", tt.started)
			if tt.wantErr != "" {
				apitest.WantKind(t, err, tt.wantErr)
				if tt.wantPerm != "" && !strings.Contains(err.Error(), "needs "+tt.wantPerm) {
					t.Errorf("err = %v, want it to name %s", err, tt.wantPerm)
				}
				return
			}
			if err != nil {
				t.Fatalf("Collect: %v", err)
			}
			us, as := wantUsers(srv.URL)
			rs := wantRoles(srv.URL)
			if tt.mod != nil {
				rs = tt.mod(us, as, rs)
			}
			if tt.empty {
				us, as = nil, nil
				rs = rs[1:2]
				rs[0].Attributes = map[string]any{"template_id": globalAdminTmpl, "built_in": true, "assignments": 0, "user_assignments": 0,
					"group_assignments": 0, "service_principal_assignments": 0, "users": []any{}, "eligible_assignments": 0, "eligible_user_assignments": 0,
					"eligible_group_assignments": 0, "eligible_service_principal_assignments": 0, "eligible_users": []any{}, "all_users": []any{}}
			}
			if diff := cmp.Diff(us, s.ByType("entra.user")); diff != "" {
				t.Errorf("users (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(as, s.ByType("identity.account")); diff != "" {
				t.Errorf("accounts (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(rs, s.ByType("entra.directory_role")); diff != "" {
				t.Errorf("roles (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantFail, s.Kinds()); diff != "" {
				t.Errorf("failures (-want +got):\n%s", diff)
			}
			if got := len(s.Skipped) == 1 && strings.Contains(s.Skipped[0].Reason, "AadPremiumLicenseRequired") &&
				strings.HasSuffix(s.Skipped[0].Resource, pathRoleElig); got != tt.wantSkip {
				t.Errorf("skipped = %v, want the no-PIM scope note: %v", s.Skipped, tt.wantSkip)
			}
		})
	}
}

// TestUsersTwoPages follows @odata.nextLink to a second page.
func TestUsersTwoPages(t *testing.T) {
	t.Parallel()
	fx := fixtures{
		registrationKey: {Body: "registration.json"},
		roleDefsKey:     {Body: "roledefs.json"},
		roleAssignsKey:  {Body: "roleassigns.json"},
		roleEligKey:     {Body: "roleelig.json"},
	}
	srv := newServer(t, fx)
	page2 := key("/users", map[string][]string{"$select": {userSelect + ",signInActivity"}, "$skiptoken": {"RFNwdAIAAQAAACpVc2VyXzA"}})
	first := strings.Replace(readFixture(t, "users.json"), `"value"`, `"@odata.nextLink": "`+srv.URL+`/v1.0/users?$select=`+userSelect+`,signInActivity&$top=120&$skiptoken=RFNwdAIAAQAAACpVc2VyXzA",
  "value"`, 1)
	fx[usersKey] = reply{Body: first}
	fx[page2] = reply{Body: readFixture(t, "users_page2.json")}
	s, err := run(t, testSource(srv), "entra.users", nil)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, r := range s.ByType("entra.user") {
		names = append(names, r.Name)
	}
	want := []string{"AdeleV@contoso.com", "DiegoS@contoso.com", "john_fabrikam.com#EXT#@contoso.com", "MiriamG@contoso.com"}
	if diff := cmp.Diff(want, names); diff != "" {
		t.Errorf("users (-want +got):\n%s", diff)
	}
	if len(s.Failures) > 0 {
		t.Errorf("failures: %v", s.Failures)
	}
}

// TestNextLinkToAnotherHostFails checks that a nextLink leaving the Graph
// host ends the listing as an error, not as the end of the users.
func TestNextLinkToAnotherHostFails(t *testing.T) {
	t.Parallel()
	body := strings.Replace(readFixture(t, "users.json"), `"value"`, `"@odata.nextLink": "https://evil.example/v1.0/users?$skiptoken=x",
  "value"`, 1)
	// The registration report and the role listings start after the
	// users' first page, alongside the next one: they are served, and the
	// run still fails on the users.
	srv := newServer(t, fixtures{usersKey: {Body: body}, registrationKey: {Body: "registration.json"},
		roleDefsKey: {Body: "roledefs.json"}, roleAssignsKey: {Body: "roleassigns.json"}, roleEligKey: {Body: "roleelig.json"}})
	_, err := run(t, testSource(srv), "entra.users", nil)
	if err == nil || !strings.Contains(err.Error(), "does not point at") {
		t.Fatalf("err = %v, want a nextLink error", err)
	}
}

// TestEligibilityTwoPages follows the eligibility listing's
// @odata.nextLink: the result is the happy one, whichever page an
// eligibility comes on.
func TestEligibilityTwoPages(t *testing.T) {
	t.Parallel()
	fx := fixtures{
		usersKey:        {Body: "users.json"},
		registrationKey: {Body: "registration.json"},
		roleDefsKey:     {Body: "roledefs.json"},
		roleAssignsKey:  {Body: "roleassigns.json"},
	}
	srv := newServer(t, fx)
	all := readFixture(t, "roleelig.json")
	// Page one: the first two instances; page two: the rest.
	cut := strings.Index(all, `{"id": "y-SaGSaxskO9W2CRs4CXfYy8`)
	head := all[:strings.LastIndex(all[:cut], ",")] + "\n  ]\n}\n"
	first := strings.Replace(head, `"value"`, `"@odata.nextLink": "`+srv.URL+`/v1.0`+pathRoleElig+`?$expand=principal&$skiptoken=ZWxpZ2libGUtMg",
  "value"`, 1)
	second := `{"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#roleManagement/directory/roleEligibilityScheduleInstances(principal())",
  "value": [` + all[cut:]
	fx[roleEligKey] = reply{Body: first}
	fx[key(pathRoleElig, map[string][]string{"$expand": {"principal"}, "$skiptoken": {"ZWxpZ2libGUtMg"}})] = reply{Body: second}
	s, err := run(t, testSource(srv), "entra.users", nil)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(wantRoles(srv.URL), s.ByType("entra.directory_role")); diff != "" {
		t.Errorf("roles (-want +got):\n%s", diff)
	}
	us, _ := wantUsers(srv.URL)
	if diff := cmp.Diff(us, s.ByType("entra.user")); diff != "" {
		t.Errorf("users (-want +got):\n%s", diff)
	}
	if len(s.Failures) > 0 {
		t.Errorf("failures: %v", s.Failures)
	}
}

// TestEligibilityHangingIsUnknown checks that an eligibility listing that
// never answers ends at the call deadline as a timeout: the eligible
// attributes are gaps and the run fails partially, never none.
func TestEligibilityHangingIsUnknown(t *testing.T) {
	t.Parallel()
	hang, _ := blocking()
	srv := newServer(t, fixtures{usersKey: {Body: "users.json"}, registrationKey: {Body: "registration.json"},
		roleDefsKey: {Body: "roledefs.json"}, roleAssignsKey: {Body: "roleassigns.json"}, roleEligKey: hang})
	hc := srv.Client()
	hc.Timeout = 200 * time.Millisecond
	src := NewSource(Config{TenantID: testTenant, GraphEndpoint: srv.URL, HTTPClient: hc, Credential: entrafake.Credential{Token: "test-token"}})
	s, err := run(t, src, "entra.users", nil)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]evidence.FailureKind{evidence.Timeout}, s.Kinds()); diff != "" {
		t.Errorf("failures (-want +got):\n%s", diff)
	}
	for _, r := range s.ByType("entra.directory_role") {
		if _, ok := r.Attributes["all_users"]; ok || len(r.Gaps) != len(eligibleAttrs) {
			t.Errorf("%s: all_users %v, gaps %v; want unknown", r.Name, r.Attributes["all_users"], r.Gaps)
		}
	}
	for _, u := range s.ByType("entra.user") {
		if _, ok := u.Attributes["eligible_roles"]; ok {
			t.Errorf("%s: eligible_roles %v, want a gap", u.Name, u.Attributes["eligible_roles"])
		}
	}
}
