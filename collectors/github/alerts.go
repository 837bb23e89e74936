package github

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	gh "github.com/google/go-github/v92/github"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
)

// AlertsCollector reads, per repository, whether Dependabot alerts and
// secret scanning are enabled, and counts open alerts (Dependabot: critical
// and high severity) and those open longer than alert_sla_days.
//
// Dependabot alerts come with the repository list, graphQLRepoBatch
// repositories per GraphQL query (GitHub's organisation-wide Dependabot
// listing would add calls, not save them). Secret scanning alerts, which
// GraphQL does not serve, come from the organisation-wide listing of open
// alerts, and whether secret scanning is enabled from the REST repository
// list (security_and_analysis): a few calls for the whole organisation.
// Where the organisation listing is denied or unavailable (the token's
// user is neither an organisation owner nor a security manager, or an
// older GitHub Enterprise Server), or GitHub shows a repository no
// security_and_analysis, the repository's own listing is read, one REST
// call per repository. Both ways give the same attributes.
//
// GitHub API docs:
//   - https://docs.github.com/graphql/reference/objects#repository (hasVulnerabilityAlertsEnabled, vulnerabilityAlerts)
//   - https://docs.github.com/rest/secret-scanning/secret-scanning#list-secret-scanning-alerts-for-an-organization (GET /orgs/{org}/secret-scanning/alerts)
//   - https://docs.github.com/rest/repos/repos#list-organization-repositories (GET /orgs/{org}/repos, security_and_analysis)
//   - https://docs.github.com/rest/secret-scanning/secret-scanning#list-secret-scanning-alerts-for-a-repository (GET /repos/{owner}/{repo}/secret-scanning/alerts)
//
// Dependabot alerts turned off, a secret scanning 404, or a 403 saying the
// feature is disabled, is evidence that the feature is off, not a failure.
type AlertsCollector struct{ src *Source }

// dependabotFields select the open Dependabot alerts of a repository.
const dependabotFields = `hasVulnerabilityAlertsEnabled
      vulnerabilityAlerts(states: [OPEN], first: 100) { pageInfo { hasNextPage endCursor } nodes { createdAt securityVulnerability { severity } } }`

// alertsQuery reads repositories with their open Dependabot alerts.
var alertsQuery = reposQuery("AttestDependabotAlerts", dependabotFields)

// moreAlertsQuery reads the further open alerts of a repository with more
// than fit its page of alertsQuery.
const moreAlertsQuery = `query AttestMoreDependabotAlerts($owner: String!, $name: String!, $cursor: String) {
  repository(owner: $owner, name: $name) {
    vulnerabilityAlerts(states: [OPEN], first: 100, after: $cursor) { pageInfo { hasNextPage endCursor } nodes { createdAt securityVulnerability { severity } } }
  }
}`

// permDependabotRead is what reading Dependabot alerts needs.
const permDependabotRead = "scope:security_events or " + permDependabot

// alertConn is a page of Dependabot alerts.
type alertConn struct {
	PageInfo pageInfo `json:"pageInfo"`
	Nodes    []struct {
		CreatedAt             time.Time `json:"createdAt"`
		SecurityVulnerability struct {
			Severity string `json:"severity"`
		} `json:"securityVulnerability"`
	} `json:"nodes"`
}

const (
	opSecretScanning = "GET /repos/{owner}/{repo}/secret-scanning/alerts"
	typeAlerts       = "github.repository.alerts"
)

// Describe returns the collector's metadata.
func (c *AlertsCollector) Describe() collectors.Descriptor {
	return collectors.Descriptor{
		ID: "github.alerts", Version: 2, Source: SourceName,
		Title: "GitHub Dependabot and secret scanning alerts",
		ResourceTypes: []collectors.ResourceType{{Name: typeAlerts, Doc: "Vulnerability and leaked-secret alerts of a repository.", Attributes: []collectors.Attribute{
			{Name: "dependabot_alerts_enabled", Type: "bool", Doc: "Dependabot alerts are enabled."},
			{Name: "dependabot_open_critical_high", Type: "int", Doc: "Open Dependabot alerts of critical or high severity."},
			{Name: "dependabot_overdue", Type: "int", Doc: "Of those, alerts open longer than alert_sla_days."},
			{Name: "secret_scanning_enabled", Type: "bool", Doc: "Secret scanning is enabled."},
			{Name: "secret_scanning_open", Type: "int", Doc: "Open secret scanning alerts."},
			{Name: "secret_scanning_overdue", Type: "int", Doc: "Open secret scanning alerts older than alert_sla_days."},
			{Name: "alert_sla_days", Type: "int", Doc: "The configured remediation SLA in days."},
		}}},
		Permissions:      []string{scopeSecurityEvents, scopeRepo, permDependabot, permSecretScanning, permRepoMetadata},
		CallsPerResource: 1,
	}
}

// Collect reads every selected repository of the organisation.
func (c *AlertsCollector) Collect(ctx context.Context, target evidence.Target, out collectors.Sink) error {
	client, err := c.src.gh()
	if err != nil {
		return err
	}
	secrets, err := c.orgSecrets(ctx, client, target.Account)
	if err != nil {
		return err
	}
	return c.src.eachGraphRepo(ctx, target.Account, alertsQuery, permDependabotRead, out, func(ctx context.Context, client *gh.Client, r *graphRepo) repoResult {
		return c.repo(ctx, client, r, secrets)
	})
}

func (c *AlertsCollector) repo(ctx context.Context, client *gh.Client, r *graphRepo, secrets *orgSecrets) repoResult {
	ctx, trace := collectors.WithTrace(ctx)
	owner, name := r.owner(), r.Name
	sla := c.src.cfg.AlertSLADays
	res := &evidence.Resource{Type: typeAlerts, ID: r.URL + "#alerts", Name: r.NameWithOwner, Account: owner,
		Attributes: map[string]any{"alert_sla_days": sla}}
	defer func() { res.Records = append(slices.Clone(r.records), res.Records...) }()
	result := repoResult{res: res}
	cutoff := c.src.cfg.Now().UTC().Add(-time.Duration(sla) * 24 * time.Hour)
	handle := func(err error, op, perm string, attrs ...string) bool {
		if featureDisabled(err) {
			res.Attributes[attrs[0]] = false
			res.Attributes[attrs[1]], res.Attributes[attrs[2]] = 0, 0
			return false
		}
		err = classify(err, op, perm)
		if canceled(err) {
			result.err, result.res = err, nil
			return true
		}
		for _, a := range attrs {
			res.Gaps = append(res.Gaps, collectors.GapOf(err, a))
		}
		result.fails = append(result.fails, collectors.FailureOf(err, res.ID))
		return false
	}

	open, overdue, enabled, derr := c.dependabot(ctx, client, r, cutoff)
	switch {
	case derr != nil:
		if handle(derr, opGraphQL, permDependabotRead, "dependabot_alerts_enabled", "dependabot_open_critical_high", "dependabot_overdue") {
			return result
		}
	case !enabled:
		res.Attributes["dependabot_alerts_enabled"] = false
		res.Attributes["dependabot_open_critical_high"], res.Attributes["dependabot_overdue"] = 0, 0
	default:
		res.Attributes["dependabot_alerts_enabled"] = true
		res.Attributes["dependabot_open_critical_high"], res.Attributes["dependabot_overdue"] = open, overdue
	}

	if enabled, created, records, ok := secrets.lookup(r.NameWithOwner); ok {
		res.Attributes["secret_scanning_enabled"] = enabled
		res.Attributes["secret_scanning_open"], res.Attributes["secret_scanning_overdue"] = 0, 0
		if enabled {
			res.Attributes["secret_scanning_open"], res.Attributes["secret_scanning_overdue"] = secretCounts(created, cutoff)
		}
		res.Records = withRecords(trace.Records(), records...)
		return result
	}
	open, overdue = 0, 0
	var serr error
	for a, err := range client.SecretScanning.ListAlertsForRepoIter(ctx, owner, name, &gh.SecretScanningAlertListOptions{
		State: "open", ListOptions: gh.ListOptions{PerPage: 100},
	}) {
		if err != nil {
			serr = err
			break
		}
		open++
		if a.GetCreatedAt().Before(cutoff) {
			overdue++
		}
	}
	if serr != nil {
		if handle(serr, opSecretScanning, "scope:repo or scope:security_events or "+permSecretScanning, "secret_scanning_enabled", "secret_scanning_open", "secret_scanning_overdue") {
			return result
		}
	} else {
		res.Attributes["secret_scanning_enabled"] = true
		res.Attributes["secret_scanning_open"], res.Attributes["secret_scanning_overdue"] = open, overdue
	}
	res.Records = trace.Records()
	return result
}

// dependabot counts the repository's open critical and high Dependabot
// alerts, and those created before cutoff, reading further pages of alerts
// when the repository's page did not hold them all.
func (c *AlertsCollector) dependabot(ctx context.Context, client *gh.Client, r *graphRepo, cutoff time.Time) (open, overdue int, enabled bool, err error) {
	if err := r.err("", permDependabotRead); err != nil {
		return 0, 0, false, err
	}
	var node struct {
		Enabled bool       `json:"hasVulnerabilityAlertsEnabled"`
		Alerts  *alertConn `json:"vulnerabilityAlerts"`
	}
	if err := json.Unmarshal(r.raw, &node); err != nil {
		return 0, 0, false, fmt.Errorf("github graphql %s: decode: %w", r.NameWithOwner, err)
	}
	if !node.Enabled {
		return 0, 0, false, nil
	}
	for conn := node.Alerts; conn != nil; {
		for _, a := range conn.Nodes {
			if sev := a.SecurityVulnerability.Severity; sev == "CRITICAL" || sev == "HIGH" {
				open++
				if a.CreatedAt.Before(cutoff) {
					overdue++
				}
			}
		}
		if !conn.PageInfo.HasNextPage {
			break
		}
		var more struct {
			Repository *struct {
				Alerts *alertConn `json:"vulnerabilityAlerts"`
			} `json:"repository"`
		}
		err := graphqlWhole(ctx, client, moreAlertsQuery, map[string]any{"owner": r.owner(), "name": r.Name, "cursor": conn.PageInfo.EndCursor},
			permDependabotRead, &more, "Dependabot alerts of "+r.NameWithOwner, func() bool { return more.Repository != nil && more.Repository.Alerts != nil })
		if err != nil {
			return 0, 0, true, err
		}
		conn = more.Repository.Alerts
	}
	return open, overdue, true, nil
}
