package gitlab

import (
	"bytes"
	"fmt"
	"slices"
	"strings"

	"github.com/attestdev/attest/collectors"
)

// Policy renders the GitLab access the given collectors need: the token
// scope, the role in the groups and projects, and the tier of each fact,
// with what the token sees at a lower role. Descriptors of other sources
// are ignored.
func Policy(ds []collectors.Descriptor) ([]byte, error) {
	var ids, scopes []string
	for _, d := range ds {
		if d.Source != SourceName {
			continue
		}
		ids = append(ids, d.ID)
		for _, p := range d.Permissions {
			switch {
			case strings.HasPrefix(p, "scope:"):
				scopes = append(scopes, strings.TrimPrefix(p, "scope:"))
			case strings.HasPrefix(p, "role:"), strings.HasPrefix(p, "tier:"):
			default:
				return nil, fmt.Errorf("gitlab: collector %s: unknown permission notation %q", d.ID, p)
			}
		}
	}
	slices.Sort(ids)
	slices.Sort(scopes)
	scopes = slices.Compact(scopes)
	var b bytes.Buffer
	fmt.Fprintf(&b, "# GitLab access for attest collectors: %s\n", strings.Join(ids, ", "))
	b.WriteString("# All access is read-only: GET requests, and GraphQL queries (never mutations) sent as POST /api/graphql.\n\n")
	b.WriteString("Token scopes (personal, group or project access token; in the variable token_env names):\n")
	for _, s := range scopes {
		fmt.Fprintf(&b, "  %s\n", s)
	}
	b.WriteString("\nRole the token's user needs in each top-level group, by fact:\n")
	for _, f := range facts {
		if slices.Contains(ids, f.collector) {
			fmt.Fprintf(&b, "  %-11s %s (%s)\n", f.role, f.fact, f.collector)
		}
	}
	b.WriteString("\nNotes:\n")
	b.WriteString("  Owner is needed to see members' two_factor_enabled (on GitLab versions whose\n")
	b.WriteString("  members API has the field); otherwise 2FA status is recorded as a gap and its\n")
	b.WriteString("  controls are inconclusive.\n")
	b.WriteString("  Merge request approval settings and rules, code owner approval and push rules\n")
	b.WriteString("  need GitLab Premium or Ultimate: on Free or Community Edition the API answers\n")
	b.WriteString("  404 or 403, the attributes are gaps with a scope note, and their controls are\n")
	b.WriteString("  inconclusive, never passing.\n")
	b.WriteString("  Pending invitations and group audit events are shown to group Owners only;\n")
	b.WriteString("  below Owner they are gaps. Group audit events need Premium or Ultimate: on Free\n")
	b.WriteString("  or Community Edition they are recorded as unavailable, with a scope note.\n")
	b.WriteString("  Whether a member is an external user is shown only to instance administrators:\n")
	b.WriteString("  attest does not read it (a gap and a scope note, never \"no external users\").\n")
	b.WriteString("  A group access token with read_api and the Owner role (or a service account)\n")
	b.WriteString("  keeps the evidence independent of one employee's account.\n")
	return b.Bytes(), nil
}

// facts lists the role each fact needs, per the GitLab permissions
// reference (https://docs.gitlab.com/user/permissions/) and the API docs.
var facts = []struct{ collector, role, fact string }{
	{"gitlab.groups", "Reporter", "groups, subgroups, 2FA requirement and grace period, members and their roles"},
	{"gitlab.groups", "Owner", "members' 2FA status (two_factor_enabled), pending invitations of every group"},
	{"gitlab.groups", "Owner", "top-level group audit events (Premium; one page of the last 30 days)"},
	{"gitlab.projects", "Reporter", "projects, visibility, archived"},
	{"gitlab.projects", "Maintainer", "protected branches, approval settings and rules (Premium), push rules (Premium), deploy keys, project access tokens"},
	{"gitlab.projects", "Developer", "secret push protection (Ultimate project security settings)"},
	{"gitlab.reviews", "Reporter", "merged merge requests and their approvals"},
	{"gitlab.scanning", "Reporter", "default-branch pipelines and their jobs, and which CODEOWNERS files exist there (GraphQL, one query per 5 projects; REST where it must)"},
	{"gitlab.vulnerabilities", "Developer", "open critical and high vulnerabilities (Ultimate; one GraphQL query per page of 100)"},
}
