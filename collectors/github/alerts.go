package github

import (
	"context"
	"time"

	gh "github.com/google/go-github/v92/github"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
)

// AlertsCollector reads, per repository, whether Dependabot alerts and
// secret scanning are enabled, and counts open alerts (Dependabot: critical
// and high severity) and those open longer than alert_sla_days.
//
// GitHub API docs:
//   - https://docs.github.com/rest/dependabot/alerts#list-dependabot-alerts-for-a-repository (GET /repos/{owner}/{repo}/dependabot/alerts)
//   - https://docs.github.com/rest/secret-scanning/secret-scanning#list-secret-scanning-alerts-for-a-repository (GET /repos/{owner}/{repo}/secret-scanning/alerts)
//
// A 404, or a 403 saying the feature is disabled, is evidence that the
// feature is off, not a failure.
type AlertsCollector struct{ src *Source }

const (
	opDependabot     = "GET /repos/{owner}/{repo}/dependabot/alerts"
	opSecretScanning = "GET /repos/{owner}/{repo}/secret-scanning/alerts"
	typeAlerts       = "github.repository.alerts"
)

// Describe returns the collector's metadata.
func (c *AlertsCollector) Describe() collectors.Descriptor {
	return collectors.Descriptor{
		ID: "github.alerts", Version: 1, Source: SourceName,
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
		Permissions: []string{scopeSecurityEvents, scopeRepo, permDependabot, permSecretScanning},
	}
}

// Collect reads every selected repository of the organisation.
func (c *AlertsCollector) Collect(ctx context.Context, target evidence.Target, out collectors.Sink) error {
	return c.src.eachRepo(ctx, target.Account, out, c.repo)
}

func (c *AlertsCollector) repo(ctx context.Context, client *gh.Client, r *gh.Repository) repoResult {
	ctx, trace := collectors.WithTrace(ctx)
	owner, name := r.GetOwner().GetLogin(), r.GetName()
	sla := c.src.cfg.AlertSLADays
	res := &evidence.Resource{Type: typeAlerts, ID: repoID(r) + "#alerts", Name: r.GetFullName(), Account: owner,
		Attributes: map[string]any{"alert_sla_days": sla}}
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

	open, overdue := 0, 0
	var derr error
	for a, err := range client.Dependabot.ListRepoAlertsIter(ctx, owner, name, &gh.ListAlertsOptions{
		State: new("open"), Severity: new("critical,high"), ListCursorOptions: gh.ListCursorOptions{PerPage: 100},
	}) {
		if err != nil {
			derr = err
			break
		}
		open++
		if a.GetCreatedAt().Before(cutoff) {
			overdue++
		}
	}
	if derr != nil {
		if handle(derr, opDependabot, "scope:security_events or "+permDependabot, "dependabot_alerts_enabled", "dependabot_open_critical_high", "dependabot_overdue") {
			return result
		}
	} else {
		res.Attributes["dependabot_alerts_enabled"] = true
		res.Attributes["dependabot_open_critical_high"], res.Attributes["dependabot_overdue"] = open, overdue
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
