package bench

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/attestdev/attest/internal/fake/azurefake"
	"github.com/attestdev/attest/internal/fake/entrafake"
	"github.com/attestdev/attest/internal/fake/gitlabfake"
)

const (
	// benchTenant is the simulated Entra tenant, which the Azure
	// subscriptions trust too.
	benchTenant = "b3c4d5e6-0000-4000-8000-00000000be4c"
	// graphPageSize is the largest page the simulated Graph serves: $top
	// of 999 for directory objects (users with signInActivity: 120, which
	// the fake enforces).
	graphPageSize = 999
	// GitLabSubgroups is how many subgroups the GitLab group's projects
	// are spread over; gitlabGroup is its path.
	GitLabSubgroups = 20
	gitlabGroup     = "bench-group"
	// AdminsPerTenant is how many users hold a directory role.
	AdminsPerTenant = 12
)

// EntraTenant returns the simulated Entra ID tenant: EntraUsers users
// (about one in 20 a guest, one in 20 without MFA, one in 30 disabled),
// AdminsPerTenant of them holding a directory role, and CAPolicies
// Conditional Access policies, the first requiring MFA of all users and
// the second blocking legacy authentication.
func EntraTenant(seed uint64, sz Size, now time.Time) *entrafake.State {
	rng := rand.New(rand.NewPCG(seed, 3))
	ago := func(d int) time.Time { return now.AddDate(0, 0, -d).UTC().Truncate(time.Second) }
	st := &entrafake.State{TenantID: benchTenant, Token: entrafake.DemoToken, Licensed: true, PageSize: graphPageSize,
		AllowInvitesFrom: "adminsAndGuestInviters", GuestUserRoleID: "10dae51f-b6af-4016-8d66-8c2a99b929b3",
		Roles: []entrafake.Role{{ID: entrafake.GlobalAdministrator, Name: "Global Administrator", BuiltIn: true},
			{ID: entrafake.ExchangeAdministrator, Name: "Exchange Administrator", BuiltIn: true},
			{ID: entrafake.SecurityReader, Name: "Security Reader", BuiltIn: true}}}
	for i := range sz.EntraUsers {
		u := entrafake.User{ID: fmt.Sprintf("0b8e3c1a-0000-4a5b-9c1d-%012d", i), UPN: fmt.Sprintf("user%05d@bench.example", i),
			Created: ago(30 + rng.IntN(900)), LastSignIn: ago(rng.IntN(120)), Methods: []string{"microsoftAuthenticatorPush"}, MFA: true}
		u.Mail = u.UPN
		switch {
		case rng.IntN(20) == 0:
			u.Guest, u.UPN = true, fmt.Sprintf("guest%05d_partner.example#EXT#@bench.onmicrosoft.com", i)
		case rng.IntN(20) == 0:
			u.Methods, u.MFA = nil, false
		case rng.IntN(30) == 0:
			u.Disabled = true
		}
		st.Users = append(st.Users, u)
	}
	roles := []string{entrafake.GlobalAdministrator, entrafake.ExchangeAdministrator, entrafake.SecurityReader}
	for i := range min(AdminsPerTenant, len(st.Users)) {
		st.Assignments = append(st.Assignments, entrafake.Assignment{RoleID: roles[i%len(roles)], PrincipalID: st.Users[i].ID, PrincipalType: "user"})
	}
	for i := range sz.CAPolicies {
		p := entrafake.CAPolicy{ID: fmt.Sprintf("4b2f6a51-%04d-4c3d-9e8f-000000000000", i), Name: fmt.Sprintf("Policy %02d", i), State: "enabled",
			IncludeUsers: []string{"All"}, IncludeApps: []string{"All"}, ClientAppTypes: []string{"all"}, Controls: []string{"mfa"}, Operator: "OR"}
		switch {
		case i == 1:
			p.Name, p.ClientAppTypes, p.Controls = "Block legacy authentication", []string{"exchangeActiveSync", "other"}, []string{"block"}
		case i > 1:
			p.State, p.IncludeUsers = "enabledForReportingButNotEnforced", []string{st.Users[i%max(len(st.Users), 1)].ID}
		}
		st.Policies = append(st.Policies, p)
	}
	return st
}

// AzureEstate returns the simulated Azure estate (azurefake.Scale).
func AzureEstate(seed uint64, sz Size) *azurefake.State {
	return azurefake.Scale(rand.New(rand.NewPCG(seed, 4)), benchTenant, sz.Azure)
}

// GitLabGroup returns the simulated GitLab group: GitLabMembers direct
// members of the top-level group (one Owner, about one in 50 without 2FA)
// and GitLabProjects projects spread over GitLabSubgroups subgroups, most
// protected, reviewed and scanned, about a tenth not.
func GitLabGroup(seed uint64, sz Size, now time.Time) *gitlabfake.State {
	rng := rand.New(rand.NewPCG(seed, 5))
	day := 24 * time.Hour
	// An active group: its newest audit event is of yesterday.
	top := &gitlabfake.Group{ID: 1, Path: gitlabGroup, Visibility: "private", Require2FA: true, GracePeriodHours: 48,
		AuditEvents: []time.Time{now.Add(-day)}}
	for i := range sz.GitLabMembers {
		level := 30
		if i == 0 {
			level = 50
		}
		top.Members = append(top.Members, gitlabfake.Member{ID: int64(1000 + i), Username: fmt.Sprintf("dev%05d", i), AccessLevel: level, TwoFactor: rng.IntN(50) != 0})
	}
	subs := min(GitLabSubgroups, max(sz.GitLabProjects, 1))
	for i := range subs {
		top.Subgroups = append(top.Subgroups, &gitlabfake.Group{ID: int64(10 + i), Path: fmt.Sprintf("%s/team-%02d", gitlabGroup, i), Visibility: "private"})
	}
	user := func() string { return top.Members[rng.IntN(max(len(top.Members), 1))].Username }
	for i := range sz.GitLabProjects {
		p := &gitlabfake.Project{ID: int64(100000 + i), Path: fmt.Sprintf("proj-%05d", i), Visibility: "private", DefaultBranch: "main",
			Approvals: gitlabfake.Approvals{ResetOnPush: true, DisableCommitters: true},
			Rules:     []gitlabfake.ApprovalRule{{ID: int64(i + 1), Name: "All members", Required: 1}},
			Pipeline: &gitlabfake.Pipeline{ID: int64(500000 + i), Status: "success", CreatedAt: now.Add(-time.Duration(1+rng.IntN(72)) * time.Hour), Jobs: []gitlabfake.Job{
				{Name: "semgrep-sast", Status: "success", FinishedAt: now.Add(-time.Hour), Artifacts: []string{"sast"}},
				{Name: "secret_detection", Status: "success", FinishedAt: now.Add(-time.Hour), Artifacts: []string{"secret_detection"}}}}}
		if rng.IntN(10) != 0 {
			p.Protected = []gitlabfake.ProtectedBranch{{Name: "main", PushLevels: []int{40}, MergeLevels: []int{40}}}
		}
		if len(top.Members) > 0 {
			p.MergeRequests = []gitlabfake.MergeRequest{{IID: 1, Author: user(), MergedAt: now.Add(-time.Duration(1+rng.IntN(60)) * day), ApprovedBy: []string{user()}}}
		}
		g := top.Subgroups[i%subs]
		g.Projects = append(g.Projects, p)
	}
	return &gitlabfake.State{Groups: []*gitlabfake.Group{top}, ViewerIsOwner: true, Ultimate: true, MaxPerPage: 100}
}
