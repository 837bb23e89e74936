package workspacefake

import "time"

// DemoCustomer is the customer ID of the demo directory.
const DemoCustomer = "C0demo42"

// Demo returns the demo directory as of now.
func Demo() *State { return DemoAt(time.Now()) }

// DemoAt returns the demo directory with dates relative to now: a mix of
// compliant and non-compliant accounts, so that some demo controls pass and
// some fail.
//
//   - alice and bob are super admins: two, as the control asks; both use
//     2-step verification, which is enforced for everyone but frank.
//   - carol has enrolled; dave has not, and has not signed in for 200 days.
//   - erin is suspended; frank was created yesterday and never signed in.
//   - alice granted Slack and an unreviewed diagram app access to her
//     account (OAuth tokens); the other active users granted none.
//   - Drive shares only with allow-listed domains, except in the sales
//     organisational unit, which shares with anyone (WS-007 fails there).
func DemoAt(now time.Time) *State {
	day := 24 * time.Hour
	ago := func(d int) time.Time { return now.Add(-time.Duration(d) * day).UTC().Truncate(time.Second) }
	return &State{
		Customer: DemoCustomer,
		Users: []User{
			{ID: "100000000000000000001", Email: "alice@acme-demo.example", SuperAdmin: true, Enrolled2SV: true, Enforced2SV: true, Created: ago(900), LastLogin: ago(1),
				Tokens: []Token{
					{ClientID: "1234567890-slack.apps.googleusercontent.com", DisplayText: "Slack", Scopes: []string{"openid", "https://www.googleapis.com/auth/userinfo.email", "https://www.googleapis.com/auth/calendar.readonly"}},
					{ClientID: "5550001111-diagrams.apps.googleusercontent.com", DisplayText: "Diagram Maker", Scopes: []string{"https://www.googleapis.com/auth/drive"}},
				}},
			{ID: "100000000000000000002", Email: "bob@acme-demo.example", SuperAdmin: true, Enrolled2SV: true, Enforced2SV: true, Created: ago(800), LastLogin: ago(2)},
			{ID: "100000000000000000003", Email: "carol@acme-demo.example", DelegatedAdmin: true, Enrolled2SV: true, Enforced2SV: true, Created: ago(400), LastLogin: ago(5)},
			{ID: "100000000000000000004", Email: "dave@acme-demo.example", Enforced2SV: true, Created: ago(700), LastLogin: ago(200)},
			{ID: "100000000000000000005", Email: "erin@acme-demo.example", Suspended: true, Enforced2SV: true, Created: ago(600), LastLogin: ago(100)},
			{ID: "100000000000000000006", Email: "frank@acme-demo.example", Created: ago(1)},
		},
		DriveSharing: []DriveSharing{
			{ID: "ahv4hg7qc24kvaghb7zihwf4riid4", OrgUnit: "03ph8a2z1enx4lx", Mode: "ALLOWLISTED_DOMAINS"},
			{ID: "ahv4hg7qc24kvaghb7zihwf4sales", OrgUnit: "03ph8a2z3sales7", Mode: "ALLOWED"},
		},
	}
}
