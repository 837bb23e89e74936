package oktafake

import "time"

// DemoToken is the API token the demo organisation accepts.
const DemoToken = "00demo-okta-api-token"

// Demo returns the demo organisation as of now.
func Demo() *State { return DemoAt(time.Now()) }

// DemoAt returns the demo organisation with dates relative to now: a mix of
// compliant and non-compliant settings, so that some demo controls pass and
// some fail.
//
//   - alice (super admin) and bob use Okta Verify push; carol has only a
//     security question, so she has no second factor, and has not signed
//     in for 130 days although her account is still active.
//   - dave is suspended; erin was deactivated and her admin role removed.
//   - The password policy requires 12 characters, refuses common passwords
//     and locks accounts out after 5 attempts.
//   - MFA enrolment requires Okta Verify; the global sign-on policy still
//     has one active rule that lets users in with a password alone, and its
//     sessions never expire. The "Administrators" sign-on policy requires
//     MFA and ends sessions after 30 idle minutes and 8 hours.
//   - carol holds the help desk admin role without a second factor.
func DemoAt(now time.Time) *State {
	day := 24 * time.Hour
	ago := func(d int) time.Time { return now.Add(-time.Duration(d) * day).UTC().Truncate(time.Second) }
	return &State{
		Token: DemoToken,
		Users: []User{
			{ID: "00u1alice", Login: "alice@acme-demo.example", Status: "ACTIVE", Created: ago(400), LastLogin: ago(1), Factors: []string{"push", "token:software:totp"}, Roles: []string{"SUPER_ADMIN"}},
			{ID: "00u2bob", Login: "bob@acme-demo.example", Status: "ACTIVE", Created: ago(300), LastLogin: ago(3), Factors: []string{"push"}},
			{ID: "00u3carol", Login: "carol@acme-demo.example", Status: "ACTIVE", Created: ago(200), LastLogin: ago(130), Factors: []string{"question"}, Roles: []string{"HELP_DESK_ADMIN"}},
			{ID: "00u4dave", Login: "dave@acme-demo.example", Status: "SUSPENDED", Created: ago(500), LastLogin: ago(120), Factors: []string{"sms"}},
			{ID: "00u5erin", Login: "erin@acme-demo.example", Status: "DEPROVISIONED", Created: ago(600), LastLogin: ago(200)},
		},
		Policies: []Policy{
			{ID: "00p1password", Type: "PASSWORD", Name: "Default Policy", Status: "ACTIVE", Priority: 1, System: true,
				MinLength: 12, HistoryCount: 4, LockoutAttempts: 5, ExcludeCommon: true},
			{ID: "00p2mfa", Type: "MFA_ENROLL", Name: "Default Policy", Status: "ACTIVE", Priority: 1, System: true,
				Required: []string{"okta_otp", "okta_password"}},
			{ID: "00p3signon", Type: "OKTA_SIGN_ON", Name: "Default Policy", Status: "ACTIVE", Priority: 1, System: true,
				Rules: []Rule{
					{Name: "Require MFA off-network", Status: "ACTIVE", Access: "ALLOW", RequireFactor: true},
					{Name: "Legacy kiosk", Status: "ACTIVE", Access: "ALLOW", RequireFactor: false},
				}},
			{ID: "00p4admins", Type: "OKTA_SIGN_ON", Name: "Administrators", Status: "ACTIVE", Priority: 2,
				Rules: []Rule{
					{Name: "Admins: MFA, short sessions", Status: "ACTIVE", Access: "ALLOW", RequireFactor: true, SessionIdleMinutes: 30, SessionLifetimeMinutes: 480},
				}},
		},
	}
}
