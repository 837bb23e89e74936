package entrafake

import "time"

// DemoTenant is the directory ID of the demo tenant.
const DemoTenant = "d3a1e5f0-7c2b-4e8a-9b1d-2f6c8a4e0b17"

// DemoToken is the bearer token the demo tenant accepts.
const DemoToken = "demo-entra-graph-token"

// Role template IDs of the built-in roles the demo assigns.
const (
	GlobalAdministrator   = "62e90394-69f5-4237-9190-012177145e10"
	ExchangeAdministrator = "29232cdf-9323-42fd-ade2-1d097af3e4de"
	SecurityReader        = "5d6b6bb7-de71-4623-b4af-96380a352509"
)

// Demo returns the demo tenant as of now.
func Demo() *State { return DemoAt(time.Now()) }

// DemoAt returns the demo tenant with dates relative to now: a mix of
// compliant and non-compliant settings, so that some demo controls pass and
// some fail.
//
//   - alice and bob are Global Administrators with the Authenticator app
//     and a security key; the break-glass account is the third, with a
//     security key, excluded from the MFA policy.
//   - carol has registered no MFA method and has not signed in for 150
//     days although her account is enabled, and she is eligible (PIM) for
//     Global Administrator; dave's account is disabled.
//   - a guest from a contractor holds Exchange Administrator.
//   - An enabled Conditional Access policy requires MFA of all users for all
//     apps, except the break-glass account; the policy that blocks legacy
//     authentication is still report-only. Security defaults are off.
//   - Only admins and guest inviters may invite guests, and guests have
//     limited access to the directory.
func DemoAt(now time.Time) *State {
	day := 24 * time.Hour
	ago := func(d int) time.Time { return now.Add(-time.Duration(d) * day).UTC().Truncate(time.Second) }
	return &State{
		TenantID: DemoTenant,
		Token:    DemoToken,
		Licensed: true,
		Users: []User{
			{ID: "0b8e3c1a-1111-4a5b-9c1d-000000000001", UPN: "alice@acme-demo.example", Mail: "alice@acme-demo.example", Created: ago(400), LastSignIn: ago(1),
				Methods: []string{"microsoftAuthenticatorPush", "fido2"}, MFA: true},
			{ID: "0b8e3c1a-2222-4a5b-9c1d-000000000002", UPN: "bob@acme-demo.example", Mail: "bob@acme-demo.example", Created: ago(300), LastSignIn: ago(2),
				Methods: []string{"microsoftAuthenticatorPush"}, MFA: true},
			{ID: "0b8e3c1a-3333-4a5b-9c1d-000000000003", UPN: "carol@acme-demo.example", Mail: "carol@acme-demo.example", Created: ago(250), LastSignIn: ago(150)},
			{ID: "0b8e3c1a-4444-4a5b-9c1d-000000000004", UPN: "dave@acme-demo.example", Mail: "dave@acme-demo.example", Created: ago(500), LastSignIn: ago(200), Disabled: true},
			{ID: "0b8e3c1a-5555-4a5b-9c1d-000000000005", UPN: "breakglass@acmedemo.onmicrosoft.com", Created: ago(600), LastSignIn: ago(25),
				Methods: []string{"fido2"}, MFA: true},
			{ID: "0b8e3c1a-6666-4a5b-9c1d-000000000006", UPN: "pat_contractor.example#EXT#@acmedemo.onmicrosoft.com", Mail: "pat@contractor.example", Guest: true,
				Created: ago(90), LastSignIn: ago(5), Methods: []string{"microsoftAuthenticatorPush"}, MFA: true},
		},
		Roles: []Role{
			{ID: GlobalAdministrator, Name: "Global Administrator", BuiltIn: true},
			{ID: ExchangeAdministrator, Name: "Exchange Administrator", BuiltIn: true},
			{ID: SecurityReader, Name: "Security Reader", BuiltIn: true},
			{ID: "f28a1f50-f6e7-4571-818b-6a12f2af6b6c", Name: "SharePoint Administrator", BuiltIn: true},
		},
		Assignments: []Assignment{
			{RoleID: GlobalAdministrator, PrincipalID: "0b8e3c1a-1111-4a5b-9c1d-000000000001", PrincipalType: "user"},
			{RoleID: GlobalAdministrator, PrincipalID: "0b8e3c1a-2222-4a5b-9c1d-000000000002", PrincipalType: "user"},
			{RoleID: GlobalAdministrator, PrincipalID: "0b8e3c1a-5555-4a5b-9c1d-000000000005", PrincipalType: "user"},
			{RoleID: ExchangeAdministrator, PrincipalID: "0b8e3c1a-6666-4a5b-9c1d-000000000006", PrincipalType: "user"},
			{RoleID: SecurityReader, PrincipalID: "7c9d0e1f-aaaa-4b2c-8d3e-00000000a11d", PrincipalType: "servicePrincipal"},
		},
		Eligible: []Assignment{
			{RoleID: GlobalAdministrator, PrincipalID: "0b8e3c1a-3333-4a5b-9c1d-000000000003", PrincipalType: "user"},
		},
		Policies: []CAPolicy{
			{ID: "4b2f6a51-0001-4c3d-9e8f-000000000001", Name: "Require MFA for all users", State: "enabled",
				IncludeUsers: []string{"All"}, ExcludeUsers: []string{"0b8e3c1a-5555-4a5b-9c1d-000000000005"}, IncludeApps: []string{"All"},
				ClientAppTypes: []string{"all"}, Controls: []string{"mfa"}, Operator: "OR"},
			{ID: "4b2f6a51-0002-4c3d-9e8f-000000000002", Name: "Block legacy authentication", State: "enabledForReportingButNotEnforced",
				IncludeUsers: []string{"All"}, IncludeApps: []string{"All"},
				ClientAppTypes: []string{"exchangeActiveSync", "other"}, Controls: []string{"block"}, Operator: "OR"},
		},
		SecurityDefaults: false,
		AllowInvitesFrom: "adminsAndGuestInviters",
		GuestUserRoleID:  "10dae51f-b6af-4016-8d66-8c2a99b929b3",
	}
}
