package github

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	gh "github.com/google/go-github/v92/github"

	"github.com/attestdev/attest/collectors"
)

// Permission strings used in descriptors. Classic token scopes are prefixed
// "scope:"; fine-grained token and GitHub App permissions are
// "<organization|repository>:<permission>:read".
const (
	scopeReadOrg        = "scope:read:org"
	scopeRepo           = "scope:repo"
	scopeSecurityEvents = "scope:security_events"
	permOrgMembers      = "organization:members:read"
	permOrgAdmin        = "organization:administration:read"
	permRepoMetadata    = "repository:metadata:read"
	permRepoAdmin       = "repository:administration:read"
	permCodeScanning    = "repository:code_scanning_alerts:read"
	permActions         = "repository:actions:read"
	permDependabot      = "repository:dependabot_alerts:read"
	permSecretScanning  = "repository:secret_scanning_alerts:read"
	permPullRequests    = "repository:pull_requests:read"
	permContents        = "repository:contents:read"
	permOrgActions      = "organization:administration:read"
	scopeAdminOrg       = "scope:admin:org"
)

const opListRepos = "GET /orgs/{org}/repos"

// listRepos returns the organisation's repositories that pass the filters
// (archived ones only when configured), sorted by name, and the raw
// responses of the list's pages. The ones left out are recorded as skipped
// on sink, with the reason. The list is walked once per collection however
// many collectors read it (walkRepos).
func (s *Source) listRepos(ctx context.Context, c *gh.Client, org string, sink collectors.Sink) ([]listedRepo, []string, error) {
	w, err := s.walkRepos(ctx, c, org)
	if err != nil {
		return nil, nil, fmt.Errorf("github %s %s: %w", opListRepos, org, classify(err, opListRepos, "scope:repo or "+permRepoMetadata))
	}
	var out []listedRepo
	for _, r := range w.repos {
		if r.archived && !s.cfg.IncludeArchived {
			collectors.Skip(sink, r.htmlURL, "archived (set include_archived to collect it)")
			continue
		}
		if !s.cfg.Repos.Match(r.name) {
			collectors.Skip(sink, r.htmlURL, "filtered out by the repos include/exclude configuration")
			continue
		}
		out = append(out, r)
	}
	slices.SortFunc(out, func(a, b listedRepo) int { return cmp.Compare(a.name, b.name) })
	return out, slices.Clone(w.records), nil
}

// A listedRepo is what the collectors read of a listed repository. A
// gh.Repository has some hundred fields, most of them URLs, and the
// collectors that walk every repository hold the whole listing while they
// do: for thousands of repositories, tens of megabytes each.
type listedRepo struct {
	name, fullName, htmlURL, owner, defaultBranch string
	archived                                      bool
	// security is the repository's security_and_analysis, nil when the
	// listing did not show it.
	security *gh.SecurityAndAnalysis
}

// listed returns what the collectors read of r.
func listed(r *gh.Repository) listedRepo {
	return listedRepo{name: r.GetName(), fullName: r.GetFullName(), htmlURL: r.GetHTMLURL(), owner: r.GetOwner().GetLogin(),
		defaultBranch: r.GetDefaultBranch(), archived: r.GetArchived(), security: r.SecurityAndAnalysis}
}

// repoID returns the stable id of a repository: its web URL.
func repoID(r listedRepo) string {
	if r.htmlURL != "" {
		return r.htmlURL
	}
	return "https://github.com/" + r.fullName
}

// ts formats t as an RFC 3339 UTC string, or "" for the zero time.
func ts(t gh.Timestamp) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}
