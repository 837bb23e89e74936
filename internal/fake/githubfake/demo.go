package githubfake

import "time"

// DemoOrg is the login of the demo organisation.
const DemoOrg = "acme-demo"

// DemoLabsOrg is the login of the demo's second organisation, a sandbox
// without SAML single sign-on and with a permissive Actions policy.
const DemoLabsOrg = "acme-labs"

// DemoInstallationID is the GitHub App installation the demo accepts.
const DemoInstallationID = 4242

// Demo returns the demo organisation as of now.
func Demo() *State { return DemoAt(time.Now()) }

// DemoAt returns the demo organisation with dates relative to now: a mix of
// compliant and non-compliant settings, so that some demo controls pass and
// some fail.
//
//   - The organisation requires 2FA, but one member (dave) has it disabled.
//   - api is protected (classic protection, 2 reviews, admins enforced) and
//     was analysed by CodeQL yesterday; its merged pull requests were
//     approved by someone else.
//   - web is protected by a ruleset only and runs semgrep in a workflow,
//     but its last run failed; it has one pull request merged without review.
//   - legacy-billing has no protection, no SAST, and a critical Dependabot
//     alert open for 90 days, and secret scanning is disabled.
//   - old-site is archived and skipped by default.
//   - acme-demo has SAML single sign-on, allows selected actions only and
//     gives workflows a read-only token; acme-labs has none of that.
//   - api has a CODEOWNERS file and requires code owner review, secret
//     scanning push protection and a read-only deploy key; web has a
//     CODEOWNERS file without required code owner review, no push
//     protection and a deploy key with write access.
func DemoAt(now time.Time) *State {
	day := 24 * time.Hour
	ago := func(d int) time.Time { return now.Add(-time.Duration(d) * day).UTC().Truncate(time.Second) }
	return &State{
		ViewerIsOwner:  true,
		InstallationID: DemoInstallationID,
		Orgs: []*Org{{
			Login: DemoOrg,
			// Two fine-grained tokens reach the organisation: ci-bot's
			// expires in 30 days, alice's never (GH-CRED-001 fails on it
			// when a GitHub App collects; a token cannot list them).
			FineGrainedTokens: []FineGrainedToken{
				{ID: 25381, TokenID: 98716, Owner: "ci-bot", Name: "release", Granted: ago(60), Expires: ago(-30)},
				{ID: 25390, TokenID: 98720, Owner: "alice", Name: "laptop", Granted: ago(200)},
			},
			TwoFactorRequired:     true,
			DefaultRepoPermission: "read",
			SAMLSSO:               true,
			AllowedActions:        "selected",
			WorkflowPermissions:   "read",
			Members: []Member{
				{Login: "alice", Owner: true, TwoFactor: true},
				{Login: "bob", TwoFactor: true},
				{Login: "carol", TwoFactor: true},
				{Login: "dave", TwoFactor: false},
			},
			OutsideCollaborators: []string{"contractor-erin"},
			Repos: []*Repo{
				{
					ID: 101, Name: "api", Visibility: "private", DefaultBranch: "main",
					Protection: &Protection{RequiredReviews: 2, DismissStale: true, StatusChecks: true, EnforceAdmins: true, CodeOwnerReviews: true},
					CodeOwners: ".github/CODEOWNERS", PushProtection: true,
					DeployKeys:   []DeployKey{{Title: "docs-mirror (read-only)", ReadOnly: true}},
					CodeScanning: true, Analyses: []Analysis{{Tool: "CodeQL", CreatedAt: ago(1)}, {Tool: "CodeQL", CreatedAt: ago(8)}},
					DependabotEnabled: true, DependabotAlerts: []Alert{{Number: 1, Severity: "high", State: "open", CreatedAt: ago(3)}, {Number: 2, Severity: "critical", State: "fixed", CreatedAt: ago(60)}},
					SecretScanningEnabled: true,
					Pulls: []Pull{
						{Number: 41, Author: "bob", MergedAt: ago(2), UpdatedAt: ago(2), Reviews: []Review{{User: "alice", State: "APPROVED"}}},
						{Number: 40, Author: "carol", MergedAt: ago(10), UpdatedAt: ago(10), Reviews: []Review{{User: "bob", State: "COMMENTED"}, {User: "bob", State: "APPROVED"}}},
						{Number: 39, Author: "bob", UpdatedAt: ago(12)},
					},
				},
				{
					ID: 102, Name: "web", Visibility: "public", DefaultBranch: "main",
					Rulesets:          []Ruleset{{ID: 7, RequiredReviews: 1, StatusChecks: true, NonFastForward: true, BypassActorCount: 1}},
					CodeOwners:        "CODEOWNERS",
					DeployKeys:        []DeployKey{{Title: "netlify-deploy", ReadOnly: false}, {Title: "preview-bot", ReadOnly: true}},
					Workflows:         []Workflow{{ID: 161335, Name: "Semgrep", Path: ".github/workflows/semgrep.yml", Runs: []Run{{CreatedAt: ago(2), Conclusion: "failure"}}}, {ID: 161336, Name: "CI", Path: ".github/workflows/ci.yml", Runs: []Run{{CreatedAt: ago(1), Conclusion: "success"}}}},
					DependabotEnabled: true, SecretScanningEnabled: true,
					SecretAlerts: []Alert{{Number: 3, State: "open", CreatedAt: ago(5)}},
					Pulls: []Pull{
						{Number: 12, Author: "dave", MergedAt: ago(4), UpdatedAt: ago(4), Reviews: []Review{{User: "dave", State: "COMMENTED"}}},
						{Number: 11, Author: "carol", MergedAt: ago(30), UpdatedAt: ago(30), Reviews: []Review{{User: "alice", State: "APPROVED"}}},
					},
				},
				{
					ID: 103, Name: "legacy-billing", Visibility: "internal", DefaultBranch: "master",
					DependabotEnabled: true, DependabotAlerts: []Alert{{Number: 7, Severity: "critical", State: "open", CreatedAt: ago(90)}, {Number: 8, Severity: "low", State: "open", CreatedAt: ago(200)}},
					Pulls: []Pull{{Number: 3, Author: "alice", MergedAt: ago(200), UpdatedAt: ago(200)}},
				},
				{ID: 104, Name: "old-site", Visibility: "public", Archived: true, DefaultBranch: "gh-pages"},
			},
		}, {
			Login:                 DemoLabsOrg,
			TwoFactorRequired:     true,
			DefaultRepoPermission: "read",
			AllowedActions:        "all",
			WorkflowPermissions:   "write",
			WorkflowsCanApprove:   true,
			Members:               []Member{{Login: "alice", Owner: true, TwoFactor: true}},
		}},
	}
}
