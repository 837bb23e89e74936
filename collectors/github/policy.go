package github

import (
	"bytes"
	"fmt"
	"slices"
	"strings"

	"github.com/attestdev/attest/collectors"
)

// Policy renders the least-privilege GitHub access for the given
// descriptors as plain text: the classic token scopes, and the fine-grained
// token or GitHub App permissions (organisation and repository), sorted and
// deduplicated. Descriptors of other sources are ignored.
func Policy(ds []collectors.Descriptor) ([]byte, error) {
	var scopes, org, repo, ids []string
	for _, d := range ds {
		if d.Source != SourceName {
			continue
		}
		ids = append(ids, d.ID)
		for _, p := range d.Permissions {
			switch {
			case strings.HasPrefix(p, "scope:"):
				scopes = append(scopes, strings.TrimPrefix(p, "scope:"))
			case strings.HasPrefix(p, "organization:"):
				org = append(org, permLine(strings.TrimPrefix(p, "organization:")))
			case strings.HasPrefix(p, "repository:"):
				repo = append(repo, permLine(strings.TrimPrefix(p, "repository:")))
			default:
				return nil, fmt.Errorf("github: collector %s: unknown permission notation %q", d.ID, p)
			}
		}
	}
	for _, l := range []*[]string{&scopes, &org, &repo, &ids} {
		slices.Sort(*l)
		*l = slices.Compact(*l)
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "# GitHub access for attest collectors: %s\n", strings.Join(ids, ", "))
	b.WriteString("# All access is read-only.\n\n")
	b.WriteString("Classic personal access token scopes:\n")
	for _, s := range scopes {
		fmt.Fprintf(&b, "  %s\n", s)
	}
	b.WriteString("\nFine-grained personal access token or GitHub App permissions:\n")
	b.WriteString("  Organization permissions:\n")
	for _, s := range org {
		fmt.Fprintf(&b, "    %s\n", s)
	}
	b.WriteString("  Repository permissions (all repositories of the organisation):\n")
	for _, s := range repo {
		fmt.Fprintf(&b, "    %s\n", s)
	}
	b.WriteString("\nNotes:\n")
	b.WriteString("  GitHub shows the 2FA requirement, the default repository permission and\n")
	b.WriteString("  members without 2FA only to organisation owners; without the owner role\n")
	b.WriteString("  those attributes are recorded as gaps and their controls are inconclusive.\n")
	b.WriteString("  Classic branch protection is readable only with admin access to the repository.\n")
	b.WriteString("  The organisation's Actions policy (github.org_security) needs the admin:org\n")
	b.WriteString("  classic scope, which also allows writes; with a fine-grained token or App,\n")
	b.WriteString("  organization Administration: read suffices. SAML SSO and secret scanning\n")
	b.WriteString("  status (security_and_analysis) are shown to organisation owners and\n")
	b.WriteString("  repository administrators only.\n")
	if slices.Contains(ids, fineGrainedID) {
		b.WriteString("  Fine-grained personal access tokens with organisation access\n")
		b.WriteString("  (github.fine_grained_tokens) are listed only to a GitHub App installation\n")
		b.WriteString("  with Personal access tokens: read; with a token the listing is denied and\n")
		b.WriteString("  its controls are inconclusive.\n")
	}
	return b.Bytes(), nil
}

// permLine renders "code_scanning_alerts:read" as "Code scanning alerts: read".
func permLine(p string) string {
	name, level, _ := strings.Cut(p, ":")
	name = strings.ReplaceAll(name, "_", " ")
	if name != "" {
		name = strings.ToUpper(name[:1]) + name[1:]
	}
	return name + ": " + level
}
