package gitlabfake

import "time"

// DemoGroup is the demo's top-level GitLab group.
const DemoGroup = "acme-eng"

// DemoAt returns the demo GitLab estate as it looks at now: a top-level
// group that requires 2FA, a subgroup with a member without 2FA, a
// well-protected project and a loosely protected one, a project without
// any protection or pipeline, and an archived project (only api has a
// CODEOWNERS file and requires code owner approval); an invitation to
// the top-level group pending for 60 days and one to the subgroup for 5,
// and group audit events of yesterday. The token is an
// Owner on an Ultimate instance; web has a critical vulnerability open for
// 45 days.
func DemoAt(now time.Time) *State {
	day := 24 * time.Hour
	api := &Project{
		ID: 101, Path: "api", Visibility: "private", DefaultBranch: "main",
		Protected:            []ProtectedBranch{{Name: "main", PushLevels: []int{40}, MergeLevels: []int{40}, CodeOwners: true}},
		Approvals:            Approvals{ResetOnPush: true, DisableCommitters: true},
		Rules:                []ApprovalRule{{ID: 1, Name: "All members", Required: 2}},
		PushRule:             &PushRule{PreventSecrets: true},
		SecretPushProtection: true,
		CodeOwnersFile:       ".gitlab/CODEOWNERS",
		DeployKeys:           []DeployKey{{ID: 11, Title: "ci-readonly", ExpiresAt: now.Add(60 * day)}},
		Tokens:               []Token{{ID: 21, Name: "release-bot", Scopes: []string{"read_api"}, ExpiresAt: now.Add(30 * day)}},
		MergeRequests: []MergeRequest{
			{IID: 41, Author: "bob", MergedAt: now.Add(-3 * day), ApprovedBy: []string{"alice", "dave"}},
			{IID: 42, Author: "alice", MergedAt: now.Add(-10 * day), ApprovedBy: []string{"bob"}},
		},
		Pipeline: &Pipeline{ID: 5001, Status: "success", CreatedAt: now.Add(-6 * time.Hour), Jobs: []Job{
			{Name: "build", Status: "success", FinishedAt: now.Add(-5 * time.Hour)},
			{Name: "semgrep-sast", Status: "success", FinishedAt: now.Add(-5 * time.Hour), Artifacts: []string{"sast"}},
			{Name: "secret_detection", Status: "success", FinishedAt: now.Add(-5 * time.Hour), Artifacts: []string{"secret_detection"}},
			{Name: "gemnasium-dependency_scanning", Status: "success", FinishedAt: now.Add(-5 * time.Hour), Artifacts: []string{"dependency_scanning"}},
		}},
	}
	web := &Project{
		ID: 102, Path: "web", Visibility: "internal", DefaultBranch: "main",
		Protected:  []ProtectedBranch{{Name: "main", PushLevels: []int{40}, MergeLevels: []int{30}, AllowForcePush: true}},
		Approvals:  Approvals{AuthorApproval: true, ResetOnPush: false},
		Rules:      []ApprovalRule{{ID: 2, Name: "Reviewers", Required: 1}},
		DeployKeys: []DeployKey{{ID: 12, Title: "legacy-deploy", CanPush: true}},
		MergeRequests: []MergeRequest{
			{IID: 7, Author: "carol", MergedAt: now.Add(-5 * day), ApprovedBy: []string{"carol"}},
		},
		Vulnerabilities: []Vulnerability{{Severity: "CRITICAL", DetectedAt: now.Add(-45 * day)}, {Severity: "LOW", DetectedAt: now.Add(-200 * day)}},
		Pipeline: &Pipeline{ID: 5002, Status: "success", CreatedAt: now.Add(-2 * day), Jobs: []Job{
			{Name: "build", Status: "success", FinishedAt: now.Add(-2 * day)},
			{Name: "semgrep-sast", Status: "success", FinishedAt: now.Add(-2 * day), Artifacts: []string{"sast"}},
		}},
	}
	tools := &Project{ID: 103, Path: "tools", Visibility: "public", DefaultBranch: "main"}
	proto := &Project{ID: 104, Path: "prototype", Visibility: "private", DefaultBranch: "main", Archived: true}
	labs := &Group{
		ID: 2, Path: DemoGroup + "/labs", Visibility: "private",
		Members:     []Member{{ID: 3, Username: "carol", AccessLevel: 30}},
		Invitations: []Invitation{{ID: 32, Email: "intern@example.com", AccessLevel: 30, CreatedAt: now.Add(-5 * day)}},
		Projects:    []*Project{tools, proto},
	}
	return &State{
		ViewerIsOwner: true,
		Ultimate:      true,
		Groups: []*Group{{
			ID: 1, Path: DemoGroup, Visibility: "private", Require2FA: true, GracePeriodHours: 48,
			Members: []Member{
				{ID: 1, Username: "alice", AccessLevel: 50, TwoFactor: true},
				{ID: 2, Username: "bob", AccessLevel: 40, TwoFactor: true},
				{ID: 4, Username: "dave", AccessLevel: 30, TwoFactor: true},
			},
			Invitations: []Invitation{{ID: 31, Email: "contractor@example.net", AccessLevel: 40, CreatedAt: now.Add(-60 * day)}},
			AuditEvents: []time.Time{now.Add(-26 * time.Hour), now.Add(-10 * day)},
			Subgroups:   []*Group{labs},
			Projects:    []*Project{api, web},
		}},
	}
}
